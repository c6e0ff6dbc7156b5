// Package storetest is the conformance suite every store engine passes:
// one set of behaviours (exactly-once constraints, tenant isolation,
// transactions, leases, ordering, time round-trips) run against SQLite and
// PostgreSQL alike, so the engine behind store.Store is a deployment choice,
// not a behaviour change.
package storetest

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Run runs every conformance test against stores made by open; each call of
// open returns a fresh, empty, migrated store. Run closes each store when
// its test ends, so open must not.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"sources", testSources},
		{"sources_by_token_hashes", testSourcesByTokenHashes},
		{"source_format", testSourceFormat},
		{"unmatched_mail", testUnmatchedMail},
		{"raw_bodies", testRawBodies},
		{"api_tokens", testAPITokens},
		{"api_tokens_per_tenant", testAPITokensPerTenant},
		{"tenants", testTenants},
		{"delete_tenant_with_data", testDeleteTenantWithData},
		{"tenant_reads", testTenantReads},
		{"upsert_creates_then_updates", testUpsertCreatesThenUpdates},
		{"upsert_alerts_in_order", testUpsertAlertsInOrder},
		{"upsert_alerts_many", testUpsertAlertsMany},
		{"upsert_same_id_two_sources", testUpsertSameIDTwoSources},
		{"upsert_unknown_source", testUpsertUnknownSource},
		{"recent_alert_types", testRecentAlertTypes},
		{"tenant_isolation", testTenantIsolation},
		{"integrations", testIntegrations},
		{"integration_unique_name", testIntegrationUniqueName},
		{"routes", testRoutes},
		{"routes_batch", testRoutesBatch},
		{"unrouted_alerts", testUnroutedAlerts},
		{"ticket_links_one_live_per_group", testTicketLinksOneLivePerGroup},
		{"ticket_links_concurrent_create", testTicketLinksConcurrentCreate},
		{"last_closed_ticket_link", testLastClosedTicketLink},
		{"deliveries_insert_update_get", testDeliveriesInsertUpdateGet},
		{"deliveries_batch", testDeliveriesBatch},
		{"due_deliveries", testDueDeliveries},
		{"pending_notes", testPendingNotes},
		{"next_delivery_at", testNextDeliveryAt},
		{"oldest_pending_delivery", testOldestPendingDelivery},
		{"count_deliveries", testCountDeliveries},
		{"deliveries_filter", testDeliveriesFilter},
		{"delivery_backlog", testDeliveryBacklog},
		{"ticket_link_page", testTicketLinkPage},
		{"tx_rollback", testTxRollback},
		{"tx_commit", testTxCommit},
		{"tx_survives_answers", testTxSurvivesAnswers},
		{"timeline", testTimeline},
		{"timeline_batch", testTimelineBatch},
		{"alerts_by_keys", testAlertsByKeys},
		{"count_alerts_since", testCountAlertsSince},
		{"list_alerts", testListAlerts},
		{"times_round_trip", testTimesRoundTrip},
		{"lease_lifecycle", testLeaseLifecycle},
		{"lease_fencing", testLeaseFencing},
		{"lease_takeover_waits_for_fenced_tx", testLeaseTakeoverWaitsForFencedTx},
		{"lease_concurrent_acquire", testLeaseConcurrentAcquire},
		{"ticket_link_by_psa_id", testTicketLinkByPSAID},
		{"set_alert_status", testSetAlertStatus},
		{"upsert_status_origin", testUpsertStatusOrigin},
		{"status_changes", testStatusChanges},
		{"status_changes_follow_every_writer", testStatusChangesFollowEveryWriter},
		{"cursors", testCursors},
		{"mark_seen", testMarkSeen},
		{"mark_seen_concurrent", testMarkSeenConcurrent},
		{"status_writes_in_tx", testStatusWritesInTx},
		{"set_status_delivery_waits_for_open_link", testSetStatusDeliveryDue},
		{"callbacks", testCallbacks},
		{"due_callbacks", testDueCallbacks},
		{"source_by_id", testSourceByID},
		{"billable_counts", testBillableCounts},
		{"billable_counts_many", testBillableCountsMany},
		{"billing_audits", testBillingAudits},
		{"probe_write", testProbeWrite},
		{"prune_alerts", testPruneAlerts},
		{"spent_deliveries_keep_no_payload", testSpentDeliveriesKeepNoPayload},
		{"organizations", testOrganizations},
		{"source_token_rotate_revoke", testSourceTokenRotateRevoke},
		{"delete_integration", testDeleteIntegration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // every test has its own store
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close store: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// testProbeWrite: a store that can write passes the probe, again and
// again (it rewrites one row; it does not add any).
func testProbeWrite(t *testing.T, s store.Store) {
	for range 3 {
		must(t, s.ProbeWrite(t.Context()))
	}
	must(t, s.InTx(t.Context(), func(store.Queries) error { return nil }))
}

// t0 is the suite's clock: UTC with a sub-second part, in whole
// microseconds (the precision every engine keeps).
var t0 = time.Date(2026, 11, 21, 10, 15, 0, 123456000, time.UTC)

// opts compares records: times by instant, nil and empty alike.
var opts = cmp.Options{cmpopts.EquateEmpty()}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func mustSource(t *testing.T, s store.Store, tenant, id string) store.Source {
	t.Helper()
	src := store.Source{
		TenantID: tenant, ID: id, Name: "Source " + id, TokenHash: "hash-" + tenant + "-" + id,
		CallbackURL: "https://source.example/cb/" + id, CreatedAt: t0,
		Format: "canonical", Settings: []byte("{}"),
	}
	must(t, s.CreateSource(t.Context(), src))
	return src
}

func newAlert(id string) alert.Alert {
	return alert.Alert{
		ID: id, Kind: alert.KindIssue, Organization: alert.Organization{ID: "org-42", Name: "Acme Corp"},
		Type: "Too Many Downloads", Rule: &alert.Rule{Kind: alert.RuleRespond, ID: "r-17", Name: "Block"},
		Severity: alert.SeverityHigh, Status: alert.StatusOpen, Title: "Too many downloads " + id,
		User: &alert.User{Email: "jane@acme.example", Name: "Jane Doe"}, Device: &alert.Device{Name: "LT-07"},
		OccurredAt: t0.Add(-time.Hour), URL: "https://source.example/alerts/" + id,
		Attributes: map[string]string{"ip": "203.0.113.9"},
	}
}

// mustAlert stores a new alert from src and returns it as stored.
func mustAlert(t *testing.T, q store.Queries, src store.Source, id string) store.StoredAlert {
	t.Helper()
	a := store.StoredAlert{TenantID: src.TenantID, SourceID: src.ID, Alert: newAlert(id), ReceivedAt: t0, UpdatedAt: t0}
	res, err := q.UpsertAlert(t.Context(), a)
	must(t, err)
	if !res.Created {
		t.Fatalf("alert %s: Created = false, want true", id)
	}
	a.Seq, a.StatusOrigin, a.StatusChangedAt = res.Seq, "source", a.ReceivedAt // a new alert's status is the source's
	return a
}

func mustIntegration(t *testing.T, s store.Store, tenant, name string) store.Integration {
	t.Helper()
	it, err := s.PutIntegration(t.Context(), store.Integration{
		TenantID: tenant, Name: name, PSA: "testpsa", Settings: []byte(`{"queue":"Security"}`),
		Credentials: map[string]string{"secret": "v1:ciphertext"},
	})
	must(t, err)
	return it
}

func mustLink(t *testing.T, q store.Queries, it store.Integration, company, group string) store.TicketLink {
	t.Helper()
	l, err := q.CreateTicketLink(t.Context(), store.TicketLink{
		TenantID: it.TenantID, IntegrationID: it.ID, CompanyID: company, GroupKey: group,
		State: store.LinkCreating, ExternalRef: "tb-" + rand.Text(),
		CreatedAt: t0, UpdatedAt: t0,
	})
	must(t, err)
	return l
}

// setLinkState moves a link to state, as the engine does when the PSA
// answers or closes the ticket.
func setLinkState(t *testing.T, q store.Queries, l store.TicketLink, state store.LinkState) store.TicketLink {
	t.Helper()
	l.State, l.UpdatedAt = state, t0.Add(time.Minute)
	if state == store.LinkOpen {
		l.PSATicketID, l.TicketNumber, l.PSAStatus = "1001", "T20261121.0001", "New"
	}
	if state == store.LinkClosed {
		closed := t0.Add(time.Hour)
		l.ClosedAt, l.PSAStatus = &closed, "Complete"
	}
	must(t, q.UpdateTicketLink(t.Context(), l))
	return l
}

func seqs(as []store.StoredAlert) []int64 {
	out := []int64{}
	for _, a := range as {
		out = append(out, a.Seq)
	}
	return out
}

func deliveryIDs(ds []store.Delivery) []int64 {
	out := []int64{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}
