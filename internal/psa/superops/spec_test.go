package superops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/superops/superopssim"
)

// fullSpec is the published schema outside the repository, where the
// notes keep it; CI's clean clone has none and relies on the copy the
// simulator embeds (superopssim.PublishedSDL, held to its digest).
const fullSpec = "../../../../shared/psa-apis/specs/superops-schema.graphql"

// published is SuperOps' schema exactly as published: no corrections, so
// a document passes only if the documented API accepts it.
func published(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "superops-schema.graphql", Input: superopssim.PublishedSDL})
	if err != nil {
		t.Fatalf("published schema: %v", err)
	}
	return s
}

func TestEmbeddedSpecIsThePublishedOne(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte(superopssim.PublishedSDL))
	if got := hex.EncodeToString(sum[:]); got != superopssim.PublishedSHA256 {
		t.Errorf("embedded schema sha256 %s, want %s", got, superopssim.PublishedSHA256)
	}
	full, err := os.ReadFile(fullSpec)
	if errors.Is(err, fs.ErrNotExist) {
		t.Logf("%s absent: checked the embedded copy's digest only", fullSpec)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(full) != superopssim.PublishedSDL {
		t.Errorf("embedded schema differs from %s: run go generate ./internal/psa/superops/superopssim", fullSpec)
	}
}

func TestDocumentsMatchPublishedSchema(t *testing.T) {
	t.Parallel()
	s := published(t)
	for name, doc := range Documents() {
		if _, errs := gqlparser.LoadQueryWithRules(s, doc, rules.NewDefaultRules()); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
}

// TestEveryRequestMatchesPublishedSchema drives every connector method
// against the simulator and checks each request it sent: a POST to /msp
// with the headers SuperOps asks for, a document the published schema
// validates and variables its input types accept.
func TestEveryRequestMatchesPublishedSchema(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	exercise(t, f)
	s := published(t)
	seen := map[string]bool{}
	for i, r := range f.requests() {
		if r.Method != "POST" || r.Path != "/msp" || r.Header.Get("CustomerSubDomain") == "" ||
			!strings.HasPrefix(r.Header.Get("Authorization"), "Bearer api-") || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: %s %s %v", i, r.Method, r.Path, r.Header)
		}
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("request %d: body %s: %v", i, r.Body, err)
		}
		doc, errs := gqlparser.LoadQueryWithRules(s, body.Query, rules.NewDefaultRules())
		if len(errs) > 0 {
			t.Errorf("request %d: document refused by the published schema: %v\n%s", i, errs, body.Query)
			continue
		}
		if len(doc.Operations) != 1 {
			t.Errorf("request %d: %d operations", i, len(doc.Operations))
			continue
		}
		op := doc.Operations[0]
		if _, err := validator.VariableValues(s, op, body.Variables); err != nil {
			t.Errorf("request %d (%s): variables refused: %v\n%v", i, op.Name, err, body.Variables)
		}
		seen[op.Name] = true
	}
	var missing []string
	for name := range Documents() {
		op, _, _ := strings.Cut(name, "/")
		if !seen[op] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the scenario sent no %v: extend it so every document is checked", missing)
	}
}

// exercise calls every method of the connector.
func exercise(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	fresh := f.connect(t, f.sim.Users()[0].Token, "acmemsp")
	acme := f.company(t, "Acme Corp")
	if _, err := fresh.CreateTicket(ctx, psa.NewTicket{CompanyID: acme.ID, Title: "first, before any picklist", Status: "New", ExternalRef: "spec-0"}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.conn.Test(ctx))
	_, err := f.conn.Companies(ctx, psa.CompanyFilter{Types: []string{"Prospect"}})
	must(err)
	_, err = f.conn.Contacts(ctx, acme.ID)
	must(err)
	_, err = f.conn.ContactsByEmail(ctx, acme.ID, []string{"jane@acme.example", "helpdesk@acme.example"})
	must(err)
	tk := f.newTicket(t, "spec-1")
	_, err = f.conn.Ticket(ctx, tk.ID)
	must(err)
	_, err = f.conn.TicketByExternalRef(ctx, "spec-1")
	must(err)
	ids := []string{tk.ID}
	for len(ids) < maxBatch {
		ids = append(ids, "999999999")
	}
	_, err = f.conn.TicketsByID(ctx, ids)
	must(err)
	_, err = f.conn.TicketsByID(ctx, ids[:1])
	must(err)
	status := "In Progress"
	must(f.conn.UpdateTicket(ctx, tk.ID, psa.TicketPatch{Status: &status}))
	_, err = f.conn.AddNote(ctx, tk.ID, psa.NewNote{Title: "t", Description: "d", Visibility: psa.VisibilityExternal})
	must(err)
	_, err = f.conn.Notes(ctx, tk.ID)
	must(err)
	_, err = f.conn.TicketsChangedSince(ctx, time.Time{})
	must(err)
	if !slices.ContainsFunc(f.requests(), func(r recorded) bool { return strings.Contains(string(r.Body), "RefField") }) {
		t.Fatal("the fresh connector did not look the reference field up")
	}
}

// TestSpecCheckRefuses shows the check can fail: what the published
// schema does not have is refused, in the document or in the variables.
func TestSpecCheckRefuses(t *testing.T) {
	t.Parallel()
	s := published(t)
	if _, errs := gqlparser.LoadQueryWithRules(s, `query { getTicket(input: {ticketId: "1"}) { client { name } } }`, rules.NewDefaultRules()); len(errs) == 0 {
		t.Error("sub-selection of a JSON scalar accepted")
	}
	if _, errs := gqlparser.LoadQueryWithRules(s, `mutation($i: CreateTicketNoteInput!) { createTicketNote(input: $i) { noteId sourceReferenceId } }`, rules.NewDefaultRules()); len(errs) == 0 {
		t.Error("unknown output field accepted")
	}
	doc, errs := gqlparser.LoadQueryWithRules(s, docCreateTicket, rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	vars := map[string]any{"input": map[string]any{"subject": "s", "client": map[string]any{"accountId": "1"}, "source": "INTEGRATION", "ticketType": "INCIDENT"}}
	if _, err := validator.VariableValues(s, doc.Operations[0], vars); err == nil {
		t.Error("the old ticketType input field accepted")
	}
	vars["input"] = map[string]any{"subject": "s", "client": map[string]any{"accountId": "1"}, "source": "API"}
	if _, err := validator.VariableValues(s, doc.Operations[0], vars); err == nil {
		t.Error("a source outside TicketSource accepted")
	}
}
