package store

import (
	"context"
	"strings"
	"time"
)

// OrganizationQueries are the reads and writes of organizations, of a
// source's token and of an integration's removal. Every method takes the
// tenant, so no call can reach another tenant's rows.
type OrganizationQueries interface {
	// UpsertOrganizations records organizations, each once per
	// (tenant, key): a new key is inserted with its origin, a known one
	// keeps its origin and creation time and takes a changed non-empty
	// name. An unchanged organization writes nothing, so ingest may call
	// it for every commit.
	UpsertOrganizations(ctx context.Context, orgs []Organization) error
	// Organizations lists a tenant's organizations alphabetically (by
	// SortKey, then Key), after the filter's cursor, at most Limit (<= 0:
	// all).
	Organizations(ctx context.Context, f OrganizationFilter) ([]Organization, error)
	// Organization reads one organization by key; ErrNotFound when none.
	Organization(ctx context.Context, tenant, key string) (Organization, error)

	// RotateSourceToken gives a source a new token hash (its old token
	// stops working at once); ErrNotFound when the source does not exist,
	// ErrConflict when the hash is taken.
	RotateSourceToken(ctx context.Context, tenant, id, tokenHash string) error
	// RevokeSourceToken removes a source's token: requests with it are
	// refused, the source and its alerts stay. ErrNotFound when the
	// source does not exist.
	RevokeSourceToken(ctx context.Context, tenant, id string) error

	// IntegrationData counts what DeleteIntegration would remove.
	IntegrationData(ctx context.Context, tenant string, id int64) (IntegrationData, error)
	// DeleteIntegration removes a tenant's integration with its routes,
	// ticket links, deliveries, timeline entries, cursors (drift findings,
	// poll marks, budget), seen events, billing audit and lease, in one
	// transaction, and returns what it removed; ErrNotFound when the
	// integration does not exist. Alerts stay.
	DeleteIntegration(ctx context.Context, tenant string, id int64) (IntegrationData, error)
}

// Organization is one of the MSP's customers as an alert source knows it,
// or a PSA company imported as one.
type Organization struct {
	TenantID string
	// Key is how alerts and mappings name it: the source's id for it, or
	// its name when the source sends no id (alert.Organization.Key).
	Key  string
	ID   string
	Name string
	// Origin says where it came from: "source:<source id>" for the first
	// source that sent it, "psa:<integration>" for an imported company.
	Origin    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SortKey is the organization's place in alphabetical listings: its name
// (or key without one), lowercased.
func (o Organization) SortKey() string {
	if o.Name != "" {
		return strings.ToLower(o.Name)
	}
	return strings.ToLower(o.Key)
}

// Origins of organizations.
const (
	OriginSourcePrefix = "source:"
	OriginPSAPrefix    = "psa:"
)

// OrganizationFilter selects organizations for listing.
type OrganizationFilter struct {
	TenantID string
	// Query keeps organizations whose name or key contains it, case
	// insensitively.
	Query string
	// AfterSortKey and AfterKey page: only organizations after this one.
	AfterSortKey, AfterKey string
	Limit                  int
}

// IntegrationData counts an integration's rows by kind.
type IntegrationData struct {
	Routes        int64 `json:"routes"`
	TicketLinks   int64 `json:"ticket_links"`
	OpenTickets   int64 `json:"open_tickets"`
	Deliveries    int64 `json:"deliveries"`
	Timeline      int64 `json:"timeline_entries"`
	Cursors       int64 `json:"cursors"`
	SeenEvents    int64 `json:"seen_events"`
	BillingAudits int64 `json:"billing_audits"`
}
