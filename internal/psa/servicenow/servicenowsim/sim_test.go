package servicenowsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tests := []struct {
		name            string
		user            string
		method, path    string
		body            string
		hdr             []string
		status          int
		message, detail string
	}{
		{name: "no credentials", method: "GET", path: "/api/now/table/incident", status: 401, message: "User Not Authenticated", detail: "Required to provide Auth information"},
		{name: "no Accept", user: APIUserName, method: "GET", path: "/api/now/table/incident", hdr: []string{"Accept", ""}, status: 406},
		{name: "XML only", user: APIUserName, method: "GET", path: "/api/now/table/incident", hdr: []string{"Accept", "application/xml"}, status: 406},
		{name: "text body", user: APIUserName, method: "POST", path: "/api/now/table/incident", body: `{}`, hdr: []string{"Content-Type", "text/plain"}, status: 415},
		{name: "malformed JSON", user: APIUserName, method: "POST", path: "/api/now/table/incident", body: `{"short_description":`, status: 400, message: "Exception while reading request"},
		{name: "unknown table", user: APIUserName, method: "GET", path: "/api/now/table/incidnet", status: 400, message: "Invalid table incidnet"},
		{name: "unknown sys_id", user: APIUserName, method: "GET", path: "/api/now/table/incident/0123456789abcdef0123456789abcdef", status: 404, message: "No Record found", detail: "Record doesn't exist or ACL restricts the record retrieval"},
		{name: "patch unknown sys_id", user: APIUserName, method: "PATCH", path: "/api/now/table/incident/0123456789abcdef0123456789abcdef", body: `{"state":"2"}`, status: 404, message: "No Record found"},
		{name: "POST on a record", user: APIUserName, method: "POST", path: "/api/now/table/incident/0123456789abcdef0123456789abcdef", body: `{}`, status: 405},
		{name: "v1 empty list", user: APIUserName, method: "GET", path: "/api/now/v1/table/incident?sysparm_query=number%3DINC9999999", status: 404, message: "No Record found"},
		{name: "no itil role", user: "", method: "GET", path: "/api/now/table/incident", hdr: []string{"Authorization", "Basic Zm9vOmJhcg=="}, status: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.as(tt.user, tt.method, tt.path, tt.body, tt.hdr...)
			if a.status != tt.status {
				t.Fatalf("status %d (%s), want %d", a.status, a.body, tt.status)
			}
			msg, detail := a.errorOf(t)
			if tt.message != "" && msg != tt.message {
				t.Errorf("message %q, want %q", msg, tt.message)
			}
			if tt.detail != "" && detail != tt.detail {
				t.Errorf("detail %v, want %q", detail, tt.detail)
			}
		})
	}
}

func TestCreateIncident(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	got := e.newIncident(`,"correlation_id":"tb-1","bogus_field":"x","sys_created_by":"mallory"`)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got["sys_id"].(string)) {
		t.Errorf("sys_id %q is not 32 hex", got["sys_id"])
	}
	want := map[string]string{"number": "INC0010001", "state": "1", "incident_state": "1", "impact": "2", "urgency": "1", "priority": "2",
		"active": "true", "sys_mod_count": "0", "sys_created_on": "2026-11-21 10:00:00", "sys_created_by": APIUserName, "correlation_id": "tb-1", "work_notes": ""}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %q", k, got[k], v)
		}
	}
	if _, ok := got["bogus_field"]; ok {
		t.Error("an unknown field was stored")
	}
	ref, ok := got["caller_id"].(map[string]any)
	if !ok || !strings.HasSuffix(ref["link"].(string), "/api/now/table/sys_user/"+ref["value"].(string)) {
		t.Errorf("caller_id = %#v, want a {link,value} reference", got["caller_id"])
	}
	for k, v := range got {
		if _, isString := v.(string); !isString && k != "caller_id" && k != "company" && k != "opened_by" {
			t.Errorf("%s = %#v is neither a string nor a reference", k, v)
		}
	}
	second := e.newIncident("")
	if second["number"] != "INC0010002" {
		t.Errorf("second number %v, want INC0010002", second["number"])
	}
	bare := e.api("POST", "/api/now/table/incident", `{}`, "X-no-response-body", "true")
	if bare.status != 201 || len(bare.body) != 0 || !strings.Contains(bare.header.Get("Location"), "/api/now/table/incident/") {
		t.Errorf("X-no-response-body: %d %q Location %q", bare.status, bare.body, bare.header.Get("Location"))
	}
}

func TestResolveDataPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	inc := e.newIncident("")
	path := "/api/now/table/incident/" + inc["sys_id"].(string)
	a := e.api("PATCH", path, `{"state":"6","close_notes":"done"}`)
	if a.status != http.StatusForbidden {
		t.Fatalf("resolve without close_code: %d %s", a.status, a.body)
	}
	msg, detail := a.errorOf(t)
	if msg != "Operation Failed" || detail != "Data Policy Exception: \n\tThe following fields are mandatory: Resolution code, Close notes" {
		t.Errorf("403 body %s", a.body)
	}
	if got := e.api("GET", path, "").result(t)["state"]; got != "1" {
		t.Errorf("refused write changed state to %v", got)
	}
	e.clk.Advance(time.Minute)
	a = e.api("PATCH", path, `{"state":"6","close_code":"Solved (Permanently)","close_notes":"done"}`)
	r := a.result(t)
	if r["state"] != "6" || r["resolved_at"] != "2026-11-21 10:01:00" || r["active"] != "true" || r["sys_mod_count"] != "1" {
		t.Errorf("resolved: %s", a.body)
	}
	a = e.api("PATCH", path, `{"state":"7"}`)
	if a.status != http.StatusForbidden {
		t.Errorf("itil closed an incident: %d", a.status)
	}
}

func TestJournal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	inc := e.newIncident("")
	id := inc["sys_id"].(string)
	e.clk.Advance(time.Second)
	e.api("PATCH", "/api/now/table/incident/"+id, `{"work_notes":"internal words"}`)
	e.as(TechnicianName, "PATCH", "/api/now/table/incident/"+id, `{"comments":"public words"}`)
	rows := e.api("GET", "/api/now/table/sys_journal_field?sysparm_query="+escape("element_id="+id+"^elementINcomments,work_notes^ORDERBYsys_created_on"), "").results(t)
	if len(rows) != 2 {
		t.Fatalf("%d journal rows, want 2", len(rows))
	}
	first, second := rows[0].(map[string]any), rows[1].(map[string]any)
	if first["element"] != "work_notes" || first["value"] != "internal words" || first["sys_created_by"] != APIUserName || first["name"] != "incident" {
		t.Errorf("first entry %v", first)
	}
	if second["element"] != "comments" || second["sys_created_by"] != TechnicianName {
		t.Errorf("second entry %v", second)
	}
	raw := e.api("GET", "/api/now/table/incident/"+id, "").result(t)
	if raw["work_notes"] != "" || raw["sys_mod_count"] != "2" || raw["sys_updated_on"] != "2026-11-21 10:00:01" {
		t.Errorf("raw read: work_notes %q mod %v updated %v", raw["work_notes"], raw["sys_mod_count"], raw["sys_updated_on"])
	}
	disp := e.api("GET", "/api/now/table/incident/"+id+"?sysparm_display_value=true", "").result(t)
	if !strings.Contains(disp["work_notes"].(string), "internal words") || disp["state"] != "New" {
		t.Errorf("display read: work_notes %q state %v", disp["work_notes"], disp["state"])
	}
	all := e.api("GET", "/api/now/table/incident/"+id+"?sysparm_display_value=all&sysparm_fields=priority,caller_id", "").result(t)
	if p := all["priority"].(map[string]any); p["value"] != "2" || p["display_value"] != "2 - High" || len(all) != 2 {
		t.Errorf("display all: %v", all)
	}
}

func TestQueriesAndPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for range 5 {
		e.newIncident("")
		e.clk.Advance(time.Minute)
	}
	q := url.Values{"sysparm_query": {"sys_updated_on>=2026-11-21 10:02:00^ORDERBYDESCnumber"}, "sysparm_limit": {"2"}, "sysparm_offset": {"0"}, "sysparm_fields": {"number"}}
	a := e.api("GET", "/api/now/table/incident?"+q.Encode(), "")
	rows := a.results(t)
	if len(rows) != 2 || rows[0].(map[string]any)["number"] != "INC0010005" || a.header.Get("X-Total-Count") != "3" {
		t.Fatalf("rows %v total %s", rows, a.header.Get("X-Total-Count"))
	}
	link := a.header.Get("Link")
	if !strings.Contains(link, `rel="first"`) || !strings.Contains(link, `rel="next"`) || !strings.Contains(link, `rel="last"`) || strings.Contains(link, `rel="prev"`) {
		t.Errorf("Link %q", link)
	}
	tests := []struct {
		name, query string
		want        int
	}{
		{"dot-walk", "caller_id.email=JANE@acme.example", 5},
		{"IN", "numberININC0010001,INC0010003", 2},
		{"OR", "number=INC0010001^ORnumber=INC0010002", 2},
		{"NQ", "number=INC0010001^NQnumber=INC0010004", 2},
		{"unknown field ignored", "no_such_field=1^number=INC0010001", 1},
		{"STARTSWITH", "numberSTARTSWITHINC001000", 5},
		{"ISEMPTY", "correlation_idISEMPTY", 5},
		{"<", "sys_created_on<2026-11-21 10:01:00", 1},
	}
	for _, tt := range tests {
		got := e.api("GET", "/api/now/v2/table/incident?sysparm_query="+url.QueryEscape(tt.query), "").results(t)
		if len(got) != tt.want {
			t.Errorf("%s: %d rows, want %d", tt.name, len(got), tt.want)
		}
	}
	strict := newEnv(t, Options{InvalidQueryNoRows: true})
	strict.newIncident("")
	if got := strict.api("GET", "/api/now/table/incident?sysparm_query="+url.QueryEscape("no_such_field=1"), "").results(t); len(got) != 0 {
		t.Errorf("returns-no-rows: %d rows", len(got))
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{RateLimit: 2})
	for i := range 2 {
		a := e.api("GET", "/api/now/table/sys_user_group", "")
		if a.status != 200 || a.header.Get("X-RateLimit-Limit") != "2" || a.header.Get("X-RateLimit-Rule") == "" || a.header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d: %d headers %v", i, a.status, a.header)
		}
	}
	a := e.api("GET", "/api/now/table/sys_user_group", "")
	if a.status != 429 || a.header.Get("Retry-After") != "3600" {
		t.Fatalf("over the rule: %d Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
	if msg, detail := a.errorOf(t); msg != "Rate limit exceeded" || detail != "Rate limit of 2 requests per hour for Table API exceeded" {
		t.Errorf("429 body %s", a.body)
	}
	if a := e.as(TechnicianName, "GET", "/api/now/table/sys_user_group", ""); a.status != 200 {
		t.Errorf("another user shares the count: %d", a.status)
	}
}

func TestOAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	u := e.sim.User(APIUserName)
	grant := func(form url.Values) answer {
		form.Set("client_id", e.sim.ClientID())
		if form.Get("client_secret") == "" {
			form.Set("client_secret", e.sim.ClientSecret())
		}
		resp, err := e.srv.Client().PostForm(e.srv.URL+"/oauth_token.do", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return answer{status: resp.StatusCode, body: []byte(b.String())}
	}
	a := grant(url.Values{"grant_type": {"password"}, "username": {u.UserName}, "password": {u.Password}})
	tok := a.json(t)
	if a.status != 200 || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(1799) || len(tok["access_token"].(string)) != 86 {
		t.Fatalf("password grant: %d %s", a.status, a.body)
	}
	bearer := func(tk string) int {
		return e.as("", "GET", "/api/now/table/sys_user_group", "", "Authorization", "Bearer "+tk).status
	}
	if got := bearer(tok["access_token"].(string)); got != 200 {
		t.Errorf("bearer: %d", got)
	}
	e.clk.Advance(1800 * time.Second)
	if got := bearer(tok["access_token"].(string)); got != 401 {
		t.Errorf("expired bearer: %d", got)
	}
	r := grant(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}})
	if got := bearer(r.json(t)["access_token"].(string)); r.status != 200 || got != 200 {
		t.Errorf("refresh grant %d, bearer %d", r.status, got)
	}
	bad := grant(url.Values{"grant_type": {"password"}, "username": {u.UserName}, "password": {"wrong"}})
	if bad.status != 401 || string(bad.body) != `{"error_description":"access_denied","error":"server_error"}` {
		t.Errorf("bad grant: %d %s", bad.status, bad.body)
	}
}

func TestStateSideEffects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{RequireHoldReason: true, AutoClose: 24 * time.Hour})
	inc := e.newIncident("")
	path := "/api/now/table/incident/" + inc["sys_id"].(string)
	if a := e.api("PATCH", path, `{"state":"3"}`); a.status != 403 {
		t.Errorf("On Hold without a reason: %d", a.status)
	}
	e.api("PATCH", path, `{"state":"3","hold_reason":"1"}`)
	// Jane Doe is the caller; her comment puts it back in progress.
	jane := e.sysID("sys_user", "email=jane@acme.example")
	e.sim.mu.Lock()
	e.sim.users["jane.doe"] = &User{SysID: jane, UserName: "jane.doe", Password: "pw", Roles: []string{"itil"}}
	e.sim.mu.Unlock()
	r := e.as("jane.doe", "PATCH", path, `{"comments":"here is what you asked"}`).result(t)
	if r["state"] != "2" || r["hold_reason"] != "" {
		t.Errorf("caller comment: state %v hold_reason %v", r["state"], r["hold_reason"])
	}
	e.api("PATCH", path, `{"state":"6","close_code":"Solved (Permanently)","close_notes":"ok"}`)
	e.clk.Advance(25 * time.Hour)
	r = e.api("GET", path, "").result(t)
	if r["state"] != "7" || r["active"] != "false" || r["closed_at"] == "" {
		t.Errorf("auto-close: state %v active %v closed_at %v", r["state"], r["active"], r["closed_at"])
	}
	if a := e.api("PATCH", path, `{"work_notes":"late"}`); a.status != 403 {
		t.Errorf("closed incident written by itil: %d", a.status)
	}
	audits := e.api("GET", "/api/now/table/sys_audit?sysparm_query="+escape("documentkey="+inc["sys_id"].(string)+"^fieldname=state"), "").results(t)
	if len(audits) != 4 {
		t.Errorf("%d state audits, want 4 (hold, in progress, resolved, closed)", len(audits))
	}
}

func TestInputDisplayValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.api("POST", "/api/now/table/incident?sysparm_input_display_value=true&sysparm_exclude_reference_link=true",
		`{"state":"In Progress","assignment_group":"Security","impact":"1 - High","urgency":"1 - High"}`)
	r := a.result(t)
	if r["state"] != "2" || r["priority"] != "1" || r["assignment_group"] != e.sysID("sys_user_group", "name=Security") {
		t.Errorf("display input: %s", a.body)
	}
	strict := newEnv(t, Options{StrictChoices: true})
	if a := strict.api("POST", "/api/now/table/incident", `{"category":"nonsense"}`); a.status != 400 {
		t.Errorf("strict choices accepted an unknown category: %d", a.status)
	}
	if a := e.api("POST", "/api/now/table/incident", `{"category":"nonsense"}`); a.status != 201 {
		t.Errorf("an unknown category was refused by default: %d", a.status)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	inc := e.newIncident("")
	path := "/api/now/table/incident/" + inc["sys_id"].(string)
	if a := e.api("DELETE", path, ""); a.status != 204 || len(a.body) != 0 {
		t.Errorf("delete: %d %q", a.status, a.body)
	}
	if a := e.api("GET", path, ""); a.status != 404 {
		t.Errorf("deleted record read: %d", a.status)
	}
}

func TestAPIKeyAndSemaphore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{APIKeys: true})
	key := e.sim.User(APIUserName).APIKey
	if a := e.as("", "GET", "/api/now/table/sys_user_group", "", "x-sn-apikey", key); a.status != 200 {
		t.Errorf("API key header: %d", a.status)
	}
	if a := e.as("", "GET", "/api/now/table/sys_user_group?x-sn-apikey="+key, ""); a.status != 200 {
		t.Errorf("API key parameter: %d", a.status)
	}
	off := newEnv(t, Options{})
	if a := off.as("", "GET", "/api/now/table/sys_user_group", "", "x-sn-apikey", key); a.status != 401 {
		t.Errorf("API key without the auth profile: %d", a.status)
	}
	busy := newEnv(t, Options{Semaphore: 1, SemaphoreStatus: 503, Latency: 300 * time.Millisecond})
	answers := make(chan answer, 2)
	for range 2 {
		go func() { answers <- busy.api("GET", "/api/now/table/sys_user_group", "") }()
	}
	a, b := <-answers, <-answers
	if a.status == b.status || (a.status != 503 && b.status != 503) {
		t.Fatalf("two transactions on a pool of one: %d and %d, want one 503", a.status, b.status)
	}
	if refused := map[bool]answer{true: a, false: b}[a.status == 503]; refused.header.Get("X-RateLimit-Limit") != "" {
		t.Errorf("semaphore refusal carries rate-limit headers")
	}
}

func TestReferenceRendering(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	inc := e.newIncident("")
	id := inc["sys_id"].(string)
	plain := e.api("GET", "/api/now/table/incident/"+id+"?sysparm_exclude_reference_link=true&sysparm_fields=caller_id,assignment_group", "").result(t)
	if s, ok := plain["caller_id"].(string); !ok || len(s) != 32 || plain["assignment_group"] != "" {
		t.Errorf("without links: %v", plain)
	}
	disp := e.api("GET", "/api/now/table/incident/"+id+"?sysparm_display_value=true&sysparm_fields=caller_id", "").result(t)
	if ref := disp["caller_id"].(map[string]any); ref["display_value"] != "Jane Doe" || ref["link"] == nil {
		t.Errorf("display reference: %v", disp)
	}
}
