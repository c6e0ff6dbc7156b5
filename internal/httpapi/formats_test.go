package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
)

// TestSourceWithFormat: a source created with a format and settings lists
// them back, and ingest reads its bodies by them.
func TestSourceWithFormat(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	body := `{"id":"am","format":"alertmanager","settings":{"default_organization":{"id":"org-42","name":"Acme Corp"},"organization_from":"labels.customer"}}`
	decode[struct{ Token string }](t, do(h, "POST", "/api/v1/sources", adminToken, body), http.StatusCreated)
	type src struct {
		ID, Format string
		Settings   map[string]any
	}
	got := decode[struct{ Sources []src }](t, do(h, "GET", "/api/v1/sources", adminToken, ""), http.StatusOK)
	want := src{ID: "am", Format: "alertmanager", Settings: map[string]any{
		"default_organization": map[string]any{"id": "org-42", "name": "Acme Corp"}, "organization_from": "labels.customer"}}
	if diff := cmp.Diff(want, got.Sources[0]); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	if got.Sources[1].Format != "canonical" {
		t.Errorf("a source created without a format lists format %q, want canonical", got.Sources[1].Format)
	}
}

func TestListFormats(t *testing.T) {
	t.Parallel()
	h := newFixture(t).handler(httpapi.Config{})
	got := decode[struct {
		Formats []struct {
			Name     string
			Verified bool
			Mapping  *struct{ Name string }
		}
	}](t, do(h, "GET", "/api/v1/formats", adminToken, ""), http.StatusOK)
	names := map[string]bool{}
	for _, f := range got.Formats {
		names[f.Name] = f.Verified
		if f.Name != "canonical" && (f.Mapping == nil || f.Mapping.Name != f.Name) {
			t.Errorf("format %s lists no mapping of its own name", f.Name)
		}
	}
	for name, verified := range map[string]bool{"canonical": true, "alertmanager": true, "guardz": false, "kaseya-mdr": false, "huntress": false} {
		if v, ok := names[name]; !ok || v != verified {
			t.Errorf("format %s: listed %v, verified %v; want listed, verified %v", name, ok, v, verified)
		}
	}
}

func TestFormatTest(t *testing.T) {
	t.Parallel()
	h := newFixture(t).handler(httpapi.Config{})
	sample := `{"alerts":[{"status":"resolved","fingerprint":"f1","startsAt":"2026-11-21T10:15:00Z","labels":{"alertname":"DiskFull","severity":"warning"}}]}`
	got := decode[struct {
		Format string
		Alerts []struct{ ID, Type, Severity, Status string }
	}](t, do(h, "POST", "/api/v1/formats/test", adminToken,
		`{"format":"alertmanager","settings":{"default_organization":{"id":"org-42"}},"sample":`+sample+`}`), http.StatusOK)
	if got.Format != "alertmanager" || len(got.Alerts) != 1 || got.Alerts[0].ID != "am-f1" ||
		got.Alerts[0].Severity != "medium" || got.Alerts[0].Status != "resolved" {
		t.Errorf("test answer = %+v", got)
	}

	// A user's own mapping for a product never heard of.
	own := `{"format":"acme-ids","settings":{"default_organization":{"name":"Acme"},"mapping":{"name":"acme-ids","fields":{
		"id":{"paths":["ref"]},"type":{"paths":["kind"]},"title":{"template":"{{.Get \"kind\"}} on {{.Get \"host\"}}"},
		"severity":{"paths":["level"],"map":{"1":"low","5":"critical"},"default":"medium"},"device.name":{"paths":["host"]}}}},
		"sample":{"ref":"A-1","kind":"Port scan","level":5,"host":"fw-01"}}`
	mine := decode[struct {
		Alerts []struct {
			ID, Title, Severity string
			Device              struct{ Name string }
		}
	}](t, do(h, "POST", "/api/v1/formats/test", adminToken, own), http.StatusOK)
	if len(mine.Alerts) != 1 || mine.Alerts[0].Title != "Port scan on fw-01" || mine.Alerts[0].Severity != "critical" || mine.Alerts[0].Device.Name != "fw-01" {
		t.Errorf("own mapping: %+v", mine)
	}

	p := assertProblem(t, do(h, "POST", "/api/v1/formats/test", adminToken,
		`{"format":"saas-alerts","settings":{},"sample":{"eventId":"e1","time":"2026-11-21T10:15:00Z"}}`), http.StatusBadRequest)
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	if !strings.Contains(strings.Join(fields, ","), "sample[0].type") {
		t.Errorf("bad sample: fields %v, want sample[0].type among them", fields)
	}
	assertProblem(t, do(h, "POST", "/api/v1/formats/test", adminToken, `{"format":"nope","sample":{}}`), http.StatusBadRequest)
}
