package storeopen_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/storeopen"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dsn, sqlitePath string
		engine                storeopen.Engine
		path                  string // "" for PostgreSQL
		wantErr               bool
	}{
		{"default_sqlite", "", "/data/tb.db", storeopen.SQLite, "/data/tb.db", false},
		{"sqlite_url", "sqlite:///var/lib/tb.db", "/data/tb.db", storeopen.SQLite, "/var/lib/tb.db", false},
		{"sqlite_relative", "sqlite://tb.db", "", storeopen.SQLite, "tb.db", false},
		{"postgres", "postgres://u:pw@db.internal:5432/tb?sslmode=require", "/data/tb.db", storeopen.Postgres, "", false},
		{"postgresql", "postgresql://db.internal/tb", "", storeopen.Postgres, "", false},
		{"sqlite_url_without_file", "sqlite://", "/data/tb.db", "", "", true},
		{"nothing", "", "", "", "", true},
		{"other_scheme", "mysql://u:pw@db/tb", "/data/tb.db", "", "", true},
		{"no_scheme", "/var/lib/tb.db", "/data/tb.db", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			engine, path, err := storeopen.Parse(tc.dsn, tc.sqlitePath)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Parse(%q) err = %v, want error %v", tc.dsn, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("error shows the URL's password: %v", err)
			}
			if engine != tc.engine || path != tc.path {
				t.Errorf("Parse(%q) = %q, %q, want %q, %q", tc.dsn, engine, path, tc.engine, tc.path)
			}
		})
	}
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	st, migrate, err := storeopen.Open(t.Context(), "sqlite://"+path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
	applied, err := migrate(t.Context())
	if err != nil || len(applied) != 0 {
		t.Errorf("migrate after Open = %v, %v, want nothing to apply", applied, err)
	}
	if _, err := st.Sources(t.Context(), store.DefaultTenant); err != nil {
		t.Errorf("query: %v", err)
	}
}

func TestOpenPostgres(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TICKETBRIDGE_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("set TICKETBRIDGE_TEST_DATABASE_URL=postgres://... to run the PostgreSQL tests")
	}
	// The URL's search_path picks the schema, a fresh one for this test.
	schema := "tb_test_" + strings.ToLower(rand.Text())
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	t.Cleanup(func() { dropSchema(t, url, schema) })
	st, migrate, err := storeopen.Open(context.Background(), url+sep+"search_path="+schema, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	applied, err := migrate(t.Context())
	if err != nil || len(applied) != 0 {
		t.Errorf("migrate after Open = %v, %v, want nothing to apply", applied, err)
	}
	if _, err := st.AcquireLease(t.Context(), "integration/1", "replica-a", time.Minute, time.Now()); err != nil {
		t.Errorf("acquire lease: %v", err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{schema, "leases"}.Sanitize()).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("leases in schema %s: %d, %v, want 1", schema, n, err)
	}
}

func dropSchema(t *testing.T, url, schema string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Errorf("drop schema: %v", err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("drop schema: %v", err)
	}
}
