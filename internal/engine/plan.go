package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Plan is one version of an integration's stored settings made ready to
// decide alerts: the settings, their compiled rules, the resolved
// sync.since and the statuses that count as closed. The engine's routing
// and `ticketbridge explain` both decide through a Plan (Companies, then
// Decide, then ChooseContact at create time), so explain cannot predict a
// step the engine does not take. A Plan is not changed after NewPlan and
// is safe for concurrent use.
type Plan struct {
	Settings integration.Settings
	Rules    *rules.Ruleset
	// Since is sync.since as apply resolved it (Settings.Sync.SinceTime);
	// zero means no limit.
	Since time.Time
	// ReopenWithin is ticket.reopen_within: a group's ticket closed less
	// than this long ago is reopened for its next alert; 0 is off.
	ReopenWithin time.Duration
	closed       map[string]bool // ticket.closed_statuses by PSA id
}

// NewPlan decodes an integration's stored settings and prepares them for
// deciding, rendering within its PSA's field limits.
func NewPlan(it store.Integration, limits integration.Limits) (*Plan, error) {
	s, err := decodeSettings(it)
	if err != nil {
		return nil, err
	}
	rs, err := rules.CompileFor(s, limits)
	if err != nil {
		return nil, fmt.Errorf("compile rules: %w", err)
	}
	p := &Plan{Settings: s, Rules: rs, ReopenWithin: s.Ticket.ReopenWindow(), closed: map[string]bool{}}
	if s.Sync.SinceTime != "" {
		if p.Since, err = time.Parse(time.RFC3339Nano, s.Sync.SinceTime); err != nil {
			return nil, fmt.Errorf("parse sync.since_time: %w", err)
		}
	}
	for _, c := range s.Ticket.ClosedStatuses {
		p.closed[c.ID] = true
	}
	return p, nil
}

// CompanyLister is what listing companies for auto-match reads from the
// PSA; every psa.Connector is one.
type CompanyLister interface {
	Companies(ctx context.Context, f psa.CompanyFilter) ([]psa.Company, error)
}

// Companies lists the PSA companies auto-match chooses from: the types
// and classifications of companies.filter, or nil without a PSA call when
// auto_match is off. The engine caches the answer for Config.CompaniesTTL;
// explain asks every time.
func (p *Plan) Companies(ctx context.Context, c CompanyLister) ([]psa.Company, error) {
	f, needed := p.Rules.CompanyFilter()
	if !needed {
		return nil, nil
	}
	cs, err := c.Companies(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list companies for auto-match: %w", err)
	}
	return cs, nil
}

// Decide decides a stored alert with the company list from Companies and
// the organizations other integrations claim (nil: none).
func (p *Plan) Decide(a store.StoredAlert, companies []psa.Company, claims *Claims) rules.Decision {
	in := rules.Input{Companies: companies, Since: p.Since, Source: a.SourceID}
	if claims != nil {
		in.ClaimedBy = claims.ClaimedBy
	}
	return p.Rules.Decide(a.Alert, in, AlertKey(a))
}

// Closed reports whether a PSA ticket no longer takes notes: the PSA says
// so, or its status is one of ticket.closed_statuses. A note for a closed
// ticket becomes a new ticket of the group.
func (p *Plan) Closed(t psa.Ticket) bool { return t.Closed || p.closed[t.Status] }
