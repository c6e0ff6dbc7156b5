package servicenowsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// defaultLimit is sysparm_limit's default.
const defaultLimit = 10000

// list answers GET on a collection.
func (s *Sim) list(q *request) {
	if q.table == "sys_choice" && s.opt.DenyChoices && !q.user.hasRole("admin") {
		fail(q.w, http.StatusForbidden, "Insufficient rights to query records", "")
		return
	}
	p := q.r.URL.Query()
	s.mu.Lock()
	s.autoClose()
	qry := s.parseQuery(q.table, p.Get("sysparm_query"))
	for k := range p {
		// Plain field=value parameters filter too.
		if !strings.HasPrefix(k, "sysparm_") && k != "x-sn-apikey" {
			if _, ok := schemas[q.table].cols[k]; ok {
				qry = andTerm(qry, term{field: k, op: "=", value: p.Get(k)})
			}
		}
	}
	var rows []record
	if !(qry.invalid && s.opt.InvalidQueryNoRows) {
		for _, rec := range s.tables[q.table].rows {
			if s.matches(q.table, rec, qry) {
				rows = append(rows, rec)
			}
		}
	}
	s.sortRows(q.table, rows, qry)
	off := simkit.Offset{Offset: atoi(p.Get("sysparm_offset"), 0), Limit: atoi(p.Get("sysparm_limit"), defaultLimit), Total: len(rows)}
	start, end := off.Bounds()
	v := s.viewOf(q)
	out := make([]map[string]any, 0, end-start)
	for _, rec := range rows[start:end] {
		out = append(out, s.render(q.table, rec, v))
	}
	s.mu.Unlock()
	if len(rows) == 0 && q.version == "v1" {
		fail(q.w, http.StatusNotFound, msgNoRecord, "")
		return
	}
	prefix := v.base + q.r.URL.Path
	q.w.Header().Set("X-Total-Count", strconv.Itoa(len(rows)))
	q.w.Header().Set("Link", simkit.LinkHeader(off.Links(func(o int) string {
		return simkit.QueryURL(prefix, p, map[string]string{"sysparm_offset": strconv.Itoa(o), "sysparm_limit": strconv.Itoa(max(off.Limit, 1))})
	})))
	reply(q.w, http.StatusOK, out)
}

func andTerm(q query, t term) query {
	if len(q.alts) == 0 {
		q.alts = [][]clause{nil}
	}
	for i := range q.alts {
		q.alts[i] = append(q.alts[i], clause{t})
	}
	return q
}

func atoi(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}

// get answers GET on a record.
func (s *Sim) get(q *request) {
	s.mu.Lock()
	s.autoClose()
	rec := s.tables[q.table].byID[q.id]
	var out map[string]any
	if rec != nil {
		out = s.render(q.table, rec, s.viewOf(q))
	}
	s.mu.Unlock()
	if rec == nil {
		fail(q.w, http.StatusNotFound, msgNoRecord, detailNoRecord)
		return
	}
	reply(q.w, http.StatusOK, out)
}

// remove answers DELETE.
func (s *Sim) remove(q *request) {
	s.mu.Lock()
	t := s.tables[q.table]
	rec := t.byID[q.id]
	if rec != nil {
		delete(t.byID, q.id)
		for i, r := range t.rows {
			if r["sys_id"] == q.id {
				t.rows = append(t.rows[:i], t.rows[i+1:]...)
				break
			}
		}
	}
	s.mu.Unlock()
	if rec == nil {
		fail(q.w, http.StatusNotFound, msgNoRecord, detailNoRecord)
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}

// body decodes a request body into string values: numbers and booleans
// become their text, as ServiceNow stores them. A JSON array gives its
// first element (only one record per POST).
func body(r *http.Request) (map[string]string, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return nil, false
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return map[string]string{}, true
	}
	if raw[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return nil, false
		}
		if len(arr) == 0 {
			return map[string]string{}, true
		}
		raw = arr[0]
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return nil, false
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		case nil:
			out[k] = ""
		case map[string]any:
			if val, ok := x["value"].(string); ok {
				out[k] = val
			}
		}
	}
	return out, true
}

// fromDisplay turns display values (sysparm_input_display_value=true)
// into stored ones: choice labels to values, reference display names to
// sys_ids. Callers hold s.mu.
func (s *Sim) fromDisplay(table string, in map[string]string) {
	sc := schemas[table]
	for k, v := range in {
		col := sc.cols[k]
		switch {
		case col.choice:
			if c := s.choice(table, k, func(r record) bool { return strings.EqualFold(r["label"], v) }); c != nil {
				in[k] = c["value"]
			}
		case col.ref != "" && v != "":
			disp := schemas[col.ref].display
			for _, r := range s.tables[col.ref].rows {
				if r["sys_id"] == v || strings.EqualFold(r[disp], v) {
					in[k] = r["sys_id"]
					break
				}
			}
		}
	}
}

// create answers POST on a collection.
func (s *Sim) create(q *request) {
	in, ok := body(q.r)
	if !ok {
		fail(q.w, http.StatusBadRequest, msgBadRequest, "Cannot decode: request body is not a JSON object")
		return
	}
	s.mu.Lock()
	if q.r.URL.Query().Get("sysparm_input_display_value") == "true" {
		s.fromDisplay(q.table, in)
	}
	rec, werr := s.insert(q.table, in, q.user)
	var out map[string]any
	if werr == nil {
		out = s.render(q.table, rec, s.viewOf(q))
	}
	s.mu.Unlock()
	if werr != nil {
		fail(q.w, werr.status, werr.message, werr.detail)
		return
	}
	q.w.Header().Set("Location", baseURL(q.r)+"/api/now/table/"+q.table+"/"+rec["sys_id"])
	if strings.EqualFold(q.r.Header.Get("X-no-response-body"), "true") {
		q.w.WriteHeader(http.StatusCreated)
		return
	}
	reply(q.w, http.StatusCreated, out)
}

// update answers PATCH and PUT on a record: both change only the fields
// given.
func (s *Sim) update(q *request) {
	in, ok := body(q.r)
	if !ok {
		fail(q.w, http.StatusBadRequest, msgBadRequest, "Cannot decode: request body is not a JSON object")
		return
	}
	s.mu.Lock()
	s.autoClose()
	if q.r.URL.Query().Get("sysparm_input_display_value") == "true" {
		s.fromDisplay(q.table, in)
	}
	rec, werr := s.modify(q.table, q.id, in, q.user)
	var out map[string]any
	if werr == nil {
		out = s.render(q.table, rec, s.viewOf(q))
	}
	s.mu.Unlock()
	if werr != nil {
		fail(q.w, werr.status, werr.message, werr.detail)
		return
	}
	reply(q.w, http.StatusOK, out)
}

// writeError is a refused write.
type writeError struct {
	status          int
	message, detail string
}
