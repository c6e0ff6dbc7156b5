package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// orgList is GET /api/v1/organizations's answer.
type orgList struct {
	Organizations []struct {
		Key          string `json:"key"`
		Name         string `json:"name"`
		Origin       string `json:"origin"`
		Integrations []struct {
			Integration, Status, Company string
		} `json:"integrations"`
	} `json:"organizations"`
	NextCursor string `json:"next_cursor"`
}

func (l orgList) keys() []string {
	out := []string{}
	for _, o := range l.Organizations {
		out = append(out, o.Key)
	}
	return out
}

// statuses maps each organization to its status under the one
// integration listed.
func (l orgList) statuses() map[string]string {
	out := map[string]string{}
	for _, o := range l.Organizations {
		if len(o.Integrations) == 1 {
			out[o.Key] = o.Integrations[0].Status
		}
	}
	return out
}

type proposalList struct {
	Proposals []struct {
		Organization, Company string
	} `json:"proposals"`
	Ignored []struct {
		Organization string
	} `json:"ignored"`
}

// wantField checks a problem answer names field, with reason containing
// part.
func wantField(t *testing.T, what string, code, wantCode int, p planAnswer, field, part string) {
	t.Helper()
	for _, e := range p.Errors {
		if e.Field == field && strings.Contains(e.Reason, part) && code == wantCode {
			return
		}
	}
	t.Errorf("%s: %d %+v; want %d naming %s (%q)", what, code, p, wantCode, field, part)
}

// TestWizardThroughTheAPI walks the seeds' customer mapping wizard with
// the REST API alone: connect a PSA (dry run, then save), test the
// connection, read the picklists, send alerts and list the organizations
// they name, run auto-match (the company type filter leaves the prospect
// out), accept some proposals, map one by hand, disable one, and see the
// next alerts' tickets land on the right companies; export shows the
// mappings the API wrote and apply of it changes nothing, and what apply
// writes the API lists. Bad input on every write route is a problem
// naming the field, and writes nothing. Then the source's token is
// rotated and revoked, and the integration deleted.
func TestWizardThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			wizardThroughTheAPI(t, p)
		})
	}
}

func wizardThroughTheAPI(t *testing.T, p string) {
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	ctx := context.Background()
	settings, creds := apiSettings(t, e)
	name, _ := settings["name"].(string)
	path := "/api/v1/integrations/" + name
	companies, _ := settings["companies"].(map[string]any)
	companies["auto_match"] = false
	delete(companies, "map")
	companies["filter"] = map[string]any{"types": []any{map[string]any{"name": seedOf(p).CustomerType}}}

	// Connect: a dry run plans, the PUT saves; test and picklists.
	var plan planAnswer
	if code := e.apiCall("PUT", path+"?dry_run=1", map[string]any{"settings": settings, "credentials": creds}, &plan); code != http.StatusOK || plan.Applied {
		t.Fatalf("dry run: %d %+v", code, plan)
	}
	if code := e.apiCall("PUT", path, map[string]any{"settings": settings, "credentials": creds}, &plan); code != http.StatusCreated || !plan.Applied {
		t.Fatalf("PUT: %d %+v", code, plan)
	}
	if code := e.apiCall("POST", path+"/test", nil, nil); code != http.StatusOK {
		t.Fatalf("test connection: %d", code)
	}
	if code := e.apiCall("GET", path+"/picklists", nil, nil); code != http.StatusOK {
		t.Fatalf("picklists: %d", code)
	}

	orgs := []struct{ id, name string }{
		{"org-42", "Acme Corp"}, {"org-7", "Globex Corporation"}, {"org-8", "Initech"},
		{"org-9", "Umbrella Prospect"}, {"org-10", "Hooli"},
	}
	first := make([]testAlert, len(orgs))
	for i, o := range orgs {
		first[i] = testAlert{ID: "first-" + o.id, Org: o.id, OrgName: o.name, Type: "Malware", Email: "it@" + o.id + ".example"}
	}
	e.send(first...)

	var list orgList
	if code := e.apiCall("GET", "/api/v1/organizations?integration="+name, nil, &list); code != http.StatusOK {
		t.Fatalf("list organizations: %d", code)
	}
	if got, want := strings.Join(list.keys(), ","), "org-42,org-7,org-10,org-8,org-9"; got != want {
		t.Errorf("organizations %s, want alphabetical %s", got, want)
	}
	for k, st := range list.statuses() {
		if st != "catch_all" {
			t.Errorf("%s before any mapping: %s, want catch_all", k, st)
		}
	}
	var page orgList
	e.apiCall("GET", "/api/v1/organizations?limit=2", nil, &page)
	var rest orgList
	e.apiCall("GET", "/api/v1/organizations?limit=10&cursor="+page.NextCursor, nil, &rest)
	if got := strings.Join(append(page.keys(), rest.keys()...), ","); got != "org-42,org-7,org-10,org-8,org-9" || rest.NextCursor != "" {
		t.Errorf("two pages: %s (next %q)", got, rest.NextCursor)
	}
	var found orgList
	e.apiCall("GET", "/api/v1/organizations?q=GLOB&status=catch_all", nil, &found)
	if got := strings.Join(found.keys(), ","); got != "org-7" {
		t.Errorf("search glob: %s, want org-7", got)
	}

	// Auto-match proposes exact names among customers, not the prospect.
	var props proposalList
	if code := e.apiCall("POST", path+"/auto-match", nil, &props); code != http.StatusOK {
		t.Fatalf("auto-match: %d", code)
	}
	var proposed []string
	for _, p := range props.Proposals {
		proposed = append(proposed, p.Organization+"="+p.Company)
	}
	if got := strings.Join(proposed, ","); got != "org-42=Acme Corp,org-7=Globex Corporation,org-8=Initech" {
		t.Errorf("proposals %s", got)
	}

	// Bad input: each names its field and writes nothing.
	plan = planAnswer{}
	code := e.apiCall("POST", path+"/auto-match", map[string]any{"accept": []any{
		map[string]string{"organization": "org-42", "company": "Acme Crop"}}}, &plan)
	wantField(t, "accept a misspelt company", code, http.StatusUnprocessableEntity, plan, "accept[0].company", `did you mean "Acme Corp"`)
	plan = planAnswer{}
	code = e.apiCall("POST", path+"/auto-match", map[string]any{"accept": []any{map[string]string{"organization": "org-42"}}}, &plan)
	wantField(t, "accept without a company", code, http.StatusBadRequest, plan, "accept[0].company", "required")
	plan = planAnswer{}
	code = e.apiCall("PUT", path+"/organizations/org-7", map[string]any{"company": "Globex Corp"}, &plan)
	wantField(t, "map to a misspelt company", code, http.StatusUnprocessableEntity, plan, "company", `did you mean "Globex Corporation"`)
	plan = planAnswer{}
	code = e.apiCall("PUT", path+"/organizations/org-7", map[string]any{}, &plan)
	wantField(t, "map with nothing", code, http.StatusBadRequest, plan, "company", "required")
	plan = planAnswer{}
	code = e.apiCall("PUT", path+"/organizations/org-7", map[string]any{"company": "Globex Corporation", "colour": "red"}, &plan)
	wantField(t, "unknown field", code, http.StatusBadRequest, plan, "colour", "unknown field")
	plan = planAnswer{}
	code = e.apiCall("POST", path+"/organizations", map[string]any{"company": "Initec"}, &plan)
	wantField(t, "import a misspelt company", code, http.StatusUnprocessableEntity, plan, "company", `did you mean "Initech"`)
	plan = planAnswer{}
	code = e.apiCall("GET", "/api/v1/organizations?status=lost", nil, &plan)
	wantField(t, "list by an unknown status", code, http.StatusBadRequest, plan, "status", "must be one of")
	e.apiCall("GET", "/api/v1/organizations?integration="+name, nil, &list)
	for k, st := range list.statuses() {
		if st != "catch_all" {
			t.Errorf("%s after refused writes: %s, want catch_all (nothing written)", k, st)
		}
	}

	// Accept two proposals (org-7's is rejected), map org-7 by hand,
	// disable org-10.
	plan = planAnswer{}
	if code := e.apiCall("POST", path+"/auto-match", map[string]any{"accept": []any{
		map[string]string{"organization": "org-42", "company": "Acme Corp"},
		map[string]string{"organization": "org-8", "company": "Initech"},
	}}, &plan); code != http.StatusOK || !plan.Applied {
		t.Fatalf("accept: %d %+v", code, plan)
	}
	if code := e.apiCall("PUT", path+"/organizations/org-7", map[string]any{"company": "Globex Corporation"}, &plan); code != http.StatusOK || !plan.Applied {
		t.Fatalf("map by hand: %d %+v", code, plan)
	}
	if code := e.apiCall("PUT", path+"/organizations/org-10", map[string]any{"enabled": false}, &plan); code != http.StatusOK || !plan.Applied {
		t.Fatalf("disable: %d %+v", code, plan)
	}
	e.apiCall("GET", "/api/v1/organizations?integration="+name, nil, &list)
	want := map[string]string{"org-42": "mapped", "org-7": "mapped", "org-8": "mapped", "org-9": "catch_all", "org-10": "disabled"}
	for k, st := range want {
		if got := list.statuses()[k]; got != st {
			t.Errorf("%s: %s, want %s", k, got, st)
		}
	}
	e.apiCall("GET", "/api/v1/organizations?status=disabled", nil, &found)
	if got := strings.Join(found.keys(), ","); got != "org-10" {
		t.Errorf("status=disabled: %s", got)
	}

	// The next alerts land on the mapped companies; the disabled one is
	// skipped with its reason.
	next := make([]testAlert, len(orgs))
	for i, o := range orgs {
		next[i] = testAlert{ID: "next-" + o.id, Org: o.id, OrgName: o.name, Type: "Malware", Email: "it@" + o.id + ".example"}
	}
	e.send(next...)
	ids := companyIDs(t, e)
	for _, c := range []struct{ alert, company string }{
		{"next-org-42", "Acme Corp"}, {"next-org-7", "Globex Corporation"}, {"next-org-8", "Initech"}, {"next-org-9", "Default Account"},
	} {
		l, ok := e.ticketOf(c.alert)
		if !ok || l.CompanyID != ids[c.company] {
			t.Errorf("%s: ticket company %q, want %s (%s)", c.alert, l.CompanyID, c.company, ids[c.company])
		}
	}
	if r := e.route("next-org-10"); r.Outcome != store.RouteSkipped || r.Code != "organization_disabled" ||
		!strings.Contains(e.timelineText("next-org-10"), "organization disabled") {
		t.Errorf("disabled organization's alert: %+v\n%s", r, e.timelineText("next-org-10"))
	}

	// Export shows what the API wrote, and applying it changes nothing.
	out, err := e.App.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := integration.Decode(strings.NewReader(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	var mapped []string
	for _, m := range docs[0].Companies.Map {
		mapped = append(mapped, m.Organization+"="+m.Company.String()+enabledMark(m))
	}
	if got := strings.Join(mapped, ","); got != "org-42=Acme Corp,org-8=Initech,org-7=Globex Corporation,org-10=(off)" {
		t.Errorf("exported map %s", got)
	}
	if lines, err := e.Apply(ctx, string(out)); err != nil || len(lines) != 0 {
		t.Errorf("apply of the export: %v %v; want no changes", err, lines)
	}
	// And the other way: apply maps org-9; the API lists it so.
	docs[0].Companies.Map = append(docs[0].Companies.Map, integration.Mapping{Organization: "org-9", Company: integration.Pick{Name: "Umbrella Prospect"}})
	yaml, err := integration.Export(docs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(ctx, string(yaml)); err != nil {
		t.Fatal(err)
	}
	e.apiCall("GET", "/api/v1/organizations?integration="+name+"&q=umbrella", nil, &list)
	if got := list.statuses()["org-9"]; got != "mapped" {
		t.Errorf("org-9 after apply mapped it: %s", got)
	}
	again, err := e.App.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(yaml) {
		t.Errorf("export after apply differs from what was applied:\n%s\n---\n%s", again, yaml)
	}

	// Import a PSA company as an organization.
	plan = planAnswer{}
	if code := e.apiCall("POST", path+"/organizations", map[string]any{"company": "default account"}, &plan); code != http.StatusOK || !plan.Applied {
		t.Errorf("import: %d %+v", code, plan)
	}
	e.apiCall("GET", "/api/v1/organizations?q=default", nil, &found)
	if len(found.Organizations) != 1 || found.Organizations[0].Name != "Default Account" || found.Organizations[0].Origin != "psa:"+name ||
		found.Organizations[0].Integrations[0].Status != "mapped" {
		t.Errorf("imported organization: %+v", found)
	}

	// Unmap: org-9 goes back to the catch-all; an unmapped one is 404.
	if code := e.apiCall("DELETE", path+"/organizations/org-9", nil, &plan); code != http.StatusOK || !plan.Applied {
		t.Errorf("unmap: %d %+v", code, plan)
	}
	e.apiCall("GET", "/api/v1/organizations?integration="+name+"&q=umbrella", nil, &list)
	if got := list.statuses()["org-9"]; got != "catch_all" {
		t.Errorf("org-9 after unmap: %s", got)
	}
	if code := e.apiCall("DELETE", path+"/organizations/org-9", nil, nil); code != http.StatusNotFound {
		t.Errorf("unmap again: %d, want 404", code)
	}

	rotateAndRevoke(t, e)
	deleteIntegration(t, e, path)
}

func enabledMark(m integration.Mapping) string {
	if !m.IsEnabled() {
		return "(off)"
	}
	return ""
}

// companyIDs maps the PSA's company names to ids.
func companyIDs(t *testing.T, e *env) map[string]string {
	t.Helper()
	cs, err := e.Tech.Companies(context.Background(), psa.CompanyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		out[c.Name] = c.ID
	}
	return out
}

// rotateAndRevoke: a rotated token is shown once and the old one is
// refused at once; a revoked one is refused.
func rotateAndRevoke(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	var rotated struct{ Token string }
	if code := e.apiCall("POST", "/api/v1/sources/"+e.SourceID+"/rotate", nil, &rotated); code != http.StatusOK || rotated.Token == "" {
		t.Fatalf("rotate: %d", code)
	}
	if code, _, _ := e.Send(ctx, testAlert{ID: "old-token", Type: "Malware"}.json()); code != http.StatusUnauthorized {
		t.Errorf("old token after rotate: %d, want 401", code)
	}
	e.Token = rotated.Token
	if code, _, _ := e.Send(ctx, testAlert{ID: "new-token", Type: "Malware"}.json()); code != http.StatusAccepted {
		t.Errorf("new token: %d, want 202", code)
	}
	if code := e.apiCall("POST", "/api/v1/sources/"+e.SourceID+"/revoke", nil, nil); code != http.StatusNoContent {
		t.Errorf("revoke: %d", code)
	}
	if code, _, _ := e.Send(ctx, testAlert{ID: "revoked-token", Type: "Malware"}.json()); code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", code)
	}
	var p planAnswer
	if code := e.apiCall("POST", "/api/v1/sources/nope/rotate", nil, &p); code != http.StatusNotFound {
		t.Errorf("rotate an unknown source: %d", code)
	}
}

// deleteIntegration: a dry run counts, the delete removes, the PSA's
// tickets stay.
func deleteIntegration(t *testing.T, e *env, path string) {
	t.Helper()
	if err := e.WaitIdle(context.Background(), 15e9); err != nil {
		t.Fatal(err)
	}
	var dry struct {
		Deleted bool
		Removed store.IntegrationData
		Note    string
	}
	if code := e.apiCall("DELETE", path+"?dry_run=1", nil, &dry); code != http.StatusOK || dry.Deleted || dry.Removed.TicketLinks == 0 || dry.Removed.Routes == 0 {
		t.Fatalf("dry run delete: %d %+v", code, dry)
	}
	if code := e.apiCall("GET", path, nil, nil); code != http.StatusOK {
		t.Fatalf("after a dry run the integration is gone: %d", code)
	}
	var open store.TicketLink
	if links, err := e.App.Store.TicketLinks(context.Background(), e.integrationID(t)); err == nil {
		for _, l := range links {
			if l.State == store.LinkOpen {
				open = l
			}
		}
	}
	if open.PSATicketID == "" {
		t.Fatal("no open ticket before the delete")
	}
	var done struct {
		Deleted bool
		Removed store.IntegrationData
		Note    string
	}
	if code := e.apiCall("DELETE", path, nil, &done); code != http.StatusOK || !done.Deleted || done.Removed != dry.Removed ||
		!strings.Contains(done.Note, "left as they are") {
		t.Fatalf("delete: %d %+v (dry run said %+v)", code, done, dry.Removed)
	}
	if code := e.apiCall("GET", path, nil, nil); code != http.StatusNotFound {
		t.Errorf("GET after delete: %d", code)
	}
	if code := e.apiCall("DELETE", path, nil, nil); code != http.StatusNotFound {
		t.Errorf("second delete: %d", code)
	}
	if tk, err := e.Tech.Ticket(context.Background(), open.PSATicketID); err != nil || tk.Closed {
		t.Errorf("open ticket %s after the delete: %+v %v; want it left open in the PSA", open.PSATicketID, tk, err)
	}
	if done.Removed.OpenTickets == 0 || !strings.Contains(done.Note, "open ones included") {
		t.Errorf("the answer does not say open tickets are left: %+v", done)
	}
	var list orgList
	e.apiCall("GET", "/api/v1/organizations", nil, &list)
	if len(list.Organizations) == 0 || len(list.Organizations[0].Integrations) != 0 {
		t.Errorf("organizations after the delete: %+v", list)
	}
}

// integrationID is the stored id of the env's integration.
func (e *env) integrationID(t *testing.T) int64 {
	t.Helper()
	it, err := e.App.Store.IntegrationByName(context.Background(), store.DefaultTenant, e.IntegrationName())
	if err != nil {
		t.Fatal(err)
	}
	return it.ID
}
