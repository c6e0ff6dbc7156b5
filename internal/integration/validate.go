package integration

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Problem is one thing wrong with settings: where, and what to set.
type Problem struct {
	Path    string // "companies.catch_all.company", "ticket.priority.low"
	Message string // "required: set the PSA company that receives ..."
}

// String renders the problem as "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Message }

// ValidationError lists every problem found, not just the first, so one
// apply run shows the admin everything to fix.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems one per line, indented under a count.
func (e *ValidationError) Error() string {
	var b strings.Builder
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "invalid settings (%d %s):", len(e.Problems), noun)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Join returns a ValidationError holding the problems of every
// ValidationError in errs, in order; nil when there are none. It returns
// the first other error as it is.
func Join(errs ...error) error {
	var all []Problem
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		all = append(all, ve.Problems...)
	}
	if len(all) == 0 {
		return nil
	}
	return &ValidationError{Problems: all}
}

// problems collects Problems in the order the checks run.
type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

// PlannedPSAs are named in the message for a PSA no driver serves yet,
// so an admin knows it is coming rather than misspelled.
var PlannedPSAs = []string{"halopsa", "syncro", "superops", "servicenow"}

// Severities lists the alert severities the priority map must cover. It
// mirrors alert.Severities; integration does not import alert so the
// settings schema stays free of the alert model.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// Validate checks settings (normally after ApplyDefaults) against the
// profile of the PSA they name, one of known, and returns a
// *ValidationError listing every problem, each with what to set. It checks
// shape only; whether names exist in the PSA is Resolve's job.
func Validate(s Settings, known Profiles) error {
	var ps problems
	p, ok := validateIntegration(&ps, &s, known)
	validateSync(&ps, &s.Sync)
	validateCompanies(&ps, &s.Companies)
	validateTicket(&ps, p, &s.Ticket)
	validateOverrides(&ps, &s.Ticket)
	validateNotes(&ps, p, &s.Notes)
	if ok {
		validateProfile(&ps, p, &s)
	}
	validateStatusSync(&ps, &s)
	validateContracts(&ps, &s)
	validateRouting(&ps, &s.Routing)
	return ps.err()
}

// validateIntegration checks the name and the PSA, and returns the PSA's
// profile (a zero one, which requires everything, when it is unknown).
func validateIntegration(ps *problems, s *Settings, known Profiles) (Profile, bool) {
	if strings.TrimSpace(s.Name) == "" {
		ps.add("name", `required: set a name for this integration, unique in the tenant (e.g. "psa-production")`)
	}
	set := quoteOr(known.Names())
	var planned []string
	for _, name := range PlannedPSAs {
		if _, served := known.Lookup(name); !served {
			planned = append(planned, name)
		}
	}
	later := ""
	if len(planned) > 0 {
		later = fmt.Sprintf(" (%s %s planned)", joinAnd(planned), map[bool]string{true: "is", false: "are"}[len(planned) == 1])
	}
	name := strings.ToLower(strings.TrimSpace(s.PSA))
	p, ok := known.Lookup(name)
	switch {
	case name == "":
		ps.add("psa", `required: set %s%s`, set, later)
	case ok:
	case slices.Contains(planned, name):
		ps.add("psa", `%q is not supported yet: set %s%s`, s.PSA, set, later)
	default:
		ps.add("psa", `unknown PSA %q: set %s%s`, s.PSA, set, later)
	}
	if ok {
		validateConnectionKeys(ps, p, &s.Connection)
	}
	validateConnection(ps, p, &s.Connection)
	return p, ok
}

// quoteOr renders names as `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
func quoteOr(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func validateConnection(ps *problems, p Profile, c *Connection) {
	if c.URL != "" {
		validateURL(ps, p, c.URL)
	}
	refs := c.SecretRefs()
	for _, name := range sortedKeys(refs) {
		if r := refs[name]; countSet(r.Env != "", r.File != "", r.Value != "", r.Stored) > 1 {
			ps.add("connection."+name, "set only one of env, file, value or stored")
		}
	}
	of := ""
	if p.Name != "" {
		of = fmt.Sprintf(" (%s: %d)", p.Name, p.RequestsPerHour)
	}
	if c.RequestsPerHour < 0 {
		ps.add("connection.requests_per_hour", "must be positive: set the PSA's request budget per hour%s", of)
	}
	if p.Name != "" {
		of = fmt.Sprintf(" (%s: %d)", p.Name, p.MaxConcurrent)
	}
	if c.MaxConcurrent < 0 {
		ps.add("connection.max_concurrent", "must be positive: set how many calls may be in flight%s", of)
	}
}

// validateURL checks connection.url: an http(s) URL, and where the URL is
// a site the API path is discovered under, the site's root.
func validateURL(ps *problems, p Profile, raw string) {
	u, err := url.Parse(raw)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	switch {
	case p.URL.SiteOnly && !ok:
		ps.add("connection.url", "%q is not an http(s) URL: set the %s site, e.g. %s", raw, p.Title, p.URL.Example)
	case p.URL.SiteOnly && strings.Trim(u.Path, "/") != "":
		ps.add("connection.url", "%q has a path: set the site only, e.g. %s://%s (the API path is discovered)", raw, u.Scheme, u.Host)
	case !ok && p.URL.Required:
		ps.add("connection.url", "%q is not an http(s) URL: set the PSA's API root, e.g. %s", raw, p.URL.Example)
	case !ok && p.URL.Discovers != "":
		ps.add("connection.url", "%q is not an http(s) URL: set the PSA's API root, or leave it empty to discover %s", raw, p.URL.Discovers)
	case !ok:
		ps.add("connection.url", "%q is not an http(s) URL: set the PSA's API root", raw)
	}
}

func validateSync(ps *problems, s *Sync) {
	if _, err := ResolveSince(s.Since, time.Time{}); err != nil {
		ps.add("sync.since", "%v", err)
	}
	checkNameList(ps, "sync.exclude_types", s.ExcludeTypes, "an alert type")
	validateReconcileEvery(ps, s)
}

// checkNameList reports empty and repeated (case-insensitive) names.
func checkNameList(ps *problems, path string, names []string, what string) {
	seen := make(map[string]int, len(names))
	for i, n := range names {
		key := strings.ToLower(strings.TrimSpace(n))
		p := fmt.Sprintf("%s[%d]", path, i)
		if key == "" {
			ps.add(p, "empty: set %s or remove the entry", what)
			continue
		}
		if j, ok := seen[key]; ok {
			ps.add(p, "%q repeats %s[%d]: remove one", n, path, j)
			continue
		}
		seen[key] = i
	}
}

func pickNames(ps []Pick) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func validateCompanies(ps *problems, c *Companies) {
	if c.CatchAll.Company.IsZero() {
		ps.add("companies.catch_all.company", "required: set the PSA company that receives alerts of unmapped organizations")
	}
	if c.AttachContacts && c.CatchAll.Contact.IsZero() {
		of := "the catch-all company"
		if !c.CatchAll.Company.IsZero() {
			of = fmt.Sprintf("%q", c.CatchAll.Company.String())
		}
		ps.add("companies.catch_all.contact", "required when companies.attach_contacts is true: set a contact of %s", of)
	}
	checkNameList(ps, "companies.filter.types", pickNames(c.Filter.Types), "a company type")
	checkNameList(ps, "companies.filter.classifications", pickNames(c.Filter.Classifications), "a classification")
	checkNameList(ps, "companies.filter.market_segments", pickNames(c.Filter.MarketSegments), "a market segment")
	switch strings.ToLower(strings.TrimSpace(c.Filter.Accounts)) {
	case "", "all", psa.AccountsParent, psa.AccountsChild:
	default:
		ps.add("companies.filter.accounts", "unknown %q: set parent (accounts with no parent account), child (accounts under one) or all", c.Filter.Accounts)
	}
	checkNameList(ps, "companies.ignore", pickNames(c.Ignore), "a company name")
	validateMappings(ps, c)
}

// MappingPath is the path of a companies.map entry in problems and plans:
// by organization when it has one, else by index.
func MappingPath(i int, m Mapping) string {
	if org := strings.TrimSpace(m.Organization); org != "" {
		return "companies.map[" + org + "]"
	}
	return fmt.Sprintf("companies.map[%d]", i)
}

func validateMappings(ps *problems, c *Companies) {
	ignored := make(map[string]bool, len(c.Ignore))
	for _, p := range c.Ignore {
		ignored[strings.ToLower(strings.TrimSpace(p.String()))] = true
	}
	seen := map[string]int{}
	for i, m := range c.Map {
		path := MappingPath(i, m)
		org := strings.ToLower(strings.TrimSpace(m.Organization))
		switch j, dup := seen[org]; {
		case org == "":
			ps.add(path+".organization", "required: set the organization id (or its name, when the source sends no id) this entry maps")
		case dup:
			ps.add(path+".organization", "%q is mapped twice (entries %d and %d): keep one entry per organization", m.Organization, j+1, i+1)
		default:
			seen[org] = i
		}
		switch {
		case m.Company.IsZero() && m.IsEnabled():
			ps.add(path+".company", "required: set the PSA company for this organization, or set enabled: false to create no tickets for it")
		case ignored[strings.ToLower(strings.TrimSpace(m.Company.String()))]:
			ps.add(path+".company", "%q is in companies.ignore: remove it from companies.ignore or map another company", m.Company.String())
		}
		if !m.Contact.IsZero() && m.Company.IsZero() {
			ps.add(path+".contact", "a contact needs a company: set %s.company", path)
		}
	}
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}
