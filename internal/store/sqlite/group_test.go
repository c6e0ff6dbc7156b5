package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

func groupSource(id string) store.Source {
	return store.Source{TenantID: store.DefaultTenant, ID: id, Name: id, TokenHash: "hash-" + id}
}

// createSource is a caller's transaction: it writes one source.
func createSource(id string) func(q store.Queries) error {
	return func(q store.Queries) error { return q.CreateSource(context.Background(), groupSource(id)) }
}

// createThen writes one source, then does then: a caller whose own
// writes are in the transaction when it fails.
func createThen(id string, then func(q store.Queries) error) func(q store.Queries) error {
	return func(q store.Queries) error {
		if err := createSource(id)(q); err != nil {
			return err
		}
		return then(q)
	}
}

var errPanicked = errors.New("panicked")

// inGroup runs each fn as its own InTx caller: the first holds the turn
// until all the others wait in line behind it, in order, so they share
// its transaction. It returns each caller's result.
func inGroup(t *testing.T, s *sqlite.Store, fns ...func(q store.Queries) error) []error {
	t.Helper()
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	run := func(i int, fn func(q store.Queries) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if recover() != nil {
					errs[i] = errPanicked
				}
			}()
			errs[i] = s.InTx(context.Background(), fn)
		}()
	}
	holding, release := make(chan struct{}), make(chan struct{})
	run(0, func(q store.Queries) error {
		close(holding)
		<-release
		return fns[0](q)
	})
	<-holding
	for i := 1; i < len(fns); i++ {
		run(i, fns[i])
		if err := waitFor(func() bool { return s.Waiting() == i }); err != nil {
			close(release)
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	close(release)
	wg.Wait()
	return errs
}

// waitFor polls cond, giving up after ten seconds.
func waitFor(cond func() bool) error {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return nil
		}
	}
	return errors.New("condition not reached in 10s")
}

// checkSources fails unless exactly the sources in want exist among ids.
func checkSources(t *testing.T, s *sqlite.Store, ids []string, want map[string]bool) {
	t.Helper()
	for _, id := range ids {
		_, err := s.SourceByID(context.Background(), store.DefaultTenant, id)
		switch {
		case want[id] && err != nil:
			t.Errorf("source %s: %v, want it committed", id, err)
		case !want[id] && !errors.Is(err, store.ErrNotFound):
			t.Errorf("source %s: %v, want not found", id, err)
		}
	}
}

func openGroupStore(t *testing.T) *sqlite.Store {
	s := openFile(t, filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{})
	t.Cleanup(func() { s.Close() })
	s.GroupFor(time.Minute)
	return s
}

func TestQueuedCallersShareOneCommit(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	before := s.Commits()
	errs := inGroup(t, s, createSource("a"), createSource("b"), createSource("c"))
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if got := s.Commits() - before; got != 1 {
		t.Errorf("three queued callers made %d commits, want 1", got)
	}
	checkSources(t, s, []string{"a", "b", "c"}, map[string]bool{"a": true, "b": true, "c": true})
}

func TestGroupMemberFailureIsItsOwn(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	refused := errors.New("refused")
	errs := inGroup(t, s,
		createSource("a"),
		createThen("b", func(store.Queries) error { return refused }),
		createSource("c"),
	)
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("the other callers failed with the one that refused: %v, %v", errs[0], errs[2])
	}
	if !errors.Is(errs[1], refused) {
		t.Errorf("the refusing caller got %v, want its own error", errs[1])
	}
	checkSources(t, s, []string{"a", "b", "c"}, map[string]bool{"a": true, "c": true})
}

// A first member that fails takes only its own writes with it, though
// it ran without a savepoint.
func TestGroupFirstMemberFailure(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	errs := inGroup(t, s,
		createThen("a", func(store.Queries) error { return errors.New("refused") }),
		createSource("b"),
	)
	if errs[0] == nil || errs[1] != nil {
		t.Errorf("results %v, want the first to fail alone", errs)
	}
	checkSources(t, s, []string{"a", "b"}, map[string]bool{"b": true})
}

func TestGroupSurvivesAPanickingMember(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	errs := inGroup(t, s,
		createSource("a"),
		createThen("b", func(store.Queries) error { panic("member gave up") }),
		createSource("c"),
	)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errPanicked) {
		t.Errorf("results %v, want only the middle caller to fail", errs)
	}
	checkSources(t, s, []string{"a", "b", "c"}, map[string]bool{"a": true, "c": true})
	if err := s.InTx(context.Background(), createSource("d")); err != nil {
		t.Fatalf("the writer after a panicking member: %v", err)
	}
}

// When SQLite ends the transaction under a member (a full disk, an I/O
// error), the members before it lost their writes: they must hear so,
// and the callers after it must not run outside any transaction.
func TestLostGroupTransactionFailsItsMembers(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	errs := inGroup(t, s,
		createSource("a"),
		createThen("b", func(q store.Queries) error { return sqlite.BreakTransaction(context.Background(), q) }),
		createSource("c"),
	)
	if errs[0] == nil || errs[1] == nil {
		t.Errorf("results %v: the members whose writes were lost were told nothing", errs)
	}
	if errs[2] != nil {
		t.Errorf("the caller after the lost transaction: %v, want it to run in a new one", errs[2])
	}
	checkSources(t, s, []string{"a", "b", "c"}, map[string]bool{"c": true})
}

func TestCancelledWaiterLeavesTheLine(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	waiterDone := make(chan error, 1)
	err := s.InTx(context.Background(), func(q store.Queries) error {
		go func() {
			waiterDone <- s.InTx(ctx, createSource("b"))
		}()
		if err := waitFor(func() bool { return s.Waiting() == 1 }); err != nil {
			return err
		}
		cancel()
		if err := waitFor(func() bool { return s.Waiting() == 0 }); err != nil {
			return fmt.Errorf("the cancelled caller stayed in line: %w", err)
		}
		return createSource("a")(q)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-waiterDone; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v, want context.Canceled", err)
	}
	checkSources(t, s, []string{"a", "b"}, map[string]bool{"a": true})
}

// Many writers at once: every caller's write lands exactly when InTx said
// it did.
func TestConcurrentCallersEachCommitted(t *testing.T) {
	t.Parallel()
	s := openGroupStore(t)
	const callers = 40
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("s%d", i)
			errs[i] = s.InTx(context.Background(), func(q store.Queries) error {
				if err := createSource(id)(q); err != nil {
					return err
				}
				if i%5 == 0 {
					return errors.New("refused")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	ids := make([]string, callers)
	want := map[string]bool{}
	for i := range callers {
		ids[i] = fmt.Sprintf("s%d", i)
		if (i%5 == 0) != (errs[i] != nil) {
			t.Errorf("caller %d: %v", i, errs[i])
		}
		want[ids[i]] = errs[i] == nil
	}
	checkSources(t, s, ids, want)
}
