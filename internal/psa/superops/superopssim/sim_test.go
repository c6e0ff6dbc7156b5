package superopssim

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	const q = `{ getStatusList { name } }`
	tests := []struct {
		name, token, sub string
		status           int
	}{
		{"valid", e.api, SeedSubdomain, http.StatusOK},
		{"subdomain any case", e.api, strings.ToUpper(SeedSubdomain), http.StatusOK},
		{"no token", "", SeedSubdomain, http.StatusUnauthorized},
		{"unknown token", "api-nope", SeedSubdomain, http.StatusUnauthorized},
		{"no subdomain", e.api, "", http.StatusBadRequest},
		{"unknown subdomain", e.api, "nosuchmsp", http.StatusBadRequest},
		{"another tenant's subdomain", e.api, OtherSubdomain, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := e.post(tt.token, tt.sub, q, nil); a.Status != tt.status {
				t.Errorf("HTTP %d, want %d: %s", a.Status, tt.status, a.Raw)
			}
		})
	}
}

func TestTokensLookLikeSuperOps(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	if !regexp.MustCompile(`^api-[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`).MatchString(e.api) {
		t.Errorf("token %q is not api-<jwt>", e.api)
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.create(nil)
	a := e.post(e.other, OtherSubdomain, `{ getTicketList(input: {page: 1, pageSize: 100}) { tickets { ticketId } listInfo { totalCount } } }`, nil)
	if a.Status != http.StatusOK || path(a.Data, "getTicketList", "listInfo", "totalCount") != float64(0) {
		t.Errorf("other tenant sees tickets: %s", a.Raw)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tests := []struct{ name, doc string }{
		{"unknown field", `{ getStatusList { name colour } }`},
		{"unknown argument", `{ getStatusList(input: 1) { name } }`},
		{"sub-selection of a JSON scalar", `{ getTicket(input: {ticketId: "1"}) { client { name } } }`},
		{"wrong argument type", `{ getTicketList(input: {page: "one"}) { tickets { ticketId } } }`},
		{"old field/eq condition keys", `{ getTicketList(input: {condition: {field: "status", eq: "New"}}) { tickets { ticketId } } }`},
		{"syntax", `{ getStatusList { name `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.post(e.api, SeedSubdomain, tt.doc, nil)
			if a.Status != http.StatusOK || a.classification() != "ValidationError" || a.Data != nil {
				t.Errorf("HTTP %d %s; want 200 with a ValidationError and no data", a.Status, a.Raw)
			}
		})
	}
}

func TestAliasesFragmentsVariables(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	d := e.do(`query Q($p: Int) {
		a: getStatusList { ...S }
		b: getPriorityList { name __typename }
		page: getClientList(input: {page: $p, pageSize: 2}) { clients { ... on Client { name } } listInfo { hasMore } }
	}
	fragment S on Status { id name }`, map[string]any{"p": 1})
	if path(d, "a", 0, "name") != "New" || path(d, "b", 0, "__typename") != "Priority" || path(d, "page", "listInfo", "hasMore") != true {
		t.Errorf("answer %v", d)
	}
	if n := len(path(d, "page", "clients").([]any)); n != 2 {
		t.Errorf("page of %d clients, want 2", n)
	}
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	d := e.do(`{ __schema { queryType { name } mutationType { name } }
		__type(name: "CreateTicketInput") { kind inputFields { name type { kind ofType { name } } } }
		m: __type(name: "Mutation") { fields { name isDeprecated deprecationReason } } }`, nil)
	if path(d, "__schema", "queryType", "name") != "Query" || path(d, "__type", "kind") != "INPUT_OBJECT" {
		t.Fatalf("introspection %v", d)
	}
	var subject any
	for _, f := range path(d, "__type", "inputFields").([]any) {
		if path(f, "name") == "subject" {
			subject = path(f, "type", "kind")
		}
	}
	if subject != "NON_NULL" {
		t.Errorf("subject's kind %v, want NON_NULL", subject)
	}
	for _, f := range path(d, "m", "fields").([]any) {
		if path(f, "name") == "createTicketNote" && (path(f, "isDeprecated") != true || path(f, "deprecationReason") != "Use createNote") {
			t.Errorf("createTicketNote not deprecated in favour of createNote: %v", f)
		}
	}
}

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	acme := e.clientID("Acme Corp")
	jane := e.userID(acme, "jane@acme.example")
	tk := e.create(map[string]any{"requester": map[string]any{"userId": jane}, "priority": "high", "category": "Data Loss",
		"subcategory": "Excessive Download", "customFields": map[string]any{e.sim.RefColumn(): "ref-1"}, "description": "412 files"})
	if !regexp.MustCompile(`^\d{19}$`).MatchString(tk["ticketId"].(string)) {
		t.Errorf("ticketId %v is not a 19-digit string", tk["ticketId"])
	}
	if tk["displayId"] != "112126-0001" {
		t.Errorf("displayId %v, want MMDDYY-NNNN 112126-0001", tk["displayId"])
	}
	if tk["createdTime"] != "2026-11-21T10:15:00.000" {
		t.Errorf("createdTime %v, want zone-less UTC", tk["createdTime"])
	}
	if path(tk, "client", "accountId") != acme || path(tk, "requester", "userId") != jane || tk["priority"] != "High" {
		t.Errorf("ticket %v", tk)
	}
	if path(tk, "customFields", e.sim.RefColumn()) != "ref-1" {
		t.Errorf("customFields %v", tk["customFields"])
	}
	snap := e.sim.Snapshot()
	if len(snap) != 1 || len(snap[0].Conversations) != 1 || snap[0].Conversations[0].Type != "DESCRIPTION" || snap[0].Conversations[0].Content != "412 files" {
		t.Errorf("description not kept as the DESCRIPTION conversation: %+v", snap)
	}
	if second := e.create(nil); second["displayId"] != "112126-0002" {
		t.Errorf("second displayId %v", second["displayId"])
	}
}

func TestCreateTicketErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{StrictStatus: true})
	acme := e.clientID("Acme Corp")
	globex := e.clientID("Globex Corporation")
	former := "none"
	base := func(extra map[string]any) map[string]any {
		in := map[string]any{"subject": "s", "client": map[string]any{"accountId": acme}, "source": "INTEGRATION", "status": "New"}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	tests := []struct {
		name string
		in   map[string]any
		code string
	}{
		{"unknown client", base(map[string]any{"client": map[string]any{"accountId": "1"}}), CodeReferredValue},
		{"unknown priority", base(map[string]any{"priority": "999999"}), CodeReferredValue},
		{"unknown status", base(map[string]any{"status": "Nope"}), CodeReferredValue},
		{"missing status in strict mode", base(map[string]any{"status": nil}), CodeMandatory},
		{"unknown group", base(map[string]any{"techGroup": map[string]any{"groupId": "5"}}), CodeReferredValue},
		{"requester of another client", base(map[string]any{"requester": map[string]any{"userId": e.userID(globex, "hank@globex.example")}}), CodeReferredValue},
		{"deleted requester", base(map[string]any{"requester": map[string]any{"userId": former}}), CodeReferredValue},
		{"subcategory not under category", base(map[string]any{"category": "Hardware", "subcategory": "Phishing"}), CodeDependent},
		{"unknown custom field", base(map[string]any{"customFields": map[string]any{"udf99text": "x"}}), CodeReferredValue},
		{"empty subject", base(map[string]any{"subject": " "}), CodeMandatory},
		{"long subject", base(map[string]any{"subject": strings.Repeat("x", 256)}), CodeValueLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.post(e.api, SeedSubdomain, createDoc, map[string]any{"in": tt.in})
			if a.Status != http.StatusOK || a.code() != tt.code || a.Data == nil || a.Data["createTicket"] != nil {
				t.Errorf("HTTP %d %s; want 200, code %s, data with createTicket null", a.Status, a.Raw, tt.code)
			}
		})
	}
	if n := len(e.sim.Snapshot()); n != 0 {
		t.Errorf("refused creates left %d tickets", n)
	}
}

func TestPicklistCodeOption(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{PicklistCode: CodeTypeValidation})
	acme := e.clientID("Acme Corp")
	a := e.post(e.api, SeedSubdomain, createDoc, map[string]any{"in": map[string]any{"subject": "s", "client": map[string]any{"accountId": acme}, "source": "INTEGRATION", "priority": "Bogus"}})
	if a.code() != CodeTypeValidation {
		t.Errorf("code %q, want %s: %s", a.code(), CodeTypeValidation, a.Raw)
	}
}

func TestUpdateAndNotesMoveUpdatedTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tk := e.create(nil)
	id := tk["ticketId"].(string)
	e.clk.Advance(time.Minute)
	d := e.do(`mutation($id: ID!) { updateTicket(input: {ticketId: $id, status: "In Progress"}) { status updatedTime priority } }`, map[string]any{"id": id})
	if path(d, "updateTicket", "status") != "In Progress" || path(d, "updateTicket", "updatedTime") != "2026-11-21T10:16:00.000" {
		t.Errorf("update %v", d)
	}
	e.clk.Advance(time.Minute)
	d = e.do(`mutation($id: ID!) { createNote(input: {workItem: {workId: $id, module: TICKET}, content: "checked"}) { noteId privacyType addedBy } }`, map[string]any{"id": id})
	if path(d, "createNote", "privacyType") != "PRIVATE" || path(d, "createNote", "addedBy", "name") != "ticketbridge API" {
		t.Errorf("createNote %v; want PRIVATE by default, added by the token's user", d)
	}
	e.do(`mutation($id: ID!) { createTicketNote(input: {ticket: {ticketId: $id}, content: "public", privacyType: PUBLIC}) { noteId } }`, map[string]any{"id": id})
	d = e.do(`query($id: ID!) { getTicket(input: {ticketId: $id}) { updatedTime } getTicketNoteList(input: {ticketId: $id}) { content privacyType } }`, map[string]any{"id": id})
	if path(d, "getTicket", "updatedTime") != "2026-11-21T10:17:00.000" {
		t.Errorf("a note did not move updatedTime: %v", d)
	}
	if path(d, "getTicketNoteList", 1, "privacyType") != "PUBLIC" || path(d, "getTicketNoteList", 0, "content") != "checked" {
		t.Errorf("notes %v", d)
	}
}

func TestUnknownTicket(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for _, doc := range []string{
		`{ getTicket(input: {ticketId: "999999999"}) { ticketId } }`,
		`mutation { updateTicket(input: {ticketId: "999999999", status: "Closed"}) { ticketId } }`,
		`mutation { createTicketNote(input: {ticket: {ticketId: "999999999"}, content: "x"}) { noteId } }`,
	} {
		if a := e.post(e.api, SeedSubdomain, doc, nil); a.code() != CodeEntityDoesNotExist {
			t.Errorf("%s: %s; want entity_does_not_exist", doc, a.Raw)
		}
	}
}

func TestConversation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id := e.create(nil)["ticketId"].(string)
	d := e.do(`mutation($id: ID!) { createTicketConversation(input: {ticket: {ticketId: $id}, content: "on it", sendMail: true, toUsers: [{email: "jane@acme.example"}]}) { type toUsers { user } } }`, map[string]any{"id": id})
	if path(d, "createTicketConversation", "type") != "TECH_REPLY" {
		t.Errorf("conversation %v", d)
	}
	snap := e.sim.Snapshot()[0]
	last := snap.Conversations[len(snap.Conversations)-1]
	if !last.SendMail || len(last.To) != 1 {
		t.Errorf("sendMail not recorded: %+v", last)
	}
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	acme := e.clientID("Acme Corp")
	a := e.post(e.ro, SeedSubdomain, createDoc, map[string]any{"in": map[string]any{"subject": "s", "client": map[string]any{"accountId": acme}, "source": "INTEGRATION"}})
	if a.code() != CodeForbidden {
		t.Errorf("read-only create: %s; want forbidden", a.Raw)
	}
	if a := e.post(e.ro, SeedSubdomain, `{ getStatusList { name } }`, nil); len(a.Errors) > 0 {
		t.Errorf("read-only read: %s", a.Raw)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		o      Options
		status int
	}{
		{"documented: 200 with rate_limit_exceeded", Options{RateLimit: 3}, http.StatusOK},
		{"option: 429 with Retry-After", Options{RateLimit: 3, Throttle429: true}, http.StatusTooManyRequests},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.o)
			for range 3 {
				e.do(`{ getStatusList { name } }`, nil)
			}
			a := e.post(e.api, SeedSubdomain, `{ getStatusList { name } }`, nil)
			if a.Status != tt.status {
				t.Fatalf("HTTP %d, want %d", a.Status, tt.status)
			}
			if tt.status == http.StatusOK && a.code() != CodeRateLimit {
				t.Errorf("answer %s, want rate_limit_exceeded", a.Raw)
			}
			if tt.status == http.StatusTooManyRequests && a.Header.Get("Retry-After") != "60" {
				t.Errorf("Retry-After %q, want 60", a.Header.Get("Retry-After"))
			}
			// Another token has its own window.
			if a := e.post(e.tech, SeedSubdomain, `{ getStatusList { name } }`, nil); len(a.Errors) > 0 || a.Status != http.StatusOK {
				t.Errorf("technician throttled by the API user's count: %s", a.Raw)
			}
			e.clk.Advance(time.Minute)
			e.do(`{ getStatusList { name } }`, nil)
		})
	}
}

func TestDefaultLimitIs800AMinute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for i := range 800 {
		if a := e.post(e.api, SeedSubdomain, `{ getStatusList { id } }`, nil); len(a.Errors) > 0 {
			t.Fatalf("request %d refused: %s", i+1, a.Raw)
		}
	}
	if a := e.post(e.api, SeedSubdomain, `{ getStatusList { id } }`, nil); a.code() != CodeRateLimit {
		t.Errorf("801st request: %s", a.Raw)
	}
}

func TestEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	resp, err := e.srv.Client().Get(e.srv.URL + Path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d", Path, resp.StatusCode)
	}
	resp, err = e.srv.Client().Post(e.srv.URL+"/it", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /it: %d", resp.StatusCode)
	}
}

func TestContractQuantityChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	d := e.do(`{ getClientContractList(input: {condition: {attribute: "contract.name", operator: "is", value: "Acme MDR"}}) { clientContracts { contractId contractStatus contract { name billableContract { changes { quantity } } } } } }`, nil)
	id, _ := path(d, "getClientContractList", "clientContracts", 0, "contractId").(string)
	if id == "" {
		t.Fatalf("no Acme MDR contract: %v", d)
	}
	d = e.do(`mutation($id: ID!) { updateClientContract(input: {contract: {contractId: $id, billableContract: {change: {effectiveDate: "2026-12-01", quantity: "12", quantityChangeOperation: BASELINE}}}}) }`, map[string]any{"id": id})
	if d["updateClientContract"] != id {
		t.Errorf("updateClientContract = %v, want the contract id", d)
	}
	ch := e.sim.ContractChanges("Acme MDR")
	if len(ch) != 2 || ch[1].Quantity != "12" || ch[1].Effective != "2026-12-01" {
		t.Errorf("changes %+v", ch)
	}
}
