package ingest_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
)

// openPostgres opens a PostgreSQL store on a fresh schema of the database
// named by TICKETBRIDGE_TEST_DATABASE_URL, with the same two sources as
// openStore, and drops the schema when the test ends; it skips without
// the variable.
func openPostgres(t testing.TB) *postgres.Store {
	t.Helper()
	url := os.Getenv("TICKETBRIDGE_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("set TICKETBRIDGE_TEST_DATABASE_URL=postgres://... to run the PostgreSQL ingest tests")
	}
	schema := "tb_ingest_" + strings.ToLower(rand.Text())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	st, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { st.Close() }) // before the schema is dropped
	for _, s := range []store.Source{
		{TenantID: store.DefaultTenant, ID: "src-a", Name: "Source A", TokenHash: ingest.HashToken(tokenA)},
		{TenantID: store.DefaultTenant, ID: "src-b", Name: "Source B", TokenHash: ingest.HashToken(tokenB)},
	} {
		if err := st.CreateSource(context.Background(), s); err != nil {
			t.Fatalf("create source: %v", err)
		}
	}
	return st
}

// The group commit on PostgreSQL, in process (no HTTP server, no other
// replica): what the store costs an ingest commit on that engine.
func BenchmarkIngestPostgresSingleParallel32(b *testing.B) {
	benchmarkIngestParallel(b, openPostgres(b), 1, 0)
}

func BenchmarkIngestPostgresBatch100Parallel32(b *testing.B) {
	benchmarkIngestParallel(b, openPostgres(b), 100, 0)
}
