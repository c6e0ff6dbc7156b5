package integration

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxSinceDays bounds "<n>d" so the arithmetic cannot overflow; a century
// back is "everything" for any alert source.
const maxSinceDays = 36500

var errSince = errors.New(`use "now", a number of days like "7d" or "30d", a duration like "12h", or an RFC 3339 time like "2026-11-14T00:00:00Z"`)

// ResolveSince turns sync.since into the time alerts must not be older
// than: "now" (or empty) is now; "<n>d" is n days before now; a Go
// duration ("12h") is that long before now; an RFC 3339 time or a date
// ("2026-11-14", midnight UTC) is itself.
func ResolveSince(since string, now time.Time) (time.Time, error) {
	v := strings.TrimSpace(since)
	if v == "" || strings.EqualFold(v, "now") {
		return now, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > maxSinceDays {
			return time.Time{}, fmt.Errorf("%q is not a number of days from 0 to %d: %w", v, maxSinceDays, errSince)
		}
		return now.Add(-time.Duration(n) * 24 * time.Hour), nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%q is negative: %w", v, errSince)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: %w", v, errSince)
}
