package connectwisesim

import (
	"net/http"
	"strconv"
	"strings"
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
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(c.w, http.StatusOK, out)
}

// selectPage filters, orders and cuts one page; callers hold s.mu.
func (sc scope) selectPage(s *Sim, c *call, q *listQuery) ([]obj, []string, error) {
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
		// orderBy says.
		page, more := forwardPage(rows, q)
		var links []string
		if more {
			links = append(links, linkTo(c, map[string]string{"pageId": itoa(asInt(page[len(page)-1]["id"])), "page": ""}, "next"))
		}
		return page, links, nil
	}
	if err := q.sortRows(rows, resource); err != nil {
		return nil, nil, err
	}
	start := min((q.page-1)*q.pageSize, len(rows))
	end := min(start+q.pageSize, len(rows))
	return rows[start:end], pageLinks(c, q.page, lastPage(len(rows), q.pageSize)), nil
}

func lastPage(total, size int) int { return max(1, (total+size-1)/size) }

// forwardPage takes the rows after pageId (rows are in id order).
func forwardPage(rows []obj, q *listQuery) ([]obj, bool) {
	i := 0
	for i < len(rows) && asInt(rows[i]["id"]) <= q.pageID {
		i++
	}
	end := min(i+q.pageSize, len(rows))
	return rows[i:end], end < len(rows)
}

// pageLinks are the Link header entries of page out of last.
func pageLinks(c *call, page, last int) []string {
	var links []string
	if page > 1 {
		links = append(links, linkTo(c, map[string]string{"page": "1"}, "first"),
			linkTo(c, map[string]string{"page": strconv.Itoa(min(page-1, last))}, "prev"))
	}
	if page < last {
		links = append(links, linkTo(c, map[string]string{"page": strconv.Itoa(page + 1)}, "next"),
			linkTo(c, map[string]string{"page": strconv.Itoa(last)}, "last"))
	}
	return links
}

// linkTo is one Link entry: the request's URL with set applied (an empty
// value removes the parameter).
func linkTo(c *call, set map[string]string, rel string) string {
	v := c.r.URL.Query()
	for k, val := range set {
		if val == "" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	return "<" + c.site + c.r.URL.Path + "?" + v.Encode() + `>; rel="` + rel + `"`
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
