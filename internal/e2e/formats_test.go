package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// nativeCase is one built-in format: its reconstructed sample (from
// internal/source/testdata, edited by edit), the source settings an MSP
// would give it, and the ticket it must become.
type nativeCase struct {
	format, settings string
	edit             func(string) string
	alertID          string
	want             view
}

// TestNativeFormats posts each built-in format's own sample, as the
// product sends it, to a source of that format over HTTP, and reads the
// ticket back from every PSA's simulator: company, contact, priority,
// queue and issue type. One app per PSA takes all nine formats, so the
// table costs one start per PSA, and the PSAs run side by side.
func TestNativeFormats(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			nativeFormatsOn(t, p)
		})
	}
}

// nativeCases are the built-in formats' samples and the tickets they make
// on a PSA whose priorities by severity are pr.
func nativeCases(pr map[string]string) []nativeCase {
	acme := func(contact, severity string) view {
		return view{Company: "Acme Corp", Contact: contact, Queue: "Security", Priority: pr[severity], IssueType: "Security Incident", SubIssueType: "Other"}
	}
	const defaultOrg = `{"default_organization": {"id": "org-42", "name": "Acme Corp"}}`
	same := func(s string) string { return s }
	return []nativeCase{
		{"alertmanager", defaultOrg, same, "am-1a30ba71cca2921f", acme("Acme Helpdesk", "critical")},
		{"saas-alerts", `{}`, same, "sa-evt_000123", acme("Jane Doe", "critical")},
		{"huntress", `{}`, same, "hu-1234", acme("Acme Helpdesk", "high")},
		{"trendai-workbench", defaultOrg, same, "WB-13276-20261121-00002", acme("Acme Helpdesk", "low")},
		{"trendai-notification", defaultOrg, same, "", acme("Jane Doe", "high")},
		{"defender-xdr", `{}`, same, "mdi-2972395", acme("Acme Helpdesk", "high")},
		{"sentinel", defaultOrg, func(s string) string {
			return strings.NewReplacer(`"Closed"`, `"New"`, `"FalsePositive"`, `""`).Replace(s)
		}, "sen-3177", acme("Acme Helpdesk", "medium")},
		{"guardz", `{}`, same, "gz-issue-881", acme("Jane Doe", "high")},
		{"kaseya-mdr", `{}`, same, "kmdr-5531", acme("Acme Helpdesk", "critical")},
	}
}

// nativeFormatsOn runs every built-in format's case against the PSA
// called p, one source per format on one app.
func nativeFormatsOn(t *testing.T, p string) {
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	yaml := psaSettings(e.DefaultSettings(), "none")
	// Products that name their customer by an id of their own: the MSP
	// maps that id to the company, as for any organization.
	mapped := strings.Replace(yaml, "  map:\n", "  map:\n    - organization: \"42\"\n      company: Acme Corp\n      contact: helpdesk@acme.example\n"+
		"    - organization: b3c1b5fc-0000-0000-0000-000000000000\n      company: Acme Corp\n      contact: helpdesk@acme.example\n", 1)
	if mapped == yaml {
		t.Fatalf("%s: the settings have no companies.map block to extend:\n%s", p, yaml)
	}
	if _, err := e.Apply(context.Background(), mapped); err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, tc := range nativeCases(seedOf(p).Priorities) {
		token := e.createFormatSource(t, tc.format, tc.settings)
		raw, err := os.ReadFile(filepath.Join("..", "source", "testdata", tc.format+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		if tc.format == "saas-alerts" {
			// SaaS Alerts cannot set our header: its token rides in the path.
			ids = e.postTo(t, "/api/v1/alerts/"+token, "", tc.edit(string(raw)))
		} else {
			ids = e.postAs(t, token, tc.edit(string(raw)))
		}
		id := tc.alertID
		if id == "" {
			id = ids[0] // a content-hash id
		}
		got := e.viewOfSource(t, "native-"+tc.format, id)
		got.ID, got.Notes, got.Closed = "", nil, false
		if lacks(p, "ticket.sub_issue_type") {
			tc.want.SubIssueType = ""
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tc.want) {
			t.Errorf("%s %s:\n got  %+v\n want %+v", tc.format, id, got, tc.want)
		}
	}
}

// createFormatSource creates the source native-<format> through the API and returns its token.
func (e *env) createFormatSource(t *testing.T, format, settings string) string {
	t.Helper()
	body := fmt.Sprintf(`{"id": %q, "format": %q, "settings": %s}`, "native-"+format, format, settings)
	code, b := e.call(t, http.MethodPost, "/api/v1/sources", e.AdminToken, body)
	if code != http.StatusCreated {
		t.Fatalf("create source %s: %d %s", format, code, b)
	}
	var created struct{ Token string }
	if err := json.Unmarshal(b, &created); err != nil {
		t.Fatal(err)
	}
	return created.Token
}

// postAs posts a body with a source token, expects 202, waits until the
// engine is idle and returns the accepted ids.
func (e *env) postAs(t *testing.T, token, body string) []string {
	t.Helper()
	return e.postTo(t, "/api/v1/alerts", token, body)
}

// postTo is postAs to another ingest path.
func (e *env) postTo(t *testing.T, path, token, body string) []string {
	t.Helper()
	code, b := e.call(t, http.MethodPost, path, token, body)
	if code != http.StatusAccepted {
		t.Fatalf("post: %d %s", code, b)
	}
	var acc struct{ Accepted []struct{ ID string } }
	if err := json.Unmarshal(b, &acc); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
		t.Fatalf("wait: %v", err)
	}
	e.noFailedDeliveries()
	ids := make([]string, len(acc.Accepted))
	for i, a := range acc.Accepted {
		ids[i] = a.ID
	}
	return ids
}

func (e *env) call(t *testing.T, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.BaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// viewOfSource is viewOf for an alert of any source.
func (e *env) viewOfSource(t *testing.T, sourceID, alertID string) view {
	t.Helper()
	ctx := context.Background()
	a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, sourceID, alertID)
	if err != nil {
		t.Fatalf("alert %s/%s: %v", sourceID, alertID, err)
	}
	routes, err := e.App.Store.Routes(ctx, a.Seq)
	if err != nil || len(routes) != 1 || routes[0].TicketLinkID == 0 {
		t.Fatalf("routes of %s: %+v %v", alertID, routes, err)
	}
	l, err := e.App.Store.TicketLink(ctx, routes[0].TicketLinkID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range e.psaTickets() {
		if v.ID == l.PSATicketID {
			return v
		}
	}
	t.Fatalf("%s: ticket %s not in the PSA", alertID, l.PSATicketID)
	return view{}
}

// TestHuntressSignature: a Huntress source with its Svix signing secret
// takes a delivery signed with it, refuses one that is not or that is
// replayed late, and never lists the secret back.
func TestHuntressSignature(t *testing.T) {
	e := start(t, "", func(o *demo.Options) { o.SkipApply = true })
	const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	token := e.createFormatSource(t, "huntress", `{"signature": {"scheme": "svix", "secret": "`+whsec+`"}}`)
	raw, err := os.ReadFile(filepath.Join("..", "source", "testdata", "huntress.json"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(sig string, at time.Time) int {
		req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/api/v1/alerts", strings.NewReader(string(raw)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("svix-id", "msg_2Lh9")
		req.Header.Set("svix-timestamp", fmt.Sprint(at.Unix()))
		req.Header.Set("svix-signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	now := time.Now()
	good, err := source.SignSvix(whsec, "msg_2Lh9", now, raw)
	if err != nil {
		t.Fatal(err)
	}
	if code := post("v1,bm90IHRoZSBzaWduYXR1cmU=", now); code != http.StatusUnauthorized {
		t.Errorf("wrong signature: %d, want 401", code)
	}
	late, _ := source.SignSvix(whsec, "msg_2Lh9", now.Add(-time.Hour), raw)
	if code := post(late, now.Add(-time.Hour)); code != http.StatusUnauthorized {
		t.Errorf("replayed an hour late: %d, want 401", code)
	}
	if _, err := e.App.Store.AlertBySourceID(context.Background(), store.DefaultTenant, "native-huntress", "hu-1234"); err == nil {
		t.Fatal("a refused delivery was stored")
	}
	if code := post(good, now); code != http.StatusAccepted {
		t.Fatalf("signed delivery: %d, want 202", code)
	}
	if _, err := e.App.Store.AlertBySourceID(context.Background(), store.DefaultTenant, "native-huntress", "hu-1234"); err != nil {
		t.Errorf("signed delivery not stored: %v", err)
	}
	_, list := e.call(t, http.MethodGet, "/api/v1/sources", e.AdminToken, "")
	if strings.Contains(string(list), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") || !strings.Contains(string(list), `"(set)"`) {
		t.Errorf("source list shows the secret or not that it is set: %s", list)
	}
	src, err := e.App.Store.SourceByID(context.Background(), store.DefaultTenant, "native-huntress")
	if err != nil || strings.Contains(string(src.Settings), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") {
		t.Errorf("stored settings hold the secret in the clear (%v): %s", err, src.Settings)
	}
}

// TestReplayAfterMappingChange: an Alertmanager source's alert took the
// default organization; the MSP changes the source's settings and replays
// the bodies it kept, and the alert moves to the new organization and
// company without Alertmanager resending anything.
func TestReplayAfterMappingChange(t *testing.T) {
	e := start(t, "", func(o *demo.Options) { o.SkipApply = true })
	if _, err := e.Apply(context.Background(), psaSettings(e.DefaultSettings(), "none")); err != nil {
		t.Fatalf("apply: %v", err)
	}
	token := e.createFormatSource(t, "alertmanager", `{"default_organization": {"id": "org-unknown"}}`)
	body := `{"version": "4", "status": "firing", "alerts": [{"status": "firing", "fingerprint": "rp-1",
		"startsAt": "2026-11-21T10:15:00Z", "labels": {"alertname": "DiskFull", "severity": "warning", "customer": "org-42"}}]}`
	e.postAs(t, token, body)
	ctx := context.Background()
	a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, "native-alertmanager", "am-rp-1")
	if err != nil || a.Alert.Organization.ID != "org-unknown" {
		t.Fatalf("before: %+v, %v", a.Alert.Organization, err)
	}
	code, b := e.call(t, http.MethodPut, "/api/v1/sources/native-alertmanager/format", e.AdminToken,
		`{"format": "alertmanager", "settings": {"organization_from": "labels.customer"}}`)
	if code != http.StatusNoContent {
		t.Fatalf("set format: %d %s", code, b)
	}
	code, b = e.call(t, http.MethodPost, "/api/v1/sources/native-alertmanager/replay", e.AdminToken, "")
	var res struct {
		Bodies, Alerts int
		Failed         []string
	}
	if err := json.Unmarshal(b, &res); code != http.StatusOK || err != nil || res.Bodies != 1 || res.Alerts != 1 || len(res.Failed) != 0 {
		t.Fatalf("replay: %d %s", code, b)
	}
	a, err = e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, "native-alertmanager", "am-rp-1")
	if err != nil || a.Alert.Organization.ID != "org-42" {
		t.Errorf("after replay: %+v, %v; want org-42", a.Alert.Organization, err)
	}
	// New deliveries after the change use the new settings at once.
	e.postAs(t, token, strings.Replace(body, "rp-1", "rp-2", 1))
	if a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, "native-alertmanager", "am-rp-2"); err != nil || a.Alert.Organization.ID != "org-42" {
		t.Errorf("a body after the change: %+v, %v; want org-42", a.Alert.Organization, err)
	}
}
