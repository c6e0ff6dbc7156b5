package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// countingStore counts the organization upserts of ingest transactions.
type countingStore struct {
	store.Store
	upserts atomic.Int32
}

func (s *countingStore) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	return s.Store.InTx(ctx, func(q store.Queries) error { return fn(countingQueries{q, s}) })
}

type countingQueries struct {
	store.Queries
	s *countingStore
}

func (q countingQueries) UpsertOrganizations(ctx context.Context, orgs []store.Organization) error {
	q.s.upserts.Add(1)
	return q.Queries.UpsertOrganizations(ctx, orgs)
}

// TestIngestRecordsOrganizations: every organization an accepted alert
// names becomes a record with the source it first came from; a replica
// writes an organization it knows under the same name no more, and writes
// a new name.
func TestIngestRecordsOrganizations(t *testing.T) {
	t.Parallel()
	sq, _ := openStore(t)
	st := &countingStore{Store: sq}
	h := newHandler(st)
	body := `[{"id":"o-1","organization":{"id":"org-1","name":"Acme Corp"},"type":"T","severity":"high","title":"t","occurred_at":"2026-11-21T10:00:00Z"},
{"id":"o-2","organization":{"name":"Beta LLC"},"type":"T","severity":"high","title":"t","occurred_at":"2026-11-21T10:00:00Z"},
{"id":"o-3","organization":{"id":"org-1","name":"Acme Corp"},"type":"T","severity":"high","title":"t","occurred_at":"2026-11-21T10:00:00Z"}]`
	if w := post(h, tokenA, body); w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	orgs, err := sq.Organizations(context.Background(), store.OrganizationFilter{TenantID: store.DefaultTenant})
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[0].Key != "org-1" || orgs[0].Name != "Acme Corp" || orgs[0].Origin != "source:src-a" ||
		orgs[1].Key != "Beta LLC" || orgs[1].ID != "" {
		t.Fatalf("organizations %+v", orgs)
	}
	for i, id := range []string{"o-4", "o-5", "o-6"} {
		if w := post(h, tokenB, alertJSONOrg(id, "org-1", "Acme Corp")); w.Code != http.StatusAccepted {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	if n := st.upserts.Load(); n != 1 {
		t.Errorf("%d organization upserts for one new set and three known ones, want 1", n)
	}
	if w := post(h, tokenB, alertJSONOrg("o-7", "org-1", "Acme Corporation")); w.Code != http.StatusAccepted {
		t.Fatalf("rename: %d", w.Code)
	}
	got, err := sq.Organization(context.Background(), store.DefaultTenant, "org-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Corporation" || got.Origin != "source:src-a" {
		t.Errorf("after a new name: %+v, want the new name and the first origin", got)
	}
}

func alertJSONOrg(id, orgID, orgName string) string {
	return `{"id":"` + id + `","organization":{"id":"` + orgID + `","name":"` + orgName + `"},"type":"T","severity":"high","title":"t","occurred_at":"2026-11-21T10:00:00Z"}`
}

// TestRotatedTokenRefusedOnEveryReplica: two replicas share one store and
// both have the source's token cached; once one rotates it, the other
// refuses the old token on its next request, and takes the new one. A
// revoked token is refused by both. Runs on SQLite and, when
// TICKETBRIDGE_TEST_DATABASE_URL is set, on PostgreSQL.
func TestRotatedTokenRefusedOnEveryReplica(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{
		"sqlite":   func(tb testing.TB) store.Store { st, _ := openStore(tb); return st },
		"postgres": func(tb testing.TB) store.Store { return openPostgres(tb) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			a, b := newHandler(st), newHandler(st)
			for i, h := range []*ingest.Handler{a, b} {
				if w := post(h, tokenA, alertJSON("warm-"+string(rune('a'+i)), "open")); w.Code != http.StatusAccepted {
					t.Fatalf("replica %d warm-up: %d", i, w.Code)
				}
			}
			const rotated = "tbs_rotated-token"
			if err := st.RotateSourceToken(context.Background(), store.DefaultTenant, "src-a", ingest.HashToken(rotated)); err != nil {
				t.Fatal(err)
			}
			for i, h := range []*ingest.Handler{b, a} {
				if w := post(h, tokenA, alertJSON("old-"+string(rune('a'+i)), "open")); w.Code != http.StatusUnauthorized {
					t.Errorf("replica %d, old token after rotation: %d, want 401", i, w.Code)
				}
				if w := post(h, rotated, alertJSON("new-"+string(rune('a'+i)), "open")); w.Code != http.StatusAccepted {
					t.Errorf("replica %d, new token: %d, want 202", i, w.Code)
				}
			}
			if err := st.RevokeSourceToken(context.Background(), store.DefaultTenant, "src-a"); err != nil {
				t.Fatal(err)
			}
			for i, h := range []*ingest.Handler{a, b} {
				if w := post(h, rotated, alertJSON("revoked-"+string(rune('a'+i)), "open")); w.Code != http.StatusUnauthorized {
					t.Errorf("replica %d, revoked token: %d, want 401", i, w.Code)
				}
			}
			for _, id := range []string{"old-a", "old-b", "revoked-a", "revoked-b"} {
				if _, err := st.AlertBySourceID(context.Background(), store.DefaultTenant, "src-a", id); err == nil {
					t.Errorf("alert %s of a dead token was stored", id)
				}
			}
		})
	}
}

// BenchmarkIngestBatch100NewOrganizations is BenchmarkIngestBatch100's
// worst case for organization records: every alert names an
// organization never seen, so every commit upserts a hundred of them.
func BenchmarkIngestBatch100NewOrganizations(b *testing.B) {
	st, _ := openStore(b)
	h := newHandler(st)
	for i := 0; b.Loop(); i++ {
		items := make([]string, 100)
		for j := range items {
			id := fmt.Sprintf("n-%d-%d", i, j)
			items[j] = alertJSONOrg(id, "org-"+id, "Org "+id)
		}
		if w := post(h, tokenA, "["+strings.Join(items, ",")+"]"); w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

// TestReplicasRecordOrganizationsConcurrently: two replicas on one
// PostgreSQL commit requests naming the same new organizations in
// opposite orders at once; every request is accepted (no deadlock
// between their upserts) and each organization is recorded once.
func TestReplicasRecordOrganizationsConcurrently(t *testing.T) {
	t.Parallel()
	st := openPostgres(t)
	replicas := []*ingest.Handler{newHandler(st), newHandler(st)}
	const orgs, requests = 20, 16
	codes := make(chan int, requests)
	var wg sync.WaitGroup
	for r := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items := make([]string, orgs)
			for j := range orgs {
				k := j
				if r%2 == 1 {
					k = orgs - 1 - j
				}
				items[j] = alertJSONOrg(fmt.Sprintf("c-%d-%d", r, j), fmt.Sprintf("org-%02d", k), fmt.Sprintf("Org %02d", k))
			}
			codes <- post(replicas[r%2], tokenA, "["+strings.Join(items, ",")+"]").Code
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusAccepted {
			t.Errorf("request answered %d, want 202", c)
		}
	}
	got, err := st.Organizations(context.Background(), store.OrganizationFilter{TenantID: store.DefaultTenant})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != orgs {
		t.Errorf("%d organizations recorded, want %d", len(got), orgs)
	}
}
