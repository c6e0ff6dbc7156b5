package connectwisesim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// list answers a collection GET: a bare JSON array of one page, with a
// Link header when other pages exist.
func (sc scope) list(s *Sim, c *call) {
	q, err := s.parseListQuery(c.r)
	if err != nil {
		writeErr(c.w, err)
		return
	}
	s.mu.Lock()
	page, links, err := sc.selectPage(s, c, q)
	out := make([]any, len(page))
	for i, o := range page {
		out[i] = renderFields(o, q.fields, c.base)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(c.w, err)
		return
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", simkit.LinkHeader(links))
	}
	writeJSON(c.w, http.StatusOK, out)
}

// selectPage filters, orders and cuts one page; callers hold s.mu.
func (sc scope) selectPage(s *Sim, c *call, q *listQuery) ([]obj, []simkit.Link, error) {
	rows, err := sc.rows(s, c)
	if err != nil {
		return nil, nil, err
	}
	resource := s.tables[sc.table].resource
	if rows, err = q.filter(rows, resource); err != nil {
		return nil, nil, err
	}
	if q.forwardOnly {
		// Forward-only paging walks ids upwards from pageId, whatever the
		// orderBy says (rows are in id order).
		start, end := simkit.After(rows, func(o obj) int64 { return asInt(o["id"]) }, q.pageID, q.pageSize)
		var links []simkit.Link
		if end < len(rows) {
			next := requestURL(c, map[string]string{"pageId": itoa(asInt(rows[end-1]["id"])), "page": ""})
			links = append(links, simkit.Link{URL: next, Rel: "next"})
		}
		return rows[start:end], links, nil
	}
	if err := q.sortRows(rows, resource); err != nil {
		return nil, nil, err
	}
	p := simkit.Page{Number: q.page, Size: q.pageSize, Total: len(rows)}
	start, end := p.Bounds()
	links := p.Links(func(n int) string { return requestURL(c, map[string]string{"page": strconv.Itoa(n)}) })
	return rows[start:end], links, nil
}

// requestURL is the request's URL with set applied (an empty value
// removes the parameter), for Link entries.
func requestURL(c *call, set map[string]string) string {
	return simkit.QueryURL(c.site+c.r.URL.Path, c.r.URL.Query(), set)
}

// count answers …/count with {"count":N} under the same conditions.
func (sc scope) count(s *Sim, c *call) {
	q, err := s.parseListQuery(c.r)
	if err != nil {
		writeErr(c.w, err)
		return
	}
	s.mu.Lock()
	rows, err := sc.rows(s, c)
	if err == nil {
		rows, err = q.filter(rows, s.tables[sc.table].resource)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(c.w, err)
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]int{"count": len(rows)})
}

// get answers a single-record GET, honouring fields=.
func (sc scope) get(s *Sim, c *call) {
	var fields [][]string
	for _, f := range strings.Split(c.r.URL.Query().Get("fields"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, strings.Split(f, "/"))
		}
	}
	s.mu.Lock()
	o, err := sc.find(s, c)
	var out any
	if err == nil {
		out = renderFields(o, fields, c.base)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(c.w, err)
		return
	}
	writeJSON(c.w, http.StatusOK, out)
}

// find returns the record the path's last id names, within scope; callers
// hold s.mu.
func (sc scope) find(s *Sim, c *call) (obj, error) {
	t := s.tables[sc.table]
	id := c.ids[len(c.ids)-1]
	if sc.parent != "" {
		if pt := s.tables[sc.parent]; pt.rows[c.ids[0]] == nil {
			return nil, notFound(pt.display, c.ids[0])
		}
	}
	o := t.rows[id]
	if o == nil {
		return nil, notFound(t.display, id)
	}
	if sc.parent != "" {
		if v, _ := walk(o, strings.Split(sc.parentField, "/"), ""); asInt(v) != c.ids[0] {
			return nil, notFound(t.display, id)
		}
	}
	return o, nil
}

func renderFields(o obj, fields [][]string, base string) any {
	if len(fields) > 0 {
		o = project(o, fields)
	}
	return render(o, base)
}
