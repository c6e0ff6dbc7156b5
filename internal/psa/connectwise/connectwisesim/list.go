package connectwisesim

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Paging limits ConnectWise documents.
const (
	defaultPageSize = 25
	maxPageSize     = 1000
)

// scope is a readable table, optionally below a parent record whose id is
// the first id of the path (a board's statuses, a ticket's notes).
type scope struct {
	table       string
	parent      string // parent table, "" for top-level collections
	parentField string // path in a row holding the parent id
}

// rows returns the rows in scope, or 404 when the parent is missing.
// Callers hold s.mu.
func (sc scope) rows(s *Sim, c *call) ([]obj, error) {
	rows := s.tables[sc.table].sorted()
	if sc.parent == "" {
		return rows, nil
	}
	pid := c.ids[0]
	pt := s.tables[sc.parent]
	if pt.rows[pid] == nil {
		return nil, notFound(pt.display, pid)
	}
	out := rows[:0]
	for _, o := range rows {
		if v, _ := walk(o, strings.Split(sc.parentField, "/"), ""); asInt(v) == pid {
			out = append(out, o)
		}
	}
	return out, nil
}

// listQuery is the parsed query string of a collection GET.
type listQuery struct {
	cond, child, custom condExpr
	orderBy             []orderKey
	fields              [][]string
	page, pageSize      int
	forwardOnly         bool
	pageID              int64
}

type orderKey struct {
	path []string
	desc bool
}

func (s *Sim) parseListQuery(r *http.Request) (*listQuery, error) {
	v := r.URL.Query()
	q := &listQuery{page: 1, pageSize: defaultPageSize}
	var err error
	if q.cond, err = parseConditions(v.Get("conditions")); err != nil {
		return nil, err
	}
	if q.child, err = parseConditions(v.Get("childConditions")); err != nil {
		return nil, err
	}
	if q.custom, err = parseConditions(v.Get("customFieldConditions")); err != nil {
		return nil, err
	}
	if q.orderBy, err = parseOrderBy(v.Get("orderBy")); err != nil {
		return nil, err
	}
	for _, f := range strings.Split(v.Get("fields"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			q.fields = append(q.fields, strings.Split(f, "/"))
		}
	}
	if err := s.parsePaging(v, q); err != nil {
		return nil, err
	}
	q.forwardOnly = strings.EqualFold(r.Header.Get("pagination-type"), "forward-only")
	return q, nil
}

func (s *Sim) parsePaging(v url.Values, q *listQuery) error {
	num := func(name string, dst *int) error {
		if text := v.Get(name); text != "" {
			n, err := strconv.Atoi(text)
			if err != nil || n < 1 {
				return badRequest("%s must be a whole number of at least 1.", name)
			}
			*dst = n
		}
		return nil
	}
	if err := num("page", &q.page); err != nil {
		return err
	}
	if err := num("pageSize", &q.pageSize); err != nil {
		return err
	}
	if q.pageSize > maxPageSize {
		if s.opts.RejectOversizePage {
			return badRequest("pageSize cannot exceed %d.", maxPageSize)
		}
		q.pageSize = maxPageSize
	}
	if text := v.Get("pageId"); text != "" {
		id, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return badRequest("pageId must be a record id.")
		}
		q.pageID = id
	}
	return nil
}

func parseOrderBy(text string) ([]orderKey, error) {
	var keys []orderKey
	for _, part := range strings.Split(text, ",") {
		words := strings.Fields(part)
		switch {
		case len(words) == 0:
			continue
		case len(words) > 2 || (len(words) == 2 && !strings.EqualFold(words[1], "asc") && !strings.EqualFold(words[1], "desc")):
			return nil, badRequest("orderBy must list fields each followed by asc or desc, e.g. orderBy=id asc.")
		}
		keys = append(keys, orderKey{path: strings.Split(words[0], "/"), desc: len(words) == 2 && strings.EqualFold(words[1], "desc")})
	}
	return keys, nil
}

// filter applies the three condition parameters.
func (q *listQuery) filter(rows []obj, resource string) ([]obj, error) {
	var out []obj
	for _, o := range rows {
		ok, err := matches(q.cond, o, resource)
		if err == nil && ok {
			ok, err = childMatches(q.child, o, resource)
		}
		if err == nil && ok {
			ok, err = customMatches(q.custom, o, resource)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// sortRows orders rows by the orderBy keys, then by id. An unknown orderBy
// field is a 400.
func (q *listQuery) sortRows(rows []obj, resource string) error {
	for _, k := range q.orderBy {
		if len(rows) > 0 {
			if _, err := walk(rows[0], k.path, resource); err != nil {
				return err
			}
		}
	}
	key := func(o obj, k orderKey) any {
		v, _ := walk(o, k.path, resource)
		return v
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range q.orderBy {
			if c := compareValues(key(rows[i], k), key(rows[j], k)); c != 0 {
				return (c < 0) != k.desc
			}
		}
		return asInt(rows[i]["id"]) < asInt(rows[j]["id"])
	})
	return nil
}

// compareValues orders two stored values of one field; nulls first,
// strings case-insensitively.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(strings.ToLower(x), strings.ToLower(y))
		}
	case bool:
		if y, ok := b.(bool); ok && x != y {
			if x {
				return 1
			}
			return -1
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	}
	ka, _ := valueKind(a)
	kb, _ := valueKind(b)
	if ka == litNumber && kb == litNumber {
		return cmpFloat(toFloat(a), toFloat(b))
	}
	return 0
}
