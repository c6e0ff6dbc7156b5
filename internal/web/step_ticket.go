package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// ticketStep sets the fields of new tickets: drop-downs of the PSA's own
// values (read through the API with the draft's connection), the
// templates, grouping and the reopen window.
var ticketStep = wizardStep{
	key: "ticket", title: "Ticket fields",
	load: func(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
		lists, err := c.draftPicklists(r, sess, d)
		return c.ticketFields(d, lists), err
	},
	read: readTicket,
	act: func(_ *Console, _ *http.Request, _ *session, _ *draft, action string) (string, error) {
		if action != "subissues" {
			return "", fmt.Errorf("unknown action %q", action)
		}
		return "", nil // read took the issue type; the page lists its sub-issue types
	},
	fragments: map[string]string{"subissues": "subissues"},
}

// ticketPick is one drop-down of the ticket step: its picklist, form
// field and setting.
type ticketPick struct {
	field, label, hint string
	// required says the setting is required unless the profile makes
	// it optional.
	required bool
	get      func(*integration.Ticket) *integration.Pick
}

// ticketPicks are the ticket step's drop-downs, in the order of the
// settings; the sub-issue type is apart, narrowed by the issue type.
var ticketPicks = []ticketPick{
	{psa.FieldCategory, "Category", "The ticket category new tickets get.", true, func(t *integration.Ticket) *integration.Pick { return &t.Category }},
	{psa.FieldType, "Ticket type", "The ticket type new tickets get.", true, func(t *integration.Ticket) *integration.Pick { return &t.Type }},
	{psa.FieldStatus, "Status", "The status new tickets start in.", true, func(t *integration.Ticket) *integration.Pick { return &t.Status }},
	{psa.FieldQueue, "Queue", "Where new tickets are placed.", true, func(t *integration.Ticket) *integration.Pick { return &t.Queue }},
	{psa.FieldSource, "Source", "The ticket source new tickets get.", true, func(t *integration.Ticket) *integration.Pick { return &t.Source }},
	{psa.FieldIssueType, "Issue type", "Classifies new tickets; overrides may set another per alert type.", false, func(t *integration.Ticket) *integration.Pick { return &t.IssueType }},
}

// groupings are the group_by choices, as the admin reads them.
var groupings = []struct{ Value, Label string }{
	{string(integration.GroupNone), "none: every alert its own ticket"},
	{string(integration.GroupUser), "user: one open ticket per user"},
	{string(integration.GroupUserAlert), "user_alert: one open ticket per user and alert type"},
	{string(integration.GroupSubject), "subject: alerts with the same subject share a ticket"},
}

// ticketPage is what the ticket step shows.
type ticketPage struct {
	Picks []pickField
	// SubIssue is nil where the PSA has no sub-issue types.
	SubIssue *pickField
	// IssueType is the chosen issue type, for the sub-issue hint.
	IssueType            string
	Priority             []pickField
	Closed               pickField
	Subject, Description string
	GroupBy              string
	Groupings            []groupOption
	DueIn, ReopenWithin  string
	ShowReopen           bool
}

type groupOption struct {
	Value, Label string
	Selected     bool
}

// ticketFields builds the ticket form from the draft, the PSA's profile
// (what it lacks is not shown) and its picklists (nil when they could
// not be read: the chosen values are still offered).
func (c *Console) ticketFields(d *draft, lists picklists) ticketPage {
	prof, _ := c.cfg.Profiles.Lookup(d.Settings.PSA)
	t := d.Settings.Ticket
	page := ticketPage{IssueType: t.IssueType.String(), Subject: t.Subject, Description: t.Description, GroupBy: string(t.GroupBy), DueIn: t.DueIn, ReopenWithin: t.ReopenWithin}
	// A new draft shows the defaults apply would fill in.
	if page.Subject == "" {
		page.Subject = integration.DefaultSubject
	}
	if page.GroupBy == "" {
		page.GroupBy = string(integration.DefaultGroupBy)
	}
	if page.DueIn == "" {
		page.DueIn = integration.DefaultDueIn
	}
	for _, g := range groupings {
		page.Groupings = append(page.Groupings, groupOption{Value: g.Value, Label: g.Label, Selected: g.Value == page.GroupBy})
	}
	_, lacksReopen := prof.Lacks("ticket.reopen_within")
	page.ShowReopen = !lacksReopen
	queues := lists.idsOf(psa.FieldQueue, t.Queue.String())
	for _, tp := range ticketPicks {
		path := "ticket." + tp.field
		if _, lacks := prof.Lacks(path); lacks {
			continue
		}
		page.Picks = append(page.Picks, pickField{
			Name: tp.field, ID: tp.field, Label: tp.label, Hint: tp.hint,
			Required: tp.required && !slices.Contains(prof.Optional, path),
			Options:  lists.options(tp.field, onBoard(lists, tp.field, queues), tp.get(&t).String()),
		})
	}
	if _, lacks := prof.Lacks("ticket.sub_issue_type"); !lacks {
		f := subIssueField(lists, "sub_issue_type", "sub_issue_type", t.IssueType.String(), t.SubIssueType.String())
		page.SubIssue = &f
		for i := range page.Picks {
			page.Picks[i].Narrows = page.Picks[i].Name == psa.FieldIssueType
		}
	}
	for _, sev := range alert.Severities {
		name := "priority_" + string(sev)
		page.Priority = append(page.Priority, pickField{
			Name: name, ID: name, Label: string(sev), Required: true,
			Options: lists.options(psa.FieldPriority, nil, t.Priority[string(sev)].String()),
		})
	}
	page.Closed = pickField{Name: "closed_statuses", ID: "closed_statuses", Label: "Closed statuses (optional)",
		Hint:    "Statuses besides the PSA's own closed one after which a group's next alert opens a new ticket. Hold Ctrl or ⌘ to choose several.",
		Options: lists.options(psa.FieldStatus, onBoard(lists, psa.FieldStatus, queues), pickNames(t.ClosedStatuses)...)}
	return page
}

// onBoard narrows field to the chosen queue where the PSA keeps the
// field's values per board (ConnectWise's statuses and types); nil
// offers every value.
func onBoard(lists picklists, field string, queues map[string]bool) map[string]bool {
	if field == psa.FieldQueue || len(queues) == 0 || !lists.hasParentIn(field, queues) {
		return nil
	}
	return queues
}

// subIssueField is the sub-issue drop-down: the sub-issue types of the
// chosen issue type only.
func subIssueField(lists picklists, name, id, issueType, chosen string) pickField {
	f := pickField{Name: name, ID: id, Label: "Sub-issue type (optional)",
		Options: lists.options(psa.FieldSubIssueType, lists.idsOf(psa.FieldIssueType, issueType), chosen)}
	switch {
	case issueType == "":
		f.Hint = "Choose an issue type first: sub-issue types belong to one."
	case len(f.Options) == 0:
		f.Hint = fmt.Sprintf("%s has no sub-issue types.", issueType)
	default:
		f.Hint = fmt.Sprintf("The sub-issue types of %s.", issueType)
	}
	return f
}

func pickNames(ps []integration.Pick) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// readTicket takes the ticket form into the draft. Fields the page did
// not show are left as they are.
func readTicket(r *http.Request, d *draft) error {
	t := &d.Settings.Ticket
	before := *t
	for _, tp := range ticketPicks {
		if sent(r, tp.field) {
			takePick(tp.get(t), r.PostFormValue(tp.field))
		}
	}
	if sent(r, "sub_issue_type") {
		sub := r.PostFormValue("sub_issue_type")
		// A sub-issue type belongs to its issue type: one left as it was
		// while the issue type changed is dropped, not carried over.
		if !strings.EqualFold(before.IssueType.String(), t.IssueType.String()) && strings.EqualFold(sub, before.SubIssueType.String()) {
			sub = ""
		}
		takePick(&t.SubIssueType, sub)
	}
	for _, sev := range alert.Severities {
		name := "priority_" + string(sev)
		if !sent(r, name) {
			continue
		}
		if t.Priority == nil {
			t.Priority = map[string]integration.Pick{}
		}
		p := t.Priority[string(sev)]
		takePick(&p, r.PostFormValue(name))
		if p.IsZero() {
			delete(t.Priority, string(sev))
		} else {
			t.Priority[string(sev)] = p
		}
	}
	if sent(r, "closed_shown") {
		t.ClosedStatuses = takePicks(t.ClosedStatuses, r.PostForm["closed_statuses"])
	}
	text := func(name string, dst *string) {
		if sent(r, name) {
			*dst = strings.TrimSpace(r.PostFormValue(name))
		}
	}
	text("subject", &t.Subject)
	text("description", &t.Description)
	text("due_in", &t.DueIn)
	text("reopen_within", &t.ReopenWithin)
	if sent(r, "group_by") {
		t.GroupBy = integration.GroupBy(r.PostFormValue("group_by"))
	}
	var problems []string
	for _, f := range []struct{ name, v string }{{"due in", t.DueIn}, {"reopen within", t.ReopenWithin}} {
		if f.v == "" || (f.name == "reopen within" && strings.EqualFold(f.v, "off")) {
			continue
		}
		if dur, err := time.ParseDuration(f.v); err != nil || dur <= 0 {
			problems = append(problems, fmt.Sprintf("%s: %q is not a positive duration: write one like 24h or 4h30m", f.name, f.v))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// takePicks is the posted names as picks, keeping the ids of names that
// were chosen before.
func takePicks(before []integration.Pick, posted []string) []integration.Pick {
	var out []integration.Pick
	for _, name := range posted {
		p := integration.Pick{}
		for _, b := range before {
			if strings.EqualFold(b.Name, name) {
				p = b
			}
		}
		takePick(&p, name)
		if !p.IsZero() {
			out = append(out, p)
		}
	}
	return out
}
