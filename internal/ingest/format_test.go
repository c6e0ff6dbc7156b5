package ingest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

const tokenAM = "tbs_token-of-alertmanager"

const amFiring = `{"version": "4", "status": "firing", "alerts": [
 {"status": "firing", "fingerprint": "f-1", "startsAt": "2026-11-21T10:15:00Z",
  "labels": {"alertname": "EndpointDown", "instance": "ACME-LT-07", "severity": "critical"},
  "annotations": {"summary": "ACME-LT-07 unreachable"}},
 {"status": "firing", "fingerprint": "f-2", "startsAt": "2026-11-21T10:16:00Z",
  "labels": {"alertname": "DiskFull", "instance": "ACME-SRV-01", "severity": "warning", "customer": "org-7"}}]}`

// TestMappedFormat: a source with a built-in format posts its product's
// own body; every element becomes a canonical alert under that source,
// the default organization fills in, and a resolved re-send resolves.
func TestMappedFormat(t *testing.T) {
	st, _ := openStore(t)
	err := st.CreateSource(t.Context(), store.Source{
		TenantID: store.DefaultTenant, ID: "am", Name: "Alertmanager", TokenHash: ingest.HashToken(tokenAM),
		Format: "alertmanager", Settings: []byte(`{"default_organization": {"id": "org-42", "name": "Acme Corp"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(st)
	w := post(h, tokenAM, amFiring)
	if w.Code != http.StatusAccepted {
		t.Fatalf("status = %d, body %s; want 202", w.Code, w.Body)
	}
	if got := decodeAccepted(t, w); len(got) != 2 || got[0].ID != "am-f-1" || !got[0].Created {
		t.Fatalf("accepted = %+v, want am-f-1 and am-f-2 created", got)
	}
	a, err := st.AlertBySourceID(t.Context(), store.DefaultTenant, "am", "am-f-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Alert.Organization.ID != "org-42" || a.Alert.Severity != alert.SeverityCritical || a.Alert.Type != "EndpointDown" {
		t.Errorf("stored alert = %+v; want org-42, critical, EndpointDown", a.Alert)
	}

	resolved := strings.Replace(amFiring, `"status": "firing", "fingerprint": "f-1"`, `"status": "resolved", "fingerprint": "f-1"`, 1)
	if w := post(h, tokenAM, resolved); w.Code != http.StatusAccepted {
		t.Fatalf("resolved re-send: status = %d, body %s", w.Code, w.Body)
	}
	a, err = st.AlertBySourceID(t.Context(), store.DefaultTenant, "am", "am-f-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Alert.Status != alert.StatusResolved {
		t.Errorf("after resolved re-send: status = %s, want resolved", a.Alert.Status)
	}
	raws, err := st.RawBodies(t.Context(), store.DefaultTenant, "am", 0, 0)
	if err != nil || len(raws) != 2 || string(raws[1].Body) != resolved || raws[0].Kind != store.RawHTTP {
		t.Errorf("raw bodies kept: %d, %v; want both bodies as sent", len(raws), err)
	}
	if w := post(h, tokenA, alertJSON("c-1", "open")); w.Code != http.StatusAccepted {
		t.Fatalf("canonical: %d", w.Code)
	}
	if raws, _ := st.RawBodies(t.Context(), store.DefaultTenant, "src-a", 0, 0); len(raws) != 0 {
		t.Errorf("a canonical body was kept raw: %d", len(raws))
	}
}

func TestMappedFormatBadBody(t *testing.T) {
	st, _ := openStore(t)
	err := st.CreateSource(t.Context(), store.Source{
		TenantID: store.DefaultTenant, ID: "am", Name: "Alertmanager", TokenHash: ingest.HashToken(tokenAM),
		Format: "alertmanager",
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(st)
	tests := []struct{ name, body, want string }{
		{"canonical body to a mapped source", alertJSON("a1", "open"), `has no array at \"alerts\"`},
		{"unparsable", `{"alerts": [`, "is not valid JSON"},
		{"no organization", `{"alerts": [{"fingerprint": "x", "startsAt": "2026-11-21T10:15:00Z", "labels": {"alertname": "A"}}]}`, "organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(h, tokenAM, tt.body)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("status = %d, body %s; want 400 naming %q", w.Code, w.Body, tt.want)
			}
		})
	}
}

func TestBrokenStoredFormat(t *testing.T) {
	st, _ := openStore(t)
	err := st.CreateSource(t.Context(), store.Source{
		TenantID: store.DefaultTenant, ID: "gone", Name: "Gone", TokenHash: ingest.HashToken(tokenAM), Format: "no-such-format",
	})
	if err != nil {
		t.Fatal(err)
	}
	if w := post(newHandler(st), tokenAM, `{}`); w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "format-broken") {
		t.Errorf("status = %d, body %s; want 500 format-broken", w.Code, w.Body)
	}
}

// BenchmarkIngestMappedBatch100 is BenchmarkIngestBatch100 with an
// Alertmanager source: the cost of a built-in mapping over the canonical
// decode.
func BenchmarkIngestMappedBatch100(b *testing.B) {
	st, _ := openStore(b)
	err := st.CreateSource(b.Context(), store.Source{
		TenantID: store.DefaultTenant, ID: "am", Name: "Alertmanager", TokenHash: ingest.HashToken(tokenAM),
		Format: "alertmanager", Settings: []byte(`{"default_organization": {"id": "org-42", "name": "Acme Corp"}}`),
	})
	if err != nil {
		b.Fatal(err)
	}
	h := newHandler(st)
	for i := 0; b.Loop(); i++ {
		items := make([]string, 100)
		for j := range items {
			items[j] = fmt.Sprintf(`{"status": "firing", "fingerprint": "f-%d-%d", "startsAt": "2026-11-21T10:15:00Z",`+
				`"labels": {"alertname": "Too Many Downloads", "instance": "ACME-LT-07", "severity": "high"},`+
				`"annotations": {"summary": "Too many downloads"}}`, i, j)
		}
		body := `{"version": "4", "status": "firing", "alerts": [` + strings.Join(items, ",") + `]}`
		if w := post(h, tokenAM, body); w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

// TestTokenInPath: a sender that cannot set headers puts the token in the
// path; a wrong one is refused as a wrong header is.
func TestTokenInPath(t *testing.T) {
	st, _ := openStore(t)
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/alerts/{token}", newHandler(st))
	send := func(token string) int {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts/"+token, strings.NewReader(alertJSON("p-1", "open")))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	if code := send(tokenA); code != http.StatusAccepted {
		t.Errorf("token in path: %d, want 202", code)
	}
	if code := send("tbs_not-a-token"); code != http.StatusUnauthorized {
		t.Errorf("wrong token in path: %d, want 401", code)
	}
	if a, err := st.AlertBySourceID(t.Context(), store.DefaultTenant, "src-a", "p-1"); err != nil || a.SourceID != "src-a" {
		t.Errorf("alert by path token: %+v, %v", a, err)
	}
}

// TestSharedSecretHeader: a source that requires a shared-secret header
// refuses a request without it (401, nothing stored) and takes one with it.
func TestSharedSecretHeader(t *testing.T) {
	st, _ := openStore(t)
	err := st.CreateSource(t.Context(), store.Source{
		TenantID: store.DefaultTenant, ID: "tv1", Name: "Vision One", TokenHash: ingest.HashToken(tokenAM), Format: "trendai-notification",
		Settings: []byte(`{"default_organization":{"id":"org-42"},"signature":{"scheme":"header","header":"X-TB-Secret","secret_encrypted":"sealed:s3cret"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := ingest.New(ingest.Config{Store: st, Now: func() time.Time { return testNow },
		Decrypt: func(sealed string) (string, error) { return strings.TrimPrefix(sealed, "sealed:"), nil }})
	body := `{"title":"New high-risk users/devices","type":"New high-risk users/devices","data":"x"}`
	send := func(secret string) int {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/alerts", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tokenAM)
		if secret != "" {
			r.Header.Set("X-TB-Secret", secret)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if code := send(""); code != http.StatusUnauthorized {
		t.Errorf("no secret header: %d, want 401", code)
	}
	if code := send("guess"); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d, want 401", code)
	}
	if n := countAlerts(t, st); n != 0 {
		t.Fatalf("%d alerts stored from refused requests", n)
	}
	if code := send("s3cret"); code != http.StatusAccepted {
		t.Errorf("right secret: %d, want 202", code)
	}
}
