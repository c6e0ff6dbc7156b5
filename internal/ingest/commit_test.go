package ingest

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// poisonStore refuses to store any alert whose id is "poison", failing
// the whole transaction that holds it, and counts transactions.
type poisonStore struct {
	*sqlite.Store
	txs int
}

func (p *poisonStore) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	p.txs++
	return p.Store.InTx(ctx, func(q store.Queries) error { return fn(poisonQueries{q}) })
}

type poisonQueries struct{ store.Queries }

func (q poisonQueries) UpsertAlerts(ctx context.Context, as []store.StoredAlert) ([]store.UpsertResult, error) {
	for _, a := range as {
		if a.Alert.ID == "poison" {
			return nil, errors.New("constraint failed")
		}
	}
	return q.Queries.UpsertAlerts(ctx, as)
}

func testAlert(id string) alert.Alert {
	return alert.Alert{
		ID: id, Kind: alert.KindIssue, Organization: alert.Organization{ID: "org-1"}, Type: "Malware",
		Severity: alert.SeverityHigh, Status: alert.StatusOpen, Title: "t",
		OccurredAt: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
	}
}

// queued builds a committer with jobs already queued, as if their
// requests had arrived while another commit was running.
func queued(st store.Store, ids ...[]string) (*committer, []*job) {
	c := newCommitter(st, time.Now, slog.New(slog.DiscardHandler), time.Hour, DefaultGroupMaxAlerts)
	src := store.Source{TenantID: store.DefaultTenant, ID: "src-a", TokenHash: "h"}
	var jobs []*job
	for _, group := range ids {
		j := &job{src: src, done: make(chan outcome, 1)}
		for _, id := range group {
			j.alerts = append(j.alerts, testAlert(id))
		}
		jobs = append(jobs, j)
	}
	c.pending, c.leading = append([]*job(nil), jobs...), true
	for _, j := range jobs {
		c.pendingAlerts += len(j.alerts)
	}
	return c, jobs
}

func openTestStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateSource(context.Background(), store.Source{TenantID: store.DefaultTenant, ID: "src-a", TokenHash: "h"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCommitShared: queued requests share one transaction and each gets
// its own alerts back.
func TestCommitShared(t *testing.T) {
	t.Parallel()
	ps := &poisonStore{Store: openTestStore(t)}
	c, jobs := queued(ps, []string{"a1", "a2"}, []string{"b1"}, []string{"c1", "c2", "c3"})
	c.lead(context.Background())
	if ps.txs != 1 {
		t.Errorf("%d transactions for 3 queued requests, want 1", ps.txs)
	}
	want := [][]string{{"a1", "a2"}, {"b1"}, {"c1", "c2", "c3"}}
	for i, j := range jobs {
		o := <-j.done
		if o.err != nil || o.lead {
			t.Fatalf("job %d: %+v", i, o)
		}
		var got []string
		for _, a := range o.accepted {
			got = append(got, a.ID)
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("job %d accepted (-want +got):\n%s", i, diff)
		}
	}
	if c.leading || len(c.pending) != 0 {
		t.Errorf("after the last batch: leading %v, %d pending", c.leading, len(c.pending))
	}
}

// TestCommitIsolatesFailure: one request the store refuses fails alone;
// the requests that shared its transaction are stored and answered.
func TestCommitIsolatesFailure(t *testing.T) {
	t.Parallel()
	ps := &poisonStore{Store: openTestStore(t)}
	c, jobs := queued(ps, []string{"a1"}, []string{"b1", "poison"}, []string{"c1"})
	c.lead(context.Background())
	for i, j := range jobs {
		o := <-j.done
		if (o.err != nil) != (i == 1) {
			t.Errorf("job %d: err %v, want an error only for the poisoned request", i, o.err)
		}
	}
	for id, want := range map[string]bool{"a1": true, "b1": false, "poison": false, "c1": true} {
		_, err := ps.AlertBySourceID(context.Background(), store.DefaultTenant, "src-a", id)
		if got := err == nil; got != want {
			t.Errorf("alert %s stored %v, want %v", id, got, want)
		}
	}
	if ps.txs != 4 {
		t.Errorf("%d transactions, want 4 (the shared one, then one per request)", ps.txs)
	}
}

// TestCommitBatchCap: a batch stops at the alert cap and the lead passes
// to the oldest request left.
func TestCommitBatchCap(t *testing.T) {
	t.Parallel()
	st := openTestStore(t)
	c, jobs := queued(st, []string{"a1", "a2"}, []string{"b1", "b2"}, []string{"c1"})
	c.maxAlerts = 3
	c.lead(context.Background())
	if o := <-jobs[0].done; o.err != nil || len(o.accepted) != 2 {
		t.Fatalf("first job %+v", o)
	}
	if o := <-jobs[1].done; !o.lead {
		t.Fatalf("second job got %+v, want the lead (the cap left it out)", o)
	}
	c.lead(context.Background())
	for _, j := range jobs[1:] {
		if o := <-j.done; o.err != nil || o.lead || len(o.accepted) == 0 {
			t.Errorf("job %+v", o)
		}
	}
}

// panicStore panics inside every transaction.
type panicStore struct{ *sqlite.Store }

func (panicStore) InTx(context.Context, func(store.Queries) error) error { panic("driver bug") }

// TestCommitPanic: a panicking store answers every job with an error
// instead of leaving followers waiting.
func TestCommitPanic(t *testing.T) {
	t.Parallel()
	c, jobs := queued(panicStore{openTestStore(t)}, []string{"a1"}, []string{"b1"})
	c.lead(context.Background())
	for i, j := range jobs {
		select {
		case o := <-j.done:
			if o.err == nil {
				t.Errorf("job %d: no error after a panic", i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("job %d never answered", i)
		}
	}
}
