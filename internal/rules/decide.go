package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// companySource says how the company was chosen.
type companySource int

const (
	fromMap companySource = iota
	fromAutoMatch
	fromCatchAll
)

// Decide decides what happens to one newly stored alert under this
// integration. alertKey is unique to the alert (the engine passes
// "sourceID/alertID"); it keys group_by none, is the last-resort group key
// and ends every body as AlertMarker(alertKey). Decide does no I/O and
// never fails: whatever goes wrong is a reason in the Decision.
func (r *Ruleset) Decide(a alert.Alert, in Input, alertKey string) Decision {
	var d Decision
	m, mapped := r.mapping(a.Organization)
	skip := r.skip(a, in, m, mapped)
	if skip == nil && !mapped && in.ClaimedBy != nil {
		if other := in.ClaimedBy(a.Organization, in.Source); other != "" {
			skip = &Skip{SkipOrgNotRouted, fmt.Sprintf("organization %s not routed here: integration %s maps it", orgLabel(a.Organization), other)}
		}
	}
	if skip != nil {
		d.Skip = skip
		d.Reasons = []string{skip.Reason}
		return d
	}
	src := r.company(&d, a, m, mapped, in.Companies)
	if src == fromCatchAll && r.routing.MappedOnly() {
		d.Skip = &Skip{SkipOrgNotRouted, fmt.Sprintf("organization %s not routed here: neither mapped nor auto-matched, and routing.organizations is mapped", orgLabel(a.Organization))}
		d.CompanyID, d.CompanyName, d.Reasons = "", "", []string{d.Skip.Reason}
		return d
	}
	r.contact(&d, a, m, src)
	data := templateData(a)
	body := r.withMarker(standardBody(a), alertKey)
	r.ticket(&d, a, data, body, alertKey)
	r.attachContract(&d, m, src)
	d.GroupKey = r.groupKey(a, alertKey, d.Ticket.Title, src == fromCatchAll)
	d.Reasons = append(d.Reasons, fmt.Sprintf("group by %s: key %s", r.groupBy, d.GroupKey))
	d.Note = psa.NewNote{
		Title:       r.render(r.noteTitle, data, a, "note title", r.limits.NoteTitle, &d.Reasons),
		Description: body,
		Type:        r.noteType,
		Visibility:  r.visibility,
	}
	return d
}

// mapping finds the organization's entry of companies.map: by its id,
// else by its name.
func (r *Ruleset) mapping(o alert.Organization) (integration.Mapping, bool) {
	m, ok := r.orgs[norm(o.ID)]
	if !ok {
		m, ok = r.orgs[norm(o.Name)]
	}
	return m, ok
}

// skip runs the checks that stop an alert, in their documented order.
func (r *Ruleset) skip(a alert.Alert, in Input, m integration.Mapping, mapped bool) *Skip {
	switch {
	case !r.enabled:
		return &Skip{SkipIntegrationDisabled, "integration disabled"}
	case !r.routing.TakesSource(in.Source):
		return &Skip{SkipSourceNotRouted, fmt.Sprintf("source %s not routed here: routing.sources takes %s", in.Source, strings.Join(r.routing.Sources, ", "))}
	case r.exclude[norm(a.Type)]:
		return &Skip{SkipExcludedType, "excluded by type: " + a.Type}
	case !in.Since.IsZero() && a.OccurredAt.Before(in.Since):
		return &Skip{SkipTooOld, fmt.Sprintf("too old: occurred %s, before sync.since %s",
			a.OccurredAt.UTC().Format(time.RFC3339), in.Since.UTC().Format(time.RFC3339))}
	case a.Status.Done():
		return &Skip{SkipNotOpen, fmt.Sprintf("not open: arrived %s", a.Status)}
	case mapped && !m.IsEnabled():
		return &Skip{SkipOrgDisabled, "organization disabled: " + a.Organization.Key()}
	}
	return nil
}

// company sets the company: mapped, else auto-matched by name, else the
// catch-all.
func (r *Ruleset) company(d *Decision, a alert.Alert, m integration.Mapping, mapped bool, companies []psa.Company) companySource {
	if mapped && !m.Company.IsZero() {
		d.CompanyID, d.CompanyName = m.Company.ID, m.Company.String()
		d.Reasons = append(d.Reasons, fmt.Sprintf("company %s: mapped organization %s", d.CompanyName, m.Organization))
		return fromMap
	}
	var note string
	if r.autoMatch {
		c, ignored := r.matchByName(a.Organization.Name, companies)
		if c != nil {
			d.CompanyID, d.CompanyName = c.ID, c.Name
			d.Reasons = append(d.Reasons, fmt.Sprintf("company %s: auto-matched by name", c.Name))
			return fromAutoMatch
		}
		if ignored != nil {
			note = fmt.Sprintf("; company %s has its name but is in companies.ignore", ignored.Name)
		}
	}
	d.CompanyID, d.CompanyName = r.catchAll.Company.ID, r.catchAll.Company.String()
	d.Reasons = append(d.Reasons, fmt.Sprintf("catch-all company %s: organization %s not mapped%s",
		d.CompanyName, orgLabel(a.Organization), note))
	return fromCatchAll
}

// matchByName finds the first company named like the organization that
// is not ignored; ignored reports an ignored company of that name.
func (r *Ruleset) matchByName(orgName string, companies []psa.Company) (match, ignored *psa.Company) {
	want := strings.TrimSpace(orgName)
	if want == "" {
		return nil, nil
	}
	for i := range companies {
		c := &companies[i]
		// EqualFold, not norm: this loop runs over every company for
		// every unmapped alert and must not allocate.
		if !strings.EqualFold(strings.TrimSpace(c.Name), want) {
			continue
		}
		if r.ignore["id:"+c.ID] || r.ignore["name:"+norm(want)] {
			ignored = c
			continue
		}
		return c, nil
	}
	return nil, ignored
}

// contact sets the lookup order for the ticket's contact.
func (r *Ruleset) contact(d *Decision, a alert.Alert, m integration.Mapping, src companySource) {
	if !r.attachContacts {
		return
	}
	p := ContactPlan{Attach: true, Email: strings.TrimSpace(a.UserEmail())}
	var fallback integration.Pick
	switch src {
	case fromMap:
		fallback = m.Contact
	case fromCatchAll:
		fallback = r.catchAll.Contact
	}
	p.FallbackID, p.FallbackName = fallback.ID, fallback.Name
	p.CompanyDefault = p.FallbackID == ""
	d.Contact = p

	steps := make([]string, 0, 2)
	if p.Email != "" {
		steps = append(steps, "by email "+p.Email)
	}
	if p.FallbackID != "" {
		steps = append(steps, "contact "+fallback.String())
	} else {
		steps = append(steps, "the company's default contact")
	}
	d.Reasons = append(d.Reasons, "contact: "+strings.Join(steps, ", else "))
}

// orgLabel names an organization in reasons: "org-77 (Foo)".
func orgLabel(o alert.Organization) string {
	switch {
	case o.ID != "" && o.Name != "":
		return o.ID + " (" + o.Name + ")"
	case o.ID != "":
		return o.ID
	}
	return fmt.Sprintf("%q", o.Name)
}
