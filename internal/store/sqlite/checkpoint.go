package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCheckpointEvery is how often the WAL is checkpointed in the
// background when Options leave it zero.
const DefaultCheckpointEvery = 250 * time.Millisecond

// checkpointer copies committed WAL frames into the database file from
// its own connection, so no commit waits for it.
//
// Left to SQLite, the commit that grows the WAL past 1,000 pages runs the
// checkpoint itself: it copies the frames and syncs the database file
// before it returns, and the alert whose transaction it was waits that
// long (several milliseconds: the tail of W1's latency). The writer runs
// with wal_autocheckpoint off instead, and this PASSIVE checkpoint works
// beside it: it never blocks the writer or a reader, and once it has
// copied everything the next write transaction starts the WAL over, so
// the file stays as small as the writes between two checkpoints.
type checkpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done sync.WaitGroup
	runs atomic.Int64 // checkpoints that ran without an error
}

func startCheckpointer(path, sync string, every time.Duration) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, sync, ""))
	if err != nil {
		return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, stop: stop}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			// An error (a busy database during a migration, a disk that
			// cannot be written) is left to the next tick: commits go on
			// into the WAL meanwhile, and readiness reports a store that
			// cannot write.
			if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err == nil {
				c.runs.Add(1)
			}
		}
	}()
	return c, nil
}

func (c *checkpointer) close() error {
	c.stop()
	c.done.Wait()
	return c.db.Close()
}
