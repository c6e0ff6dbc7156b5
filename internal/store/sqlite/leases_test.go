package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// Two Stores on one file stand for two processes: each has its own
// connections, so only SQLite's file locking orders them.
func twoStores(t *testing.T) (*sqlite.Store, *sqlite.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tb.db")
	a, b := openFile(t, path, sqlite.Options{}), openFile(t, path, sqlite.Options{})
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

var leaseNow = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)

func TestLeaseRaceAcrossStoresOnOneFile(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	const racers = 10
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		s := []*sqlite.Store{a, b}[i%2]
		wg.Go(func() {
			_, errs[i] = s.AcquireLease(t.Context(), "integration/1", fmt.Sprintf("proc-%d", i), time.Minute, leaseNow)
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("racer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d racers got the lease, want exactly 1", won)
	}
}

// TestLeaseTakeoverWaitsAcrossStores: a transaction that checked its lease
// holds the file's write lock, so another process cannot take the lease
// over until it commits.
func TestLeaseTakeoverWaitsAcrossStores(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	ctx := t.Context()
	held, err := a.AcquireLease(ctx, "integration/1", "proc-a", time.Minute, leaseNow)
	if err != nil {
		t.Fatal(err)
	}
	takeover := make(chan error, 1)
	err = a.InTx(ctx, func(q store.Queries) error {
		if err := q.CheckLease(ctx, held, leaseNow); err != nil {
			return err
		}
		go func() {
			_, err := b.AcquireLease(ctx, held.Name, "proc-b", time.Minute, leaseNow.Add(time.Hour))
			takeover <- err
		}()
		// Only a broken fence lets the takeover finish here.
		select {
		case err := <-takeover:
			return fmt.Errorf("takeover finished inside the fenced transaction (err %v)", err)
		case <-time.After(100 * time.Millisecond):
			return nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-takeover:
		if err != nil {
			t.Fatalf("takeover after commit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("takeover still blocked 10s after the fenced transaction committed")
	}
	if err := a.CheckLease(ctx, held, leaseNow); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("old holder's CheckLease after takeover = %v, want ErrLeaseLost", err)
	}
}
