package autotask

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFlexString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "number", in: `{"itemId":12345}`, want: "12345"},
		{name: "string", in: `{"itemId":"12345"}`, want: "12345"},
		{name: "null", in: `{"itemId":null}`, want: ""},
		{name: "absent", in: `{}`, want: ""},
		{name: "negative", in: `{"itemId":-2}`, want: "-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r itemResult
			if err := json.Unmarshal([]byte(tt.in), &r); err != nil {
				t.Fatal(err)
			}
			if string(r.ItemID) != tt.want {
				t.Errorf("itemId = %q, want %q", r.ItemID, tt.want)
			}
		})
	}
}

func TestFlexBool(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`true`: true, `false`: false, `1`: true, `0`: false, `"1"`: true, `"true"`: true, `null`: false,
	} {
		var b flexBool
		if err := json.Unmarshal([]byte(in), &b); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if bool(b) != want {
			t.Errorf("flexBool(%s) = %v, want %v", in, b, want)
		}
	}
}

func TestWireTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{name: "no zone is UTC", in: `"2024-01-31T15:04:05.307"`, want: time.Date(2024, 1, 31, 15, 4, 5, 307e6, time.UTC)},
		{name: "no zone no fraction", in: `"2024-01-31T15:04:05"`, want: time.Date(2024, 1, 31, 15, 4, 5, 0, time.UTC)},
		{name: "Z", in: `"2024-01-31T15:04:05Z"`, want: time.Date(2024, 1, 31, 15, 4, 5, 0, time.UTC)},
		{name: "offset", in: `"2024-01-31T16:04:05+01:00"`, want: time.Date(2024, 1, 31, 15, 4, 5, 0, time.UTC)},
		{name: "null", in: `null`},
		{name: "garbage", in: `"yesterday"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var w wireTime
			err := json.Unmarshal([]byte(tt.in), &w)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got := time.Time(w); !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Errorf("time = %v, want %v in UTC", got, tt.want)
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	in := time.Date(2024, 5, 1, 19, 0, 0, 123, time.FixedZone("CEST", 2*3600))
	if got := formatTime(in); got != "2024-05-01T17:00:00Z" {
		t.Errorf("formatTime = %q, want 2024-05-01T17:00:00Z", got)
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	if got := cut("short", 10); got != "short" {
		t.Errorf("cut kept %q", got)
	}
	got := cut("äöüäöüäöü", 4)
	if got != "äöü…" {
		t.Errorf("cut = %q, want rune-safe äöü…", got)
	}
}
