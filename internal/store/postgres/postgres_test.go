package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// envURL names the database the tests run on; every test makes its own
// schema there and drops it afterwards.
const envURL = "TICKETBRIDGE_TEST_DATABASE_URL"

func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		t.Skip("set " + envURL + "=postgres://... to run the PostgreSQL tests")
	}
	return url
}

// freshSchema names a schema no other test uses and drops it, with
// everything in it, when the test ends (after the stores opened later are
// closed: cleanups run last-registered first).
func freshSchema(t testing.TB, url string) string {
	t.Helper()
	name := "tb_test_" + strings.ToLower(rand.Text())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// openStore opens a migrated store on schema; the caller closes it.
func openStore(t testing.TB, url, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatalf("open schema %s: %v", schema, err)
	}
	return s
}

// closeStore closes s when the test ends, before its schema is dropped.
func closeStore(t testing.TB, s *postgres.Store) *postgres.Store {
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return openStore(t, url, freshSchema(t, url))
	})
}

func TestSchemaIsTheSearchPath(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	s := closeStore(t, openStore(t, url, schema))
	got, err := s.SearchPath(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got != schema {
		t.Errorf("search_path = %q, want %q", got, schema)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	want, err := postgres.MigrationNames()
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, url, schema)
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
	s = closeStore(t, openStore(t, url, schema)) // Open migrates again
	versions, err := s.AppliedMigrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("schema_migrations (-want +got):\n%s", diff)
	}
	if len(want) < 2 || want[0] != "0001_init" || want[1] != "0002_leases" {
		t.Errorf("embedded migrations = %v, want 0001_init, 0002_leases first", want)
	}
}

// TestConcurrentMigrate starts replicas at once on an empty schema: the
// advisory lock lets one apply every migration and the others find the
// work done, with no error on any of them.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	want, err := postgres.MigrationNames()
	if err != nil {
		t.Fatal(err)
	}
	const replicas = 3
	applied, errs := make([][]string, replicas), make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		s, err := postgres.OpenUnmigrated(t.Context(), url, postgres.Options{Schema: schema, MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		closeStore(t, s)
		wg.Go(func() { applied[i], errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	var all []string
	for i := range replicas {
		if errs[i] != nil {
			t.Errorf("replica %d: Migrate: %v", i, errs[i])
		}
		all = append(all, applied[i]...)
	}
	slices.Sort(all)
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("migrations applied across replicas (-want +got): each once\n%s", diff)
	}
}

// TestReplicasRaceForOneGroup runs the engine's create-or-join step on two
// stores (two pools: two replicas) for one group at once: the partial
// unique index lets exactly one create the link, and every loser, still in
// its transaction, reads the winner's link.
func TestReplicasRaceForOneGroup(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	replicas := []*postgres.Store{closeStore(t, openStore(t, url, schema)), closeStore(t, openStore(t, url, schema))}
	it, err := replicas[0].PutIntegration(t.Context(), store.Integration{TenantID: "t1", Name: "psa", PSA: "autotask"})
	if err != nil {
		t.Fatal(err)
	}
	const racers = 16
	ids, created, errs := make([]int64, racers), make([]bool, racers), make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		s := replicas[i%len(replicas)]
		wg.Go(func() {
			errs[i] = s.InTx(t.Context(), func(q store.Queries) error {
				l, err := q.CreateTicketLink(t.Context(), store.TicketLink{TenantID: "t1", IntegrationID: it.ID,
					CompanyID: "c1", GroupKey: "storm", ExternalRef: fmt.Sprintf("tb-race-%d", i)})
				if errors.Is(err, store.ErrConflict) {
					l, err = q.OpenTicketLink(t.Context(), it.ID, "c1", "storm")
				} else {
					created[i] = err == nil
				}
				ids[i] = l.ID
				return err
			})
		})
	}
	wg.Wait()
	winners := 0
	for i := range racers {
		if errs[i] != nil {
			t.Errorf("racer %d: %v", i, errs[i])
		}
		if created[i] {
			winners++
		}
		if ids[i] != ids[0] {
			t.Errorf("racer %d ended with link %d, racer 0 with %d", i, ids[i], ids[0])
		}
	}
	if winners != 1 {
		t.Errorf("%d racers created a link, want exactly 1", winners)
	}
	for i, s := range replicas {
		links, err := s.TicketLinks(t.Context(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(links) != 1 {
			t.Errorf("replica %d sees %d links, want 1", i, len(links))
		}
	}
}

// TestReplicasRaceForOneLease races AcquireLease on two pools for one name.
func TestReplicasRaceForOneLease(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	replicas := []*postgres.Store{closeStore(t, openStore(t, url, schema)), closeStore(t, openStore(t, url, schema))}
	now := time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	const racers = 10
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		s := replicas[i%len(replicas)]
		wg.Go(func() {
			_, errs[i] = s.AcquireLease(t.Context(), "integration/7", fmt.Sprintf("replica-%d", i), time.Minute, now)
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

// TestOpenErrorsHideThePassword: a database URL carries a password, and
// errors end up in logs.
func TestOpenErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	const password = "s3cret-pa55word"
	tests := []struct{ name, url string }{
		{"unparsable_port", "postgres://tb:" + password + "@127.0.0.1:notaport/tb"},
		{"bad_option", "postgres://tb:" + password + "@127.0.0.1/tb?sslmode=sometimes"},
		{"nobody_listening", "postgres://tb:" + password + "@127.0.0.1:1/tb?connect_timeout=5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := postgres.Open(t.Context(), tc.url, postgres.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestSchemaNames checks the names Open accepts without touching a
// database (OpenUnmigrated does not connect).
func TestSchemaNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		schema string
		ok     bool
	}{
		{"", true}, // public
		{"tb_replica_1", true},
		{"_x", true},
		{"Upper", false},
		{"1st", false},
		{`x"; DROP SCHEMA public; --`, false},
		{"with-dash", false},
		{strings.Repeat("s", 64), false},
	}
	for _, tc := range tests {
		s, err := postgres.OpenUnmigrated(t.Context(), "postgres://127.0.0.1:1/x", postgres.Options{Schema: tc.schema})
		if err == nil {
			s.Close()
		}
		if (err == nil) != tc.ok {
			t.Errorf("schema %q: err = %v, want ok = %v", tc.schema, err, tc.ok)
		}
	}
}

// TestAlertsByKeysProbesTheIndex pins the plan of ingest's read of earlier
// versions on a table never analyzed (a new schema until autovacuum's
// first ANALYZE): one probe of the unique index per key, so its cost
// follows the keys asked for, not the alerts stored.
func TestAlertsByKeysProbesTheIndex(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	s := closeStore(t, openStore(t, url, freshSchema(t, url)))
	ctx := t.Context()
	src := store.Source{TenantID: "t1", ID: "src", Name: "src", TokenHash: "h"}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var as []store.StoredAlert
	for i := range 2000 {
		as = append(as, benchAlert(src, i*10)) // i*10 % 10 != 9: no repeated id
	}
	if _, err := s.UpsertAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	plan, err := s.Plan(ctx, postgres.SQLAlertsByKeys, []string{"t1", "t1"}, []string{"src", "src"}, []string{"sa-00000010", "x"})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "\n")
	probe := regexp.MustCompile(`Index Scan using alerts_tenant_id_source_id_alert_id_key .*\n.*Index Cond: \(\(tenant_id = .*\) AND \(source_id = .*\) AND \(alert_id = .*\)\)`)
	if !probe.MatchString(all) || strings.Contains(all, "Filter") {
		t.Errorf("plan does not probe the unique index by the whole key:\n%s", all)
	}
}

// TestTxBeginsWithFirstStatement: a transaction sends BEGIN with its first
// statement, whatever that statement's kind (a row, rows, a write, a batch,
// one that asks for its own query mode) and whether it succeeds; one that
// sends nothing commits nothing; every connection goes back to the pool.
func TestTxBeginsWithFirstStatement(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	s := closeStore(t, openStore(t, url, freshSchema(t, url)))
	ctx := t.Context()
	src := store.Source{TenantID: "t1", ID: "src", Name: "src", TokenHash: "h"}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	alertOf := func(id string) store.StoredAlert {
		a := benchAlert(src, 0)
		a.Alert.ID = id
		return a
	}
	cases := []struct {
		name   string
		first  func(q store.Queries) error
		fail   bool   // fn returns an error after the first statement and a write
		stored string // the alert id the transaction writes after its first statement
	}{
		{"nothing", nil, false, ""},
		{"row_not_found", func(q store.Queries) error {
			_, err := q.SourceByTokenHash(ctx, "no-such-hash")
			return wantIs(err, store.ErrNotFound)
		}, false, "after-row"},
		{"rows", func(q store.Queries) error {
			list, err := q.Sources(ctx, "t1")
			if err == nil && len(list) != 1 {
				err = fmt.Errorf("sources %+v, want one", list)
			}
			return err
		}, false, "after-rows"},
		{"own_query_mode", func(q store.Queries) error {
			_, err := q.AlertsByKeys(ctx, []store.AlertKey{{TenantID: "t1", SourceID: "src", AlertID: "x"}})
			return err
		}, false, "after-mode"},
		{"batch", func(q store.Queries) error {
			_, err := q.UpsertAlerts(ctx, []store.StoredAlert{alertOf("batch-1"), alertOf("batch-2")})
			return err
		}, false, "after-batch"},
		{"write_then_fail", func(q store.Queries) error {
			_, err := q.UpsertAlert(ctx, alertOf("rolled-back-first"))
			return err
		}, true, "rolled-back"},
	}
	for _, tc := range cases {
		err := s.InTx(ctx, func(q store.Queries) error {
			if tc.first == nil {
				return nil
			}
			if err := tc.first(q); err != nil {
				t.Errorf("%s: first statement: %v", tc.name, err)
			}
			if _, err := q.UpsertAlert(ctx, alertOf(tc.stored)); err != nil {
				t.Errorf("%s: write after the first statement: %v", tc.name, err)
			}
			if tc.fail {
				return errBoom
			}
			return nil
		})
		if tc.fail != errors.Is(err, errBoom) || (!tc.fail && err != nil) {
			t.Errorf("%s: InTx = %v", tc.name, err)
		}
		if tc.stored != "" {
			_, err := s.AlertBySourceID(ctx, "t1", "src", tc.stored)
			if stored := err == nil; stored == tc.fail {
				t.Errorf("%s: alert after the first statement stored = %v, want %v", tc.name, stored, !tc.fail)
			}
		}
		if n := s.AcquiredConns(); n != 0 {
			t.Errorf("%s: %d connections still acquired after InTx", tc.name, n)
		}
	}
	if _, err := s.AlertBySourceID(ctx, "t1", "src", "rolled-back-first"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the first write of a rolled back transaction: %v, want not found", err)
	}
	for _, id := range []string{"batch-1", "batch-2"} {
		if _, err := s.AlertBySourceID(ctx, "t1", "src", id); err != nil {
			t.Errorf("alert %s of a first batch: %v", id, err)
		}
	}
}

func wantIs(err, target error) error {
	if !errors.Is(err, target) {
		return fmt.Errorf("err = %v, want %v", err, target)
	}
	return nil
}
