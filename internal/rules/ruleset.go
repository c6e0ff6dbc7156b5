package rules

import (
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Ruleset is one settings version compiled for deciding: templates parsed
// and lookups keyed. Build it once per settings version; Decide, TicketBody
// and NoteBody are safe for concurrent use (nothing is written after
// Compile).
type Ruleset struct {
	limits         integration.Limits
	enabled        bool
	exclude        map[string]bool
	orgs           map[string]integration.Mapping
	ignore         map[string]bool // company ids and lowercased names
	autoMatch      bool
	companyFilter  psa.CompanyFilter // companies.filter as ids
	attachContacts bool
	catchAll       integration.CatchAll
	routing        integration.Routing

	defaults fieldSet
	priority map[alert.Severity]integration.Pick
	byType   map[string]*integration.Override
	byRule   map[string]*integration.Override // respond rules, by id or name
	byIOC    map[string]*integration.Override
	groupBy  integration.GroupBy

	subject, description, noteTitle *template.Template
	noteType                        string
	visibility                      psa.Visibility

	// contracts are the contracts.map entries by organization, nil when
	// contracts.attach_to_tickets is off.
	contracts map[string]integration.ContractMap
}

// fieldSet is the PSA values of a ticket that defaults and overrides set.
type fieldSet struct {
	category, typ, status, queue, source, issue, subIssue integration.Pick
}

// Compile builds a Ruleset from settings, normally resolved ones (Picks
// with ids), rendering within the default field limits. Defaults are
// applied to a copy, so stored settings that predate a default still
// compile. It fails only on what Validate also rejects: a template that
// does not parse or an unknown group_by.
func Compile(s integration.Settings) (*Ruleset, error) {
	return CompileFor(s, integration.Limits{})
}

// CompileFor is Compile for a PSA whose profile has limits: rendering
// keeps to them where they are tighter than the defaults.
func CompileFor(s integration.Settings, limits integration.Limits) (*Ruleset, error) {
	integration.ApplyDefaults(&s)
	r := &Ruleset{
		limits:         limitsFor(limits),
		enabled:        s.IsEnabled(),
		exclude:        make(map[string]bool, len(s.Sync.ExcludeTypes)),
		orgs:           make(map[string]integration.Mapping, len(s.Companies.Map)),
		ignore:         make(map[string]bool, 2*len(s.Companies.Ignore)),
		autoMatch:      s.Companies.AutoMatch,
		attachContacts: s.Companies.AttachContacts,
		catchAll:       s.Companies.CatchAll,
		routing:        s.Routing,
		priority:       make(map[alert.Severity]integration.Pick, len(s.Ticket.Priority)),
		groupBy:        s.Ticket.GroupBy,
		noteType:       s.Notes.Type.ID,
		visibility:     psa.Visibility(strings.ToLower(s.Notes.Visibility)),
	}
	r.compileLookups(&s)
	r.compileOverrides(s.Ticket.Overrides)
	r.contracts = compileContracts(s.Contracts)
	if err := r.compileTemplates(&s); err != nil {
		return nil, err
	}
	switch r.groupBy {
	case integration.GroupNone, integration.GroupUser, integration.GroupUserAlert, integration.GroupSubject:
	default:
		return nil, fmt.Errorf("compile settings: unknown group_by %q", r.groupBy)
	}
	return r, nil
}

func (r *Ruleset) compileLookups(s *integration.Settings) {
	for _, t := range s.Sync.ExcludeTypes {
		r.exclude[norm(t)] = true
	}
	for _, m := range s.Companies.Map {
		if k := norm(m.Organization); k != "" {
			if _, dup := r.orgs[k]; !dup { // Validate forbids duplicates; first wins
				r.orgs[k] = m
			}
		}
	}
	for _, p := range s.Companies.Filter.Types {
		r.companyFilter.Types = append(r.companyFilter.Types, p.ID)
	}
	for _, p := range s.Companies.Filter.Classifications {
		r.companyFilter.Classifications = append(r.companyFilter.Classifications, p.ID)
	}
	for _, p := range s.Companies.Filter.MarketSegments {
		r.companyFilter.MarketSegments = append(r.companyFilter.MarketSegments, p.ID)
	}
	if a := norm(s.Companies.Filter.Accounts); a != "all" {
		r.companyFilter.Accounts = a
	}
	for _, p := range s.Companies.Ignore {
		if p.ID != "" {
			r.ignore["id:"+p.ID] = true
		}
		if p.Name != "" {
			r.ignore["name:"+norm(p.Name)] = true
		}
	}
	for sev, p := range s.Ticket.Priority {
		r.priority[alert.Severity(norm(sev))] = p
	}
	t := &s.Ticket
	r.defaults = fieldSet{t.Category, t.Type, t.Status, t.Queue, t.Source, t.IssueType, t.SubIssueType}
}

// compileOverrides keys overrides by what they match. The first override
// with a key wins, matching the documented "first matching override".
func (r *Ruleset) compileOverrides(os []integration.Override) {
	r.byType = map[string]*integration.Override{}
	r.byRule = map[string]*integration.Override{}
	r.byIOC = map[string]*integration.Override{}
	os = slices.Clone(os) // the Ruleset must not share the caller's array
	for i := range os {
		o := &os[i]
		for _, k := range []struct {
			m   map[string]*integration.Override
			key string
		}{{r.byType, o.AlertType}, {r.byRule, o.RespondRule}, {r.byIOC, o.IOCRule}} {
			if key := norm(k.key); key != "" && k.m[key] == nil {
				k.m[key] = o
			}
		}
	}
}

func (r *Ruleset) compileTemplates(s *integration.Settings) error {
	var err error
	if r.subject, err = integration.ParseTemplate("subject", s.Ticket.Subject); err != nil {
		return fmt.Errorf("compile settings: %w", err)
	}
	if r.noteTitle, err = integration.ParseTemplate("note title", s.Notes.Title); err != nil {
		return fmt.Errorf("compile settings: %w", err)
	}
	if strings.TrimSpace(s.Ticket.Description) != "" {
		if r.description, err = integration.ParseTemplate("description", s.Ticket.Description); err != nil {
			return fmt.Errorf("compile settings: %w", err)
		}
	}
	return nil
}

// CompanyFilter says which PSA companies Input.Companies must hold:
// needed is false without companies.auto_match (Decide then reads no
// companies, and listing them would only spend PSA requests); otherwise f
// is companies.filter as the PSA's type and classification ids. Every
// caller that builds an Input lists companies through it, so a prediction
// cannot auto-match a company the filter leaves out.
func (r *Ruleset) CompanyFilter() (f psa.CompanyFilter, needed bool) {
	if !r.autoMatch {
		return psa.CompanyFilter{}, false
	}
	return psa.CompanyFilter{
		Types:           slices.Clone(r.companyFilter.Types),
		Classifications: slices.Clone(r.companyFilter.Classifications),
		MarketSegments:  slices.Clone(r.companyFilter.MarketSegments),
		Accounts:        r.companyFilter.Accounts,
	}, true
}

// norm is the comparison form of names and keys: trimmed, lowercase.
func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
