package rules

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Field limits rendering keeps to unless the PSA's profile sets tighter
// ones: long enough for any alert, short enough for every PSA we know.
const (
	maxTitle       = 255
	maxNoteTitle   = 250
	maxDescription = 8000
)

// limitsFor is l with each unset or looser field at the default.
func limitsFor(l integration.Limits) integration.Limits {
	keep := func(v, def int) int {
		if v <= 0 || v > def {
			return def
		}
		return v
	}
	return integration.Limits{Title: keep(l.Title, maxTitle), NoteTitle: keep(l.NoteTitle, maxNoteTitle),
		Description: keep(l.Description, maxDescription), Note: l.Note}
}

// ticket fills the new-ticket fields: defaults, priority, override, title
// and description. body is the standard body, rendered once per decision
// for both the ticket and the note.
func (r *Ruleset) ticket(d *Decision, a alert.Alert, data integration.TemplateData, body, alertKey string) {
	f := r.defaults
	prio, ok := r.priority[alert.Severity(norm(string(a.Severity)))]
	if ok && !prio.IsZero() {
		d.Reasons = append(d.Reasons, fmt.Sprintf("priority %s: severity %s", prio, a.Severity))
	} else {
		d.Reasons = append(d.Reasons, fmt.Sprintf("no priority mapped for severity %q: the PSA's default applies", a.Severity))
	}
	if o, by := r.override(a); o != nil {
		r.applyOverride(d, &f, &prio, o, by)
	}
	d.Ticket = psa.NewTicket{
		CompanyID:    d.CompanyID,
		Title:        r.render(r.subject, data, a, "subject", r.limits.Title, &d.Reasons),
		Description:  r.ticketBody(a, data, body, alertKey, &d.Reasons),
		Status:       f.status.ID,
		Priority:     prio.ID,
		Queue:        f.queue.ID,
		Category:     f.category.ID,
		Type:         f.typ.ID,
		Source:       f.source.ID,
		IssueType:    f.issue.ID,
		SubIssueType: f.subIssue.ID,
	}
}

// override finds the first matching override: by alert type, then by
// respond rule (id or name), then by IOC rule (id or name). by names the
// match for the reason.
func (r *Ruleset) override(a alert.Alert) (o *integration.Override, by string) {
	if o := r.byType[norm(a.Type)]; o != nil {
		return o, "alert type " + o.AlertType
	}
	if a.Rule == nil {
		return nil, ""
	}
	var m map[string]*integration.Override
	var kind string
	switch a.Rule.Kind {
	case alert.RuleRespond:
		m, kind = r.byRule, "respond rule "
	case alert.RuleIOC:
		m, kind = r.byIOC, "IOC rule "
	default:
		return nil, ""
	}
	for _, k := range []string{a.Rule.ID, a.Rule.Name} {
		if o := m[norm(k)]; o != nil {
			return o, kind + strings.TrimSpace(o.RespondRule+o.IOCRule)
		}
	}
	return nil, ""
}

// applyOverride sets the override's fields over f and prio. A new issue
// type without a sub-issue type clears the default sub-issue type: it
// belongs to the default issue type and the PSA would reject the pair.
func (r *Ruleset) applyOverride(d *Decision, f *fieldSet, prio *integration.Pick, o *integration.Override, by string) {
	var set []string
	if !o.IssueType.IsZero() {
		set = append(set, "issue type "+o.IssueType.String())
		if o.SubIssueType.IsZero() && !f.subIssue.IsZero() && o.IssueType != f.issue {
			f.subIssue = integration.Pick{}
			set = append(set, "sub-issue type cleared")
		}
		f.issue = o.IssueType
	}
	if !o.SubIssueType.IsZero() {
		f.subIssue = o.SubIssueType
		set = append(set, "sub-issue type "+o.SubIssueType.String())
	}
	if !o.Queue.IsZero() {
		f.queue = o.Queue
		set = append(set, "queue "+o.Queue.String())
	}
	if !o.Priority.IsZero() {
		*prio = o.Priority
		set = append(set, "priority "+o.Priority.String())
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("override by %s: %s", by, strings.Join(set, ", ")))
}

// render executes a one-line template (subject, note title). A failure or
// an empty result falls back to the alert title, with a reason: a broken
// template must never lose an alert.
func (r *Ruleset) render(t *template.Template, data integration.TemplateData, a alert.Alert, what string, limit int, reasons *[]string) string {
	out, err := integration.ExecuteTemplate(t, data)
	out = oneLine(out)
	if err != nil || out == "" {
		why := "rendered empty"
		if err != nil {
			why = "failed: " + err.Error()
		}
		*reasons = append(*reasons, fmt.Sprintf("%s template %s; used the alert title", what, why))
		out = oneLine(strings.ToValidUTF8(a.Title, "\uFFFD"))
		if out == "" {
			out = oneLine(strings.ToValidUTF8(a.Type, "\uFFFD"))
		}
	}
	return integration.Truncate(out, limit)
}

// oneLine folds line breaks and tabs into spaces: titles are single lines.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s))
}

// groupKey computes the key alerts share a ticket by; see the package doc.
func (r *Ruleset) groupKey(a alert.Alert, alertKey, subject string, catchAll bool) string {
	var k string
	switch r.groupBy {
	case integration.GroupNone:
		return "alert:" + alertKey
	case integration.GroupUser:
		k = userKey(a, alertKey)
	case integration.GroupSubject:
		k = "subject:" + norm(subject)
	default: // user_alert, the default
		k = userKey(a, alertKey) + "|type:" + norm(a.Type)
	}
	if catchAll {
		k = "org:" + norm(a.Organization.Key()) + "|" + k
	}
	return k
}

// userKey is who an alert is about: email, else user name, else device,
// else the alert itself.
func userKey(a alert.Alert, alertKey string) string {
	if a.User != nil {
		if e := norm(a.User.Email); e != "" {
			return "user:" + e
		}
		if n := norm(a.User.Name); n != "" {
			return "user:" + n
		}
	}
	if a.Device != nil {
		if n := norm(a.Device.Name); n != "" {
			return "device:" + n
		}
	}
	return "alert:" + alertKey
}
