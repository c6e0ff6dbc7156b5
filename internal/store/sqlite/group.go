package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Group commit. SQLite has one writer and every commit syncs the WAL, so
// under load the writer spends most of its time in fsync: in a storm the
// engine makes two commits per PSA call (the attempt before it, the result
// after), and the calls waited on them. InTx calls that queue while a
// transaction runs therefore share it: each caller's work runs in a
// savepoint of one transaction, in arrival order, and one commit makes
// them all durable. A caller still sees its own transaction: InTx returns
// nil only once its writes are committed, and a caller that fails is
// rolled back to its savepoint and gets its own error while the others
// commit.
//
// Callers take turns: the turn holder runs its fn on its own goroutine
// (so a panic or t.Fatal stays the caller's), then either hands the open
// transaction to the next caller in line or, when no one waits or the
// group is full, commits it.
const (
	// groupMembers and groupFor bound a group: a member's commit waits
	// for every later member's work, so a steady queue must not hold the
	// first one waiting for longer than groupFor (the Store's, by default defaultGroupFor).
	groupMembers    = 64
	defaultGroupFor = 10 * time.Millisecond
)

// writeGroup is one writer transaction shared by the callers of InTx that
// took their turn while it was open.
type writeGroup struct {
	tx      *sql.Tx
	q       *queries // shared, so each statement is bound once per group
	joined  int      // callers that ran their fn in it
	members int      // of them, those whose writes are in it, waiting for the commit
	// waiting is when the first member began to wait for the commit.
	waiting time.Time
	// broken is set when the transaction was lost under a caller (SQLite
	// rolls a whole transaction back on some errors): nothing in it may
	// commit, and the rest of it would run outside any transaction.
	broken error
	done   chan struct{}
	err    error // the commit's outcome, once done is closed
}

// turns orders the writer's transactions: one caller holds the turn at a
// time, the rest wait first come, first served. open is the group under
// way; only the turn holder touches it.
type turns struct {
	mu    sync.Mutex
	busy  bool
	queue []chan struct{}
	open  *writeGroup

	// commits counts committed groups, for tests.
	commits int
}

// InTx runs fn in an IMMEDIATE transaction on the writer: its writes are
// committed when fn returns nil (InTx returns once they are durable) and
// rolled back otherwise. The transaction may be shared with other callers'
// (see group commit above), which never see each other's failures.
// Transactions do not nest; fn must use q, not the Store, or it waits for
// its own turn. fn must not wait on anything another caller of InTx holds
// while it waits for its commit.
func (s *Store) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	if err := s.turns.acquire(ctx); err != nil {
		if errors.Is(err, errHandedLate) {
			s.pass()
			err = ctx.Err()
		}
		return fmt.Errorf("begin transaction: %w", err)
	}
	g, err := s.group()
	if err != nil {
		s.pass()
		return fmt.Errorf("begin transaction: %w", err)
	}
	// Every caller, the first too, works in a savepoint: its release
	// failing is how a transaction lost under the caller is noticed
	// before the next caller's writes could run outside it.
	if _, err := g.tx.ExecContext(context.Background(), "SAVEPOINT member"); err != nil {
		g.broken = fmt.Errorf("savepoint: %w", err)
		s.pass()
		return fmt.Errorf("begin transaction: %w", err)
	}
	g.joined++
	settled := false
	defer func() {
		if !settled { // fn panicked or called runtime.Goexit
			s.settle(g, errors.New("transaction abandoned"))
		}
	}()
	err = fn(g.q)
	if err == nil {
		// A caller whose context ended must not commit, as a transaction
		// of its own would not have.
		err = ctx.Err()
	}
	settled = true
	return s.settle(g, err)
}

// errHandedLate is acquire's answer when the turn reached a caller whose
// context had just ended: it holds the turn and must pass it on.
var errHandedLate = errors.New("turn handed after the context ended")

// acquire waits for the writer's turn, first come, first served.
func (t *turns) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	if !t.busy {
		t.busy = true
		t.mu.Unlock()
		return nil
	}
	mine := make(chan struct{})
	t.queue = append(t.queue, mine)
	t.mu.Unlock()
	select {
	case <-mine:
		return nil
	case <-ctx.Done():
		t.mu.Lock()
		defer t.mu.Unlock()
		if i := slices.Index(t.queue, mine); i >= 0 {
			t.queue = slices.Delete(t.queue, i, i+1)
			return ctx.Err()
		}
		return errHandedLate
	}
}

// handNext gives the turn to the first caller in line, or frees it. The
// caller holds t.mu.
func (t *turns) handNext() {
	if len(t.queue) == 0 {
		t.busy = false
		return
	}
	next := t.queue[0]
	t.queue = t.queue[1:]
	close(next)
}

// group returns the open transaction, beginning one when there is none.
// Its context is not the caller's: the transaction outlives the caller
// that began it when others join, and database/sql would roll it back
// when that context ended.
func (s *Store) group() (*writeGroup, error) {
	if g := s.turns.open; g != nil {
		return g, nil
	}
	tx, err := s.writer.BeginTx(context.Background(), nil)
	if err != nil {
		return nil, err
	}
	g := &writeGroup{tx: tx, q: &queries{st: s, tx: tx}, done: make(chan struct{})}
	s.turns.open = g
	return g, nil
}

// settle ends a caller's part in g: its savepoint is released or rolled
// back, the turn moves on, and a caller whose writes are in g waits for
// g's commit.
func (s *Store) settle(g *writeGroup, fnErr error) error {
	if fnErr != nil {
		if err := s.rollbackMember(g); err != nil {
			g.broken = err
			s.pass()
			return errors.Join(fnErr, err)
		}
		s.pass()
		return fnErr
	}
	if _, err := g.tx.ExecContext(context.Background(), "RELEASE member"); err != nil {
		g.broken = fmt.Errorf("release savepoint: %w", err)
		s.pass()
		return fmt.Errorf("commit: %w", g.broken)
	}
	if g.members == 0 {
		g.waiting = time.Now()
	}
	g.members++
	s.pass()
	<-g.done
	return g.err
}

func (s *Store) rollbackMember(g *writeGroup) error {
	bg := context.Background()
	if _, err := g.tx.ExecContext(bg, "ROLLBACK TO member"); err != nil {
		return fmt.Errorf("rollback to savepoint: %w", err)
	}
	if _, err := g.tx.ExecContext(bg, "RELEASE member"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// pass is called by the turn holder when its part is done: the open group
// goes on with the next caller in line while it may, and is otherwise
// finished here, before the turn moves on.
func (s *Store) pass() {
	t := &s.turns
	g := t.open
	t.mu.Lock()
	if g != nil && g.broken == nil && len(t.queue) > 0 && g.joined < groupMembers &&
		(g.members == 0 || time.Since(g.waiting) < s.groupFor) {
		t.handNext()
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	if g != nil {
		t.open = nil
		s.finish(g)
	}
	s.handOn()
}

// handOn frees the turn for the next caller in line.
func (s *Store) handOn() {
	s.turns.mu.Lock()
	s.turns.handNext()
	s.turns.mu.Unlock()
}

// finish commits g, or rolls it back when it is broken or holds no one's
// writes, and tells its members.
func (s *Store) finish(g *writeGroup) {
	switch {
	case g.broken != nil:
		_ = g.tx.Rollback() // SQLite may have ended it already
		g.err = fmt.Errorf("commit: the transaction was lost under another caller: %w", g.broken)
	case g.members == 0:
		if err := g.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			g.err = fmt.Errorf("rollback: %w", err)
		}
	default:
		if err := g.tx.Commit(); err != nil {
			g.err = fmt.Errorf("commit: %w", err)
		} else {
			s.turns.mu.Lock()
			s.turns.commits++
			s.turns.mu.Unlock()
		}
	}
	close(g.done)
}
