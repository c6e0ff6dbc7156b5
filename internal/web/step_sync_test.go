package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

func TestSyncStepToAPIBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		form url.Values
		want integration.Sync
	}{
		{"7 days, types deduplicated", url.Values{"since": {"7d"}, "update": {"1"}, "exclude_types": {"Test Alert\r\n\r\n  Test Alert \nNew Device\n"}, "reconcile_every": {"6h"}},
			integration.Sync{Since: "7d", Update: true, ExcludeTypes: []string{"Test Alert", "New Device"}}},
		{"a date", url.Values{"since": {"date"}, "since_date": {"2026-11-14"}, "reconcile_every": {"off"}},
			integration.Sync{Since: "2026-11-14", ReconcileEvery: "off"}},
		{"now is the default", url.Values{"since": {"now"}, "reconcile_every": {"30m"}},
			integration.Sync{ReconcileEvery: "30m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			tt.form.Set("csrf", h.startBlankDraft("autotask"))
			tt.form.Set("action", "next")
			h.post("sync", tt.form, http.StatusSeeOther)
			s, _ := h.reviewed()
			if diff := cmp.Diff(tt.want, s.Sync); diff != "" {
				t.Errorf("sync sent to the dry run (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSyncStepPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startBlankDraft("autotask")
	_, page := h.do("GET", "/setup/sync", nil)
	for _, want := range []string{
		"Types seen so far: Too Many Downloads, Too Many Uploads.",
		`<option value="now" selected>`, `id="reconcile_every" name="reconcile_every" value="6h"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("sync page lacks %s", want)
		}
	}
	// A value written in YAML another way is kept as it is.
	h.post("yaml", url.Values{"csrf": {csrf}, "settings": {"sync: {since: 12h}"}, "action": {"next"}}, http.StatusSeeOther)
	_, page = h.do("GET", "/setup/sync", nil)
	if !strings.Contains(page, `<option value="keep" selected>As set: 12h</option>`) {
		t.Fatalf("a since of 12h is not offered as kept:\n%s", page)
	}
	h.post("sync", url.Values{"csrf": {csrf}, "since": {"keep"}, "reconcile_every": {"6h"}, "action": {"next"}}, http.StatusSeeOther)
	if s, _ := h.reviewed(); s.Sync.Since != "12h" {
		t.Errorf("since %q after keeping 12h", s.Sync.Since)
	}
}

func TestSyncStepProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no date", url.Values{"since": {"date"}, "since_date": {""}}, "since: choose a date"},
		{"bad date", url.Values{"since": {"date"}, "since_date": {"14/11/2026"}}, "since: choose a date"},
		{"forged choice", url.Values{"since": {"90d"}}, "since: choose now, 7 days, 30 days or a date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			tt.form.Set("csrf", h.startBlankDraft("autotask"))
			tt.form.Set("action", "next")
			page := h.post("sync", tt.form, http.StatusUnprocessableEntity)
			if !strings.Contains(page, tt.want) {
				t.Errorf("problem %q not shown:\n%s", tt.want, page)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{6 * time.Hour: "6h", 5 * time.Minute: "5m", 10 * time.Minute: "10m", 90 * time.Second: "1m30s", 150 * time.Minute: "2h30m"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
