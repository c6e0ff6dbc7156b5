package integration

// StatusSync keeps ticket and alert status in step both ways.
type StatusSync struct {
	Enabled bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Issues and Incidents map our statuses to PSA statuses, separately
	// for the two kinds of alert.
	Issues    StatusMap `yaml:"issues,omitempty" json:"issues,omitempty"`
	Incidents StatusMap `yaml:"incidents,omitempty" json:"incidents,omitempty"`
	// AutoResolve resolves a ticket once every alert on it is resolved or
	// ignored (needs sync.update).
	AutoResolve bool `yaml:"auto_resolve,omitempty" json:"auto_resolve,omitempty"`
	// OnlyUntouched makes auto-resolve leave tickets a person has worked
	// on (a note, time entry or status change not made by our API user).
	OnlyUntouched bool `yaml:"only_untouched,omitempty" json:"only_untouched,omitempty"`
	// PollInterval is how often PSA changes are polled (default 60s).
	PollInterval string `yaml:"poll_interval,omitempty" json:"poll_interval,omitempty"`
	// Webhooks registers a PSA webhook so changes arrive within a second;
	// the poller stays as the safety net.
	Webhooks bool `yaml:"webhooks,omitempty" json:"webhooks,omitempty"`
	// PublicURL is ticketbridge's base URL as the PSA can reach it; the
	// webhook is registered at PublicURL/hooks/{integration}.
	PublicURL string `yaml:"public_url,omitempty" json:"public_url,omitempty"`
}

// StatusMap maps each of our statuses to one PSA status; FromPSA maps
// further PSA statuses back to one of ours. PSA statuses in neither are
// ignored.
type StatusMap struct {
	Open       Pick          `yaml:"open,omitempty" json:"open,omitempty"`
	InProgress Pick          `yaml:"in_progress,omitempty" json:"in_progress,omitempty"`
	Resolved   Pick          `yaml:"resolved,omitempty" json:"resolved,omitempty"`
	Ignored    Pick          `yaml:"ignored,omitempty" json:"ignored,omitempty"`
	FromPSA    []PSAStatusTo `yaml:"from_psa,omitempty" json:"from_psa,omitempty"`
}

// PSAStatusTo maps one more PSA status back to one of ours.
type PSAStatusTo struct {
	PSA Pick   `yaml:"psa" json:"psa"`
	To  string `yaml:"to" json:"to"` // open, in_progress, resolved, ignored
}

// Contracts attaches contracts to tickets and syncs billable user counts.
type Contracts struct {
	AttachToTickets bool          `yaml:"attach_to_tickets,omitempty" json:"attach_to_tickets,omitempty"`
	BillableUsers   BillableUsers `yaml:"billable_users,omitempty" json:"billable_users,omitempty"`
	Map             []ContractMap `yaml:"map,omitempty" json:"map,omitempty"`
}

// BillableUsers makes a contract service's units equal the organization's
// billable user count once a month.
type BillableUsers struct {
	Enabled    bool   `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	DayOfMonth int    `yaml:"day_of_month,omitempty" json:"day_of_month,omitempty"` // 1-28
	TimeZone   string `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`       // IANA name, default UTC
	// DefaultService is the contract service whose units are synced.
	DefaultService Pick    `yaml:"default_service,omitempty" json:"default_service,omitempty"`
	UnitPrice      float64 `yaml:"unit_price,omitempty" json:"unit_price,omitempty"`
	UnitCost       float64 `yaml:"unit_cost,omitempty" json:"unit_cost,omitempty"`
}

// ContractMap ties an organization to one of its company's contracts.
type ContractMap struct {
	Organization string `yaml:"organization" json:"organization"`
	// Contract is resolved among the mapped company's active contracts.
	Contract Pick `yaml:"contract" json:"contract"`
	// AddService puts the default service on the contract (if missing)
	// and syncs its units.
	AddService bool     `yaml:"add_service,omitempty" json:"add_service,omitempty"`
	UnitPrice  *float64 `yaml:"unit_price,omitempty" json:"unit_price,omitempty"`
	UnitCost   *float64 `yaml:"unit_cost,omitempty" json:"unit_cost,omitempty"`
}
