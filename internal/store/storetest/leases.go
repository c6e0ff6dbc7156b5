package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const leaseTTL = 10 * time.Second

func mustAcquire(t *testing.T, q store.Queries, name, holder string, now time.Time) store.Lease {
	t.Helper()
	l, err := q.AcquireLease(t.Context(), name, holder, leaseTTL, now)
	must(t, err)
	return l
}

// testLeaseLifecycle walks one name through take, refuse, renew, expiry,
// takeover and release: tokens only ever grow, and only a free or expired
// lease changes hands.
func testLeaseLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAcquire(t, s, "integration/1", "replica-a", t0)
	diff(t, "free lease taken", store.Lease{Name: "integration/1", Holder: "replica-a", Token: a.Token,
		ExpiresAt: t0.Add(leaseTTL)}, a)
	if a.Token <= 0 {
		t.Errorf("first token = %d, want > 0", a.Token)
	}
	other := mustAcquire(t, s, "integration/2", "replica-b", t0)

	_, err := s.AcquireLease(ctx, "integration/1", "replica-b", leaseTTL, t0.Add(leaseTTL-time.Microsecond))
	wantErr(t, err, store.ErrConflict)

	renewed := mustAcquire(t, s, "integration/1", "replica-a", t0.Add(5*time.Second))
	diff(t, "renewed lease", store.Lease{Name: a.Name, Holder: a.Holder, Token: a.Token,
		ExpiresAt: t0.Add(5*time.Second + leaseTTL)}, renewed)

	// The renewal moved the expiry: at the old one the lease is still held.
	_, err = s.AcquireLease(ctx, "integration/1", "replica-b", leaseTTL, t0.Add(leaseTTL))
	wantErr(t, err, store.ErrConflict)

	expiry := renewed.ExpiresAt
	b := mustAcquire(t, s, "integration/1", "replica-b", expiry)
	if b.Token <= a.Token {
		t.Errorf("token after takeover = %d, want > %d", b.Token, a.Token)
	}
	_, err = s.AcquireLease(ctx, "integration/1", "replica-a", leaseTTL, expiry.Add(time.Second))
	wantErr(t, err, store.ErrConflict)

	must(t, s.ReleaseLease(ctx, b))
	// Released, the name is free at once, even for its last holder, and the
	// token still grows.
	again := mustAcquire(t, s, "integration/1", "replica-b", expiry.Add(time.Second))
	if again.Token <= b.Token {
		t.Errorf("token after release = %d, want > %d", again.Token, b.Token)
	}
	// Releasing a lease no longer held is no error and changes nothing.
	must(t, s.ReleaseLease(ctx, a))
	_, err = s.AcquireLease(ctx, "integration/1", "replica-a", leaseTTL, expiry.Add(2*time.Second))
	wantErr(t, err, store.ErrConflict)

	// An expired lease taken back by its own holder gets a new token too:
	// what it wrote under the old one was fenced off at expiry.
	late := expiry.Add(time.Second + leaseTTL)
	back := mustAcquire(t, s, "integration/1", "replica-b", late)
	if back.Token <= again.Token {
		t.Errorf("token after own expiry = %d, want > %d", back.Token, again.Token)
	}

	got := mustAcquire(t, s, "integration/2", "replica-b", t0.Add(time.Second))
	if got.Token != other.Token {
		t.Errorf("other name's token = %d after renewal, want %d: names are independent", got.Token, other.Token)
	}
}

// testLeaseFencing checks a lease inside transactions, as the engine does
// before it records a PSA answer.
func testLeaseFencing(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAcquire(t, s, "integration/1", "replica-a", t0)
	checkInTx := func(l store.Lease, now time.Time) error {
		return s.InTx(ctx, func(q store.Queries) error { return q.CheckLease(ctx, l, now) })
	}
	tests := []struct {
		name  string
		lease store.Lease
		now   time.Time
		want  error
	}{
		{"holder_before_expiry", a, t0.Add(leaseTTL - time.Microsecond), nil},
		{"holder_at_expiry", a, t0.Add(leaseTTL), store.ErrLeaseLost},
		{"wrong_token", store.Lease{Name: a.Name, Holder: a.Holder, Token: a.Token + 1}, t0, store.ErrLeaseLost},
		{"unknown_name", store.Lease{Name: "integration/9", Holder: a.Holder, Token: a.Token}, t0, store.ErrLeaseLost},
	}
	for _, tc := range tests {
		if err := checkInTx(tc.lease, tc.now); !errors.Is(err, tc.want) {
			t.Errorf("%s: CheckLease = %v, want %v", tc.name, err, tc.want)
		}
	}

	b := mustAcquire(t, s, "integration/1", "replica-b", t0.Add(leaseTTL))
	wantErr(t, checkInTx(a, t0.Add(leaseTTL)), store.ErrLeaseLost)
	must(t, checkInTx(b, t0.Add(leaseTTL)))

	// A fenced transaction commits nothing: the old holder's write is gone.
	src := mustSource(t, s, "t1", "src")
	err := s.InTx(ctx, func(q store.Queries) error {
		mustAlert(t, q, src, "written-by-old-holder")
		return q.CheckLease(ctx, a, t0.Add(leaseTTL))
	})
	wantErr(t, err, store.ErrLeaseLost)
	_, err = s.AlertBySourceID(ctx, "t1", src.ID, "written-by-old-holder")
	wantErr(t, err, store.ErrNotFound)

	// Renewing and checking in one transaction is the holder's heartbeat.
	err = s.InTx(ctx, func(q store.Queries) error {
		if _, err := q.AcquireLease(ctx, b.Name, b.Holder, leaseTTL, t0.Add(leaseTTL+time.Second)); err != nil {
			return err
		}
		return q.CheckLease(ctx, b, t0.Add(2*leaseTTL))
	})
	must(t, err)
}

// testLeaseTakeoverWaitsForFencedTx holds a transaction open after
// CheckLease and lets another holder try to take the expired lease: the
// takeover must not finish before the fenced transaction commits, or the
// old holder's writes would land after it lost the lease.
func testLeaseTakeoverWaitsForFencedTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAcquire(t, s, "integration/1", "replica-a", t0)
	checked, takeover := make(chan struct{}), make(chan error, 1)
	var b store.Lease
	err := s.InTx(ctx, func(q store.Queries) error {
		if err := q.CheckLease(ctx, a, t0.Add(time.Second)); err != nil {
			return err
		}
		close(checked)
		go func() {
			var err error
			b, err = s.AcquireLease(ctx, a.Name, "replica-b", leaseTTL, t0.Add(leaseTTL))
			takeover <- err
		}()
		// Give the takeover time to reach the database. Only a broken fence
		// can make it finish here; a slow machine only weakens the test.
		select {
		case err := <-takeover:
			return fmt.Errorf("takeover finished inside the fenced transaction (err %v)", err)
		case <-time.After(100 * time.Millisecond):
		}
		return nil
	})
	must(t, err)
	<-checked
	select {
	case err := <-takeover:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("takeover still blocked 10s after the fenced transaction committed")
	}
	if b.Token <= a.Token {
		t.Errorf("takeover token = %d, want > %d", b.Token, a.Token)
	}
}

// testLeaseConcurrentAcquire races holders for one free name: exactly one
// gets it.
func testLeaseConcurrentAcquire(t *testing.T, s store.Store) {
	const racers = 10
	leases, errs := make([]store.Lease, racers), make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			leases[i], errs[i] = s.AcquireLease(t.Context(), "integration/race", fmt.Sprintf("replica-%d", i), leaseTTL, t0)
		})
	}
	wg.Wait()
	var winners []store.Lease
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, leases[i])
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("racer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d racers got the lease, want exactly 1: %+v", len(winners), winners)
	}
	must(t, s.CheckLease(t.Context(), winners[0], t0))
}
