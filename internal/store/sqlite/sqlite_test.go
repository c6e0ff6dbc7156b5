package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

func openFile(t testing.TB, path string, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return openFile(t, filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{})
	})
}

func TestOpenCreatesWALFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	s := openFile(t, path, sqlite.Options{})
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("write-ahead log file: %v", err)
	}
	tests := []struct{ pragma, writer, reader string }{
		{"journal_mode", "wal", "wal"},
		{"synchronous", "2", "2"}, // FULL
		{"foreign_keys", "1", "1"},
		{"busy_timeout", "10000", "10000"},
		{"query_only", "0", "1"}, // a write on the reader pool is a bug
	}
	for _, tc := range tests {
		w, r, err := s.Pragma(t.Context(), tc.pragma)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(w, tc.writer) || !strings.EqualFold(r, tc.reader) {
			t.Errorf("%s = writer %q, reader %q, want %q, %q", tc.pragma, w, r, tc.writer, tc.reader)
		}
	}
}

func TestSynchronousOption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value string
		want  string // PRAGMA synchronous answer; "" when Open must fail
	}{
		{"default_full", "", "2"},
		{"full", "FULL", "2"},
		{"normal", "normal", "1"},
		{"off_refused", "OFF", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{Synchronous: tc.value})
			if tc.want == "" {
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			w, r, err := s.Pragma(t.Context(), "synchronous")
			if err != nil {
				t.Fatal(err)
			}
			if w != tc.want || r != tc.want {
				t.Errorf("synchronous = writer %q, reader %q, want %q", w, r, tc.want)
			}
		})
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	s := openFile(t, path, sqlite.Options{})
	applied, err := s.Migrate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", applied)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openFile(t, path, sqlite.Options{}) // Open migrates again
	defer s.Close()
	versions, err := s.AppliedMigrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, err := sqlite.MigrationNames()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("schema_migrations (-want +got):\n%s", diff)
	}
}

func TestFreshFileAppliesEveryMigration(t *testing.T) {
	t.Parallel()
	s := openFile(t, filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{})
	defer s.Close()
	versions, err := s.AppliedMigrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) < 2 || versions[0] != "0001_init" || versions[1] != "0002_leases" {
		t.Errorf("applied = %v, want 0001_init, 0002_leases first", versions)
	}
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	at := time.Date(2026, 11, 21, 10, 15, 0, 123456000, time.UTC)
	s := openFile(t, path, sqlite.Options{Now: func() time.Time { return at }})
	src := store.Source{TenantID: store.DefaultTenant, ID: "src", Name: "s", TokenHash: "h"}
	if err := s.CreateSource(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	a := alert.Alert{ID: "a1", Organization: alert.Organization{Name: "Acme"}, Type: "t",
		Severity: alert.SeverityLow, Status: alert.StatusOpen, Title: "x", OccurredAt: at}
	res, err := s.UpsertAlert(t.Context(), store.StoredAlert{TenantID: store.DefaultTenant, SourceID: "src", Alert: a})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openFile(t, path, sqlite.Options{})
	defer s.Close()
	got, err := s.AlertBySeq(t.Context(), res.Seq)
	if err != nil {
		t.Fatal(err)
	}
	want := store.StoredAlert{Seq: res.Seq, TenantID: store.DefaultTenant, SourceID: "src", Alert: a,
		ReceivedAt: at, UpdatedAt: at, StatusOrigin: "source", StatusChangedAt: at}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alert after reopen (-want +got):\n%s", diff)
	}
}

func TestOpenRefusesBadPath(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", filepath.Join(t.TempDir(), "a?b.db")} {
		if s, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// TestCancelledTransactionKeepsNothing: a writer transaction's statements
// run without their own cancellation watcher, so ending the context must
// still stop the transaction at its next statement and roll all of it
// back, and leave the only writer connection usable.
func TestCancelledTransactionKeepsNothing(t *testing.T) {
	t.Parallel()
	s := openFile(t, filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{})
	defer s.Close()
	source := func(id string) store.Source {
		return store.Source{TenantID: store.DefaultTenant, ID: id, Name: id, TokenHash: "hash-" + id}
	}
	ctx, cancel := context.WithCancel(context.Background())
	err := s.InTx(ctx, func(q store.Queries) error {
		if err := q.CreateSource(ctx, source("first")); err != nil {
			return err
		}
		cancel()
		return q.CreateSource(ctx, source("second"))
	})
	if err == nil {
		t.Fatal("a transaction went on after its context was cancelled")
	}
	bg := context.Background()
	for _, id := range []string{"first", "second"} {
		if _, err := s.SourceByID(bg, store.DefaultTenant, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("source %s after the cancelled transaction: %v, want not found", id, err)
		}
	}
	if err := s.InTx(bg, func(q store.Queries) error { return q.CreateSource(bg, source("third")) }); err != nil {
		t.Fatalf("the writer after a cancelled transaction: %v", err)
	}
	if _, err := s.SourceByID(bg, store.DefaultTenant, "third"); err != nil {
		t.Errorf("source written after the cancelled transaction: %v", err)
	}
}
