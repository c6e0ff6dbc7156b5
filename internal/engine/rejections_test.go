package engine

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestRejectionsBoundAndSummarise: failed signatures use up a burst after
// which webhooks are refused unchecked until the rate refills, and the
// log holds one line per interval with the count, not one per request.
func TestRejectionsBoundAndSummarise(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	r := newRejections(func() time.Time { return now })
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	checked := 0
	for range 1000 {
		if !r.allow() {
			r.record(log, false)
			continue
		}
		checked++
		r.record(log, true)
	}
	if checked != rejectBurst {
		t.Errorf("%d forged webhooks checked in one instant, want the burst of %d", checked, rejectBurst)
	}
	if n := strings.Count(buf.String(), "webhooks rejected"); n != 1 {
		t.Errorf("%d log lines for 1,000 rejections in one instant, want 1:\n%s", n, buf.String())
	}
	now = now.Add(time.Second)
	if !r.allow() {
		t.Error("still refusing unchecked a second later")
	}
	now = now.Add(rejectLogEvery)
	r.record(log, true)
	if !strings.Contains(buf.String(), "count=1000") {
		t.Errorf("the second log line does not count the rejections since the first:\n%s", buf.String())
	}
}
