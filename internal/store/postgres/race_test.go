package postgres_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
)

// TestStatusChangeRacesNewRoute runs a source status change and the
// routing of the same alert in two transactions, each order of the two
// held open until the other has started: READ COMMITTED alone would let the
// status trigger miss the uncommitted route (or the route read the old
// status) and lose the change for good. The route's FOR SHARE read makes
// the second wait for the first, so the change is listed either way.
func TestStatusChangeRacesNewRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		routeFirst bool
	}{
		{"route_then_status", true},
		{"status_then_route", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := testURL(t)
			schema := freshSchema(t, url)
			s := closeStore(t, openStore(t, url, schema))
			app := "tb_race_" + strings.ToLower(rand.Text())
			other := closeStore(t, openNamed(t, url, schema, app))
			ctx := t.Context()
			src := store.Source{TenantID: "t1", ID: "src", Name: "src", TokenHash: "h-" + app}
			if err := s.CreateSource(ctx, src); err != nil {
				t.Fatal(err)
			}
			it, err := s.PutIntegration(ctx, store.Integration{TenantID: "t1", Name: "psa", PSA: "autotask"})
			if err != nil {
				t.Fatal(err)
			}
			a := raceAlert(src, alert.StatusOpen)
			res, err := s.UpsertAlert(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			route := func(q store.Queries) error {
				return q.InsertRoute(ctx, store.Route{TenantID: "t1", AlertSeq: res.Seq, IntegrationID: it.ID,
					Outcome: store.RouteQueued, HandledStatus: alert.StatusOpen})
			}
			change := func(q store.Queries) error {
				_, err := q.UpsertAlert(ctx, raceAlert(src, alert.StatusResolved))
				return err
			}
			first, second := change, route
			if tc.routeFirst {
				first, second = route, change
			}
			// first runs in s's open transaction; second on the other
			// store, until it finishes or waits for a lock.
			done := make(chan error, 1)
			err = s.InTx(ctx, func(q store.Queries) error {
				if err := first(q); err != nil {
					return err
				}
				go func() { done <- other.InTx(ctx, second) }()
				return waitBlockedOrDone(ctx, t, url, app, done)
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got, err := s.StatusChanges(ctx, it.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Seq != res.Seq || got[0].Alert.Status != alert.StatusResolved {
				t.Errorf("status changes = %+v, want alert %d resolved", got, res.Seq)
			}
		})
	}
}

// waitBlockedOrDone returns once the connection named app waits for a
// lock, or once done has an answer (put back for the caller).
func waitBlockedOrDone(ctx context.Context, t *testing.T, url, app string, done chan error) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for {
		select {
		case err := <-done:
			done <- err
			return nil
		default:
		}
		var waiting bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
WHERE application_name = $1 AND wait_event_type = 'Lock')`, app).Scan(&waiting)
		if err != nil || waiting {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond): // poll interval, not an assertion
		}
	}
}

func openNamed(t *testing.T, url, schema, app string) *postgres.Store {
	t.Helper()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return openStore(t, url+sep+"application_name="+app, schema)
}

func raceAlert(src store.Source, st alert.Status) store.StoredAlert {
	at := time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	if st != alert.StatusOpen {
		at = at.Add(time.Minute)
	}
	return store.StoredAlert{TenantID: src.TenantID, SourceID: src.ID, ReceivedAt: at, UpdatedAt: at, Alert: alert.Alert{
		ID: "a1", Kind: alert.KindIssue, Organization: alert.Organization{Name: "Acme"}, Type: "t",
		Severity: alert.SeverityHigh, Status: st, Title: "x", OccurredAt: at,
	}}
}
