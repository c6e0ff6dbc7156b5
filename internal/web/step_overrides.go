package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxOverrideRows bounds the rows one post may carry.
const maxOverrideRows = 200

// overridesStep edits ticket.overrides as a table: what a row matches
// (an alert type, respond rule or IOC rule) and the ticket fields it
// sets instead of the defaults. Add and remove are plain posts.
var overridesStep = wizardStep{
	key: "overrides", title: "Overrides",
	load: func(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
		lists, err := c.draftPicklists(r, sess, d)
		return c.overrideRows(d, lists), err
	},
	read: readOverrides,
	act: func(_ *Console, _ *http.Request, _ *session, d *draft, action string) (string, error) {
		rows := &d.Settings.Ticket.Overrides
		switch {
		case action == "add":
			*rows = append(*rows, integration.Override{})
			return "", nil
		case action == "refresh":
			return "", nil
		case strings.HasPrefix(action, "remove:"):
			i, err := strconv.Atoi(strings.TrimPrefix(action, "remove:"))
			if err != nil || i < 0 || i >= len(*rows) {
				return "", fmt.Errorf("no row %q to remove", strings.TrimPrefix(action, "remove:"))
			}
			*rows = append((*rows)[:i], (*rows)[i+1:]...)
			return fmt.Sprintf("Row %d removed.", i+1), nil
		}
		return "", fmt.Errorf("unknown action %q", action)
	},
}

// matchKinds are what an override row may match, by the setting's key.
var matchKinds = []struct{ Value, Label string }{
	{"alert_type", "Alert type"},
	{"respond_rule", "Respond rule"},
	{"ioc_rule", "IOC rule"},
}

// overridesPage is what the overrides step shows.
type overridesPage struct {
	Rows []overrideRow
	// Show* say which columns the PSA has.
	ShowIssue, ShowSubIssue, ShowQueue bool
}

// overrideRow is one override as the table shows it; I is its index in
// the form's field names (kind_0, match_0, …).
type overrideRow struct {
	I, N                                     int
	Kinds                                    []groupOption
	Match                                    string
	IssueType, SubIssueType, Queue, Priority pickField
	// Problem says what the row lacks.
	Problem string
}

func (c *Console) overrideRows(d *draft, lists picklists) overridesPage {
	prof, _ := c.cfg.Profiles.Lookup(d.Settings.PSA)
	_, noIssue := prof.Lacks("ticket.issue_type")
	_, noSub := prof.Lacks("ticket.sub_issue_type")
	_, noQueue := prof.Lacks("ticket.queue")
	page := overridesPage{ShowIssue: !noIssue, ShowSubIssue: !noSub, ShowQueue: !noQueue}
	t := d.Settings.Ticket
	for i, o := range t.Overrides {
		kind, match := overrideMatch(o)
		row := overrideRow{I: i, N: i + 1, Match: match}
		for _, k := range matchKinds {
			row.Kinds = append(row.Kinds, groupOption{Value: k.Value, Label: k.Label, Selected: k.Value == kind})
		}
		cell := func(field, name, label, chosen string, parents map[string]bool) pickField {
			id := fmt.Sprintf("%s_%d", name, i)
			return pickField{Name: id, ID: id, Label: fmt.Sprintf("Row %d %s", i+1, label), Options: lists.options(field, parents, chosen)}
		}
		row.IssueType = cell(psa.FieldIssueType, "issue_type", "issue type", o.IssueType.String(), nil)
		// The row's issue type, or the default's, decides its sub-issue types.
		issue := o.IssueType.String()
		if issue == "" {
			issue = t.IssueType.String()
		}
		row.SubIssueType = cell(psa.FieldSubIssueType, "sub_issue_type", "sub-issue type", o.SubIssueType.String(), lists.idsOf(psa.FieldIssueType, issue))
		row.Queue = cell(psa.FieldQueue, "queue", "queue", o.Queue.String(), nil)
		row.Priority = cell(psa.FieldPriority, "priority", "priority", o.Priority.String(), nil)
		if match == "" && !overrideEmpty(o) {
			row.Problem = "Write the alert type, respond rule or IOC rule this row matches."
		}
		page.Rows = append(page.Rows, row)
	}
	return page
}

// overrideMatch is the kind and value an override matches; a row with no
// value is an alert type row.
func overrideMatch(o integration.Override) (kind, value string) {
	switch {
	case o.RespondRule != "":
		return "respond_rule", o.RespondRule
	case o.IOCRule != "":
		return "ioc_rule", o.IOCRule
	}
	return "alert_type", o.AlertType
}

// overrideEmpty reports whether a row sets no ticket field.
func overrideEmpty(o integration.Override) bool {
	return o.IssueType.IsZero() && o.SubIssueType.IsZero() && o.Queue.IsZero() && o.Priority.IsZero()
}

// readOverrides takes the table. Leaving the step (next, back, another
// step) checks it: a row that sets fields needs a match value, and a
// row left wholly empty is dropped. Adding or removing a row checks
// nothing, so a row may be filled in over several posts.
func readOverrides(r *http.Request, d *draft) error {
	if !sent(r, "rows") {
		return nil
	}
	n, err := strconv.Atoi(r.PostFormValue("rows"))
	if err != nil || n < 0 || n > maxOverrideRows {
		return fmt.Errorf("overrides: the form's row count %q is not one this page sent; reload the page", r.PostFormValue("rows"))
	}
	action := r.PostFormValue("action")
	leaving := action == "next" || action == "back" || strings.HasPrefix(action, "go:")
	old := d.Settings.Ticket.Overrides
	rows := make([]integration.Override, 0, n)
	var problems []string
	for i := range n {
		var o integration.Override
		if i < len(old) {
			o = old[i]
		}
		o.AlertType, o.RespondRule, o.IOCRule = "", "", ""
		f := func(name string) string { return strings.TrimSpace(r.PostFormValue(fmt.Sprintf("%s_%d", name, i))) }
		switch match := f("match"); f("kind") {
		case "respond_rule":
			o.RespondRule = match
		case "ioc_rule":
			o.IOCRule = match
		default:
			o.AlertType = match
		}
		for name, p := range map[string]*integration.Pick{"issue_type": &o.IssueType, "sub_issue_type": &o.SubIssueType, "queue": &o.Queue, "priority": &o.Priority} {
			if sent(r, fmt.Sprintf("%s_%d", name, i)) {
				takePick(p, f(name))
			}
		}
		_, match := overrideMatch(o)
		switch {
		case !leaving || match != "":
		case overrideEmpty(o):
			continue // an empty row left behind
		default:
			problems = append(problems, fmt.Sprintf("row %d: write the alert type, respond rule or IOC rule it matches", i+1))
		}
		rows = append(rows, o)
	}
	if len(rows) == 0 {
		rows = nil // as a file without overrides reads
	}
	d.Settings.Ticket.Overrides = rows
	if len(problems) > 0 {
		return fmt.Errorf("overrides: %s", strings.Join(problems, "; "))
	}
	return nil
}
