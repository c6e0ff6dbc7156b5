// Package sqlite is the default store engine: one SQLite file through the
// pure-Go modernc.org/sqlite driver, in WAL mode with synchronous=FULL so a
// committed transaction survives kill -9 and power loss.
//
// Two pools share the file. The writer has a single connection and begins
// every transaction IMMEDIATE, so writers queue in Go instead of failing with
// SQLITE_BUSY halfway through a transaction, and callers that queue share
// one transaction and its commit (see InTx); the reader pool serves reads
// made outside a transaction from WAL snapshots, concurrently with the
// writer. Every statement is prepared once per connection and reused.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Options tunes a Store. The zero value is the durable default.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "FULL" (the default) syncs
	// the WAL on every commit; "NORMAL" may lose the last commits on power
	// loss (not on a process crash) in exchange for throughput.
	Synchronous string
	// Now is the clock used for timestamps the caller leaves zero; time.Now
	// when nil.
	Now func() time.Time
}

// Store is a store.Store on one SQLite file.
type Store struct {
	*queries // the Queries of the store itself, outside any transaction

	writer *sql.DB
	reader *sql.DB
	path   string
	now    func() time.Time

	// Statements prepared once at Open; immutable afterwards, so no lock.
	writeStmts map[string]*sql.Stmt
	readStmts  map[string]*sql.Stmt

	turns    turns // the writer's transactions, in turn (see InTx)
	groupFor time.Duration
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it when missing) the database file at path, applies
// the pragmas to every connection and runs the pending migrations.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	sync, err := synchronous(opts.Synchronous)
	if err != nil {
		return nil, err
	}
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite: path %q must be a file name without '?'", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	s := &Store{path: path, now: opts.Now, groupFor: defaultGroupFor}
	if s.now == nil {
		s.now = time.Now
	}
	s.queries = &queries{st: s}
	s.writer, err = sql.Open("sqlite", dsn(path, sync, "&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	// One connection that never expires: SQLite allows one writer anyway, and
	// the statements prepared on it stay valid for the life of the store.
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	s.writer.SetConnMaxIdleTime(0)
	if err := s.start(ctx, path, sync); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// createPrivate creates the database file with mode 0600 when it does not
// exist yet, whatever the umask: it holds alerts and integration settings,
// as private as the key files beside it. SQLite gives the -wal and -shm
// files it creates the mode of the database file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // an existing file keeps the mode its owner gave it
	}
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	// The umask may have taken bits away (0400 under umask 0277); Chmod
	// sets exactly 0600 and is not subject to it.
	return errors.Join(f.Chmod(0o600), f.Close())
}

// start migrates, opens the reader pool and prepares every statement.
func (s *Store) start(ctx context.Context, path, sync string) error {
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	var err error
	// query_only guards against a write slipping into the reader pool.
	s.reader, err = sql.Open("sqlite", dsn(path, sync, "&_query_only=1"))
	if err != nil {
		return fmt.Errorf("open sqlite reader: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.reader.SetMaxOpenConns(n)
	s.reader.SetMaxIdleConns(n)
	if s.writeStmts, err = prepareAll(ctx, s.writer); err != nil {
		return fmt.Errorf("prepare writer statements: %w", err)
	}
	if s.readStmts, err = prepareReads(ctx, s.reader); err != nil {
		return fmt.Errorf("prepare reader statements: %w", err)
	}
	return nil
}

// dsn builds the driver's connection string: a plain file name followed by
// the pragmas run on every new connection.
func dsn(path, sync, extra string) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous("+sync+")")
	v.Add("_pragma", "foreign_keys(1)")
	// Savepoints (see InTx) and statements of many rows keep the pages
	// they change in a sub-journal, a temporary file by default: a write
	// syscall per page, a sixth of a storm's CPU. In memory it is a copy.
	v.Add("_pragma", "temp_store(MEMORY)")
	return path + "?" + v.Encode() + extra
}

func synchronous(v string) (string, error) {
	switch strings.ToUpper(v) {
	case "", "FULL":
		return "FULL", nil
	case "NORMAL":
		return "NORMAL", nil
	}
	return "", fmt.Errorf("open sqlite: synchronous %q: want FULL or NORMAL", v)
}

// Close closes both pools and their prepared statements.
func (s *Store) Close() error {
	var errs []error
	for _, db := range []*sql.DB{s.reader, s.writer} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}
