// Package alert holds the canonical alert every source is translated into,
// its enumerations and its validation. It does no I/O.
//
// Decode reads the ingest contract's request bodies (one object, an array,
// or NDJSON). Unknown top-level fields are ignored rather than rejected, so
// a source built against a newer version of the contract keeps working
// against an older ticketbridge; only the fields named in the contract are
// checked and kept.
package alert

import (
	"time"
)

// Kind tells an issue (a finding) from an incident (something happening).
type Kind string

// Kinds of alert.
const (
	KindIssue    Kind = "issue"
	KindIncident Kind = "incident"
)

// Severity is the source's judgement of how bad an alert is.
type Severity string

// Severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Severities lists every valid severity, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// Status is where an alert stands in its life.
type Status string

// Statuses of an alert.
const (
	StatusOpen       Status = "open"
	StatusInProgress Status = "in_progress"
	StatusResolved   Status = "resolved"
	StatusIgnored    Status = "ignored"
)

// Statuses lists every valid status.
var Statuses = []Status{StatusOpen, StatusInProgress, StatusResolved, StatusIgnored}

// Done reports whether the status ends the alert's life (resolved or ignored).
func (s Status) Done() bool { return s == StatusResolved || s == StatusIgnored }

// RuleKind says what kind of detection rule raised an alert.
type RuleKind string

// Rule kinds.
const (
	RuleRespond RuleKind = "respond"
	RuleIOC     RuleKind = "ioc"
	RuleOther   RuleKind = "other"
)

// Organization is the MSP's customer as the source knows it.
type Organization struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// BillableUsers is the organization's billable user count, when the
	// source reports it with the alert (see also PUT
	// /api/v1/organizations/{id}/billable-users).
	BillableUsers *int `json:"billable_users,omitempty"`
}

// Key is the organization's identity for mapping: its id, or its name when
// the source sends no id.
func (o Organization) Key() string {
	if o.ID != "" {
		return o.ID
	}
	return o.Name
}

// Rule is the detection rule that raised an alert.
type Rule struct {
	Kind RuleKind `json:"kind,omitempty"`
	ID   string   `json:"id,omitempty"`
	Name string   `json:"name,omitempty"`
}

// User is the person an alert is about.
type User struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// Device is the machine an alert is about.
type Device struct {
	Name string `json:"name,omitempty"`
}

// Alert is the canonical event of the ingest contract (DESIGN.md).
type Alert struct {
	ID           string            `json:"id"`
	Kind         Kind              `json:"kind,omitempty"`
	Organization Organization      `json:"organization"`
	Type         string            `json:"type"`
	Rule         *Rule             `json:"rule,omitempty"`
	Severity     Severity          `json:"severity"`
	Status       Status            `json:"status,omitempty"`
	Title        string            `json:"title"`
	Description  string            `json:"description,omitempty"`
	User         *User             `json:"user,omitempty"`
	Device       *Device           `json:"device,omitempty"`
	OccurredAt   time.Time         `json:"occurred_at"`
	URL          string            `json:"url,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
}

// Normalize fills the defaults the contract promises: kind issue, status open.
func (a *Alert) Normalize() {
	if a.Kind == "" {
		a.Kind = KindIssue
	}
	if a.Status == "" {
		a.Status = StatusOpen
	}
	if a.Rule != nil && a.Rule.Kind == "" {
		a.Rule.Kind = RuleOther
	}
}

// UserEmail returns the alert's user email, or "" when it has none.
func (a *Alert) UserEmail() string {
	if a.User == nil {
		return ""
	}
	return a.User.Email
}
