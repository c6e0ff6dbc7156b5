package connectwisesim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

var linkEntry = regexp.MustCompile(`<([^>]*)>;\s*rel="(\w+)"`)

// links parses a Link header into rel → URL.
func links(h http.Header) map[string]string {
	out := map[string]string{}
	for _, m := range linkEntry.FindAllStringSubmatch(h.Get("Link"), -1) {
		out[m[2]] = m[1]
	}
	return out
}

func rels(l map[string]string) []string {
	var out []string
	for k := range l {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// page GETs one page and returns its ids and links.
func (c *client) page(u string) ([]int, map[string]string) {
	c.t.Helper()
	status, body, hdr := c.do(http.MethodGet, u, nil)
	if status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", u, status, body)
	}
	var rows []map[string]any
	if err := json.Unmarshal(body, &rows); err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	return ids(rows), links(hdr)
}

// seedTickets creates n tickets and returns their ids.
func seedTickets(c *client, n int) []int {
	var out []int
	for i := range n {
		out = append(out, c.create(ticket("paging "+itoa(i))))
	}
	return out
}

func TestPagingLinks(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	want := seedTickets(c, 53)

	first, l := c.page("service/tickets?pageSize=10&conditions=" + urlq(`summary like "paging%"`))
	if len(first) != 10 || !cmp.Equal(rels(l), []string{"last", "next"}) {
		t.Fatalf("page 1: %d rows, links %v", len(first), l)
	}
	if u, _ := url.Parse(l["last"]); u.Query().Get("page") != "6" || u.Query().Get("conditions") != `summary like "paging%"` {
		t.Errorf("last link %s, want page=6 keeping the conditions", l["last"])
	}
	got := append([]int{}, first...)
	next := l["next"]
	for i := 0; next != "" && i < 20; i++ {
		page, l := c.page(next)
		got = append(got, page...)
		if page2 := i == 0; page2 && !cmp.Equal(rels(l), []string{"first", "last", "next", "prev"}) {
			t.Errorf("page 2 links %v", rels(l))
		}
		next = l["next"]
		if next == "" && (!cmp.Equal(rels(l), []string{"first", "prev"}) || len(page) != 3) {
			t.Errorf("last page: %d rows, links %v", len(page), rels(l))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids over all pages (-want +got):\n%s", diff)
	}
	if n := c.object(http.MethodGet, "service/tickets/count?conditions="+urlq(`summary like "paging%"`), nil, 200)["count"]; n != 53.0 {
		t.Errorf("count = %v", n)
	}
}

func TestPagingSizes(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	seedTickets(c, 30)
	if rows, l := c.page("service/tickets"); len(rows) != 25 || l["next"] == "" {
		t.Errorf("default page: %d rows, links %v; want 25 and a next link", len(rows), l)
	}
	if rows, l := c.page("service/tickets?pageSize=2000"); len(rows) != 30 || len(l) != 0 {
		t.Errorf("oversized page is clamped: %d rows, links %v", len(rows), l)
	}
	if rows, l := c.page("service/tickets?page=9&pageSize=10"); len(rows) != 0 || l["next"] != "" {
		t.Errorf("page past the end: %v %v", rows, l)
	}
	desc, _ := c.page("service/tickets?pageSize=3&orderBy=" + urlq("id desc"))
	if !cmp.Equal(desc, []int{1030, 1029, 1028}) {
		t.Errorf("orderBy id desc: %v", desc)
	}
	byName, _ := c.page("company/companies?orderBy=" + urlq("name asc"))
	if !cmp.Equal(byName, []int{251, 250, 252, 253, 255, 254}) {
		t.Errorf("orderBy name asc: %v", byName)
	}
	for _, bad := range []string{"page=0", "pageSize=0", "pageSize=abc", "orderBy=" + urlq("id sideways"), "orderBy=nosuch"} {
		if e := c.failure(http.MethodGet, "service/tickets?"+bad, nil, 400); e.Code != "InvalidObject" {
			t.Errorf("%s: %v", bad, e)
		}
	}
	_, strict := start(t, connectwisesim.Options{RejectOversizePage: true})
	strict.failure(http.MethodGet, "service/tickets?pageSize=1001", nil, 400)
	strict.list("service/tickets?pageSize=1000")
}

func TestForwardOnlyPaging(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	want := seedTickets(c, 45)
	c.hdr = map[string]string{"pagination-type": "forward-only"}
	var got []int
	next := "service/tickets?pageSize=20&orderBy=" + urlq("summary desc")
	for i := 0; next != "" && i < 10; i++ {
		page, l := c.page(next)
		got = append(got, page...)
		if _, ok := l["next"]; len(l) > 1 || (!ok && len(l) == 1) {
			t.Errorf("forward-only links %v, want next only", l)
		}
		next = l["next"]
		if u, _ := url.Parse(next); next != "" && (u.Query().Get("pageId") != itoa(page[len(page)-1]) || u.Query().Has("page")) {
			t.Errorf("next link %s, want pageId=%d", next, page[len(page)-1])
		}
	}
	if !slices.Equal(want, got) {
		t.Errorf("forward-only ids: got %v, want %v", got, want)
	}
}

func TestFieldsProjection(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	got := c.list("company/companies?conditions=id=251&fields=" + urlq("id,name,status/name,types"))
	want := []map[string]any{{"id": 251.0, "name": "Acme Corp", "status": map[string]any{"name": "Active"},
		"types": []any{map[string]any{"id": 1.0, "name": "Client", "_info": map[string]any{"type_href": c.root + "company/companies/types/1"}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	one := c.object(http.MethodGet, "company/contacts/31?fields=id,firstName", nil, 200)
	if diff := cmp.Diff(map[string]any{"id": 31.0, "firstName": "Jane"}, one); diff != "" {
		t.Errorf("single GET with fields (-want +got):\n%s", diff)
	}
}
