package servicenow

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// The one synthetic note type: journal entries are told apart by their
// field (work_notes, comments), which the note's visibility chooses.
const (
	NoteTypeID    = "journal"
	NoteTypeLabel = "Journal entry"
)

// companyTypes are derived from core_company's flags.
var companyTypes = []psa.Value{
	{ID: "customer", Label: "Customer", Active: true}, {ID: "vendor", Label: "Vendor", Active: true},
	{ID: "manufacturer", Label: "Manufacturer", Active: true}, {ID: "other", Label: "Other", Active: true},
}

// priorityPairs gives, per priority, the impact and urgency that make it.
var priorityPairs = map[string][2]string{
	"1": {"1", "1"}, "2": {"1", "2"}, "3": {"2", "2"}, "4": {"2", "3"}, "5": {"3", "3"},
}

// picklists are the port's picklists plus the choices the connector
// writes on its own: close codes and hold reasons.
type picklists struct {
	port        psa.Picklists
	closeCodes  []string
	holdReasons []string
}

// choiceFields maps choice elements onto port fields.
var choiceFields = map[string]string{
	"state": psa.FieldStatus, "priority": psa.FieldPriority, "category": psa.FieldIssueType,
	"subcategory": psa.FieldSubIssueType, "contact_type": psa.FieldSource,
}

// Picklists implements psa.Connector. Choices are read from sys_choice
// for the ticket table and its parent task, groups from sys_user_group.
func (c *Connector) Picklists(ctx context.Context) (psa.Picklists, error) {
	p, err := c.picklists(ctx, false)
	if err != nil {
		return nil, err
	}
	return p.port, nil
}

// picklists returns the cached lists, reading them when stale or forced.
func (c *Connector) picklists(ctx context.Context, force bool) (*picklists, error) {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	now := c.cfg.Now()
	if c.picks != nil && !force && now.Before(c.pickExp) {
		return c.picks, nil
	}
	p, err := c.readPicklists(ctx)
	if err != nil {
		return nil, err
	}
	c.picks, c.pickExp = p, now.Add(picklistTTL)
	return p, nil
}

func (c *Connector) readPicklists(ctx context.Context) (*picklists, error) {
	q := url.Values{
		"sysparm_query":  {"nameIN" + c.table.name + ",task^elementINstate,priority,category,subcategory,contact_type,close_code,hold_reason^inactive=false^language=en^ORDERBYsequence"},
		"sysparm_fields": {fields("name", "element", "value", "label", "sequence", "dependent_value")},
	}
	choices, err := list[row](ctx, c, "sys_choice", q, 1000, "sys_choice.query")
	var pe *psa.Error
	if errors.As(err, &pe) && pe.Status == http.StatusForbidden {
		// Hardened instances may not let the integration read sys_choice:
		// the out-of-box lists stand in.
		c.log.WarnContext(ctx, "servicenow: sys_choice is not readable; using the out-of-box choice lists", "table", c.table.name)
		choices, err = staticChoices(c.table.name), nil
	}
	if err != nil {
		return nil, err
	}
	groups, err := list[row](ctx, c, "sys_user_group", url.Values{
		"sysparm_query": {"active=true^ORDERBYname"}, "sysparm_fields": {fields("sys_id", "name")},
	}, 1000, "sys_user_group.query")
	if err != nil {
		return nil, err
	}
	p := &picklists{port: psa.Picklists{
		psa.FieldNoteType:    {{ID: NoteTypeID, Label: NoteTypeLabel, Active: true}},
		psa.FieldCompanyType: slices.Clone(companyTypes),
	}}
	// A table's own choice list replaces the one it inherits from task.
	own := map[string]bool{}
	for _, ch := range choices {
		if ch.get("name") == c.table.name {
			own[ch.get("element")] = true
		}
	}
	slices.SortStableFunc(choices, func(a, b row) int { return atoi(a.get("sequence")) - atoi(b.get("sequence")) })
	for _, ch := range choices {
		el := ch.get("element")
		if ch.get("name") != c.table.name && own[el] {
			continue
		}
		switch el {
		case "close_code":
			p.closeCodes = append(p.closeCodes, ch.get("value"))
		case "hold_reason":
			p.holdReasons = append(p.holdReasons, ch.get("value"))
		default:
			f := choiceFields[el]
			v := psa.Value{ID: ch.get("value"), Label: ch.get("label"), Active: true}
			if el == "subcategory" {
				v.Parent = ch.get("dependent_value")
			}
			p.port[f] = append(p.port[f], v)
		}
	}
	for _, g := range groups {
		p.port[psa.FieldQueue] = append(p.port[psa.FieldQueue], psa.Value{ID: g.get("sys_id"), Label: g.get("name"), Active: true})
	}
	return p, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// has reports whether id is a value of field (under parent, when given).
func (p *picklists) has(field, id, parent string) bool {
	return slices.ContainsFunc(p.port[field], func(v psa.Value) bool {
		return v.ID == id && (parent == "" || v.Parent == "" || v.Parent == parent)
	})
}

// check refuses values the instance's lists lack; the Table API would
// store them as given. A miss reads the lists once more in case an admin
// has just added the value.
func (c *Connector) check(ctx context.Context, vals map[string][2]string) error {
	p, err := c.picklists(ctx, false)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		bad := ""
		for field, v := range vals {
			if v[0] != "" && !p.has(field, v[0], v[1]) {
				bad = field
				break
			}
		}
		switch {
		case bad == "":
			return nil
		case attempt == 0 && c.cfg.Now().Sub(c.pickedAt()) > 5*time.Second:
			if p, err = c.picklists(ctx, true); err != nil {
				return err
			}
		default:
			return permanent("%s %q is not a value of the instance's %s list", bad, vals[bad][0], bad)
		}
	}
}

// pickedAt is when the cached lists were read.
func (c *Connector) pickedAt() time.Time {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	return c.pickExp.Add(-picklistTTL)
}

// staticChoices are the out-of-box choice lists of the notes, for
// instances that do not let the integration read sys_choice. Each entry
// is "element|value|label[|dependent value]".
func staticChoices(table string) []row {
	states := []string{"1|New", "2|In Progress", "3|On Hold", "6|Resolved", "7|Closed", "8|Canceled"}
	if table == "sn_customerservice_case" {
		states = []string{"1|New", "10|Open", "18|Awaiting Info", "6|Resolved", "3|Closed", "7|Cancelled"}
	}
	lists := map[string][]string{
		"state":       states,
		"priority":    {"1|1 - Critical", "2|2 - High", "3|3 - Moderate", "4|4 - Low", "5|5 - Planning"},
		"hold_reason": {"1|Awaiting Caller", "3|Awaiting Problem", "4|Awaiting Vendor", "5|Awaiting Change"},
		"category":    {"inquiry|Inquiry / Help", "software|Software", "hardware|Hardware", "network|Network", "database|Database"},
		"subcategory": {"email|Email|software", "os|Operating System|software", "dhcp|DHCP|network", "dns|DNS|network",
			"ip address|IP Address|network", "vpn|VPN|network", "wireless|Wireless|network", "cpu|CPU|hardware",
			"disk|Disk|hardware", "keyboard|Keyboard|hardware", "memory|Memory|hardware", "monitor|Monitor|hardware", "mouse|Mouse|hardware"},
		"contact_type": {"email|Email", "phone|Phone", "self-service|Self-service", "walk-in|Walk-in", "chat|Chat", "virtual_agent|Virtual Agent"},
		"close_code": {"Solved (Permanently)|Solved (Permanently)", "Solved (Work Around)|Solved (Work Around)",
			"Solved Remotely (Permanently)|Solved Remotely (Permanently)", "Solved Remotely (Work Around)|Solved Remotely (Work Around)",
			"Not Solved (Not Reproducible)|Not Solved (Not Reproducible)", "Not Solved (Too Costly)|Not Solved (Too Costly)",
			"Closed/Resolved by Caller|Closed/Resolved by Caller"},
	}
	var out []row
	for element, entries := range lists {
		for i, e := range entries {
			parts := strings.Split(e, "|")
			r := row{"name": value(table), "element": value(element), "value": value(parts[0]), "label": value(parts[1]),
				"sequence": value(strconv.Itoa(i * 10))}
			if len(parts) > 2 {
				r["dependent_value"] = value(parts[2])
			}
			out = append(out, r)
		}
	}
	return out
}
