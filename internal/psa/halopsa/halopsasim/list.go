package halopsasim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// listQuery is what Halo's list endpoints share: paging, count, search.
type listQuery struct {
	q url.Values
}

func query(r *http.Request) listQuery {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		q[strings.ToLower(k)] = v
	}
	return listQuery{q: q}
}

func (l listQuery) str(key string) string { return l.q.Get(key) }

func (l listQuery) flag(key string) bool {
	b, _ := strconv.ParseBool(l.q.Get(key))
	return b
}

// num reads an integer parameter; ok is false when it is absent.
func (l listQuery) num(key string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(l.q.Get(key)))
	return n, err == nil
}

// ids reads a comma-separated list of integers.
func (l listQuery) ids(key string) []int {
	var out []int
	for _, f := range strings.Split(l.q.Get(key), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// page cuts items as the query asks: with pageinate=true by page_no and
// page_size (capped at limit), else the first count rows when count is
// given.
func page[T any](l listQuery, items []T, limit int) []T {
	if l.flag("pageinate") {
		size, ok := l.num("page_size")
		if !ok || size < 1 {
			size = 50
		}
		no, _ := l.num("page_no")
		p := simkit.Page{Number: no, Size: min(size, limit), Total: len(items)}
		start, end := p.Bounds()
		return items[start:end]
	}
	if n, ok := l.num("count"); ok && n >= 0 && n < len(items) {
		return items[:n]
	}
	return items
}

// writeList answers the wrapper the big entities use:
// {"record_count":n,"<key>":[…]}, with page_no and page_size echoed on
// paged calls.
func writeList[T any](w http.ResponseWriter, l listQuery, key string, all []T, limit int) {
	rows := page(l, all, limit)
	if rows == nil {
		rows = []T{}
	}
	out := map[string]any{"record_count": len(all), key: rows}
	if l.flag("pageinate") {
		no, _ := l.num("page_no")
		size, _ := l.num("page_size")
		out["page_no"], out["page_size"] = max(no, 1), min(max(size, 1), limit)
	}
	writeJSON(w, http.StatusOK, out)
}

// contains is Halo's search: a case-insensitive substring.
func contains(field, search string) bool {
	return strings.Contains(strings.ToLower(field), strings.ToLower(strings.TrimSpace(search)))
}

// sortBy orders items by the query's order field (def when it names none
// of by) and orderdesc.
func sortBy[T any](l listQuery, items []T, by map[string]func(a, b T) int, def func(a, b T) int) {
	cmp := def
	if f, ok := by[strings.ToLower(l.str("order"))]; ok {
		cmp = f
	}
	desc := l.flag("orderdesc")
	slices.SortStableFunc(items, func(a, b T) int {
		if c := cmp(a, b); c != 0 {
			if desc {
				return -c
			}
			return c
		}
		return def(a, b)
	})
}
