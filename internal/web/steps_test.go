package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// fakePicklists is what the fake API answers for a draft's picklists:
// sub-issue types under two issue types, values per PSA field, and an
// inactive queue that is never offered.
const fakePicklists = `{"integration":"main","read_at":"2026-12-01T09:00:00Z","picklists":{
"company_type":[{"id":"1","label":"Customer","active":true},{"id":"2","label":"Prospect","active":true},{"id":"3","label":"Retired","active":false}],
"classification":[{"id":"7","label":"Gold","active":true}],
"category":[{"id":"1","label":"Standard","active":true}],
"type":[{"id":"1","label":"Alert","active":true}],
"status":[{"id":"1","label":"New","active":true},{"id":"5","label":"Complete","active":true},{"id":"7","label":"Waiting Customer","active":true}],
"queue":[{"id":"10","label":"Security","active":true},{"id":"11","label":"Service Desk","active":true},{"id":"12","label":"Old Queue","active":false}],
"source":[{"id":"4","label":"Monitoring Alert","active":true}],
"issue_type":[{"id":"20","label":"Security Incident","active":true},{"id":"21","label":"Data Loss","active":true}],
"sub_issue_type":[{"id":"30","label":"Other","active":true,"parent":"20"},{"id":"31","label":"Phishing","active":true,"parent":"20"},{"id":"32","label":"Excessive Download","active":true,"parent":"21"}],
"priority":[{"id":"1","label":"Critical","active":true},{"id":"2","label":"High","active":true},{"id":"3","label":"Medium","active":true},{"id":"4","label":"Low","active":true}],
"note_type":[{"id":"1","label":"Task Notes","active":true}]}}`

const stepSecret = "s3cr3t-never-on-a-step"

// connected signs in and completes the connection step for psa; it
// returns the session's CSRF token.
func (h *harness) connected(psa string) string {
	h.t.Helper()
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/new?psa="+psa, nil)
	csrf := h.csrfOf(page)
	form := url.Values{"csrf": {csrf}, "name": {"main"}, "psa": {psa}, "url": {"https://psa.example"},
		"username": {"api@msp.example"}, "cred_secret": {stepSecret}, "cred_api_token": {stepSecret}, "action": {"next"}}
	if resp, page := h.do("POST", "/setup/connect", form); resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("connect: %d\n%s", resp.StatusCode, page)
	}
	return csrf
}

// optionsOf lists the options of the select with the given id.
func optionsOf(t *testing.T, page, id string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<select id="` + id + `"[^>]*>(.*?)</select>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no select %s in:\n%s", id, page)
	}
	var out []string
	for _, o := range regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, o[1])
	}
	return out
}

// reviewedSettings shows the review step and returns the settings the
// console sent to the API's dry run.
func (h *harness) reviewedSettings() integration.Settings {
	h.t.Helper()
	if resp, page := h.do("GET", "/setup/review", nil); resp.StatusCode != http.StatusOK {
		h.t.Fatalf("review: %d\n%s", resp.StatusCode, page)
	}
	calls := h.api.recorded()
	for i := len(calls) - 1; i >= 0; i-- {
		if c := calls[i]; c.Method == "PUT" && strings.Contains(c.Path, "dry_run=1") {
			b, err := json.Marshal(c.Body["settings"])
			if err != nil {
				h.t.Fatal(err)
			}
			var s integration.Settings
			if err := json.Unmarshal(b, &s); err != nil {
				h.t.Fatal(err)
			}
			return s
		}
	}
	h.t.Fatal("the review made no dry run")
	return integration.Settings{}
}

func TestTicketStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.connected("autotask")
	resp, page := h.do("GET", "/setup/ticket", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ticket step: %d\n%s", resp.StatusCode, page)
	}
	for id, want := range map[string][]string{
		"queue":             {"Security", "Service Desk"}, // not the inactive one
		"status":            {"New", "Complete", "Waiting Customer"},
		"issue_type":        {"Security Incident", "Data Loss"},
		"sub_issue_type":    nil, // no issue type chosen yet
		"priority_critical": {"Critical", "High", "Medium", "Low"},
	} {
		if diff := cmp.Diff(want, optionsOf(t, page, id)); diff != "" {
			t.Errorf("options of %s (-want +got):\n%s", id, diff)
		}
	}
	if !strings.Contains(page, `<label for="category">Category (required)</label>`) || !strings.Contains(page, `<label for="reopen_within">`) {
		t.Errorf("the ticket step lacks a required mark or the reopen window:\n%s", page)
	}
	var picklistCalls int
	for _, c := range h.api.recorded() {
		if c.Method == "POST" && c.Path == "/api/v1/integrations/main/picklists" {
			picklistCalls++
			if creds, _ := c.Body["credentials"].(map[string]any); creds["secret"] != stepSecret {
				t.Errorf("picklists read without the draft's credentials: %v", c.Body["credentials"])
			}
		}
	}
	if picklistCalls != 1 {
		t.Errorf("%d picklist reads, want 1", picklistCalls)
	}

	form := url.Values{"csrf": {csrf}, "category": {"Standard"}, "type": {"Alert"}, "status": {"New"}, "queue": {"Service Desk"},
		"source": {"Monitoring Alert"}, "issue_type": {"Data Loss"}, "sub_issue_type": {""},
		"priority_critical": {"Critical"}, "priority_high": {"High"}, "priority_medium": {"Medium"}, "priority_low": {"Low"}, "priority_info": {"Low"},
		"subject": {"{{.Type}} for {{.UserOrDevice}}"}, "description": {""}, "group_by": {"user"}, "due_in": {"48h"}, "reopen_within": {"12h"},
		"closed_shown": {"1"}, "closed_statuses": {"Complete", "Waiting Customer"}, "action": {"subissues"}}
	// Without script, the button re-renders the page with the issue
	// type's sub-issue types.
	resp, page = h.do("POST", "/setup/ticket", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<html") {
		t.Fatalf("update sub-issue types: %d\n%s", resp.StatusCode, page)
	}
	if diff := cmp.Diff([]string{"Excessive Download"}, optionsOf(t, page, "sub_issue_type")); diff != "" {
		t.Errorf("sub-issue types of Data Loss (-want +got):\n%s", diff)
	}

	form.Set("sub_issue_type", "Excessive Download")
	form.Set("action", "next")
	resp, page = h.do("POST", "/setup/ticket", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup/overrides" {
		t.Fatalf("next: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	got := h.reviewedSettings().Ticket
	want := integration.Ticket{
		Category: pick("Standard"), Type: pick("Alert"), Status: pick("New"), Queue: pick("Service Desk"), Source: pick("Monitoring Alert"),
		IssueType: pick("Data Loss"), SubIssueType: pick("Excessive Download"),
		Subject: "{{.Type}} for {{.UserOrDevice}}", GroupBy: integration.GroupUser, DueIn: "48h", ReopenWithin: "12h",
		Priority:       map[string]integration.Pick{"critical": pick("Critical"), "high": pick("High"), "medium": pick("Medium"), "low": pick("Low"), "info": pick("Low")},
		ClosedStatuses: []integration.Pick{pick("Complete"), pick("Waiting Customer")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ticket settings sent to the dry run (-want +got):\n%s", diff)
	}

	// A changed issue type drops the sub-issue type left as it was.
	form.Set("issue_type", "Security Incident")
	h.do("POST", "/setup/ticket", form)
	if got := h.reviewedSettings().Ticket.SubIssueType; !got.IsZero() {
		t.Errorf("sub-issue type after the issue type changed: %v, want none", got)
	}
}

func pick(name string) integration.Pick { return integration.Pick{Name: name} }

// TestTicketStepFragment is the htmx path: changing the issue type posts
// the form and gets the sub-issue field alone back.
func TestTicketStepFragment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.connected("autotask")
	req, err := http.NewRequest("POST", h.srv.URL+"/setup/ticket", strings.NewReader(url.Values{
		"csrf": {csrf}, "issue_type": {"Security Incident"}, "sub_issue_type": {""}, "action": {"subissues"},
	}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	frag := strings.TrimSpace(string(b))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(frag, `<div id="sub-issue-field">`) || strings.Contains(frag, "<html") || strings.Contains(frag, "<form") {
		t.Fatalf("htmx fragment: %d\n%s", resp.StatusCode, frag)
	}
	if diff := cmp.Diff([]string{"Other", "Phishing"}, optionsOf(t, frag, "sub_issue_type")); diff != "" {
		t.Errorf("sub-issue types of Security Incident (-want +got):\n%s", diff)
	}
	if inlineCode.MatchString(frag) || strings.Contains(frag, stepSecret) {
		t.Errorf("fragment has inline code or the secret:\n%s", frag)
	}
	if got := h.reviewedSettings().Ticket.IssueType; got != pick("Security Incident") {
		t.Errorf("issue type after the fragment: %v", got)
	}
}

// TestStepsFollowTheProfile hides what the PSA lacks.
func TestStepsFollowTheProfile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.connected("syncro")
	_, page := h.do("GET", "/setup/ticket", nil)
	for _, id := range []string{`id="category"`, `id="type"`, `id="source"`, `id="sub_issue_type"`, `id="reopen_within"`, `id="update-subissues"`, "hx-post"} {
		if strings.Contains(page, id) {
			t.Errorf("ticket step for a PSA lacking it shows %s", id)
		}
	}
	for _, id := range []string{`id="queue"`, `id="status"`, `id="issue_type"`, `id="priority_info"`} {
		if !strings.Contains(page, id) {
			t.Errorf("ticket step lacks %s", id)
		}
	}
	_, page = h.do("GET", "/setup/notes", nil)
	if !strings.Contains(page, `<label for="note_type">Note type (optional)</label>`) {
		t.Errorf("notes step: the optional note type is not marked so:\n%s", page)
	}
}

func TestOverridesStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.connected("autotask")
	_, page := h.do("GET", "/setup/overrides", nil)
	if !strings.Contains(page, `id="no-overrides"`) {
		t.Fatalf("overrides with none:\n%s", page)
	}
	add := url.Values{"csrf": {csrf}, "rows": {"0"}, "action": {"add"}}
	if resp, page := h.do("POST", "/setup/overrides", add); resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="match_0"`) {
		t.Fatalf("add a row: %d\n%s", resp.StatusCode, page)
	}
	row := url.Values{"csrf": {csrf}, "rows": {"2"},
		"kind_0": {"alert_type"}, "match_0": {""}, "issue_type_0": {"Data Loss"}, "sub_issue_type_0": {""}, "queue_0": {"Security"}, "priority_0": {""},
		"kind_1": {"ioc_rule"}, "match_1": {"ioc-5"}, "issue_type_1": {""}, "sub_issue_type_1": {""}, "queue_1": {""}, "priority_1": {"Critical"},
		"action": {"next"}}
	resp, page := h.do("POST", "/setup/overrides", row)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "row 1: write the alert type, respond rule or IOC rule it matches") ||
		!strings.Contains(page, `aria-invalid="true" aria-describedby="problem_0"`) || !strings.Contains(page, `id="problem_0"`) {
		t.Fatalf("a row without a match value: %d\n%s", resp.StatusCode, page)
	}
	// The row's sub-issue types are its issue type's.
	if diff := cmp.Diff([]string{"Excessive Download"}, optionsOf(t, page, "sub_issue_type_0")); diff != "" {
		t.Errorf("row sub-issue types (-want +got):\n%s", diff)
	}
	row.Set("match_0", "Too Many Downloads")
	row.Set("sub_issue_type_0", "Excessive Download")
	if resp, page := h.do("POST", "/setup/overrides", row); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("next: %d\n%s", resp.StatusCode, page)
	}
	want := []integration.Override{
		{AlertType: "Too Many Downloads", IssueType: pick("Data Loss"), SubIssueType: pick("Excessive Download"), Queue: pick("Security")},
		{IOCRule: "ioc-5", Priority: pick("Critical")},
	}
	if diff := cmp.Diff(want, h.reviewedSettings().Ticket.Overrides); diff != "" {
		t.Errorf("overrides sent to the dry run (-want +got):\n%s", diff)
	}
	row.Set("action", "remove:0")
	resp, page = h.do("POST", "/setup/overrides", row)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Row 1 removed") {
		t.Fatalf("remove: %d\n%s", resp.StatusCode, page)
	}
	if diff := cmp.Diff(want[1:], h.reviewedSettings().Ticket.Overrides); diff != "" {
		t.Errorf("overrides after removing row 1 (-want +got):\n%s", diff)
	}
	// A row left empty is dropped on leaving the step.
	h.do("POST", "/setup/overrides", url.Values{"csrf": {csrf}, "rows": {"1"}, "kind_0": {"ioc_rule"}, "match_0": {""},
		"issue_type_0": {""}, "sub_issue_type_0": {""}, "queue_0": {""}, "priority_0": {""}, "action": {"next"}})
	if got := h.reviewedSettings().Ticket.Overrides; got != nil {
		t.Errorf("overrides after leaving an empty row: %v, want none", got)
	}
}

func TestNotesStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.connected("autotask")
	_, page := h.do("GET", "/setup/notes", nil)
	if diff := cmp.Diff([]string{"Task Notes"}, optionsOf(t, page, "note_type")); diff != "" {
		t.Errorf("note types (-want +got):\n%s", diff)
	}
	if !strings.Contains(page, `value="{{.Type}} ({{.Severity}})"`) {
		t.Errorf("a new draft's title is not the default:\n%s", page)
	}
	resp, page := h.do("POST", "/setup/notes", url.Values{"csrf": {csrf}, "note_type": {"Task Notes"}, "visibility": {"everyone"}, "title": {"Again"}, "action": {"next"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "visibility: choose internal or external") {
		t.Fatalf("a bad visibility: %d\n%s", resp.StatusCode, page)
	}
	h.do("POST", "/setup/notes", url.Values{"csrf": {csrf}, "note_type": {"Task Notes"}, "visibility": {"external"}, "title": {"Again: {{.Type}}"}, "action": {"next"}})
	want := integration.Notes{Type: pick("Task Notes"), Visibility: "external", Title: "Again: {{.Type}}"}
	if diff := cmp.Diff(want, h.reviewedSettings().Notes); diff != "" {
		t.Errorf("notes sent to the dry run (-want +got):\n%s", diff)
	}
}

// TestStepsNeverRenderTheSecret walks the new steps, with a problem on
// each, and finds the credential on none.
func TestStepsNeverRenderTheSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.connected("autotask")
	var pages []string
	for _, step := range []string{"ticket", "overrides", "notes"} {
		_, page := h.do("GET", "/setup/"+step, nil)
		pages = append(pages, page)
	}
	_, page := h.do("POST", "/setup/ticket", url.Values{"csrf": {csrf}, "due_in": {"soon"}, "action": {"next"}})
	if !strings.Contains(page, `due in: &#34;soon&#34; is not a positive duration`) {
		t.Errorf("a bad due in is not shown:\n%s", page)
	}
	pages = append(pages, page)
	for i, p := range pages {
		if strings.Contains(p, stepSecret) {
			t.Errorf("page %d shows the secret", i)
		}
		if m := inlineCode.FindString(p); m != "" {
			t.Errorf("page %d has %q", i, m)
		}
	}
}
