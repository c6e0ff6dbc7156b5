package storetest

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// callback stores a callback for a in state, next due at next.
func callback(t *testing.T, s store.Store, a store.StoredAlert, state store.DeliveryState, next time.Time) store.Callback {
	t.Helper()
	c, err := s.InsertCallback(t.Context(), store.Callback{
		TenantID: a.TenantID, SourceID: a.SourceID, AlertSeq: a.Seq, Payload: []byte(`{"status":"resolved"}`),
		State: state, NextAttemptAt: next, CreatedAt: t0, UpdatedAt: t0,
	})
	must(t, err)
	return c
}

func callbackIDs(cs []store.Callback) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testCallbacks(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	a, b := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2")
	other := mustAlert(t, s, mustSource(t, s, "t2", "src"), "a1")
	c := callback(t, s, a, store.DeliveryPending, t0)
	if c.ID == 0 {
		t.Fatal("inserted callback has no id")
	}
	cb := callback(t, s, b, store.DeliveryPending, t0)
	callback(t, s, other, store.DeliveryPending, t0)

	got, err := s.Callbacks(ctx, "t1", a.Seq)
	must(t, err)
	diff(t, "inserted callback", []store.Callback{c}, got)

	done := t0.Add(time.Minute)
	c.State, c.Attempts, c.LastError, c.NextAttemptAt = store.DeliveryDone, 2, "503 once", t0.Add(30*time.Second)
	c.UpdatedAt, c.CompletedAt = done, &done
	must(t, s.UpdateCallback(ctx, c))
	got, err = s.Callbacks(ctx, "t1", a.Seq)
	must(t, err)
	diff(t, "updated callback", []store.Callback{c}, got)

	all, err := s.Callbacks(ctx, "t1", 0)
	must(t, err)
	diff(t, "tenant's callbacks, oldest first", []int64{c.ID, cb.ID}, callbackIDs(all))
	none, err := s.Callbacks(ctx, "t2", a.Seq)
	must(t, err)
	diff(t, "other tenant's view of the alert", []int64{}, callbackIDs(none))

	ghost := c
	ghost.ID += 1000
	wantErr(t, s.UpdateCallback(ctx, ghost), store.ErrNotFound)
	_, err = s.InsertCallback(ctx, store.Callback{TenantID: "t1", SourceID: "ghost", AlertSeq: a.Seq,
		State: store.DeliveryPending, NextAttemptAt: t0})
	wantErr(t, err, store.ErrNotFound)
}

func testDueCallbacks(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAlert(t, s, mustSource(t, s, "t1", "src"), "a1")
	first := callback(t, s, a, store.DeliveryPending, t0)
	second := callback(t, s, a, store.DeliveryPending, t0.Add(-time.Hour)) // due earlier, inserted later
	callback(t, s, a, store.DeliveryPending, t0.Add(time.Microsecond))     // not yet due
	callback(t, s, a, store.DeliveryDone, t0.Add(-time.Hour))
	callback(t, s, a, store.DeliveryFailed, t0.Add(-time.Hour))
	callback(t, s, mustAlert(t, s, mustSource(t, s, "t2", "src"), "a1"), store.DeliveryPending, t0)

	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  []int64
	}{
		{"due_oldest_first", t0, 0, []int64{first.ID, second.ID}},
		{"limit", t0, 1, []int64{first.ID}},
		{"earlier_now", t0.Add(-time.Minute), 0, []int64{second.ID}},
		{"nothing_due", t0.Add(-2 * time.Hour), 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.DueCallbacks(ctx, "t1", tc.now, tc.limit)
			must(t, err)
			diff(t, "due callback ids", tc.want, callbackIDs(got))
		})
	}
	got, err := s.DueCallbacks(ctx, "t1", t0, 1)
	must(t, err)
	diff(t, "due callback", []store.Callback{first}, got)
}

func testSourceByID(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	mustSource(t, s, "t2", "other")
	got, err := s.SourceByID(ctx, "t1", "src")
	must(t, err)
	diff(t, "source by id", src, got)

	tests := []struct{ name, tenant, id string }{
		{"unknown_id", "t1", "nope"},
		{"other_tenant", "t1", "other"},
		{"wrong_tenant", "t2", "src"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.SourceByID(ctx, tc.tenant, tc.id)
			wantErr(t, err, store.ErrNotFound)
		})
	}
}
