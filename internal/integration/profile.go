package integration

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Profile is what the settings layer knows of one PSA without calling it:
// its connection defaults, the connection keys it reads, how its URL is
// checked, the settings it has no twin for and any check of its own. Each
// PSA driver declares one; Validate and ApplyDefaults read it, so no check
// in this package names a PSA.
type Profile struct {
	// Name is how settings name the PSA, lower case.
	Name string
	// Title is how people name it, in messages.
	Title string
	// RequestsPerHour and MaxConcurrent are the connection defaults.
	RequestsPerHour int
	MaxConcurrent   int
	// Connection lists the connection keys (besides url and the budget
	// keys) the PSA reads. A key the PSA does not read is an error when
	// set: a leftover from a copied file would otherwise be ignored.
	Connection []ConnectionKey
	// URL says how connection.url is checked.
	URL URLRule
	// Unsupported maps settings the PSA has no twin for (by path, one of
	// SettingPaths) to what to do instead. Setting one is an error with
	// that message; a required one is no longer required.
	Unsupported map[string]string
	// Optional lists settings required in general (by path) that this PSA
	// can do without, e.g. notes.type where a PSA has one kind of note.
	Optional []string
	// Check runs the PSA's own checks after the shared ones.
	Check func(s *Settings) []Problem
	// Limits are the PSA's field sizes, in characters.
	Limits Limits
	// Published is the request limit the PSA publishes, zero when it
	// publishes none; a budget over it is a warning at apply.
	Published Rate
}

// Rate is a number of requests per window.
type Rate struct {
	Requests int
	Window   time.Duration
	// Scope says what the limit is shared by ("per database"), for the
	// warning.
	Scope string
}

// PerHour is the rate over an hour; 0 when unset.
func (r Rate) PerHour() float64 {
	if r.Requests <= 0 || r.Window <= 0 {
		return 0
	}
	return float64(r.Requests) * float64(time.Hour) / float64(r.Window)
}

// BudgetWarning says when the connection's budget is over the PSA's
// published limit, "" otherwise.
func (p Profile) BudgetWarning(c Connection) string {
	published := p.Published.PerHour()
	if published == 0 || c.RequestsPerHour <= 0 {
		return ""
	}
	window := time.Hour
	if c.BudgetWindow != "" {
		if d, err := time.ParseDuration(c.BudgetWindow); err == nil && d > 0 {
			window = d
		}
	}
	budget := Rate{Requests: c.RequestsPerHour, Window: window}
	if budget.PerHour() <= published {
		return ""
	}
	return fmt.Sprintf("connection.requests_per_hour: %d per %s is over %s's published limit of %d per %s%s: the PSA will refuse the excess with 429s; lower it",
		c.RequestsPerHour, window, p.Title, p.Published.Requests, p.Published.Window, scope(p.Published.Scope))
}

func scope(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// Limits are a PSA's field sizes, in characters. Rendering truncates to
// the tightest of every driver's (rules.FieldLimits), which a test holds
// at or under each profile's.
type Limits struct {
	Title, NoteTitle, Description, Note int
}

// ConnectionKey is one connection setting a PSA reads.
type ConnectionKey struct {
	// Path is the key's path, one of ConnectionKeyPaths.
	Path string
	// Required makes a missing value an error.
	Required bool
	// Hint says what to set, after "required for <psa>: ".
	Hint string
}

// URLRule says how a PSA's connection.url is checked.
type URLRule struct {
	// Required makes an empty URL an error; otherwise the connector
	// discovers where the API is.
	Required bool
	// SiteOnly means the URL is the site's root and a path is an error:
	// the API path is discovered there.
	SiteOnly bool
	// Example is shown in messages.
	Example string
	// Discovers names what an empty URL leaves the connector to find
	// ("the zone"), when it is not required.
	Discovers string
}

// Lacks reports whether the PSA has no twin for the setting at path, and
// what to do instead.
func (p Profile) Lacks(path string) (string, bool) {
	msg, ok := p.Unsupported[path]
	return msg, ok
}

// optional reports whether the setting at path is not required here.
func (p Profile) optional(path string) bool {
	_, lacks := p.Unsupported[path]
	return lacks || slices.Contains(p.Optional, path)
}

// reads reports whether the PSA reads the connection key at path.
func (p Profile) reads(path string) bool {
	return slices.ContainsFunc(p.Connection, func(k ConnectionKey) bool { return k.Path == path })
}

// Verify checks the profile itself: a path it names that settings do not
// have is a driver's bug, caught by the drivers' tests rather than by an
// admin.
func (p Profile) Verify() error {
	var errs []string
	if p.Name == "" || p.Name != strings.ToLower(strings.TrimSpace(p.Name)) {
		errs = append(errs, fmt.Sprintf("name %q: want a lower-case name", p.Name))
	}
	if p.Title == "" || p.RequestsPerHour <= 0 || p.MaxConcurrent <= 0 {
		errs = append(errs, "title, requests per hour and max concurrent are required")
	}
	if l := p.Limits; l.Title <= 0 || l.NoteTitle <= 0 || l.Description <= 0 || l.Note <= 0 {
		errs = append(errs, "every field limit is required")
	}
	for _, k := range p.Connection {
		if _, ok := connectionKeys[k.Path]; !ok {
			errs = append(errs, fmt.Sprintf("connection key %q is not one of %s", k.Path, strings.Join(ConnectionKeyPaths(), ", ")))
		}
		if k.Required && k.Hint == "" {
			errs = append(errs, fmt.Sprintf("connection key %q is required but has no hint", k.Path))
		}
	}
	for path := range p.Unsupported {
		if _, ok := settingSet[path]; !ok {
			errs = append(errs, fmt.Sprintf("unsupported setting %q is not one of %s", path, strings.Join(SettingPaths(), ", ")))
		}
	}
	for _, path := range p.Optional {
		if _, ok := settingSet[path]; !ok {
			errs = append(errs, fmt.Sprintf("optional setting %q is not one of %s", path, strings.Join(SettingPaths(), ", ")))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("profile %s: %s", p.Name, strings.Join(errs, "; "))
	}
	return nil
}

// Profiles are the PSAs settings may name.
type Profiles []Profile

// Lookup finds the profile of the PSA named name (case-insensitive).
func (ps Profiles) Lookup(name string) (Profile, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// Names lists the PSAs' names in order.
func (ps Profiles) Names() []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// connectionKeys says, per connection key path, whether it is set.
var connectionKeys = map[string]func(*Connection) bool{
	"connection.username":         func(c *Connection) bool { return strings.TrimSpace(c.Username) != "" },
	"connection.secret":           func(c *Connection) bool { return !c.Secret.IsZero() },
	"connection.integration_code": func(c *Connection) bool { return !c.IntegrationCode.IsZero() },
	"connection.company":          func(c *Connection) bool { return strings.TrimSpace(c.Company) != "" },
	"connection.public_key":       func(c *Connection) bool { return strings.TrimSpace(c.PublicKey) != "" },
	"connection.private_key":      func(c *Connection) bool { return !c.PrivateKey.IsZero() },
	"connection.client_id":        func(c *Connection) bool { return !c.ClientID.IsZero() },
	"connection.member_id":        func(c *Connection) bool { return strings.TrimSpace(c.MemberID) != "" },
	"connection.client_secret":    func(c *Connection) bool { return !c.ClientSecret.IsZero() },
	"connection.api_token":        func(c *Connection) bool { return !c.APIToken.IsZero() },
	"connection.refresh_token":    func(c *Connection) bool { return !c.RefreshToken.IsZero() },
	"connection.tenant":           func(c *Connection) bool { return strings.TrimSpace(c.Tenant) != "" },
	"connection.subdomain":        func(c *Connection) bool { return strings.TrimSpace(c.Subdomain) != "" },
	"connection.region":           func(c *Connection) bool { return strings.TrimSpace(c.Region) != "" },
	"connection.table":            func(c *Connection) bool { return strings.TrimSpace(c.Table) != "" },
}

// connectionKeyOrder is the order of the keys in settings, which problems
// follow.
var connectionKeyOrder = []string{
	"connection.username", "connection.secret", "connection.integration_code", "connection.company",
	"connection.public_key", "connection.private_key", "connection.client_id", "connection.member_id",
	"connection.client_secret", "connection.api_token", "connection.refresh_token", "connection.tenant",
	"connection.subdomain", "connection.region", "connection.table",
}

// ConnectionKeyPaths lists the connection keys a profile may name, in
// the order settings hold them.
func ConnectionKeyPaths() []string { return slices.Clone(connectionKeyOrder) }

// settingSet says, per setting path a profile may name, whether it is set.
var settingSet = map[string]func(*Settings) bool{
	"ticket.category":                  func(s *Settings) bool { return !s.Ticket.Category.IsZero() },
	"ticket.type":                      func(s *Settings) bool { return !s.Ticket.Type.IsZero() },
	"ticket.source":                    func(s *Settings) bool { return !s.Ticket.Source.IsZero() },
	"ticket.queue":                     func(s *Settings) bool { return !s.Ticket.Queue.IsZero() },
	"ticket.issue_type":                func(s *Settings) bool { return !s.Ticket.IssueType.IsZero() },
	"ticket.sub_issue_type":            func(s *Settings) bool { return !s.Ticket.SubIssueType.IsZero() },
	"companies.filter.types":           func(s *Settings) bool { return len(s.Companies.Filter.Types) > 0 },
	"companies.filter.classifications": func(s *Settings) bool { return len(s.Companies.Filter.Classifications) > 0 },
	"companies.filter.market_segments": func(s *Settings) bool { return len(s.Companies.Filter.MarketSegments) > 0 },
	"companies.filter.accounts": func(s *Settings) bool {
		return s.Companies.Filter.Accounts != "" && !strings.EqualFold(s.Companies.Filter.Accounts, "all")
	},
	"notes.type":                  func(s *Settings) bool { return !s.Notes.Type.IsZero() },
	"ticket.reopen_within":        func(s *Settings) bool { return s.Ticket.ReopenWindow() > 0 },
	"contracts.attach_to_tickets": func(s *Settings) bool { return s.Contracts.AttachToTickets || len(s.Contracts.Map) > 0 },
	"contracts.billable_users":    func(s *Settings) bool { return s.Contracts.BillableUsers.Enabled },
	"status_sync.enabled":         func(s *Settings) bool { return s.StatusSync.Enabled },
	"status_sync.webhooks":        func(s *Settings) bool { return s.StatusSync.Webhooks },
	"status_sync.only_untouched":  func(s *Settings) bool { return s.StatusSync.OnlyUntouched },
}

// SettingPaths lists the settings a profile may declare unsupported or
// optional.
func SettingPaths() []string { return sortedKeys(settingSet) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// validateProfile runs what the PSA's profile asks beyond the connection
// and the ticket defaults: unsupported settings and its own check.
func validateProfile(ps *problems, p Profile, s *Settings) {
	for _, path := range SettingPaths() {
		if msg, lacks := p.Lacks(path); lacks && settingSet[path](s) && !isTicketDefault(path) {
			ps.add(path, "%s", msg)
		}
	}
	if p.Check != nil {
		*ps = append(*ps, p.Check(s)...)
	}
}

// validateConnectionKeys checks the connection keys the profile names:
// required ones set, and none the PSA does not read.
func validateConnectionKeys(ps *problems, p Profile, c *Connection) {
	if strings.TrimSpace(c.URL) == "" && p.URL.Required {
		what := "the API's address"
		if p.URL.SiteOnly {
			what = "the site"
		}
		ps.add("connection.url", "required for %s: set %s, e.g. %s (or your on-premise host)", p.Name, what, p.URL.Example)
	}
	var required []string
	for _, k := range p.Connection {
		if !k.Required {
			continue
		}
		required = append(required, k.Path)
		if !connectionKeys[k.Path](c) {
			ps.add(k.Path, "required for %s: %s", p.Name, k.Hint)
		}
	}
	for _, path := range ConnectionKeyPaths() {
		if connectionKeys[path](c) && !p.reads(path) {
			ps.add(path, "not used by %s: remove it (%s set the credentials)", p.Name, joinAnd(required))
		}
	}
}

// isTicketDefault reports whether path is one of the required ticket
// defaults, whose profile problems validateTicket reports in its order.
func isTicketDefault(path string) bool {
	return slices.ContainsFunc(requiredTicketFields, func(f requiredTicketField) bool { return f.path == path })
}

// joinAnd renders names as "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
