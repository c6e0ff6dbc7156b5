// Package superopssim simulates SuperOps.ai's MSP GraphQL API over real
// HTTP, from the notes in psa-apis/superops.md: one POST endpoint (/msp)
// whose documents are parsed and validated against the published schema
// (with the corrections the live schema shows) by gqlparser, bearer API
// tokens with the CustomerSubDomain header, data isolated per subdomain,
// business errors as HTTP 200 with errors[].extensions.clientError,
// JSON-scalar sub-objects, numeric string ids, zone-less UTC times,
// MMDDYY-NNNN display ids, hasMore paging over conditions and sorts,
// introspection, and the rolling per-token limit of 800 requests a
// minute. Behaviour the notes mark unverified is an Option.
package superopssim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// SuperOps' documented limit: 800 requests per minute per token.
const (
	DefaultRateLimit = 800
	DefaultWindow    = time.Minute
)

// Path is the MSP product's endpoint path.
const Path = "/msp"

// Options tune the simulator.
type Options struct {
	// RateLimit is requests per Window per token; 0 is 800, below 0 none.
	RateLimit int
	// Window is the rolling window; 0 is a minute.
	Window time.Duration
	// Latency is added to every answer.
	Latency time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Throttle429 answers over the limit with HTTP 429 and Retry-After
	// instead of SuperOps' documented HTTP 200 rate_limit_exceeded: some
	// clients guard against it, no source shows it (unverified).
	Throttle429 bool
	// StrictStatus refuses createTicket without status
	// (mandatory_validation_failed): the docs call status mandatory, the
	// schema has it nullable (unverified which holds).
	StrictStatus bool
	// PicklistCode is the code for a picklist name not in the tenant's
	// lists; referred_value_does_not_exist when empty, the notes'
	// alternative being type_validation_failed (unverified).
	PicklistCode string
	// RejectDateOperators fails the date operators (after, before, ...)
	// with a server fault, as one third party reports them live
	// (unverified).
	RejectDateOperators bool
	// IgnoreCustomFieldConditions makes conditions on customFields.<column>
	// match nothing: the notes confirm dot-delimited paths for
	// requester.email only, and SuperOps answers a filter it cannot apply
	// with zero rows (unverified which holds for custom fields).
	IgnoreCustomFieldConditions bool
}

// Sim is the simulator, an http.Handler.
type Sim struct {
	opts    Options
	now     func() time.Time
	intro   *introspection
	window  *simkit.Window
	mu      sync.Mutex // guards everything below
	ids     ids
	tenants map[string]*tenant
}

// New builds a simulator holding the seed tenant (SeedSubdomain) and a
// second, smaller one (OtherSubdomain).
func New(o Options) *Sim {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	s := &Sim{opts: o, now: o.Now, intro: newIntrospection(Schema()), tenants: map[string]*tenant{}}
	s.window = simkit.NewWindow(max(o.RateLimit, 0), o.Window, o.Now)
	for _, sub := range []string{SeedSubdomain, OtherSubdomain} {
		s.tenants[sub] = seed(&s.ids, sub, o.Now())
	}
	return s
}

func (s *Sim) picklistCode() string {
	if s.opts.PicklistCode != "" {
		return s.opts.PicklistCode
	}
	return CodeReferredValue
}

// request is the GraphQL POST body.
type request struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// ServeHTTP answers one GraphQL request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	simkit.Sleep(r.Context(), s.opts.Latency)
	if strings.TrimSuffix(r.URL.Path, "/") != Path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "Method Not Allowed"})
		return
	}
	tok, _ := simkit.BearerToken(r)
	t, user := s.authenticate(tok)
	if user == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized: invalid or revoked API token"})
		return
	}
	if sub := r.Header.Get("CustomerSubDomain"); !strings.EqualFold(sub, t.subdomain) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid CustomerSubDomain"})
		return
	}
	if v := s.window.Take(tok); !v.OK {
		s.throttle(w, v)
		return
	}
	var req request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || strings.TrimSpace(req.Query) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Bad Request: expected a JSON body with a query"})
		return
	}
	status, answer := s.run(t, user, req)
	writeJSON(w, status, answer)
}

// authenticate finds the token's user; tokens are unique across tenants.
func (s *Sim) authenticate(tok string) (*tenant, *Technician) {
	if tok == "" {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tenants {
		for _, u := range t.technicians {
			if simkit.EqualSecret(tok, u.Token) {
				return t, u
			}
		}
	}
	return nil, nil
}

// throttle refuses a request over the limit.
func (s *Sim) throttle(w http.ResponseWriter, v simkit.Verdict) {
	if s.opts.Throttle429 {
		w.Header().Set("Retry-After", simkit.RetryAfter(v.Wait))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "Too Many Requests"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{}, "errors": []any{map[string]any{
		"message":    "rate limit exceeded",
		"extensions": map[string]any{"clientError": []any{fault(CodeRateLimit).wire()}},
	}}})
}

// run parses, validates and executes one document.
func (s *Sim) run(t *tenant, user *Technician, req request) (int, map[string]any) {
	doc, errs := Parse(req.Query)
	if len(errs) > 0 {
		return http.StatusOK, validationErrors(errs)
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil && req.OperationName == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	if op == nil {
		return http.StatusOK, validationErrors(gqlerror.List{gqlerror.Errorf("Unknown operation named '%s'.", req.OperationName)})
	}
	vars, err := validator.VariableValues(Schema(), op, req.Variables)
	if err != nil {
		return http.StatusOK, validationErrors(gqlerror.List{gqlerror.Wrap(err)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := &session{s: s, t: t, user: user}
	root, typeName := x.queryRoot(), "Query"
	if op.Operation == ast.Mutation {
		root, typeName = x.mutationRoot(), "Mutation"
	}
	e := &execution{doc: doc, vars: vars}
	data := e.selectionSet(op.SelectionSet, typeName, root, nil)
	if e.fault {
		return http.StatusInternalServerError, map[string]any{"errors": []any{map[string]any{"message": errServer.Error()}}}
	}
	out := map[string]any{"data": data}
	if len(e.errs) > 0 {
		out["errors"] = e.errs
	}
	return http.StatusOK, out
}

// validationErrors answers a document the schema refuses, graphql-java
// style: no data, each error classified as a ValidationError.
func validationErrors(errs gqlerror.List) map[string]any {
	var out []any
	for _, e := range errs {
		entry := map[string]any{"message": "Validation error: " + e.Message,
			"extensions": map[string]any{"classification": "ValidationError"}}
		if len(e.Locations) > 0 {
			entry["locations"] = e.Locations
		}
		out = append(out, entry)
	}
	return map[string]any{"errors": out}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
