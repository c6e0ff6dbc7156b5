package simkit

import (
	"context"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "1"}, {-time.Second, "1"}, {time.Millisecond, "1"}, {time.Second, "1"},
		{time.Second + time.Millisecond, "2"}, {90 * time.Second, "90"},
	} {
		if got := RetryAfter(tt.d); got != tt.want {
			t.Errorf("RetryAfter(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestSleepEndsWithContext would hang for an hour if Sleep ignored ctx.
func TestSleepEndsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	Sleep(ctx, time.Hour)
	Sleep(t.Context(), 0)
	Sleep(t.Context(), -time.Second)
}
