package web

import (
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// pickValue is one picklist entry as the API lists it.
type pickValue struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Active bool   `json:"active"`
	// Parent is the value this one belongs to: a sub-issue type's issue
	// type, or a status's board where statuses are per board.
	Parent string `json:"parent"`
}

// picklists are the PSA's values by field (psa.Field* names).
type picklists map[string][]pickValue

// draftPicklists reads the PSA's picklists with the draft's connection,
// through the API, so a step can offer the PSA's own names.
func (c *Console) draftPicklists(r *http.Request, sess *session, d *draft) (picklists, error) {
	if err := d.needName(); err != nil {
		return nil, err
	}
	var out struct {
		Picklists picklists `json:"picklists"`
	}
	if err := c.call(r.Context(), sess, "POST", d.integrationPath("/picklists"), d.apiBody(), &out); err != nil {
		return nil, err
	}
	return out.Picklists, nil
}

// idsOf are the ids of field's values labelled label. One name may
// have several ids where values are per board.
func (p picklists) idsOf(field, label string) map[string]bool {
	ids := map[string]bool{}
	for _, v := range p[field] {
		if label != "" && strings.EqualFold(strings.TrimSpace(v.Label), strings.TrimSpace(label)) {
			ids[v.ID] = true
		}
	}
	return ids
}

// hasParentIn reports whether any of field's values belongs to one of
// parents: the field is narrowed by them.
func (p picklists) hasParentIn(field string, parents map[string]bool) bool {
	for _, v := range p[field] {
		if parents[v.Parent] {
			return true
		}
	}
	return false
}

// option is one entry of a drop-down. Values are written by name, so
// the label is also what is posted.
type option struct {
	Label    string
	Selected bool
	// Elsewhere marks a chosen value not in the list offered (inactive,
	// renamed, or under another parent): kept so nothing is dropped
	// silently, and flagged so the admin sees it.
	Elsewhere bool
}

// options lists field's active labels once each, in the PSA's order,
// and the chosen ones. With parents set, only values under one of them
// are offered (a nil parents offers all).
func (p picklists) options(field string, parents map[string]bool, chosen ...string) []option {
	var out []option
	seen := map[string]bool{}
	for _, v := range p[field] {
		key := strings.ToLower(strings.TrimSpace(v.Label))
		if !v.Active || seen[key] || (parents != nil && !parents[v.Parent]) {
			continue
		}
		seen[key] = true
		out = append(out, option{Label: v.Label, Selected: containsFold(chosen, v.Label)})
	}
	for _, c := range chosen {
		if c != "" && !seen[strings.ToLower(strings.TrimSpace(c))] {
			seen[strings.ToLower(strings.TrimSpace(c))] = true
			out = append(out, option{Label: c, Selected: true, Elsewhere: true})
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

// pickField is one drop-down of PSA values.
type pickField struct {
	// Name is the form field; ID the element's id.
	Name, ID, Label, Hint string
	Required              bool
	Options               []option
	// Narrows says choosing here narrows the sub-issue drop-down, which
	// htmx then swaps without the whole page.
	Narrows bool
}

// takePick sets *p to the posted name. The same name keeps the id it
// was resolved to (a stored integration's), so an untouched field
// does not show as a change.
func takePick(p *integration.Pick, posted string) {
	posted = strings.TrimSpace(posted)
	switch {
	case posted == "":
		*p = integration.Pick{}
	case !strings.EqualFold(p.Name, posted):
		*p = integration.Pick{Name: posted}
	}
}

// sent reports whether the form carried the field at all: a field the
// page did not show (the PSA lacks it) is left as it was.
func sent(r *http.Request, name string) bool {
	_, ok := r.PostForm[name]
	return ok
}
