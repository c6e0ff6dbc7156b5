// Package store is the persistence port: the records ticketbridge keeps, in
// domain words, and the interface every engine (SQLite, PostgreSQL)
// implements. Exactly-once lives here: unique constraints decide one alert
// per (source, id) and one creating-or-open ticket link per (integration,
// company, group key).
package store

import (
	"context"
	"errors"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// DefaultTenant is the tenant used until multi-tenancy is configurable.
const DefaultTenant = "default"

// QualifiedName names an integration across tenants, where metrics and
// budgets need one name space: the bare name in the default tenant (so a
// single-tenant installation reads as before), "tenant/name" elsewhere.
func QualifiedName(tenant, name string) string {
	if tenant == "" || tenant == DefaultTenant {
		return name
	}
	return tenant + "/" + name
}

// Sentinel errors every engine returns (wrapped with context).
var (
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is a unique-constraint violation: another writer got there
	// first (a second open link for a group, a duplicate route).
	ErrConflict = errors.New("store: conflict")
)

// Store is a database. Queries run on their own; InTx runs fn in one
// transaction that commits only when fn returns nil.
type Store interface {
	Queries
	InTx(ctx context.Context, fn func(q Queries) error) error
	// ProbeWrite commits a small write where the store keeps its data and
	// returns what stopped it: readiness asks, so that a store that cannot
	// write (a read-only file or folder, a full disk, a read-only server)
	// is not reported ready while ingest answers 503.
	ProbeWrite(ctx context.Context) error
	// PruneAlerts deletes, in one short transaction, up to limit (> 0) of
	// the tenant's alerts last received or changed (UpdatedAt) before
	// cutoff, oldest first, together with their timeline, routes,
	// deliveries and callbacks, and returns how many alerts it deleted.
	// It keeps every alert that still has work or a live ticket: one
	// routed or delivered to a ticket link that is creating or open, one
	// with a pending delivery or callback, one whose status change the
	// engine has not handled yet. So what it deletes is finished: its
	// deliveries are done, failed or merged. Fewer than limit means no
	// more alerts are due before cutoff.
	PruneAlerts(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error)
	// PruneRawBodies deletes up to limit of the tenant's raw bodies
	// received before cutoff and returns how many it deleted.
	PruneRawBodies(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error)
	Close() error
}

// Queries is every read and write, available on the store and inside a
// transaction alike.
type Queries interface {
	OrganizationQueries

	// Sources and tokens.
	CreateSource(ctx context.Context, s Source) error
	// SetSourceFormat changes a source's format and settings;
	// ErrNotFound when it does not exist.
	SetSourceFormat(ctx context.Context, tenant, id, format string, settings []byte) error
	SourceByTokenHash(ctx context.Context, tokenHash string) (Source, error)
	// SourcesByTokenHashes returns the sources holding any of the token
	// hashes, each once, in no particular order: one read for all the
	// tokens of an ingest commit.
	SourcesByTokenHashes(ctx context.Context, tokenHashes []string) ([]Source, error)
	Sources(ctx context.Context, tenant string) ([]Source, error)
	// CreateAPIToken stores a token (Role "" is RoleAdmin); ErrConflict
	// when its name is taken in the tenant or its hash anywhere.
	CreateAPIToken(ctx context.Context, t APIToken) error
	// APITokenByHash finds a token that is not revoked; ErrNotFound for
	// an unknown or revoked one, so a revocation takes effect at once.
	APITokenByHash(ctx context.Context, tokenHash string) (APIToken, error)

	// Tenants and their tokens (tenants.go).
	TenantQueries

	// Alerts.
	// UpsertAlert stores a new alert or updates the one with the same
	// (source, id); Created tells which.
	UpsertAlert(ctx context.Context, a StoredAlert) (UpsertResult, error)
	// UpsertAlerts is UpsertAlert for each alert in order, with the results
	// in the same order; an engine may send them together.
	UpsertAlerts(ctx context.Context, as []StoredAlert) ([]UpsertResult, error)
	AlertBySeq(ctx context.Context, seq int64) (StoredAlert, error)
	AlertBySourceID(ctx context.Context, tenant, sourceID, alertID string) (StoredAlert, error)
	// AlertsByKeys returns the stored alerts among keys, each once, in no
	// particular order: one read for a whole ingest commit, whatever
	// sources its requests came from.
	AlertsByKeys(ctx context.Context, keys []AlertKey) ([]StoredAlert, error)
	// CountAlertsSince counts the tenant's alerts that occurred at or after
	// since: what a new integration's sync.since lets through.
	CountAlertsSince(ctx context.Context, tenant string, since time.Time) (int64, error)
	// RecentAlertTypes lists the distinct types of the tenant's latest
	// limit alerts, in name order: a bounded read by the (tenant, seq)
	// index, however many alerts are kept.
	RecentAlertTypes(ctx context.Context, tenant string, limit int) ([]string, error)
	// ListAlerts lists the tenant's alerts matching the filter, newest
	// (highest seq) first.
	ListAlerts(ctx context.Context, f AlertFilter) ([]StoredAlert, error)
	// UnroutedAlerts lists a tenant's alerts with no route for the
	// integration, oldest first, after seq afterSeq.
	UnroutedAlerts(ctx context.Context, tenant string, integrationID, afterSeq int64, limit int) ([]StoredAlert, error)
	// AlertsByTicketLink lists the alerts routed to a ticket link.
	AlertsByTicketLink(ctx context.Context, linkID int64) ([]StoredAlert, error)

	// Integrations.
	PutIntegration(ctx context.Context, it Integration) (Integration, error)
	Integration(ctx context.Context, id int64) (Integration, error)
	IntegrationByName(ctx context.Context, tenant, name string) (Integration, error)
	Integrations(ctx context.Context, tenant string) ([]Integration, error)

	// Routes: the outcome of one alert under one integration.
	InsertRoute(ctx context.Context, r Route) error // ErrConflict if present
	// InsertRoutes records several routes in one statement; ErrConflict
	// if any is present (in a transaction, roll it back).
	InsertRoutes(ctx context.Context, rs []Route) error
	Routes(ctx context.Context, alertSeq int64) ([]Route, error)
	// DeleteSkippedRoutes forgets routes skipped with code so the alerts
	// are routed again (backfill when sync.since moves back).
	DeleteSkippedRoutes(ctx context.Context, integrationID int64, code string) (int64, error)
	SetRouteLink(ctx context.Context, alertSeq, integrationID, linkID int64) error

	// Ticket links.
	// OpenTicketLink returns the creating-or-open link for the group.
	OpenTicketLink(ctx context.Context, integrationID int64, companyID, groupKey string) (TicketLink, error)
	// LastClosedTicketLink returns the group's closed link that closed
	// last, if it closed at or after since (ticket.reopen_within);
	// ErrNotFound otherwise.
	LastClosedTicketLink(ctx context.Context, integrationID int64, companyID, groupKey string, since time.Time) (TicketLink, error)
	// CreateTicketLink inserts a link in state creating; ErrConflict when
	// the group already has a creating-or-open link.
	CreateTicketLink(ctx context.Context, l TicketLink) (TicketLink, error)
	UpdateTicketLink(ctx context.Context, l TicketLink) error
	TicketLink(ctx context.Context, id int64) (TicketLink, error)
	TicketLinks(ctx context.Context, integrationID int64) ([]TicketLink, error)
	// TicketLinkPage lists the tenant's links of one integration matching
	// f, newest (highest id) first, each with how many alerts it carries.
	TicketLinkPage(ctx context.Context, f TicketLinkFilter) ([]TicketLinkCount, error)
	// TicketLinkAlerts lists up to limit of the alerts routed to the
	// tenant's link, newest first; another tenant's link has none.
	TicketLinkAlerts(ctx context.Context, tenant string, linkID int64, limit int) ([]StoredAlert, error)

	// Deliveries.
	InsertDelivery(ctx context.Context, d Delivery) (Delivery, error)
	// InsertDeliveries stores several deliveries in one statement, ids
	// rising in their order, and returns them as stored.
	InsertDeliveries(ctx context.Context, ds []Delivery) ([]Delivery, error)
	UpdateDelivery(ctx context.Context, d Delivery) error
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// DueDeliveries lists pending deliveries of the integration whose next
	// attempt is due at now: creates, and notes whose link is open. Oldest
	// first.
	DueDeliveries(ctx context.Context, integrationID int64, now time.Time, limit int) ([]Delivery, error)
	// PendingNotes lists the pending note deliveries of one link (for
	// coalescing), oldest first, regardless of their next attempt time.
	PendingNotes(ctx context.Context, linkID int64) ([]Delivery, error)
	// NextDeliveryAt is the earliest next attempt among the deliveries
	// DueDeliveries may list (so not notes waiting for their ticket to be
	// created); ErrNotFound when there is none.
	NextDeliveryAt(ctx context.Context, integrationID int64) (time.Time, error)
	// OldestPendingDelivery is when the integration's oldest pending
	// delivery was queued (any kind, due or not); ErrNotFound when none is
	// pending. It is what an on-call person alerts on: work stuck for long.
	OldestPendingDelivery(ctx context.Context, integrationID int64) (time.Time, error)
	// Deliveries lists the deliveries matching f, newest first; a zero
	// field of f matches everything and Limit <= 0 means no limit.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	// CountDeliveries counts a tenant's deliveries in state ("" for all).
	CountDeliveries(ctx context.Context, tenant string, state DeliveryState) (int64, error)
	// DeliveryBacklog counts the tenant's pending and failed deliveries
	// per integration, with when the oldest pending one was queued; an
	// integration with neither is left out.
	DeliveryBacklog(ctx context.Context, tenant string) ([]Backlog, error)

	// Timeline.
	AppendTimeline(ctx context.Context, e TimelineEntry) error
	// AppendTimelines records several entries in one statement, in order.
	AppendTimelines(ctx context.Context, es []TimelineEntry) error
	Timeline(ctx context.Context, alertSeq int64) ([]TimelineEntry, error)

	// Status sync.
	// TicketLinkByPSAID finds the link of a PSA ticket (most recent first
	// if the PSA reused an id); ErrNotFound when we did not create it.
	TicketLinkByPSAID(ctx context.Context, integrationID int64, psaTicketID string) (TicketLink, error)
	// SetAlertStatus records an alert's new status and where it came from
	// ("source", or "psa:<integration name>"); ErrNotFound for no alert.
	SetAlertStatus(ctx context.Context, seq int64, st alert.Status, origin string, at time.Time) error
	// Cursor reads a named cursor of an integration (the status poller's
	// last-modified mark, billing's last synced period); ErrNotFound when
	// never set.
	Cursor(ctx context.Context, integrationID int64, name string) (string, error)
	SetCursor(ctx context.Context, integrationID int64, name, value string) error
	// StatusChanges lists alerts queued under the integration whose
	// current status differs from the status the engine last handled for
	// that route (Route.HandledStatus), oldest change first.
	StatusChanges(ctx context.Context, integrationID int64, limit int) ([]StoredAlert, error)
	// MarkStatusHandled records the status the engine has acted on.
	MarkStatusHandled(ctx context.Context, alertSeq, integrationID int64, st alert.Status) error
	// MarkSeen records an event key (a webhook's ticket id + sequence, a
	// polled change's ticket id + modification time) once; ErrConflict
	// when it was already recorded, which is how duplicates are dropped.
	MarkSeen(ctx context.Context, integrationID int64, key string, at time.Time) error

	// Callbacks: status changes reported back to a source's callback URL,
	// retried like deliveries.
	InsertCallback(ctx context.Context, c Callback) (Callback, error)
	UpdateCallback(ctx context.Context, c Callback) error
	// DueCallbacks lists pending callbacks of the tenant due at now,
	// oldest first.
	DueCallbacks(ctx context.Context, tenant string, now time.Time, limit int) ([]Callback, error)
	Callbacks(ctx context.Context, tenant string, alertSeq int64) ([]Callback, error)
	SourceByID(ctx context.Context, tenant, id string) (Source, error)

	// Unmatched mail: messages a mail source received that became no
	// alert, kept with the reason.
	AddUnmatchedMail(ctx context.Context, m UnmatchedMail) (UnmatchedMail, error)
	// UnmatchedMails lists the tenant's unmatched mail, newest first, at
	// most limit (<= 0: all).
	UnmatchedMails(ctx context.Context, tenant string, limit int) ([]UnmatchedMail, error)

	// Raw bodies: what a mapped source sent, kept for replay.
	// AddRawBodies stores bodies in order, inside the caller's
	// transaction (the one holding their alerts).
	AddRawBodies(ctx context.Context, bs []RawBody) error
	// RawBodies lists a source's bodies after id afterID, oldest first, at
	// most limit (<= 0: all).
	RawBodies(ctx context.Context, tenant, sourceID string, afterID int64, limit int) ([]RawBody, error)

	// Billing.
	// PutBillableCount sets an organization's billable user count (the
	// latest as-of wins; an older report does not overwrite a newer one).
	PutBillableCount(ctx context.Context, c BillableCount) error
	// PutBillableCounts is PutBillableCount for each count in order; an
	// engine may write them together.
	PutBillableCounts(ctx context.Context, cs []BillableCount) error
	BillableCounts(ctx context.Context, tenant string) ([]BillableCount, error)
	AppendBillingAudit(ctx context.Context, a BillingAudit) error
	// BillingAudits lists an integration's audit, newest first.
	BillingAudits(ctx context.Context, integrationID int64, limit int) ([]BillingAudit, error)

	// Leases: one holder per name (an integration's work) at a time.
	// AcquireLease takes a free or expired lease (new token, strictly
	// greater than any token ever issued for the name) or renews the
	// caller's own (same token, later expiry); ErrConflict when another
	// holder's lease has not expired.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (Lease, error)
	// ReleaseLease gives a lease up early so another replica can take over
	// at once; releasing a lease no longer held is not an error.
	ReleaseLease(ctx context.Context, l Lease) error
	// CheckLease fences writes: inside a transaction it returns
	// ErrLeaseLost unless l's token is still the current one for its name
	// and not expired at now, so a paused old holder cannot commit.
	CheckLease(ctx context.Context, l Lease, now time.Time) error
}

// ErrLeaseLost means a lease's holder was replaced or its lease expired.
var ErrLeaseLost = errors.New("store: lease lost")

// Lease is the right to work on one name until ExpiresAt.
type Lease struct {
	Name      string
	Holder    string
	Token     int64
	ExpiresAt time.Time
}

// Source is something that sends alerts, authenticated by a bearer token
// stored as a SHA-256 hash.
type Source struct {
	TenantID    string
	ID          string
	Name        string
	TokenHash   string
	CallbackURL string
	CreatedAt   time.Time
	// Format names how the source's bodies become canonical alerts
	// ("canonical", or a mapping such as "alertmanager"); empty is
	// canonical.
	Format string
	// Settings is the source's format settings as JSON (default
	// organization, organization from field, an adjusted mapping); the
	// store keeps it opaque.
	Settings []byte
}

// FormatOrCanonical returns the source's format, "canonical" when unset.
func (s Source) FormatOrCanonical() string {
	if s.Format == "" {
		return "canonical"
	}
	return s.Format
}

// SettingsOrEmpty returns the settings as text, "{}" when unset.
func (s Source) SettingsOrEmpty() string {
	if len(s.Settings) == 0 {
		return "{}"
	}
	return string(s.Settings)
}

// UnmatchedMail is a message a mail source received that became no alert:
// no rule matched it, or it did not parse. It is kept, raw, with the
// reason, so nothing acknowledged is lost.
type UnmatchedMail struct {
	ID         int64
	TenantID   string
	SourceID   string
	ReceivedAt time.Time
	Sender     string
	Subject    string
	MessageID  string
	Reason     string
	Raw        []byte
}

// RawBody is one request body (Kind "http") or mail (Kind "mail") a
// source with a mapped format sent, kept so its alerts can be derived
// again after the mapping changes.
type RawBody struct {
	ID         int64
	TenantID   string
	SourceID   string
	ReceivedAt time.Time
	Kind       string
	Body       []byte
}

// Kinds of raw bodies.
const (
	RawHTTP = "http"
	RawMail = "mail"
)

// APIToken authenticates the management API.
type APIToken struct {
	TenantID  string
	Name      string
	TokenHash string
	// Role is RoleAdmin (the tenant's own objects) or RoleOperator
	// (tenants themselves).
	Role      string
	CreatedAt time.Time
	// RevokedAt is when the token was revoked; nil while it is live.
	RevokedAt *time.Time
}

// AlertKey names an alert the way its source does: the source's id for
// it, under that source and tenant. It is the unique key of alerts.
type AlertKey struct {
	TenantID string
	SourceID string
	AlertID  string
}

// AlertFilter selects alerts for listing; empty fields match all.
type AlertFilter struct {
	TenantID string
	SourceID string
	// Organization is the organization's key (alert.Organization.Key).
	Organization string
	Status       string
	Type         string
	// OccurredFrom and OccurredTo bound when the alerts occurred, From
	// included, To not.
	OccurredFrom, OccurredTo time.Time
	// BeforeSeq pages: only alerts with a lower seq (0: from the newest).
	BeforeSeq int64
	Limit     int
}

// StoredAlert is an alert as kept: the canonical alert plus our bookkeeping.
type StoredAlert struct {
	Seq        int64 // our id, increasing
	TenantID   string
	SourceID   string
	Alert      alert.Alert
	ReceivedAt time.Time
	UpdatedAt  time.Time
	// StatusOrigin says where the current status came from: "source"
	// (ingest; also set by UpsertAlert when a re-send changes the status)
	// or "psa:<integration name>" (status sync).
	StatusOrigin    string
	StatusChangedAt time.Time
}

// UpsertResult tells what UpsertAlert did.
type UpsertResult struct {
	Seq     int64
	Created bool
	// PreviousStatus is the status before an update ("" when created).
	PreviousStatus alert.Status
}

// Integration is one PSA connection of a tenant. Settings is the JSON of
// integration.Settings (kept opaque here so the store does not depend on
// the schema); Credentials holds encrypted secrets by name.
type Integration struct {
	ID          int64
	TenantID    string
	Name        string
	PSA         string
	Settings    []byte
	Credentials map[string]string
	Version     int64 // bumped on every change
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// RouteOutcome says what routing did with an alert.
type RouteOutcome string

// Route outcomes.
const (
	RouteQueued  RouteOutcome = "queued"  // a create or note delivery exists
	RouteSkipped RouteOutcome = "skipped" // no ticket, see Code and Reason
)

// Route records the outcome of one alert under one integration; one per
// (alert, integration).
type Route struct {
	TenantID      string
	AlertSeq      int64
	IntegrationID int64
	Outcome       RouteOutcome
	Code          string // skip code when skipped
	Reason        string
	TicketLinkID  int64 // 0 when skipped
	// HandledStatus is the alert status the engine last acted on for this
	// route; InsertRoute callers set it to the status at routing time.
	HandledStatus alert.Status
	CreatedAt     time.Time
}

// LinkState is where a ticket link stands.
type LinkState string

// Ticket link states. At most one creating-or-open link per group.
const (
	LinkCreating LinkState = "creating" // create delivery pending; PSA id unknown
	LinkOpen     LinkState = "open"
	LinkClosed   LinkState = "closed" // the PSA closed it; the group starts anew
)

// TicketLink is one PSA ticket and the group it stands for.
type TicketLink struct {
	ID            int64
	TenantID      string
	IntegrationID int64
	CompanyID     string
	GroupKey      string
	State         LinkState
	// ExternalRef is written into the PSA ticket so recovery can find it.
	ExternalRef  string
	PSATicketID  string
	TicketNumber string
	PSAStatus    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     *time.Time
}

// TicketLinkFilter selects one page of an integration's ticket links.
type TicketLinkFilter struct {
	TenantID      string
	IntegrationID int64
	State         LinkState // "" for any
	BeforeID      int64     // 0 for the newest
	Limit         int
}

// TicketLinkCount is a ticket link with the number of alerts routed to it.
type TicketLinkCount struct {
	TicketLink
	Alerts int64
}

// Backlog is the unfinished work of one integration.
type Backlog struct {
	IntegrationID   int64
	Pending, Failed int64
	// OldestPending is when the oldest pending delivery was queued; zero
	// when none is pending.
	OldestPending time.Time
}

// DeliveryKind is the kind of outbound work.
type DeliveryKind string

// Delivery kinds.
const (
	DeliveryCreateTicket DeliveryKind = "create_ticket"
	DeliveryAddNote      DeliveryKind = "add_note"
	// DeliverySetStatus pushes a status to the link's ticket; its payload
	// names the PSA status id.
	DeliverySetStatus DeliveryKind = "set_status"
)

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "pending"
	DeliveryDone    DeliveryState = "done"
	// DeliveryFailed needs a person: a permanent PSA error or too many
	// attempts. A retry sets it back to pending.
	DeliveryFailed DeliveryState = "failed"
	// DeliveryMerged was carried by another delivery (coalesced into one
	// note, or folded into a new ticket after the old one closed).
	DeliveryMerged DeliveryState = "merged"
)

// Spent reports whether a delivery in state s has been carried out, by
// itself (done) or by another delivery (merged), and will never run again:
// nothing reads its payload any more, so the store does not keep it. A
// failed delivery is not spent: a person may put it back in the queue.
func (s DeliveryState) Spent() bool { return s == DeliveryDone || s == DeliveryMerged }

// Delivery is one unit of outbound work with its attempts.
type Delivery struct {
	ID            int64
	TenantID      string
	IntegrationID int64
	TicketLinkID  int64
	AlertSeq      int64
	Kind          DeliveryKind
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	// Payload is the JSON of the rules decision the delivery carries out.
	// The store keeps it while the delivery may still run and drops it
	// when the delivery is written in a spent state (see Spent): it was
	// the largest part of a stored alert and nothing reads it afterwards.
	Payload []byte
	// Result is the PSA object id written (ticket or note id).
	Result      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// DeliveryFilter selects deliveries for listing.
type DeliveryFilter struct {
	TenantID      string
	IntegrationID int64 // 0 for all
	State         DeliveryState
	AlertSeq      int64 // 0 for all
	Limit         int
}

// TimelineEntry is one decision or PSA call that happened to an alert.
type TimelineEntry struct {
	ID            int64
	TenantID      string
	AlertSeq      int64
	IntegrationID int64 // 0 for ingest events
	At            time.Time
	Event         string // received, updated, skipped, queued, ticket_created, note_added, retry, failed, ...
	Detail        string
}

// Callback is one status change to report to a source's callback URL.
type Callback struct {
	ID            int64
	TenantID      string
	SourceID      string
	AlertSeq      int64
	Payload       []byte // the JSON body to POST
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CompletedAt   *time.Time
}

// BillableCount is an organization's number of billable users as a source
// reported it.
type BillableCount struct {
	TenantID     string
	Organization string // organization id (or name when the source has no id)
	Count        int
	AsOf         time.Time
	UpdatedAt    time.Time
}

// BillingAudit records one billable-user sync decision for an organization.
type BillingAudit struct {
	ID                int64
	TenantID          string
	IntegrationID     int64
	Organization      string
	Period            string // the month synced, "2026-11"
	ContractID        string
	ContractServiceID string
	Action            string // service_added, adjusted, unchanged, failed
	Before, After     float64
	EffectiveDate     time.Time
	At                time.Time
	Detail            string
}
