// Package integration holds the settings of one PSA integration: the schema
// that `apply -f` reads and `export` writes, its defaults, its validation
// (every problem, each saying what to set) and the plan/diff shown before a
// change is written. It does no I/O; name→id resolution against the PSA's
// picklists is done by the caller through a psa.Picklists value.
package integration

import "encoding/json"

// Settings is one integration of a tenant, as written in YAML. PSA values are
// Picks: written by the name the PSA shows, resolved to ids at apply time.
type Settings struct {
	Name       string     `yaml:"name" json:"name"`
	PSA        string     `yaml:"psa" json:"psa"`
	Enabled    *bool      `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	Connection Connection `yaml:"connection" json:"connection"`
	Sync       Sync       `yaml:"sync" json:"sync"`
	Companies  Companies  `yaml:"companies" json:"companies"`
	Ticket     Ticket     `yaml:"ticket" json:"ticket"`
	Notes      Notes      `yaml:"notes" json:"notes"`
	StatusSync StatusSync `yaml:"status_sync,omitempty" json:"status_sync,omitempty"`
	Contracts  Contracts  `yaml:"contracts,omitempty" json:"contracts,omitempty"`
	Routing    Routing    `yaml:"routing,omitempty" json:"routing,omitempty"`
}

// IsEnabled reports whether the integration delivers at all (default true).
func (s *Settings) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// Connection is how to reach the PSA. Secret values are SecretRefs: the YAML
// says where to read them (env, file); the store keeps them encrypted.
type Connection struct {
	// URL is the PSA's API root or site; whether it is required and what
	// an empty one discovers is the PSA's profile's to say
	// (integration.URLRule).
	URL             string    `yaml:"url,omitempty" json:"url,omitempty"`
	Username        string    `yaml:"username,omitempty" json:"username,omitempty"`
	Secret          SecretRef `yaml:"secret,omitempty" json:"secret,omitempty"`
	IntegrationCode SecretRef `yaml:"integration_code,omitempty" json:"integration_code,omitempty"`
	// Company is the login company id, where the PSA has one.
	Company string `yaml:"company,omitempty" json:"company,omitempty"`
	// PublicKey is the API member's public key (key-pair PSAs).
	PublicKey string `yaml:"public_key,omitempty" json:"public_key,omitempty"`
	// PrivateKey is the API member's private key.
	PrivateKey SecretRef `yaml:"private_key,omitempty" json:"private_key,omitempty"`
	// ClientID is the integration's client id; PSAs that issue one ask
	// that it be kept like a password, so it is a secret here too.
	ClientID SecretRef `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	// MemberID is the API member's identifier, used to tell our own
	// notes and changes from a technician's; optional.
	MemberID string `yaml:"member_id,omitempty" json:"member_id,omitempty"`
	// ClientSecret is an OAuth client's secret (client-credentials and
	// password grants).
	ClientSecret SecretRef `yaml:"client_secret,omitempty" json:"client_secret,omitempty"`
	// APIToken is a bearer-style API token (PSAs that issue one per user).
	APIToken SecretRef `yaml:"api_token,omitempty" json:"api_token,omitempty"`
	// RefreshToken is an OAuth refresh token, for PSAs that grant access
	// by one instead of by a stored password.
	RefreshToken SecretRef `yaml:"refresh_token,omitempty" json:"refresh_token,omitempty"`
	// Tenant is the PSA tenant an API account belongs to, where one
	// endpoint serves several.
	Tenant string `yaml:"tenant,omitempty" json:"tenant,omitempty"`
	// Subdomain is the account's subdomain, where the PSA names accounts
	// by one.
	Subdomain string `yaml:"subdomain,omitempty" json:"subdomain,omitempty"`
	// Region is the PSA's data region, where its API root depends on it.
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Table is the table tickets are written to, where the PSA has more
	// than one kind of ticket.
	Table string `yaml:"table,omitempty" json:"table,omitempty"`
	// RequestsPerHour is this integration's request budget; default the
	// PSA profile's.
	RequestsPerHour int `yaml:"requests_per_hour,omitempty" json:"requests_per_hour,omitempty"`
	// BudgetWindow is the window RequestsPerHour is counted over: 1h
	// unless a test or benchmark scales an hour down to seconds (the
	// simulators scale theirs the same way).
	BudgetWindow string `yaml:"budget_window,omitempty" json:"budget_window,omitempty"`
	// MaxConcurrent caps calls in flight; default the PSA profile's.
	MaxConcurrent int `yaml:"max_concurrent,omitempty" json:"max_concurrent,omitempty"`
}

// SecretRef says where a secret comes from. Exactly one of Env, File or
// Value is set in YAML; Stored marks an exported secret that is kept as it
// is in the database (export never writes a value).
type SecretRef struct {
	Env    string `yaml:"env,omitempty" json:"env,omitempty"`
	File   string `yaml:"file,omitempty" json:"file,omitempty"`
	Value  string `yaml:"value,omitempty" json:"-"`
	Stored bool   `yaml:"stored,omitempty" json:"stored,omitempty"`
}

// IsZero reports whether no source is given.
func (r SecretRef) IsZero() bool { return r.Env == "" && r.File == "" && r.Value == "" && !r.Stored }

// MarshalJSON writes a reference as the database keeps it: a value
// (given inline to apply, or to the API) becomes `stored`, the database
// holding it encrypted; the value itself is never written.
func (r SecretRef) MarshalJSON() ([]byte, error) {
	type plain SecretRef
	return json.Marshal(plain(redactRef(r)))
}

// Sync says which alerts are synced and whether updates flow to the PSA.
type Sync struct {
	// Since is "now", "7d", "30d", a Go duration, or an RFC 3339 time.
	// Alerts that occurred before it are recorded as skipped.
	Since string `yaml:"since,omitempty" json:"since,omitempty"`
	// SinceTime is Since resolved against the apply time (RFC 3339); it is
	// what the rules compare against, so "7d" does not slide every day.
	SinceTime    string   `yaml:"-" json:"since_time,omitempty"`
	Update       bool     `yaml:"update,omitempty" json:"update,omitempty"`
	ExcludeTypes []string `yaml:"exclude_types,omitempty" json:"exclude_types,omitempty"`
	// ReconcileEvery is how often the engine re-reads from the PSA what
	// these settings name, to report drift before deliveries fail: a
	// duration of at least MinReconcileEvery, or "off"; default
	// DefaultReconcileEvery.
	ReconcileEvery string `yaml:"reconcile_every,omitempty" json:"reconcile_every,omitempty"`
}

// Companies says which PSA company and contact an alert's organization maps to.
type Companies struct {
	CatchAll       CatchAll      `yaml:"catch_all" json:"catch_all"`
	AttachContacts bool          `yaml:"attach_contacts,omitempty" json:"attach_contacts,omitempty"`
	AutoMatch      bool          `yaml:"auto_match,omitempty" json:"auto_match,omitempty"`
	Filter         CompanyFilter `yaml:"filter,omitempty" json:"filter,omitempty"`
	Ignore         []Pick        `yaml:"ignore,omitempty" json:"ignore,omitempty"`
	Map            []Mapping     `yaml:"map,omitempty" json:"map,omitempty"`
}

// CatchAll is the company (and contact) for organizations not mapped.
type CatchAll struct {
	Company Pick `yaml:"company" json:"company"`
	Contact Pick `yaml:"contact,omitempty" json:"contact,omitempty"`
}

// CompanyFilter narrows the companies listed for matching by account type
// and classification names.
type CompanyFilter struct {
	Types           []Pick `yaml:"types,omitempty" json:"types,omitempty"`
	Classifications []Pick `yaml:"classifications,omitempty" json:"classifications,omitempty"`
	// MarketSegments are market segment names, where the PSA has them.
	MarketSegments []Pick `yaml:"market_segments,omitempty" json:"market_segments,omitempty"`
	// Accounts is parent (accounts with no parent account), child
	// (accounts under one) or all (default), where the PSA has account
	// hierarchies.
	Accounts string `yaml:"accounts,omitempty" json:"accounts,omitempty"`
}

// Mapping ties one organization (by id, or by name when the source sends no
// id) to a company and optional contact, or disables it.
type Mapping struct {
	Organization string `yaml:"organization" json:"organization"`
	Company      Pick   `yaml:"company,omitempty" json:"company,omitempty"`
	// Contact is a contact's email or "First Last" name in the company.
	Contact Pick  `yaml:"contact,omitempty" json:"contact,omitempty"`
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
}

// IsEnabled reports whether the organization creates tickets (default true).
func (m Mapping) IsEnabled() bool { return m.Enabled == nil || *m.Enabled }

// GroupBy says which alerts share one open ticket.
type GroupBy string

// Grouping strategies.
const (
	GroupNone      GroupBy = "none"       // every alert its own ticket
	GroupUser      GroupBy = "user"       // one ticket per user
	GroupUserAlert GroupBy = "user_alert" // one ticket per user and alert type
	GroupSubject   GroupBy = "subject"    // the rendered subject is the key
)

// Ticket holds the defaults for new tickets and the overrides.
type Ticket struct {
	Category     Pick   `yaml:"category,omitempty" json:"category"`
	Type         Pick   `yaml:"type,omitempty" json:"type"`
	Status       Pick   `yaml:"status" json:"status"`
	Queue        Pick   `yaml:"queue" json:"queue"`
	Source       Pick   `yaml:"source" json:"source"`
	IssueType    Pick   `yaml:"issue_type,omitempty" json:"issue_type,omitempty"`
	SubIssueType Pick   `yaml:"sub_issue_type,omitempty" json:"sub_issue_type,omitempty"`
	Subject      string `yaml:"subject" json:"subject"`
	// Description is a template for the ticket body; empty uses the default.
	Description string  `yaml:"description,omitempty" json:"description,omitempty"`
	GroupBy     GroupBy `yaml:"group_by" json:"group_by"`
	// Priority maps each alert severity to a PSA priority.
	Priority map[string]Pick `yaml:"priority" json:"priority"`
	// DueIn sets the due date of new tickets (some PSAs require one unless
	// the category supplies it). A Go duration; default 24h.
	DueIn string `yaml:"due_in,omitempty" json:"due_in,omitempty"`
	// ReopenWithin, when set, reopens a group's ticket closed less than
	// this long ago for the group's next alert instead of opening a new
	// one (see ReopenWindow). Off by default.
	ReopenWithin string `yaml:"reopen_within,omitempty" json:"reopen_within,omitempty"`
	// ClosedStatuses are statuses besides the PSA's own "complete" that
	// count as closed: the next alert of the group opens a new ticket.
	ClosedStatuses []Pick     `yaml:"closed_statuses,omitempty" json:"closed_statuses,omitempty"`
	Overrides      []Override `yaml:"overrides,omitempty" json:"overrides,omitempty"`
}

// Override sets ticket fields for alerts of one type, respond rule or IOC
// rule. Exactly one of the match keys is set. The first matching override
// in the order alert type, respond rule, IOC rule wins over the defaults.
type Override struct {
	AlertType    string `yaml:"alert_type,omitempty" json:"alert_type,omitempty"`
	RespondRule  string `yaml:"respond_rule,omitempty" json:"respond_rule,omitempty"`
	IOCRule      string `yaml:"ioc_rule,omitempty" json:"ioc_rule,omitempty"`
	IssueType    Pick   `yaml:"issue_type,omitempty" json:"issue_type,omitempty"`
	SubIssueType Pick   `yaml:"sub_issue_type,omitempty" json:"sub_issue_type,omitempty"`
	Queue        Pick   `yaml:"queue,omitempty" json:"queue,omitempty"`
	Priority     Pick   `yaml:"priority,omitempty" json:"priority,omitempty"`
}

// Notes holds how alerts added to an open ticket are written.
type Notes struct {
	Type       Pick   `yaml:"type,omitempty" json:"type"`
	Visibility string `yaml:"visibility" json:"visibility"` // internal | external
	Title      string `yaml:"title" json:"title"`
}
