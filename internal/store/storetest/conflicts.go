package storetest

import (
	"errors"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// testTxSurvivesAnswers gives every ErrConflict answer, and the
// ErrNotFound answers that are "no such row", inside one transaction, then
// writes and commits: each answer must leave the transaction usable
// (PostgreSQL aborts a transaction on any failed statement, so an engine
// there has to avoid the failure or contain it).
func testTxSurvivesAnswers(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	a := mustAlert(t, s, src, "a1")
	closed := setLinkState(t, s, mustLink(t, s, it, "c1", "g1"), store.LinkClosed)
	live := mustLink(t, s, it, "c1", "g1")
	route := store.Route{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID, Outcome: store.RouteQueued,
		TicketLinkID: live.ID, CreatedAt: t0}
	must(t, s.InsertRoute(ctx, route))
	must(t, s.CreateAPIToken(ctx, store.APIToken{TenantID: "t1", Name: "ci", TokenHash: "api-hash", CreatedAt: t0}))

	answers := []struct {
		name string
		want error
		call func(q store.Queries) error
	}{
		{"duplicate_source", store.ErrConflict, func(q store.Queries) error { return q.CreateSource(ctx, src) }},
		{"duplicate_api_token", store.ErrConflict, func(q store.Queries) error {
			return q.CreateAPIToken(ctx, store.APIToken{TenantID: "t1", Name: "ci2", TokenHash: "api-hash", CreatedAt: t0})
		}},
		{"duplicate_integration", store.ErrConflict, func(q store.Queries) error {
			_, err := q.PutIntegration(ctx, store.Integration{TenantID: "t1", Name: "psa", PSA: "testpsa"})
			return err
		}},
		{"rename_onto_taken_name", store.ErrConflict, func(q store.Queries) error {
			renamed := other
			renamed.Name = it.Name
			_, err := q.PutIntegration(ctx, renamed)
			return err
		}},
		{"duplicate_route", store.ErrConflict, func(q store.Queries) error { return q.InsertRoute(ctx, route) }},
		{"duplicate_route_in_batch", store.ErrConflict, func(q store.Queries) error {
			return q.InsertRoutes(ctx, []store.Route{route})
		}},
		{"second_live_link", store.ErrConflict, func(q store.Queries) error {
			dup := live
			dup.ID, dup.ExternalRef = 0, "tb-dup"
			_, err := q.CreateTicketLink(ctx, dup)
			return err
		}},
		{"reopen_closed_link", store.ErrConflict, func(q store.Queries) error {
			reopen := closed
			reopen.State = store.LinkOpen
			return q.UpdateTicketLink(ctx, reopen)
		}},
		{"alert_of_unknown_source", store.ErrNotFound, func(q store.Queries) error {
			_, err := q.UpsertAlert(ctx, store.StoredAlert{TenantID: "t1", SourceID: "ghost", Alert: newAlert("x"),
				ReceivedAt: t0, UpdatedAt: t0})
			return err
		}},
		{"unknown_integration", store.ErrNotFound, func(q store.Queries) error {
			ghost := other
			ghost.ID += 1000
			_, err := q.PutIntegration(ctx, ghost)
			return err
		}},
		{"unknown_delivery", store.ErrNotFound, func(q store.Queries) error {
			return q.UpdateDelivery(ctx, store.Delivery{ID: 1 << 40, State: store.DeliveryDone, NextAttemptAt: t0})
		}},
		{"unknown_route", store.ErrNotFound, func(q store.Queries) error {
			return q.SetRouteLink(ctx, a.Seq+1000, it.ID, live.ID)
		}},
		{"lease_taken", store.ErrConflict, func(q store.Queries) error {
			_, err := q.AcquireLease(ctx, "integration/1", "replica-b", leaseTTL, t0)
			return err
		}},
	}
	mustAcquire(t, s, "integration/1", "replica-a", t0)
	// Each answer as the first statement of its transaction (an engine may
	// begin the transaction with it), then a write and a commit.
	for _, tc := range answers {
		var first store.StoredAlert
		err := s.InTx(ctx, func(q store.Queries) error {
			if err := tc.call(q); !errors.Is(err, tc.want) {
				t.Errorf("%s first in its transaction: err = %v, want %v", tc.name, err, tc.want)
			}
			first = mustAlert(t, q, src, "after-"+tc.name)
			return nil
		})
		must(t, err)
		got, err := s.AlertBySeq(ctx, first.Seq)
		must(t, err)
		diff(t, "alert written after "+tc.name, first, got)
	}
	var after store.StoredAlert
	err := s.InTx(ctx, func(q store.Queries) error {
		for _, tc := range answers {
			if err := tc.call(q); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			}
		}
		after = mustAlert(t, q, src, "after-answers")
		return nil
	})
	must(t, err)
	got, err := s.AlertBySeq(ctx, after.Seq)
	must(t, err)
	diff(t, "alert written after the answers", after, got)
}
