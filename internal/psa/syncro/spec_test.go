package syncro

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/spec"
	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/syncrosim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

const (
	extractFile = "testdata/openapi-extract.json"
	// fullSpec is Syncro's whole document, beside the repository when
	// shared/ is (not in a bare clone).
	fullSpec = "../../../../shared/psa-apis/specs/syncro-openapi.json"
)

func loadExtract(t *testing.T) spec.Extract {
	t.Helper()
	b, err := os.ReadFile(extractFile)
	if err != nil {
		t.Fatal(err)
	}
	var x spec.Extract
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestExtractMatchesTheSpec re-derives the extract from the full document
// when it is there, so a stale extract cannot pass.
func TestExtractMatchesTheSpec(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(fullSpec)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is not beside the repository; the committed extract is checked by TestRequestsFollowTheSpec", fullSpec)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := spec.Make(doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, loadExtract(t)); diff != "" {
		t.Errorf("%s is stale: run go generate ./internal/psa/syncro (-spec +extract):\n%s", extractFile, diff)
	}
}

// specRecorder keeps every request that reaches the simulator.
type specRecorder struct {
	mu   sync.Mutex
	reqs []spec.Request
}

func (s *specRecorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.reqs = append(s.reqs, spec.Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v1"),
			Query: r.URL.Query(), Body: body, Auth: r.Header.Get("Authorization")})
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// TestRequestsFollowTheSpec drives every connector call against the
// simulator and holds every request sent to Syncro's published spec:
// method, path, query parameter names and types, body field names and
// JSON types.
func TestRequestsFollowTheSpec(t *testing.T) {
	t.Parallel()
	x := loadExtract(t)
	rec := &specRecorder{}
	sim := syncrosim.New(syncrosim.Options{})
	srv := httptest.NewServer(rec.wrap(sim))
	defer srv.Close()
	defer sim.Close()
	c, err := New(Config{URL: srv.URL, APIToken: secret.New(syncrosim.APIToken)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	acme := strconv.Itoa(syncrosim.AcmeID)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Test(ctx))
	_, err = c.Picklists(ctx)
	must(err)
	_, err = c.Companies(ctx, psa.CompanyFilter{Types: []string{TypeBusiness}})
	must(err)
	contact, err := c.ContactByEmail(ctx, acme, "jane@acme.example")
	must(err)
	_, err = c.ContactsByEmail(ctx, acme, []string{"jane@acme.example", "helpdesk@acme.example"})
	must(err)
	tk, err := c.CreateTicket(ctx, psa.NewTicket{CompanyID: acme, ContactID: contact.ID, Title: "spec", Description: "d",
		Status: "New", Priority: "1 High", Queue: "11", IssueType: "Malware", ExternalRef: "spec-ref", DueAt: time.Now().Add(24 * time.Hour)})
	must(err)
	_, err = c.Ticket(ctx, tk.ID)
	must(err)
	_, err = c.TicketByExternalRef(ctx, "spec-ref")
	must(err)
	status := "In Progress"
	must(c.UpdateTicket(ctx, tk.ID, psa.TicketPatch{Status: &status}))
	_, err = c.AddNote(ctx, tk.ID, psa.NewNote{Title: "n", Description: "text", Visibility: psa.VisibilityExternal})
	must(err)
	_, err = c.Notes(ctx, tk.ID)
	must(err)
	_, err = c.TicketsChangedSince(ctx, time.Now().Add(-time.Hour))
	must(err)
	_, err = c.TicketsByID(ctx, []string{tk.ID, "424242"})
	must(err)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	ops := map[string]bool{}
	for _, r := range rec.reqs {
		for _, p := range x.Check(r) {
			t.Error(p)
		}
		if o, ok := x.Find(r.Method, r.Path); ok {
			ops[o.Method+" "+o.Path] = true
		}
	}
	want := []string{"GET /me", "GET /tickets/settings", "GET /settings", "GET /customers", "GET /contacts", "POST /tickets",
		"GET /tickets/{id}", "GET /tickets", "PUT /tickets/{id}", "POST /tickets/{id}/comment", "GET /tickets/{id}/comments"}
	for _, op := range want {
		if !ops[op] {
			t.Errorf("the scenario never called %s: the check did not cover it", op)
		}
	}
}

// TestCheckCatchesDrift: the check fails requests that leave the spec.
func TestCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	x := loadExtract(t)
	bearer := "Bearer t"
	tests := []struct {
		name string
		r    spec.Request
		want string
	}{
		{"unknown path", spec.Request{Method: "GET", Path: "/ticket_problem_types", Auth: bearer}, "no such operation"},
		{"unknown field", spec.Request{Method: "POST", Path: "/tickets", Body: []byte(`{"customer_id":1,"external_ref":"x"}`), Auth: bearer}, "body.external_ref is not in the spec"},
		{"string id", spec.Request{Method: "POST", Path: "/tickets", Body: []byte(`{"customer_id":"1"}`), Auth: bearer}, "body.customer_id is string"},
		{"boolean as text", spec.Request{Method: "POST", Path: "/tickets/1/comment", Body: []byte(`{"hidden":"yes"}`), Auth: bearer}, "body.hidden is string"},
		{"nested field", spec.Request{Method: "POST", Path: "/tickets", Body: []byte(`{"comments_attributes":[{"visibility":"x"}]}`), Auth: bearer}, "comments_attributes[0].visibility"},
		{"undocumented filter", spec.Request{Method: "GET", Path: "/contacts", Query: map[string][]string{"email": {"a@b.c"}}, Auth: bearer}, `query parameter "email" is not in the spec`},
		{"non-integer page", spec.Request{Method: "GET", Path: "/tickets", Query: map[string][]string{"page": {"two"}}, Auth: bearer}, "not of type integer"},
		{"raw token", spec.Request{Method: "GET", Path: "/me", Auth: "t"}, "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := x.Check(tt.r)
			if !strings.Contains(strings.Join(probs, "\n"), tt.want) {
				t.Errorf("Check = %q, want a problem with %q", probs, tt.want)
			}
		})
	}
	if probs := x.Check(spec.Request{Method: "GET", Path: "/tickets/settings", Auth: bearer}); len(probs) != 0 {
		t.Errorf("GET /tickets/settings (a literal path beside /tickets/{id}): %v", probs)
	}
}
