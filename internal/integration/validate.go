package integration

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
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

// Error joins the problems into one line.
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return fmt.Sprintf("invalid settings (%d problems): %s", len(e.Problems), strings.Join(msgs, "; "))
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

// SupportedPSAs are the PSAs an integration may name today; PlannedPSAs
// are named in the message so an admin knows the rest is coming.
var (
	SupportedPSAs = []string{PSAAutotask, PSAConnectWise}
	PlannedPSAs   = []string{"halopsa", "syncro", "superops", "servicenow"}
)

// Severities lists the alert severities the priority map must cover. It
// mirrors alert.Severities; integration does not import alert so the
// settings schema stays free of the alert model.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// Validate checks settings (normally after ApplyDefaults) and returns a
// *ValidationError listing every problem, each with what to set. It checks
// shape only; whether names exist in the PSA is Resolve's job.
func Validate(s Settings) error {
	var ps problems
	validateIntegration(&ps, &s)
	validateSync(&ps, &s.Sync)
	validateCompanies(&ps, &s.Companies)
	validateTicket(&ps, s.PSA, &s.Ticket)
	validateOverrides(&ps, &s.Ticket)
	validateNotes(&ps, s.PSA, &s.Notes)
	if isConnectWise(s.PSA) {
		validateConnectWiseOnly(&ps, &s)
	}
	validateStatusSync(&ps, &s)
	validateContracts(&ps, &s)
	return ps.err()
}

func validateIntegration(ps *problems, s *Settings) {
	if strings.TrimSpace(s.Name) == "" {
		ps.add("name", `required: set a name for this integration, unique in the tenant (e.g. "autotask")`)
	}
	set := quoteOr(SupportedPSAs)
	planned := strings.Join(PlannedPSAs[:len(PlannedPSAs)-1], ", ") + " and " + PlannedPSAs[len(PlannedPSAs)-1]
	psa := strings.ToLower(strings.TrimSpace(s.PSA))
	switch {
	case psa == "":
		ps.add("psa", `required: set %s (%s are planned)`, set, planned)
	case psa == PSAAutotask:
		validateAutotaskConnection(ps, &s.Connection)
	case psa == PSAConnectWise:
		validateConnectWiseConnection(ps, &s.Connection)
	case slices.Contains(PlannedPSAs, psa):
		ps.add("psa", `%q is not supported yet: set %s (%s are planned)`, s.PSA, set, planned)
	default:
		ps.add("psa", `unknown PSA %q: set %s (%s are planned)`, s.PSA, set, planned)
	}
	validateConnection(ps, psa, &s.Connection)
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

func validateAutotaskConnection(ps *problems, c *Connection) {
	if strings.TrimSpace(c.Username) == "" {
		ps.add("connection.username", "required for autotask: set the API user's username (key)")
	}
	if c.Secret.IsZero() {
		ps.add("connection.secret", "required for autotask: set env or file to where the API user's secret (password) is")
	}
	if c.IntegrationCode.IsZero() {
		ps.add("connection.integration_code", "required for autotask: set env or file to where the API tracking identifier (integration code) is")
	}
	unused(ps, PSAAutotask, "connection.username, connection.secret and connection.integration_code",
		keyUse{c.Company != "", "connection.company"}, keyUse{c.PublicKey != "", "connection.public_key"},
		keyUse{!c.PrivateKey.IsZero(), "connection.private_key"}, keyUse{!c.ClientID.IsZero(), "connection.client_id"})
}

func validateConnectWiseConnection(ps *problems, c *Connection) {
	if strings.TrimSpace(c.URL) == "" {
		ps.add("connection.url", "required for connectwise: set the site, e.g. https://api-na.myconnectwise.net (or your on-premise host)")
	}
	if strings.TrimSpace(c.Company) == "" {
		ps.add("connection.company", "required for connectwise: set the company id you log in with")
	}
	if strings.TrimSpace(c.PublicKey) == "" {
		ps.add("connection.public_key", "required for connectwise: set the API member's public key")
	}
	if c.PrivateKey.IsZero() {
		ps.add("connection.private_key", "required for connectwise: set env or file to where the API member's private key is")
	}
	if c.ClientID.IsZero() {
		ps.add("connection.client_id", "required for connectwise: set env or file to where the integration's clientId (from the ConnectWise developer portal) is")
	}
	unused(ps, PSAConnectWise, "connection.company, connection.public_key, connection.private_key and connection.client_id",
		keyUse{c.Username != "", "connection.username"}, keyUse{!c.Secret.IsZero(), "connection.secret"},
		keyUse{!c.IntegrationCode.IsZero(), "connection.integration_code"})
}

// keyUse is whether a connection key is set, by path.
type keyUse struct {
	set  bool
	path string
}

// unused reports connection keys of another PSA: a leftover from a copied
// file would otherwise be ignored silently.
func unused(ps *problems, psa, instead string, keys ...keyUse) {
	for _, k := range keys {
		if k.set {
			ps.add(k.path, "not used by %s: remove it (%s set the credentials)", psa, instead)
		}
	}
}

func validateConnection(ps *problems, psa string, c *Connection) {
	if c.URL != "" {
		validateURL(ps, psa, c.URL)
	}
	for _, ref := range []struct {
		path string
		r    SecretRef
	}{
		{"connection.secret", c.Secret}, {"connection.integration_code", c.IntegrationCode},
		{"connection.private_key", c.PrivateKey}, {"connection.client_id", c.ClientID},
	} {
		if n := countSet(ref.r.Env != "", ref.r.File != "", ref.r.Value != "", ref.r.Stored); n > 1 {
			ps.add(ref.path, "set only one of env, file, value or stored")
		}
	}
	if c.RequestsPerHour < 0 {
		ps.add("connection.requests_per_hour", "must be positive: set the PSA's request budget per hour (autotask: %d)", AutotaskRequestsPerHour)
	}
	if c.MaxConcurrent < 0 {
		ps.add("connection.max_concurrent", "must be positive: set how many calls may be in flight (autotask: %d)", AutotaskMaxConcurrent)
	}
}

// validateURL checks connection.url: an http(s) URL, and for ConnectWise
// the site's root (the codebase path is discovered, never configured).
func validateURL(ps *problems, psa, raw string) {
	u, err := url.Parse(raw)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	switch {
	case psa == PSAConnectWise && !ok:
		ps.add("connection.url", "%q is not an http(s) URL: set the ConnectWise site, e.g. https://api-na.myconnectwise.net", raw)
	case psa == PSAConnectWise && strings.Trim(u.Path, "/") != "":
		ps.add("connection.url", "%q has a path: set the site only, e.g. %s://%s (the API path is discovered)", raw, u.Scheme, u.Host)
	case !ok:
		ps.add("connection.url", "%q is not an http(s) URL: set the PSA's API root, or leave it empty to discover the zone", raw)
	}
}

func validateSync(ps *problems, s *Sync) {
	if _, err := ResolveSince(s.Since, time.Time{}); err != nil {
		ps.add("sync.since", "%v", err)
	}
	checkNameList(ps, "sync.exclude_types", s.ExcludeTypes, "an alert type")
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
