package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

const (
	tokenA = "tbs_token-of-source-a"
	tokenB = "tbs_token-of-source-b"
)

var testNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// openStore opens a real SQLite file in a fresh directory with two sources.
func openStore(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ticketbridge.db")
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, s := range []store.Source{
		{TenantID: store.DefaultTenant, ID: "src-a", Name: "Source A", TokenHash: ingest.HashToken(tokenA)},
		{TenantID: store.DefaultTenant, ID: "src-b", Name: "Source B", TokenHash: ingest.HashToken(tokenB)},
	} {
		if err := st.CreateSource(context.Background(), s); err != nil {
			t.Fatalf("create source: %v", err)
		}
	}
	return st, path
}

func newHandler(st store.Store) *ingest.Handler {
	return ingest.New(ingest.Config{Store: st, Now: func() time.Time { return testNow }})
}

func post(h http.Handler, token, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts", strings.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// alertJSON is a valid alert with the id and status.
func alertJSON(id, status string) string {
	return fmt.Sprintf(`{"id":%q,"organization":{"id":"org-42","name":"Acme Corp"},"type":"Too Many Downloads",`+
		`"severity":"high","status":%q,"title":"Too many downloads","occurred_at":"2026-11-21T10:15:00Z",`+
		`"attributes":{"ip":"203.0.113.9"}}`, id, status)
}

type accepted struct {
	ID      string `json:"id"`
	Seq     int64  `json:"seq"`
	Created bool   `json:"created"`
}

func decodeAccepted(t *testing.T, w *httptest.ResponseRecorder) []accepted {
	t.Helper()
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d, want 202; body %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var body struct{ Accepted []accepted }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode 202 body: %v", err)
	}
	return body.Accepted
}

type problemBody struct {
	Type   string             `json:"type"`
	Title  string             `json:"title"`
	Status int                `json:"status"`
	Detail string             `json:"detail"`
	Errors []alert.FieldError `json:"errors"`
}

func decodeProblem(t *testing.T, w *httptest.ResponseRecorder, status int) problemBody {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p problemBody
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	if p.Status != status || p.Title == "" || !strings.HasPrefix(p.Type, "https://ticketbridge.dev/problems/") {
		t.Errorf("problem %+v", p)
	}
	return p
}

// countAlerts counts the tenant's alerts: none has a route for integration
// 0, so every one is "unrouted" for it.
func countAlerts(t testing.TB, st store.Store) int {
	t.Helper()
	all, err := st.UnroutedAlerts(context.Background(), store.DefaultTenant, 0, 0, 0)
	if err != nil {
		t.Fatalf("list alerts: %v", err)
	}
	return len(all)
}

func TestIngestAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ids  []string
	}{
		{"object", alertJSON("sa-1", "open"), []string{"sa-1"}},
		{"array", "[" + alertJSON("sa-1", "open") + "," + alertJSON("sa-2", "open") + "]", []string{"sa-1", "sa-2"}},
		{"ndjson", alertJSON("sa-1", "open") + "\n" + alertJSON("sa-2", "open") + "\n\n" + alertJSON("sa-3", "resolved") + "\n", []string{"sa-1", "sa-2", "sa-3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, _ := openStore(t)
			got := decodeAccepted(t, post(newHandler(st), tokenA, tt.body))
			if len(got) != len(tt.ids) {
				t.Fatalf("accepted %d, want %d", len(got), len(tt.ids))
			}
			for i, a := range got {
				if a.ID != tt.ids[i] || a.Seq <= 0 || !a.Created {
					t.Errorf("accepted[%d] = %+v, want id %s, a seq, created", i, a, tt.ids[i])
				}
				stored, err := st.AlertBySourceID(context.Background(), store.DefaultTenant, "src-a", a.ID)
				if err != nil {
					t.Fatalf("stored alert %s: %v", a.ID, err)
				}
				if stored.Seq != a.Seq || stored.Alert.Attributes["ip"] != "203.0.113.9" || !stored.ReceivedAt.Equal(testNow) {
					t.Errorf("stored %+v", stored)
				}
				assertTimeline(t, st, a.Seq, []string{"received: from source Source A (src-a)"})
			}
			if n := countAlerts(t, st); n != len(tt.ids) {
				t.Errorf("%d alerts stored, want %d", n, len(tt.ids))
			}
		})
	}
}

func assertTimeline(t *testing.T, st store.Store, seq int64, want []string) {
	t.Helper()
	entries, err := st.Timeline(context.Background(), seq)
	if err != nil {
		t.Fatalf("timeline: %v", err)
	}
	got := make([]string, len(entries))
	for i, e := range entries {
		got[i] = e.Event + ": " + e.Detail
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timeline of %d (-want +got):\n%s", seq, diff)
	}
}

func TestIngestResendUpdates(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := newHandler(st)
	first := decodeAccepted(t, post(h, tokenA, alertJSON("sa-1", "open")))
	second := decodeAccepted(t, post(h, tokenA, alertJSON("sa-1", "resolved")))
	if second[0].Seq != first[0].Seq || second[0].Created {
		t.Fatalf("re-send accepted %+v, want seq %d not created", second[0], first[0].Seq)
	}
	// An identical re-send is still a 202 and changes nothing.
	third := decodeAccepted(t, post(h, tokenA, alertJSON("sa-1", "resolved")))
	if third[0].Seq != first[0].Seq || third[0].Created {
		t.Fatalf("identical re-send accepted %+v", third[0])
	}
	if n := countAlerts(t, st); n != 1 {
		t.Fatalf("%d alerts stored, want 1", n)
	}
	stored, err := st.AlertBySeq(context.Background(), first[0].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Alert.Status != alert.StatusResolved {
		t.Errorf("status %q, want resolved", stored.Alert.Status)
	}
	assertTimeline(t, st, first[0].Seq, []string{
		"received: from source Source A (src-a)",
		"updated: status open → resolved",
	})
}

// TestIngestSameIDTwiceInOneBody: a body that holds one alert id several
// times is taken in order, as if each copy were sent on its own, on both
// engines; no UpsertAlerts call holds a key twice (the writes are flushed
// before a repeat), so an engine may write a call in one statement.
func TestIngestSameIDTwiceInOneBody(t *testing.T) {
	t.Parallel()
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			h := newHandler(distinctUpserts{Store: st, t: t})
			body := "[" + alertJSON("sa-1", "open") + "," + alertJSON("sa-1", "open") + "," +
				alertJSON("sa-2", "open") + "," + alertJSON("sa-1", "resolved") + "," + alertJSON("sa-2", "resolved") + "]"
			got := decodeAccepted(t, post(h, tokenA, body))
			if len(got) != 5 || !got[0].Created || got[1].Created || got[3].Created || !got[2].Created || got[4].Created ||
				got[1].Seq != got[0].Seq || got[3].Seq != got[0].Seq || got[2].Seq == got[0].Seq || got[4].Seq != got[2].Seq {
				t.Fatalf("accepted %+v, want sa-1 and sa-2 created once each and their copies on the same seqs", got)
			}
			if n := countAlerts(t, st); n != 2 {
				t.Fatalf("%d alerts stored, want 2", n)
			}
			for _, seq := range []int64{got[0].Seq, got[2].Seq} {
				assertTimeline(t, st, seq, []string{
					"received: from source Source A (src-a)",
					"updated: status open → resolved",
				})
			}
		})
	}
}

// engines opens a store with the two test sources on each engine: SQLite
// always, PostgreSQL when TICKETBRIDGE_TEST_DATABASE_URL is set.
func engines() map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { st, _ := openStore(t); return st },
		"postgres": func(t *testing.T) store.Store { return openPostgres(t) },
	}
}

// distinctUpserts fails the test when one UpsertAlerts call holds a key
// twice.
type distinctUpserts struct {
	store.Store
	t *testing.T
}

func (d distinctUpserts) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	return d.Store.InTx(ctx, func(q store.Queries) error { return fn(distinctQueries{Queries: q, t: d.t}) })
}

type distinctQueries struct {
	store.Queries
	t *testing.T
}

func (q distinctQueries) UpsertAlerts(ctx context.Context, as []store.StoredAlert) ([]store.UpsertResult, error) {
	seen := map[store.AlertKey]bool{}
	for _, a := range as {
		k := store.AlertKey{TenantID: a.TenantID, SourceID: a.SourceID, AlertID: a.Alert.ID}
		if seen[k] {
			q.t.Errorf("one UpsertAlerts call holds %+v twice", k)
		}
		seen[k] = true
	}
	return q.Queries.UpsertAlerts(ctx, as)
}

func TestIngestSameIDTwoSources(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := newHandler(st)
	a := decodeAccepted(t, post(h, tokenA, alertJSON("sa-1", "open")))
	b := decodeAccepted(t, post(h, tokenB, alertJSON("sa-1", "open")))
	if !a[0].Created || !b[0].Created || a[0].Seq == b[0].Seq {
		t.Fatalf("accepted %+v and %+v, want two created alerts", a[0], b[0])
	}
	if n := countAlerts(t, st); n != 2 {
		t.Errorf("%d alerts stored, want 2", n)
	}
}

func TestIngestUnauthorized(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := newHandler(st)
	tests := []struct {
		name   string
		header string
	}{
		{"missing", ""},
		{"basic scheme", "Basic " + tokenA},
		{"empty bearer", "Bearer "},
		{"unknown token", "Bearer tbs_not-a-token"},
		{"token with suffix", "Bearer " + tokenA + "x"},
		{"hash instead of token", "Bearer " + ingest.HashToken(tokenA)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts", strings.NewReader(alertJSON("sa-1", "open")))
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			decodeProblem(t, w, http.StatusUnauthorized)
			if got := w.Header().Get("WWW-Authenticate"); got != "Bearer" {
				t.Errorf("WWW-Authenticate %q, want Bearer", got)
			}
		})
	}
	t.Cleanup(func() {
		if n := countAlerts(t, st); n != 0 {
			t.Errorf("%d alerts stored after 401s", n)
		}
	})
}

func TestIngestBearerSchemeCaseInsensitive(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts", strings.NewReader(alertJSON("sa-1", "open")))
	r.Header.Set("Authorization", "bearer "+tokenA)
	w := httptest.NewRecorder()
	newHandler(st).ServeHTTP(w, r)
	decodeAccepted(t, w)
}

func TestIngestTooLarge(t *testing.T) {
	t.Parallel()
	big := "[" + strings.Repeat(alertJSON("sa-1", "open")+",", 9) + alertJSON("sa-1", "open") + "]"
	tests := []struct {
		name    string
		chunked bool
	}{
		{"content length", false},
		{"chunked, no length", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, _ := openStore(t)
			h := ingest.New(ingest.Config{Store: st, MaxBodyBytes: 1024})
			r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts", strings.NewReader(big))
			if tt.chunked {
				r.Body = io.NopCloser(strings.NewReader(big))
				r.ContentLength = -1
			}
			r.Header.Set("Authorization", "Bearer "+tokenA)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			decodeProblem(t, w, http.StatusRequestEntityTooLarge)
			if n := countAlerts(t, st); n != 0 {
				t.Errorf("%d alerts stored after 413", n)
			}
		})
	}
}

func TestIngestInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		fields []string // index:field of every error
	}{
		{"malformed JSON", `{"id": "sa-1", "type": }`, []string{"0:body"}},
		{"invalid UTF-8", "{\"id\": \"sa-\xc3\x28\"}", []string{"0:body"}},
		{"wrong types", `{"id": 1, "organization": {"id": "o"}, "type": "t", "severity": 3, "title": true, "occurred_at": "2026-11-21T10:15:00Z", "attributes": {"ip": 4}}`,
			[]string{"0:id", "0:severity", "0:title", "0:attributes.ip"}},
		{"missing required", `{"id": "sa-1"}`, []string{"0:organization", "0:type", "0:title", "0:severity", "0:occurred_at"}},
		{"unknown severity", strings.Replace(alertJSON("sa-1", "open"), `"high"`, `"urgent"`, 1), []string{"0:severity"}},
		{"one bad alert spoils the batch", "[" + alertJSON("sa-1", "open") + "," + alertJSON("sa-2", "closed") + "," + alertJSON("sa-3", "open") + "]", []string{"1:status"}},
		{"empty array", `[]`, []string{"0:body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, _ := openStore(t)
			p := decodeProblem(t, post(newHandler(st), tokenA, tt.body), http.StatusBadRequest)
			if p.Type != "https://ticketbridge.dev/problems/invalid-alerts" || p.Title != "Invalid alerts" || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
			got := make([]string, len(p.Errors))
			for i, e := range p.Errors {
				got[i] = fmt.Sprintf("%d:%s", e.Index, e.Field)
				if e.Reason == "" {
					t.Errorf("error %s without reason", got[i])
				}
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if n := countAlerts(t, st); n != 0 {
				t.Errorf("%d alerts stored after 400", n)
			}
		})
	}
}

func TestIngestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	w := httptest.NewRecorder()
	newHandler(st).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/alerts", nil))
	decodeProblem(t, w, http.StatusMethodNotAllowed)
	if w.Header().Get("Allow") != http.MethodPost {
		t.Errorf("Allow %q", w.Header().Get("Allow"))
	}
}

// failingStore fails the n-th alert write inside a transaction, after the
// alerts before it were already written in that transaction.
type failingStore struct {
	*sqlite.Store
	failAt int
}

func (f *failingStore) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	return f.Store.InTx(ctx, func(q store.Queries) error {
		return fn(&failingQueries{Queries: q, failAt: f.failAt})
	})
}

type failingQueries struct {
	store.Queries
	failAt, writes int
}

// UpsertAlerts writes the alerts one by one, so the failure comes after
// the ones before it were written.
func (q *failingQueries) UpsertAlerts(ctx context.Context, as []store.StoredAlert) ([]store.UpsertResult, error) {
	out := make([]store.UpsertResult, 0, len(as))
	for _, a := range as {
		if q.writes++; q.writes == q.failAt {
			return nil, errors.New("disk I/O error")
		}
		res, err := q.Queries.UpsertAlert(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

func TestIngestStoreFailureStoresNothing(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	var hooks int
	h := ingest.New(ingest.Config{
		Store:      &failingStore{Store: st, failAt: 2},
		OnAccepted: func(string, []int64) { hooks++ },
		OnReceived: func(int) { hooks++ },
	})
	body := "[" + alertJSON("sa-1", "open") + "," + alertJSON("sa-2", "open") + "]"
	p := decodeProblem(t, post(h, tokenA, body), http.StatusServiceUnavailable)
	if strings.Contains(p.Detail, "disk") {
		t.Errorf("internal error leaked: %q", p.Detail)
	}
	if n := countAlerts(t, st); n != 0 {
		t.Errorf("%d alerts stored after a failed transaction, want 0", n)
	}
	if hooks != 0 {
		t.Errorf("hooks called %d times after a failure", hooks)
	}
}

func TestIngestHooks(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	var gotTenant string
	var gotSeqs []int64
	var received []int
	h := ingest.New(ingest.Config{
		Store:      st,
		OnAccepted: func(tenant string, seqs []int64) { gotTenant, gotSeqs = tenant, seqs },
		OnReceived: func(n int) { received = append(received, n) },
	})
	acc := decodeAccepted(t, post(h, tokenA, "["+alertJSON("sa-1", "open")+","+alertJSON("sa-2", "open")+"]"))
	if gotTenant != store.DefaultTenant || !cmp.Equal(gotSeqs, []int64{acc[0].Seq, acc[1].Seq}) {
		t.Errorf("OnAccepted(%q, %v)", gotTenant, gotSeqs)
	}
	decodeProblem(t, post(h, tokenA, `{}`), http.StatusBadRequest)
	if !cmp.Equal(received, []int{2}) {
		t.Errorf("OnReceived calls %v, want [2]", received)
	}
}

// TestIngestDurable reopens the file after a 202: what was acknowledged is
// on disk, not only in a connection's cache.
func TestIngestDurable(t *testing.T) {
	t.Parallel()
	st, path := openStore(t)
	acc := decodeAccepted(t, post(newHandler(st), tokenA, alertJSON("sa-1", "open")))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	reopened, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	got, err := reopened.AlertBySeq(context.Background(), acc[0].Seq)
	if err != nil {
		t.Fatalf("alert after reopen: %v", err)
	}
	if got.Alert.ID != "sa-1" || got.SourceID != "src-a" {
		t.Errorf("alert after reopen %+v", got)
	}
}

func benchmarkIngest(b *testing.B, n int) {
	st, _ := openStore(b)
	h := newHandler(st)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		items := make([]string, n)
		for j := range items {
			items[j] = alertJSON(fmt.Sprintf("sa-%d-%d", i, j), "open")
		}
		body := items[0]
		if n > 1 {
			body = "[" + strings.Join(items, ",") + "]"
		}
		if w := post(h, tokenA, body); w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

func BenchmarkIngestSingle(b *testing.B)   { benchmarkIngest(b, 1) }
func BenchmarkIngestBatch100(b *testing.B) { benchmarkIngest(b, 100) }

// TestIngestConcurrentResends races several requests for one (source, id):
// the store's unique key keeps it to one alert, created exactly once.
func TestIngestConcurrentResends(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := newHandler(st)
	const n = 8
	results := make(chan []accepted, n)
	for i := range n {
		status := "open"
		if i%2 == 1 {
			status = "in_progress"
		}
		go func() {
			w := post(h, tokenA, alertJSON("sa-race", status))
			var body struct{ Accepted []accepted }
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != http.StatusAccepted {
				body.Accepted = nil
			}
			results <- body.Accepted
		}()
	}
	created, seqs := 0, map[int64]bool{}
	for range n {
		acc := <-results
		if len(acc) != 1 {
			t.Fatalf("a request was not accepted: %v", acc)
		}
		seqs[acc[0].Seq] = true
		if acc[0].Created {
			created++
		}
	}
	if created != 1 || len(seqs) != 1 {
		t.Errorf("created %d times with seqs %v, want once with one seq", created, seqs)
	}
	if got := countAlerts(t, st); got != 1 {
		t.Errorf("%d alerts stored, want 1", got)
	}
}
