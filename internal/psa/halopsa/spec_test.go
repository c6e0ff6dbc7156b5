package halopsa

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
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
	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa/halopsasim"
	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa/specextract/extract"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

//go:generate go run ./specextract -spec ../../../../shared/psa-apis/specs/halopsa-openapi.json -out testdata/spec-extract.json

// fullSpec is where the whole document is found when present; the
// extract is re-derived from it then.
var fullSpec = []string{os.Getenv("HALOPSA_OPENAPI"), "../../../../shared/psa-apis/specs/halopsa-openapi.json"}

// sent is one request as it reached the simulator.
type sent struct {
	method, path string
	query        map[string][]string
	body         []byte
}

// recorder keeps every request before the simulator serves it.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	got  []sent
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	r.got = append(r.got, sent{method: req.Method, path: req.URL.Path, query: req.URL.Query(), body: b})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

func loadExtract(t *testing.T) extract.Extract {
	t.Helper()
	raw, err := os.ReadFile("testdata/spec-extract.json")
	if err != nil {
		t.Fatal(err)
	}
	var x extract.Extract
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestExtractMatchesTheSpec re-derives the extract from the full document
// when it is at hand (CI's clean clone has only the extract).
func TestExtractMatchesTheSpec(t *testing.T) {
	var raw []byte
	for _, p := range fullSpec {
		if b, err := os.ReadFile(p); p != "" && err == nil {
			raw = b
			break
		}
	}
	if raw == nil {
		t.Skip("the full OpenAPI document is not here; set HALOPSA_OPENAPI to check the extract against it")
	}
	sum := sha256.Sum256(raw)
	want, err := extract.Build(raw, hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, loadExtract(t)); diff != "" {
		t.Errorf("testdata/spec-extract.json is stale, run go generate (-spec +committed):\n%s", diff)
	}
}

// TestRequestsMatchTheSpec drives every connector call against the
// simulator and checks each request it sent against the OpenAPI
// document: the operation exists (method and path, case-insensitive),
// every query parameter is declared and reads as its type, and a body is
// a JSON array of objects whose fields are the schema's with their JSON
// types.
func TestRequestsMatchTheSpec(t *testing.T) {
	x := loadExtract(t)
	rec := &recorder{next: halopsasim.New(halopsasim.Options{OpenOnlyByDefault: true})}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	exercise(t, srv.URL)
	seen := map[string]bool{}
	for _, r := range rec.got {
		if strings.EqualFold(r.path, "/auth/token") {
			continue // the authorisation server is not in the document
		}
		key, op, ok := x.Find(r.method, strings.TrimPrefix(strings.ToLower(r.path), "/api"))
		if !ok {
			t.Errorf("%s %s: no such operation in the spec", r.method, r.path)
			continue
		}
		seen[key] = true
		checkQuery(t, key, op, r.query)
		checkBody(t, key, op, x, r.body)
	}
	for _, key := range extract.Operations {
		if !seen[key] {
			t.Errorf("the connector never called %s, which the extract names: drop it or exercise it", key)
		}
	}
}

// exercise makes every call of the connector's port once.
func exercise(t *testing.T, base string) {
	t.Helper()
	ctx := context.Background()
	c, err := New(Config{URL: base, ClientID: secret.New(halopsasim.IntegrationClientID), ClientSecret: secret.New(halopsasim.IntegrationClientSecret)})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Test(ctx))
	picks, err := c.Picklists(ctx)
	must(err)
	prospects, _ := picks.Lookup(psa.FieldCompanyType, "Prospects", "")
	_, err = c.Companies(ctx, psa.CompanyFilter{Types: []string{prospects.ID}})
	must(err)
	_, err = c.Contacts(ctx, "2")
	must(err)
	jane, err := c.ContactByEmail(ctx, "2", "jane@acme.example")
	must(err)
	_, err = c.ContactsByEmail(ctx, "2", []string{"jane@acme.example"})
	must(err)
	tk, err := c.CreateTicket(ctx, psa.NewTicket{
		CompanyID: "2", ContactID: jane.ID, Title: "t", Description: "d", Status: "1", Priority: "2", Queue: "Security",
		Category: "Security", Type: "21", IssueType: "Data Loss", SubIssueType: "Data Loss>Excessive Download",
		ContractID: "1", DueAt: time.Now().Add(time.Hour), ExternalRef: "ref-1",
	})
	must(err)
	_, err = c.Ticket(ctx, tk.ID)
	must(err)
	_, err = c.TicketByExternalRef(ctx, "ref-1")
	must(err)
	status, contract := "2", ""
	must(c.UpdateTicket(ctx, tk.ID, psa.TicketPatch{Status: &status, ContractID: &contract}))
	_, err = c.TicketsByID(ctx, []string{tk.ID})
	must(err)
	_, err = c.TicketsChangedSince(ctx, time.Now().Add(-time.Hour))
	must(err)
	_, err = c.AddNote(ctx, tk.ID, psa.NewNote{Title: "n", Description: "d", Type: "1", Visibility: psa.VisibilityInternal})
	must(err)
	_, err = c.Notes(ctx, tk.ID)
	must(err)
	_, err = c.TicketActivity(ctx, tk.ID)
	must(err)
	exerciseContracts(t, c)
}

// exerciseContracts walks the billing calls, creating a recurring
// invoice for a contract that has none.
func exerciseContracts(t *testing.T, c *Connector) {
	t.Helper()
	ctx := context.Background()
	ks, err := c.Contracts(ctx, "2")
	if err != nil || len(ks) == 0 {
		t.Fatalf("Contracts: %v, %v", ks, err)
	}
	svcs, err := c.Services(ctx)
	if err != nil || len(svcs) == 0 {
		t.Fatalf("Services: %v, %v", svcs, err)
	}
	for _, k := range []string{ks[0].ID, "3"} {
		line, err := c.AddContractService(ctx, k, svcs[0].ID, 4, 1.5)
		if err != nil {
			t.Fatalf("AddContractService(%s): %v", k, err)
		}
		if _, err := c.ContractServices(ctx, k); err != nil {
			t.Fatal(err)
		}
		adj := psa.Adjustment{ContractID: k, ContractServiceID: line.ID, ServiceID: svcs[0].ID, EffectiveDate: time.Now(), UnitChange: 2}
		for range 2 {
			if err := c.AdjustContractService(ctx, adj); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.ContractServiceUnits(ctx, k, line.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func checkQuery(t *testing.T, key string, op extract.Operation, q map[string][]string) {
	t.Helper()
	for name, vals := range q {
		typ, ok := op.Query[name]
		if !ok {
			t.Errorf("%s: query parameter %q is not in the spec", key, name)
			continue
		}
		for _, v := range vals {
			if !queryValueFits(typ, v) {
				t.Errorf("%s: %s=%q does not read as %s", key, name, v, typ)
			}
		}
	}
}

func queryValueFits(typ, v string) bool {
	switch typ {
	case "int", "integer":
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	case "bool", "boolean":
		_, err := strconv.ParseBool(v)
		return err == nil
	case "double", "number":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	}
	return true
}

func checkBody(t *testing.T, key string, op extract.Operation, x extract.Extract, body []byte) {
	t.Helper()
	if len(bytes.TrimSpace(body)) == 0 {
		if op.Body != "" && strings.HasPrefix(key, "POST") {
			t.Errorf("%s: no body, the spec wants %s", key, op.Body)
		}
		return
	}
	name, array := strings.CutPrefix(op.Body, "array:")
	if op.Body == "" || !array {
		t.Errorf("%s: sent a body, the spec declares %q", key, op.Body)
		return
	}
	var elems []map[string]json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		t.Errorf("%s: body is not an array of objects: %v", key, err)
		return
	}
	props := x.Schemas[name]
	for _, e := range elems {
		for field, v := range e {
			typ, ok := props[field]
			if !ok {
				t.Errorf("%s: body field %q is not in schema %s", key, field, name)
				continue
			}
			if !jsonFits(typ, v) {
				t.Errorf("%s: body field %q = %s is not a JSON %s", key, field, v, typ)
			}
		}
	}
}

func jsonFits(typ string, v json.RawMessage) bool {
	if string(v) == "null" {
		return true
	}
	var a any
	if json.Unmarshal(v, &a) != nil {
		return false
	}
	switch typ {
	case "integer":
		f, ok := a.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := a.(float64)
		return ok
	case "string":
		_, ok := a.(string)
		return ok
	case "boolean":
		_, ok := a.(bool)
		return ok
	case "array":
		_, ok := a.([]any)
		return ok
	}
	_, ok := a.(map[string]any)
	return ok
}
