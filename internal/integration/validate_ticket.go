package integration

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// requiredTicketFields are Kaseya MDR's completion criteria for ticket
// defaults, each with an example from a stock PSA tenant.
var requiredTicketFields = []requiredTicketField{
	{"ticket.category", "ticket category", "Standard", func(t *Ticket) Pick { return t.Category }},
	{"ticket.type", "ticket type", "Alert", func(t *Ticket) Pick { return t.Type }},
	{"ticket.status", "status new tickets start in", "New", func(t *Ticket) Pick { return t.Status }},
	{"ticket.queue", "queue new tickets are placed in", "Security", func(t *Ticket) Pick { return t.Queue }},
	{"ticket.source", "ticket source", "Monitoring Alert", func(t *Ticket) Pick { return t.Source }},
}

// requiredTicketField is one ticket default every PSA with a twin for it
// requires.
type requiredTicketField struct {
	path, what, example string
	get                 func(*Ticket) Pick
}

// validateTicket checks the ticket defaults. A required field the PSA has
// no twin for is not required; setting it is the profile's problem to
// report.
func validateTicket(ps *problems, p Profile, t *Ticket) {
	for _, f := range requiredTicketFields {
		msg, lacks := p.Lacks(f.path)
		switch {
		case lacks && !f.get(t).IsZero():
			ps.add(f.path, "%s", msg)
		case f.get(t).IsZero() && !p.optional(f.path):
			ps.add(f.path, "required: set the %s, e.g. %q", f.what, f.example)
		}
	}
	if !t.SubIssueType.IsZero() && t.IssueType.IsZero() {
		ps.add("ticket.sub_issue_type", "needs an issue type: set ticket.issue_type to the issue type %q belongs to", t.SubIssueType.String())
	}
	checkTemplate(ps, "ticket.subject", "subject", t.Subject, true)
	checkTemplate(ps, "ticket.description", "description", t.Description, false)
	switch t.GroupBy {
	case GroupNone, GroupUser, GroupUserAlert, GroupSubject:
	case "":
		ps.add("ticket.group_by", "required: set none, user, user_alert or subject")
	default:
		ps.add("ticket.group_by", "unknown grouping %q: set none, user, user_alert or subject", t.GroupBy)
	}
	validatePriority(ps, t.Priority)
	if t.DueIn != "" {
		if d, err := time.ParseDuration(t.DueIn); err != nil || d <= 0 {
			ps.add("ticket.due_in", "%q is not a positive duration: set one like \"24h\", \"48h\" or \"4h30m\"", t.DueIn)
		}
	}
	checkNameList(ps, "ticket.closed_statuses", pickNames(t.ClosedStatuses), "a status")
	validateReopen(ps, t)
}

func checkTemplate(ps *problems, path, name, text string, required bool) {
	if strings.TrimSpace(text) == "" {
		if required {
			ps.add(path, "required: set a template, e.g. %q", DefaultSubject)
		}
		return
	}
	if err := CheckTemplate(name, text); err != nil {
		ps.add(path, "%v: fix the template (fields: .Type, .Severity, .Title, .UserOrDevice, .UserEmail, .OrgName, ...)", err)
	}
}

func validatePriority(ps *problems, prio map[string]Pick) {
	for _, sev := range Severities {
		if prio[sev].IsZero() {
			ps.add("ticket.priority."+sev, "required: map every severity (%s) to a PSA priority", strings.Join(Severities, ", "))
		}
	}
	var unknown []string
	for sev := range prio {
		if !slices.Contains(Severities, sev) {
			unknown = append(unknown, sev)
		}
	}
	sort.Strings(unknown)
	for _, sev := range unknown {
		ps.add("ticket.priority."+sev, "unknown severity: use %s", strings.Join(Severities, ", "))
	}
}

// OverridePath is the path of an override in problems and plans, keyed by
// what it matches so a reordered list does not look like a change.
func OverridePath(i int, o Override) string {
	for _, k := range []struct{ key, v string }{{"alert_type", o.AlertType}, {"respond_rule", o.RespondRule}, {"ioc_rule", o.IOCRule}} {
		if v := strings.TrimSpace(k.v); v != "" {
			return "ticket.overrides[" + k.key + "=" + v + "]"
		}
	}
	return fmt.Sprintf("ticket.overrides[%d]", i)
}

// overrideKey is the match an override is keyed by, for duplicate checks.
func overrideKey(o Override) string {
	return strings.ToLower(strings.TrimSpace(o.AlertType)) + "\x00" +
		strings.ToLower(strings.TrimSpace(o.RespondRule)) + "\x00" +
		strings.ToLower(strings.TrimSpace(o.IOCRule))
}

func validateOverrides(ps *problems, t *Ticket) {
	seen := map[string]int{}
	for i, o := range t.Overrides {
		path := OverridePath(i, o)
		if n := countSet(o.AlertType != "", o.RespondRule != "", o.IOCRule != ""); n != 1 {
			ps.add(path, "set exactly one of alert_type, respond_rule or ioc_rule (found %d)", n)
			continue
		}
		if o.IssueType.IsZero() && o.SubIssueType.IsZero() && o.Queue.IsZero() && o.Priority.IsZero() {
			ps.add(path, "sets nothing: set issue_type, sub_issue_type, queue or priority")
		}
		if !o.SubIssueType.IsZero() && o.IssueType.IsZero() && t.IssueType.IsZero() {
			ps.add(path+".sub_issue_type", "needs an issue type: set %s.issue_type or ticket.issue_type", path)
		}
		key := overrideKey(o)
		if j, dup := seen[key]; dup {
			ps.add(fmt.Sprintf("ticket.overrides[%d]", i), "matches the same as ticket.overrides[%d]: remove one", j)
			continue
		}
		seen[key] = i
	}
}

// validateNotes checks the note settings; notes.type is required unless
// the PSA has one kind of note.
func validateNotes(ps *problems, p Profile, n *Notes) {
	if n.Type.IsZero() && !p.optional("notes.type") {
		ps.add("notes.type", `required: set the PSA note type for notes on existing tickets, e.g. "Task Notes"`)
	}
	switch n.Visibility {
	case "internal", "external":
	case "":
		ps.add("notes.visibility", "required: set internal or external")
	default:
		ps.add("notes.visibility", "unknown visibility %q: set internal or external", n.Visibility)
	}
	if strings.TrimSpace(n.Title) == "" {
		ps.add("notes.title", "required: set a template, e.g. %q", DefaultNoteTitle)
		return
	}
	if err := CheckTemplate("note title", n.Title); err != nil {
		ps.add("notes.title", "%v: fix the template (fields: .Type, .Severity, .Title, .UserOrDevice, ...)", err)
	}
}
