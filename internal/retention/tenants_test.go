package retention

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPruneEveryTenant: with Tenants set, one pass prunes each tenant it
// lists, in order, with the same cutoff.
func TestPruneEveryTenant(t *testing.T) {
	t.Parallel()
	st := &fakeStore{}
	p := New(Config{
		Store: st, MaxAge: 24 * time.Hour, Batch: 500,
		Tenants: func(context.Context) ([]string, error) { return []string{"acme", "default"}, nil },
		Now:     func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler),
	})
	if _, err := p.Prune(t.Context()); err != nil {
		t.Fatal(err)
	}
	cutoff := now.Add(-24 * time.Hour)
	want := []call{{"acme", cutoff, 500}, {"default", cutoff, 500}}
	if d := cmp.Diff(want, st.calls, cmp.AllowUnexported(call{})); d != "" {
		t.Errorf("prune calls (-want +got):\n%s", d)
	}
}
