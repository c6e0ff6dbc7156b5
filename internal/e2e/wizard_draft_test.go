package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// companyList is POST .../companies's answer.
type companyList struct {
	Integration string `json:"integration"`
	Companies   []struct {
		ID, Name string
	} `json:"companies"`
	Total int `json:"total"`
}

func (l companyList) names() string {
	var out []string
	for _, c := range l.Companies {
		out = append(out, c.Name)
	}
	return strings.Join(out, ",")
}

type picklistAnswer struct {
	Integration string                              `json:"integration"`
	Picklists   map[string][]struct{ Label string } `json:"picklists"`
}

// TestWizardDraftCatalog walks the console wizard's screens before
// anything is saved, on every PSA against its simulator: with only the
// connection, credentials and the customer mapping typed so far (no
// ticket fields, no catch-all), the draft reads the PSA's picklists,
// searches its companies under the draft's company filter, and gets
// auto-match proposals for the organizations alerts named; a misspelt
// filter name is a 422 naming it, and wrong credentials answer the PSA's
// refusal without the secret. Once saved, an empty body reads the stored
// integration.
func TestWizardDraftCatalog(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			wizardDraftCatalog(t, p)
		})
	}
}

// draftOf is the wizard's draft at the customer mapping screen: the
// full settings' name, PSA and connection, and companies as given.
func draftOf(full map[string]any, companies map[string]any) map[string]any {
	return map[string]any{"name": full["name"], "psa": full["psa"], "connection": full["connection"], "companies": companies}
}

func wizardDraftCatalog(t *testing.T, p string) {
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	full, creds := apiSettings(t, e)
	name, _ := full["name"].(string)
	path := "/api/v1/integrations/" + name
	customers := map[string]any{"types": []any{map[string]any{"name": seedOf(p).CustomerType}}}
	draft := draftOf(full, map[string]any{
		"filter": customers,
		"ignore": []any{"Initech"},
		"map":    []any{map[string]any{"organization": "org-7", "company": "Globex Corporation"}},
	})
	body := map[string]any{"settings": draft, "credentials": creds}
	if code := e.apiCall("GET", path, nil, nil); code != http.StatusNotFound {
		t.Fatalf("the draft is stored before the wizard saves it: %d", code)
	}

	// Picklists: every field the full settings name a value of.
	var lists picklistAnswer
	if code := e.apiCall("POST", path+"/picklists", body, &lists); code != http.StatusOK || lists.Integration != name {
		t.Fatalf("draft picklists: %d %+v", code, lists)
	}
	for field, label := range usedPicklistValues(t, e) {
		if !slices.ContainsFunc(lists.Picklists[field], func(v struct{ Label string }) bool { return strings.EqualFold(v.Label, label) }) {
			t.Errorf("draft picklists: %s has no %q (the settings use it): %v", field, label, lists.Picklists[field])
		}
	}

	// Companies: the customers only, searched and limited.
	var all companyList
	if code := e.apiCall("POST", path+"/companies", body, &all); code != http.StatusOK || all.Integration != name {
		t.Fatalf("draft companies: %d %+v", code, all)
	}
	if all.Total != len(all.Companies) || !strings.Contains(all.names(), "Acme Corp") || strings.Contains(all.names(), "Umbrella Prospect") {
		t.Errorf("draft companies under the customer filter: %s (total %d)", all.names(), all.Total)
	}
	if got := all.names(); !slices.IsSortedFunc(all.Companies, func(x, y struct{ ID, Name string }) int {
		return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	}) {
		t.Errorf("draft companies not alphabetical: %s", got)
	}
	var some companyList
	if code := e.apiCall("POST", path+"/companies?search=CORP&limit=1", body, &some); code != http.StatusOK ||
		some.names() != "Acme Corp" || some.Total != 2 {
		t.Errorf("search CORP, limit 1: %d %s (total %d), want Acme Corp of 2 (Acme Corp, Globex Corporation)", code, some.names(), some.Total)
	}
	wide := draftOf(full, map[string]any{})
	if code := e.apiCall("POST", path+"/companies?search=umbrella", map[string]any{"settings": wide, "credentials": creds}, &some); code != http.StatusOK ||
		some.names() != "Umbrella Prospect" || some.Total != 1 {
		t.Errorf("no filter, search umbrella: %d %s (total %d)", code, some.names(), some.Total)
	}
	misspelt := draftOf(full, map[string]any{"filter": map[string]any{"types": []any{seedOf(p).CustomerType + "zz"}}})
	var plan planAnswer
	code := e.apiCall("POST", path+"/companies", map[string]any{"settings": misspelt, "credentials": creds}, &plan)
	wantField(t, "a misspelt filter type", code, http.StatusUnprocessableEntity, plan, "settings.companies.filter.types[0]", "did you mean")
	plan = planAnswer{}
	code = e.apiCall("POST", path+"/companies?limit=501", body, &plan)
	wantField(t, "limit over 500", code, http.StatusBadRequest, plan, "limit", "from 1 to 500")

	// Auto-match: organizations alerts named, proposed under the draft's
	// map (org-7), ignore (Initech) and filter (not the prospect).
	var orgs []testAlert
	for _, o := range []struct{ id, name string }{{"org-42", "Acme Corp"}, {"org-7", "Globex Corporation"}, {"org-8", "Initech"}, {"org-9", "Umbrella Prospect"}} {
		orgs = append(orgs, testAlert{ID: "draft-" + o.id, Org: o.id, OrgName: o.name, Type: "Malware"})
	}
	e.send(orgs...)
	var props proposalList
	if code := e.apiCall("POST", path+"/auto-match", body, &props); code != http.StatusOK {
		t.Fatalf("draft auto-match: %d", code)
	}
	if got := proposalText(props); got != "org-42=Acme Corp" {
		t.Errorf("draft proposals %q, want org-42=Acme Corp (org-7 mapped, Initech ignored, the prospect filtered out)", got)
	}
	if len(props.Ignored) != 1 || props.Ignored[0].Organization != "org-8" {
		t.Errorf("draft ignored %+v, want org-8 (Initech, in companies.ignore)", props.Ignored)
	}
	if code := e.apiCall("POST", path+"/auto-match", map[string]any{"settings": wide, "credentials": creds}, &props); code != http.StatusOK ||
		proposalText(props) != "org-42=Acme Corp,org-7=Globex Corporation,org-8=Initech,org-9=Umbrella Prospect" {
		t.Errorf("draft with no company settings: %d %q, want every exact name", code, proposalText(props))
	}
	plan = planAnswer{}
	code = e.apiCall("POST", path+"/auto-match", map[string]any{"settings": draft, "credentials": creds,
		"accept": []any{map[string]string{"organization": "org-42", "company": "Acme Corp"}}}, &plan)
	wantField(t, "accept with a draft", code, http.StatusBadRequest, plan, "accept", "without settings")

	wrongCredentials(t, e, path, draft, creds)
	wrongCredentials(t, e, path, wide, creds) // no filter to resolve: the company listing is refused
	plan = planAnswer{}
	code = e.apiCall("POST", path+"/picklists", map[string]any{"settings": draft, "credentials": creds, "colour": "red"}, &plan)
	wantField(t, "an unknown field", code, http.StatusBadRequest, plan, "colour", "unknown field")
	plan = planAnswer{}
	code = e.apiCall("POST", path+"/companies", map[string]any{"settings": draft, "credentials": map[string]string{"password": "x"}}, &plan)
	wantField(t, "a credential the PSA does not take", code, http.StatusBadRequest, plan, "credentials.password", "not a credential")

	// Saved: an empty body reads the stored integration.
	if code := e.apiCall("PUT", path, map[string]any{"settings": full, "credentials": creds}, &plan); code != http.StatusCreated {
		t.Fatalf("PUT: %d %+v", code, plan)
	}
	lists = picklistAnswer{}
	if code := e.apiCall("POST", path+"/picklists", nil, &lists); code != http.StatusOK || len(lists.Picklists) == 0 {
		t.Errorf("stored picklists by POST: %d %+v", code, lists)
	}
	if code := e.apiCall("POST", path+"/companies?search=acme", nil, &some); code != http.StatusOK || some.names() != "Acme Corp" || some.Integration != name {
		t.Errorf("stored companies: %d %+v", code, some)
	}
}

// wrongCredentials: each draft route answers the PSA's refusal as test
// does, a 502 in the PSA's words, and no answer holds a secret sent.
func wrongCredentials(t *testing.T, e *env, path string, draft map[string]any, creds map[string]string) {
	t.Helper()
	wrong := map[string]string{}
	for k := range creds {
		wrong[k] = "wrong-" + k + "-7f3a9c"
	}
	for _, route := range []string{"/test", "/picklists", "/companies", "/auto-match"} {
		var p planAnswer
		code := e.apiCall("POST", path+route, map[string]any{"settings": draft, "credentials": wrong}, &p)
		t.Logf("%s with wrong credentials: %d %s", route, code, p.Detail)
		if code != http.StatusBadGateway || p.Detail == "" {
			t.Errorf("%s with wrong credentials: %d %+v, want 502 with the PSA's words", route, code, p)
		}
		for k, v := range wrong {
			if strings.Contains(p.Detail, v) || (creds[k] != "" && strings.Contains(p.Detail, creds[k])) {
				t.Errorf("%s with wrong credentials answers %s's value: %s", route, k, p.Detail)
			}
		}
	}
}

func proposalText(l proposalList) string {
	var out []string
	for _, p := range l.Proposals {
		out = append(out, p.Organization+"="+p.Company)
	}
	return strings.Join(out, ",")
}

// usedPicklistValues maps the picklist fields the demo settings name a
// value of to one such value.
func usedPicklistValues(t *testing.T, e *env) map[string]string {
	t.Helper()
	docs, err := integration.Decode(strings.NewReader(e.DefaultSettings()))
	if err != nil {
		t.Fatal(err)
	}
	s := docs[0]
	out := map[string]string{}
	for field, p := range map[string]integration.Pick{
		psa.FieldQueue: s.Ticket.Queue, psa.FieldStatus: s.Ticket.Status, psa.FieldPriority: s.Ticket.Priority["high"],
		psa.FieldType: s.Ticket.Type, psa.FieldCategory: s.Ticket.Category, psa.FieldSource: s.Ticket.Source,
		psa.FieldIssueType: s.Ticket.IssueType, psa.FieldNoteType: s.Notes.Type,
	} {
		if p.Name != "" {
			out[field] = p.Name
		}
	}
	if len(out) < 2 {
		t.Fatalf("the demo settings name too few picklist values to check: %v", out)
	}
	return out
}
