package servicenowsim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// view says how records are rendered: sysparm_fields,
// sysparm_display_value and sysparm_exclude_reference_link.
type view struct {
	fields  []string
	display string // "false", "true" or "all"
	noLinks bool
	base    string // scheme://host for reference links
}

func (s *Sim) viewOf(q *request) view {
	p := q.r.URL.Query()
	v := view{display: strings.ToLower(p.Get("sysparm_display_value")), noLinks: p.Get("sysparm_exclude_reference_link") == "true", base: baseURL(q.r)}
	if v.display != "true" && v.display != "all" {
		v.display = "false"
	}
	sc := schemas[q.table]
	for _, f := range strings.Split(p.Get("sysparm_fields"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			if _, ok := sc.cols[f]; ok { // unknown names are ignored
				v.fields = append(v.fields, f)
			}
		}
	}
	if len(v.fields) == 0 && p.Get("sysparm_fields") == "" {
		for f := range sc.cols {
			v.fields = append(v.fields, f)
		}
		slices.Sort(v.fields)
	}
	return v
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// render turns rec into the wire object. Callers hold s.mu.
func (s *Sim) render(table string, rec record, v view) map[string]any {
	out := make(map[string]any, len(v.fields))
	sc := schemas[table]
	for _, f := range v.fields {
		out[f] = s.renderField(table, sc.cols[f], f, rec, v)
	}
	return out
}

func (s *Sim) renderField(table string, col column, field string, rec record, v view) any {
	raw := rec[field]
	switch {
	case col.journal:
		if v.display == "false" {
			return ""
		}
		text := s.journalText(rec["sys_id"], field)
		if v.display == "true" {
			return text
		}
		return map[string]any{"display_value": text, "value": ""}
	case col.ref != "":
		return s.renderRef(col.ref, raw, v)
	}
	disp := raw
	if col.choice {
		disp = s.choiceLabel(table, field, raw)
	}
	switch v.display {
	case "true":
		return disp
	case "all":
		return map[string]any{"display_value": disp, "value": raw}
	}
	return raw
}

// renderRef renders a reference: {link,value}, a plain sys_id without
// links, "" when empty; with display values the referenced record's
// display field.
func (s *Sim) renderRef(refTable, id string, v view) any {
	if id == "" {
		if v.display == "all" {
			return map[string]any{"display_value": "", "value": ""}
		}
		return ""
	}
	link := v.base + "/api/now/table/" + refTable + "/" + url.PathEscape(id)
	disp := ""
	if target := s.tables[refTable].byID[id]; target != nil {
		disp = target[schemas[refTable].display]
	}
	switch {
	case v.display == "true" && v.noLinks:
		return disp
	case v.display == "true":
		return map[string]any{"display_value": disp, "link": link}
	case v.display == "all" && v.noLinks:
		return map[string]any{"display_value": disp, "value": id}
	case v.display == "all":
		return map[string]any{"display_value": disp, "value": id, "link": link}
	case v.noLinks:
		return id
	}
	return map[string]any{"link": link, "value": id}
}

// choiceLabel finds a choice's label on table or its parent task.
func (s *Sim) choiceLabel(table, element, value string) string {
	if c := s.choice(table, element, func(r record) bool { return r["value"] == value }); c != nil {
		return c["label"]
	}
	return value
}

// choice finds the active English choice of table.element (or of task)
// that pick accepts.
func (s *Sim) choice(table, element string, pick func(record) bool) record {
	for _, r := range s.tables["sys_choice"].rows {
		if (r["name"] == table || r["name"] == "task") && r["element"] == element && r["inactive"] != "true" && r["language"] == "en" && pick(r) {
			return r
		}
	}
	return nil
}

// hasChoices reports whether table.element has a choice list.
func (s *Sim) hasChoices(table, element string) bool {
	return s.choice(table, element, func(record) bool { return true }) != nil
}

// journalText is the journal as the display value shows it: newest
// entry first, each headed by its time, author and field label.
func (s *Sim) journalText(id, element string) string {
	var b strings.Builder
	rows := s.tables["sys_journal_field"].rows
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		if r["element_id"] != id || r["element"] != element {
			continue
		}
		label := "Additional comments"
		if element == "work_notes" {
			label = "Work notes"
		}
		author := r["sys_created_by"]
		if u := s.users[author]; u != nil {
			author = u.Name
		}
		b.WriteString(r["sys_created_on"] + " - " + author + " (" + label + ")\n" + r["value"] + "\n\n")
	}
	return b.String()
}
