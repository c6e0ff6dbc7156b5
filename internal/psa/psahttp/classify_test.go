package psahttp

import (
	"net/http"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   psa.Class
	}{
		{100, psa.Permanent},
		{301, psa.Permanent},
		{304, psa.Permanent},
		{400, psa.Permanent},
		{401, psa.Permanent},
		{403, psa.Permanent},
		{404, psa.Permanent},
		{405, psa.Permanent},
		{408, psa.Retryable},
		{409, psa.Permanent},
		{422, psa.Permanent},
		{425, psa.Retryable},
		{429, psa.RateLimited},
		{500, psa.Retryable},
		{501, psa.Permanent},
		{502, psa.Retryable},
		{503, psa.Retryable},
		{504, psa.Retryable},
		{599, psa.Retryable},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			if got := Classify(tt.status); got != tt.want {
				t.Errorf("Classify(%d) = %s, want %s", tt.status, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{name: "absent", value: "", want: 0},
		{name: "seconds", value: "120", want: 2 * time.Minute},
		{name: "seconds with spaces", value: " 7 ", want: 7 * time.Second},
		{name: "zero", value: "0", want: 0},
		{name: "negative", value: "-5", want: 0},
		{name: "http date ahead", value: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second},
		{name: "http date passed", value: now.Add(-time.Minute).Format(http.TimeFormat), want: 0},
		{name: "garbage", value: "soon", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ParseRetryAfter(tt.value, now); got != tt.want {
				t.Errorf("ParseRetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
}
