package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

func statusForm(csrf string) url.Values {
	f := url.Values{
		"csrf": {csrf}, "action": {"next"}, "has_status": {"1"}, "has_webhooks": {"1"}, "has_untouched": {"1"},
		"status_enabled": {"1"}, "webhooks": {"1"}, "public_url": {"https://tb.msp.example"}, "poll_interval": {"60s"},
		"issues_open": {"New"}, "issues_in_progress": {"In Progress"}, "issues_resolved": {"Complete"}, "issues_ignored": {""},
		"issues_from_rows": {"2"}, "issues_from_0_psa": {"Waiting Customer"}, "issues_from_0_to": {"in_progress"},
		"issues_from_1_psa": {""}, "issues_from_1_to": {"open"},
		"incidents_open": {"New"}, "incidents_in_progress": {"In Progress"}, "incidents_resolved": {"Complete"}, "incidents_ignored": {"Complete"},
		"incidents_from_rows": {"1"}, "incidents_from_0_psa": {""}, "incidents_from_0_to": {"open"},
	}
	return f
}

func TestStatusStepToAPIBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.statusPicklists.Store(true)
	csrf := h.startBlankDraft("autotask")
	_, page := h.do("GET", "/setup/status", nil)
	// The PSA's active statuses are offered; the inactive one is not.
	for _, want := range []string{`<select id="issues_open" name="issues_open">`, "<option>Waiting Customer</option>", `id="poll_interval" name="poll_interval" value="60s"`, `id="webhooks"`} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %s", want)
		}
	}
	if strings.Contains(page, "Retired") {
		t.Error("an inactive PSA status is offered")
	}
	var picklistCalls int
	for _, c := range h.api.recorded() {
		if c.Method == "POST" && c.Path == "/api/v1/integrations/main/picklists" {
			picklistCalls++
			if s, _ := c.Body["settings"].(map[string]any); s["psa"] != "autotask" {
				t.Errorf("picklists asked without the draft: %v", c.Body)
			}
		}
	}
	if picklistCalls != 1 {
		t.Errorf("%d draft picklist calls, want 1", picklistCalls)
	}
	h.post("status", statusForm(csrf), http.StatusSeeOther)
	s, raw := h.reviewed()
	want := integration.StatusSync{
		Enabled: true, Webhooks: true, PublicURL: "https://tb.msp.example",
		Issues: integration.StatusMap{Open: integration.Pick{Name: "New"}, InProgress: integration.Pick{Name: "In Progress"}, Resolved: integration.Pick{Name: "Complete"},
			FromPSA: []integration.PSAStatusTo{{PSA: integration.Pick{Name: "Waiting Customer"}, To: "in_progress"}}},
		Incidents: integration.StatusMap{Open: integration.Pick{Name: "New"}, InProgress: integration.Pick{Name: "In Progress"}, Resolved: integration.Pick{Name: "Complete"}, Ignored: integration.Pick{Name: "Complete"}},
	}
	if diff := cmp.Diff(want, s.StatusSync); diff != "" {
		t.Errorf("status_sync sent to the dry run (-want +got):\n%s", diff)
	}
	if _, set := raw["status_sync"].(map[string]any)["poll_interval"]; set {
		t.Error("poll_interval written though the default shown was kept")
	}
	// Back on the page, the choices are selected.
	_, page = h.do("GET", "/setup/status", nil)
	if !strings.Contains(page, "<option selected>Waiting Customer</option>") || !strings.Contains(page, `<option selected>in_progress</option>`) {
		t.Errorf("the from-PSA row is not shown as saved:\n%s", page)
	}
}

// TestStatusStepOffersTheQueueBoardsStatuses: where statuses belong to
// a board, those of the board ticket.queue names are offered.
func TestStatusStepOffersTheQueueBoardsStatuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.statusPicklists.Store(true)
	csrf := h.startBlankDraft("autotask")
	if _, page := h.do("GET", "/setup/status", nil); !strings.Contains(page, "<option>Quoted</option>") {
		t.Fatalf("without a queue every board's statuses should be offered:\n%s", page)
	}
	h.post("yaml", url.Values{"csrf": {csrf}, "settings": {"ticket: {queue: Security}"}, "action": {"next"}}, http.StatusSeeOther)
	_, page := h.do("GET", "/setup/status", nil)
	if strings.Contains(page, "Quoted") || !strings.Contains(page, "<option>New</option>") {
		t.Errorf("with queue Security, want its statuses and the boardless ones, not Sales' Quoted:\n%s", page)
	}
}

func TestStatusStepTypesWhenPicklistsFail(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.statusPicklists.Store(true)
	h.api.noPicklists.Store(true)
	h.startBlankDraft("autotask")
	resp, page := h.do("GET", "/setup/status", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status page: %d", resp.StatusCode)
	}
	if !strings.Contains(page, `id="statuses-note"`) || !strings.Contains(page, "the PSA did not answer") {
		t.Errorf("no note that the statuses could not be read:\n%s", page)
	}
	if !strings.Contains(page, `<input id="issues_open" name="issues_open" value=""`) {
		t.Errorf("the statuses are not typed when the PSA's cannot be read:\n%s", page)
	}
}

func TestStatusStepWherePSALacksWebhooks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.statusPicklists.Store(true)
	csrf := h.startBlankDraft("syncro")
	_, page := h.do("GET", "/setup/status", nil)
	if !strings.Contains(page, `id="webhooks-unsupported"`) || strings.Contains(page, `id="webhooks"`) || strings.Contains(page, `id="only_untouched"`) {
		t.Errorf("webhooks or only-untouched offered where Syncro lacks them:\n%s", page)
	}
	form := statusForm(csrf)
	form.Del("has_webhooks")
	form.Del("has_untouched")
	form.Set("only_untouched", "1")
	h.post("status", form, http.StatusSeeOther)
	s, _ := h.reviewed()
	if s.StatusSync.Webhooks || s.StatusSync.PublicURL != "" || s.StatusSync.OnlyUntouched {
		t.Errorf("settings the page did not show were read: %+v", s.StatusSync)
	}
	if !s.StatusSync.Enabled {
		t.Error("status sync not enabled")
	}
}

// TestReviewShowsDryRunProblems: what the API's dry run refuses shows on
// the review, field by field, and Save is not offered.
func TestReviewShowsDryRunProblems(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.statusPicklists.Store(true)
	csrf := h.startBlankDraft("autotask")
	form := statusForm(csrf)
	form.Set("issues_open", "")
	h.post("status", form, http.StatusSeeOther)
	body := `{"title":"Invalid settings","status":422,"errors":[` +
		`{"field":"status_sync.issues.open","reason":"required when status_sync.enabled is true: set the PSA status for open issues, e.g. \"New\""},` +
		`{"field":"contracts.billable_users.default_service","reason":"required when billable_users.enabled is true"}]}`
	h.api.putProblem.Store(&body)
	resp, page := h.do("GET", "/setup/review", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("review of refused settings: %d", resp.StatusCode)
	}
	for _, want := range []string{`role="alert"`, "status_sync.issues.open: required when status_sync.enabled is true", "contracts.billable_users.default_service: required"} {
		if !strings.Contains(page, want) {
			t.Errorf("review lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `id="save"`) {
		t.Error("Save offered for settings the API refused")
	}
}
