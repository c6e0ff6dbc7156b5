package integration

import (
	"testing"
	"time"
)

func TestResolveSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Time
		wantErr  bool
	}{
		{"now", "now", now, false},
		{"empty is now", "", now, false},
		{"now any case", " NOW ", now, false},
		{"7 days", "7d", now.AddDate(0, 0, -7), false},
		{"30 days", "30d", now.AddDate(0, 0, -30), false},
		{"any days", "90d", now.AddDate(0, 0, -90), false},
		{"zero days", "0d", now, false},
		{"go duration", "12h", now.Add(-12 * time.Hour), false},
		{"go duration compound", "1h30m", now.Add(-90 * time.Minute), false},
		{"rfc 3339", "2026-11-14T00:00:00Z", time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC), false},
		{"rfc 3339 with offset", "2026-11-14T02:00:00+02:00", time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC), false},
		{"date", "2026-11-14", time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC), false},
		{"negative days", "-7d", time.Time{}, true},
		{"days not a number", "xd", time.Time{}, true},
		{"too many days", "99999999999d", time.Time{}, true},
		{"negative duration", "-2h", time.Time{}, true},
		{"words", "last week", time.Time{}, true},
		{"weeks unsupported", "2w", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ResolveSince(tt.in, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ResolveSince(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ResolveSince(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
