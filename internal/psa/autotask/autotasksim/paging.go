package autotasksim

import (
	"encoding/json"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// paging is the state carried in a next/prev URL's paging= parameter. Its
// shape is the simulator's own (Autotask's is opaque to clients): a page
// size and an id cursor.
type paging struct {
	PageSize int    `json:"pageSize"`
	AfterID  *int64 `json:"afterId,omitempty"`
	BeforeID *int64 `json:"beforeId,omitempty"`
}

// query serves /query and /query/next, by GET ?search= or POST body.
func (s *Sim) query(c *call, e *entity, next bool) {
	q, err := s.readQuery(c, e, next)
	if err != nil {
		writeErr(c.w, err)
		return
	}
	if q == nil {
		return // already answered
	}
	pg := paging{PageSize: q.max}
	if next {
		if err := json.Unmarshal([]byte(c.r.URL.Query().Get("paging")), &pg); err != nil || pg.PageSize < 1 || pg.PageSize > maxPage {
			writeErr(c.w, invalid("The paging parameter is missing or invalid."))
			return
		}
	}
	s.answerQuery(c, e, q, pg)
}

// readQuery takes the query from ?search= (GET) or the body (POST). A GET
// next-page request without search= is the URL of a POST query followed
// with the wrong method: Autotask answers 405 (q and err both nil).
func (s *Sim) readQuery(c *call, e *entity, next bool) (*query, error) {
	if c.r.Method == http.MethodGet {
		search, ok := c.r.URL.Query()["search"]
		if !ok && next {
			methodNotAllowed(c.w)
			return nil, nil
		}
		text := ""
		if ok {
			text = search[0]
		}
		q, err := parseQuery(e, []byte(text))
		if q != nil {
			q.search = text
		}
		return q, err
	}
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	return parseQuery(e, body)
}

func (s *Sim) count(c *call, e *entity) {
	q, err := s.readQuery(c, e, false)
	if err != nil {
		writeErr(c.w, err)
		return
	}
	s.mu.Lock()
	n := 0
	for _, r := range e.rows {
		if matchAll(r, q.filter) {
			n++
		}
	}
	s.mu.Unlock()
	writeJSON(c.w, http.StatusOK, map[string]int{"queryCount": n})
}

// answerQuery runs q, cuts the page pg asks for and writes items with
// pageDetails whose URLs continue the same way the query came in.
func (s *Sim) answerQuery(c *call, e *entity, q *query, pg paging) {
	s.mu.Lock()
	var ids []int64
	for _, id := range e.sortedIDs() {
		if matchAll(e.rows[id], q.filter) {
			ids = append(ids, id)
		}
	}
	page, before, after := cutPage(ids, pg)
	items := make([]rendered, len(page))
	for i, id := range page {
		items[i] = e.render(e.rows[id], q.include)
	}
	s.mu.Unlock()
	details := map[string]any{"count": len(items), "requestCount": pg.PageSize, "prevPageUrl": nil, "nextPageUrl": nil}
	if before {
		first := page[0]
		details["prevPageUrl"] = pageURL(c, e, q, paging{PageSize: pg.PageSize, BeforeID: &first})
	}
	if after {
		last := page[len(page)-1]
		details["nextPageUrl"] = pageURL(c, e, q, paging{PageSize: pg.PageSize, AfterID: &last})
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"items": items, "pageDetails": details})
}

// cutPage selects the page of sorted ids and whether rows exist before and
// after it.
func cutPage(ids []int64, pg paging) (page []int64, before, after bool) {
	id := func(v int64) int64 { return v }
	var start, end int
	switch {
	case pg.AfterID != nil:
		start, end = simkit.After(ids, id, *pg.AfterID, pg.PageSize)
	case pg.BeforeID != nil:
		start, end = simkit.Before(ids, id, *pg.BeforeID, pg.PageSize)
	default:
		start, end = simkit.Page{Number: 1, Size: pg.PageSize, Total: len(ids)}.Bounds()
	}
	page = ids[start:end]
	if len(page) == 0 {
		return page, false, false
	}
	return page, start > 0, end < len(ids)
}

// pageURL builds an absolute next/prev URL on the request's host. GET
// queries carry search= so the URL alone continues them; POST queries must
// be continued by POSTing the same body to it.
func pageURL(c *call, e *entity, q *query, pg paging) string {
	p, _ := json.Marshal(pg)
	prefix := "http://" + c.r.Host + "/" + rootPrefix + "/V1.0/" + e.name + "/query/next"
	return simkit.QueryURL(prefix, nil, map[string]string{"paging": string(p), "search": q.search})
}
