package app_test

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestRetentionFollowsTheConfig: with no retention the app has no pruner;
// with one, its pruner measures age by the app's clock and prunes the
// app's store.
func TestRetentionFollowsTheConfig(t *testing.T) {
	t.Parallel()
	off, err := app.New(t.Context(), config.Config{DataDir: t.TempDir(), MaxBodyBytes: 1 << 20}, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if off.Retention != nil {
		t.Error("retention 0: the app has a pruner, want none")
	}

	now := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	cfg := config.Config{DataDir: t.TempDir(), MaxBodyBytes: 1 << 20, Retention: 30 * 24 * time.Hour}
	a, err := app.New(t.Context(), cfg, app.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := t.Context()
	if err := a.Store.CreateSource(ctx, store.Source{TenantID: a.Tenant, ID: "src", Name: "src", TokenHash: "h"}); err != nil {
		t.Fatal(err)
	}
	for id, age := range map[string]time.Duration{"old": 31 * 24 * time.Hour, "young": 29 * 24 * time.Hour} {
		at := now.Add(-age)
		_, err := a.Store.UpsertAlert(ctx, store.StoredAlert{TenantID: a.Tenant, SourceID: "src", ReceivedAt: at, UpdatedAt: at,
			Alert: alert.Alert{ID: id, Kind: alert.KindIssue, Type: "t", Severity: alert.SeverityLow, Status: alert.StatusOpen, Title: id, OccurredAt: at}})
		if err != nil {
			t.Fatal(err)
		}
	}
	pass, err := a.Retention.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pass.Alerts != 1 || !pass.Cutoff.Equal(now.Add(-30*24*time.Hour)) {
		t.Errorf("pass = %+v, want 1 alert pruned before %v", pass, now.Add(-30*24*time.Hour))
	}
	if _, err := a.Store.AlertBySourceID(ctx, a.Tenant, "src", "young"); err != nil {
		t.Errorf("young alert: %v, want it kept", err)
	}
}
