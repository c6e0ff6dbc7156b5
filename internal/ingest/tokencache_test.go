package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// revocableStore counts token lookups outside transactions and, once
// revoked is set, finds no source for the token, in and out of
// transactions: another replica revoked it.
type revocableStore struct {
	store.Store
	revoked atomic.Bool
	lookups atomic.Int32
	hash    string
}

func (s *revocableStore) SourceByTokenHash(ctx context.Context, hash string) (store.Source, error) {
	s.lookups.Add(1)
	if s.revoked.Load() && hash == s.hash {
		return store.Source{}, store.ErrNotFound
	}
	return s.Store.SourceByTokenHash(ctx, hash)
}

func (s *revocableStore) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	return s.Store.InTx(ctx, func(q store.Queries) error { return fn(revocableQueries{q, s}) })
}

type revocableQueries struct {
	store.Queries
	s *revocableStore
}

func (q revocableQueries) SourcesByTokenHashes(ctx context.Context, hashes []string) ([]store.Source, error) {
	if q.s.revoked.Load() {
		hashes = slices.DeleteFunc(slices.Clone(hashes), func(h string) bool { return h == q.s.hash })
	}
	return q.Queries.SourcesByTokenHashes(ctx, hashes)
}

func postAlert(h http.Handler, token, id string) int {
	body := `{"id":"` + id + `","organization":{"id":"org-1"},"type":"Malware","severity":"high","title":"t","occurred_at":"2026-11-21T10:00:00Z"}`
	r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// TestTokenCacheAndRevocation: a source's token is looked up once for
// many requests, and once it is revoked (here by "another replica", in
// the store alone) the next request is refused although the token is
// cached, and nothing of it is stored.
func TestTokenCacheAndRevocation(t *testing.T) {
	t.Parallel()
	sq := openTestStore(t)
	const token = "tbs_cached"
	if err := sq.CreateSource(context.Background(), store.Source{TenantID: store.DefaultTenant, ID: "src-c", TokenHash: HashToken(token)}); err != nil {
		t.Fatal(err)
	}
	st := &revocableStore{Store: sq, hash: HashToken(token)}
	h := New(Config{Store: st, Now: func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }})
	for i := range 20 {
		if code := postAlert(h, token, "c-"+string(rune('a'+i))); code != http.StatusAccepted {
			t.Fatalf("request %d: %d, want 202", i, code)
		}
	}
	if n := st.lookups.Load(); n != 1 {
		t.Errorf("%d token lookups before the body for 20 requests, want 1", n)
	}
	st.revoked.Store(true)
	if code := postAlert(h, token, "c-revoked"); code != http.StatusUnauthorized {
		t.Errorf("request with a revoked, cached token: %d, want 401", code)
	}
	if _, err := sq.AlertBySourceID(context.Background(), store.DefaultTenant, "src-c", "c-revoked"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the revoked request's alert was stored (%v)", err)
	}
	if code := postAlert(h, token, "c-again"); code != http.StatusUnauthorized {
		t.Errorf("the next request: %d, want 401 (the cache forgot the token)", code)
	}
}

// TestCommitAnswersRevokedJobsAndStoresTheRest: in a shared commit, the
// request whose token went away is refused and the others are stored.
func TestCommitAnswersRevokedJobsAndStoresTheRest(t *testing.T) {
	t.Parallel()
	st := openTestStore(t)
	c, jobs := queued(st, []string{"a1"}, []string{"b1"}, []string{"c1"})
	jobs[1].src = store.Source{TenantID: store.DefaultTenant, ID: "src-a", TokenHash: "stale"}
	c.lead(context.Background())
	for i, j := range jobs {
		o := <-j.done
		switch {
		case i == 1 && !errors.Is(o.err, errTokenRevoked):
			t.Errorf("job 1: %v, want errTokenRevoked", o.err)
		case i != 1 && (o.err != nil || len(o.accepted) != 1):
			t.Errorf("job %d: %+v, want stored", i, o)
		}
	}
	for id, want := range map[string]bool{"a1": true, "b1": false, "c1": true} {
		_, err := st.AlertBySourceID(context.Background(), store.DefaultTenant, "src-a", id)
		if got := err == nil; got != want {
			t.Errorf("alert %s stored %v, want %v", id, got, want)
		}
	}
}

// countingStore counts the token lookups made inside transactions.
type countingStore struct {
	store.Store
	lookups atomic.Int32
}

func (s *countingStore) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	return s.Store.InTx(ctx, func(q store.Queries) error { return fn(countingQueries{q, s}) })
}

type countingQueries struct {
	store.Queries
	s *countingStore
}

func (q countingQueries) SourcesByTokenHashes(ctx context.Context, hashes []string) ([]store.Source, error) {
	q.s.lookups.Add(1)
	return q.Queries.SourcesByTokenHashes(ctx, hashes)
}

// TestCommitVerifiesAllSourcesInOneLookup: a commit shared by requests of
// several sources checks all their tokens with one lookup, and refuses the
// request whose token is now another source's (a token moved by a
// rotation) while storing the others.
func TestCommitVerifiesAllSourcesInOneLookup(t *testing.T) {
	t.Parallel()
	sq := openTestStore(t) // src-a holds "h"
	if err := sq.CreateSource(context.Background(), store.Source{TenantID: store.DefaultTenant, ID: "src-b", TokenHash: "hb"}); err != nil {
		t.Fatal(err)
	}
	st := &countingStore{Store: sq}
	c, jobs := queued(st, []string{"a1"}, []string{"b1"}, []string{"x1"}, []string{"a2"})
	jobs[1].src = store.Source{TenantID: store.DefaultTenant, ID: "src-b", TokenHash: "hb"}
	jobs[2].src = store.Source{TenantID: store.DefaultTenant, ID: "src-x", TokenHash: "hb"} // src-b's token now
	c.lead(context.Background())
	for i, j := range jobs {
		o := <-j.done
		switch {
		case i == 2 && !errors.Is(o.err, errTokenRevoked):
			t.Errorf("job 2: %v, want errTokenRevoked", o.err)
		case i != 2 && (o.err != nil || len(o.accepted) != 1):
			t.Errorf("job %d: %+v, want stored", i, o)
		}
	}
	// One lookup for the shared commit, one more for the commit run again
	// without the refused request.
	if n := st.lookups.Load(); n != 2 {
		t.Errorf("%d token lookups, want 2 (one per commit run)", n)
	}
	for _, k := range []store.AlertKey{{SourceID: "src-a", AlertID: "a1"}, {SourceID: "src-b", AlertID: "b1"}, {SourceID: "src-a", AlertID: "a2"}} {
		if _, err := sq.AlertBySourceID(context.Background(), store.DefaultTenant, k.SourceID, k.AlertID); err != nil {
			t.Errorf("alert %s of %s: %v, want stored", k.AlertID, k.SourceID, err)
		}
	}
}

// TestTokenCacheExpires: an entry older than sourceCacheTTL is read
// again, so a format changed on another replica takes effect here.
func TestTokenCacheExpires(t *testing.T) {
	t.Parallel()
	var c tokenCache
	c.put("fresh", store.Source{ID: "a", Format: "alertmanager"})
	if s, ok := c.get("fresh"); !ok || s.Format != "alertmanager" {
		t.Fatalf("fresh entry: %+v, %v", s, ok)
	}
	c.m["stale"] = cachedSource{src: store.Source{ID: "b"}, at: time.Now().Add(-sourceCacheTTL - time.Second)}
	if _, ok := c.get("stale"); ok {
		t.Error("an entry older than the TTL was served")
	}
}
