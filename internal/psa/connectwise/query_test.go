package connectwise

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Acme Corp", `"Acme Corp"`},
		{"double quotes", `The "Best" MSP`, `"The \"Best\" MSP"`},
		{"single quote", "O'Brien", `"O'Brien"`},
		{"backslash", `DOMAIN\user`, `"DOMAIN\\user"`},
		{"backslash before quote", `a\"b`, `"a\\\"b"`},
		{"brackets stay literal inside quotes", "[2024-01-01T00:00:00Z]", `"[2024-01-01T00:00:00Z]"`},
		{"operators stay literal inside quotes", `x" or id>0 or name="`, `"x\" or id>0 or name=\""`},
		{"empty", "", `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := quote(tt.in); got != tt.want {
				t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestConditionBuilders(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, got, want string }{
		{"eqString", eqString("board/name", `Help "Desk"`), `board/name="Help \"Desk\""`},
		{"eqInt", eqInt("company/id", 250), "company/id=250"},
		{"anyInt one", anyInt("types/id", []int64{3}), "types/id=3"},
		{"anyInt many", anyInt("types/id", []int64{3, 5}), "(types/id=3 or types/id=5)"},
		{"and", and("a=1", "b=2", "c=3"), "a=1 and b=2 and c=3"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestContactByEmailQuery(t *testing.T) {
	t.Parallel()
	const email = `o"brien[x]@acme.example`
	f := newFake(t)
	f.api("GET", "company/contacts", answer(200, `[{"id":9,"firstName":"Pat","lastName":"O'Brien","company":{"id":250},
		"communicationItems":[{"value":"pat@other.example","communicationType":"Email","defaultFlag":true},
		{"value":"O\"Brien[X]@acme.example","communicationType":"Email"}]}]`))
	got, err := f.connector(t).ContactByEmail(context.Background(), "250", email)
	if err != nil {
		t.Fatalf("ContactByEmail: %v", err)
	}
	want := psa.Contact{ID: "9", CompanyID: "250", FirstName: "Pat", LastName: "O'Brien", Email: `O"Brien[X]@acme.example`, Active: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("contact (-want +got):\n%s", diff)
	}
	reqs := f.requests(apiPrefix + "company/contacts")
	if len(reqs) != 1 {
		t.Fatalf("contacts requests = %d, want 1", len(reqs))
	}
	q := reqs[0].Query
	wantQ := map[string]string{
		"conditions":      `company/id=250 and inactiveFlag=false`,
		"childConditions": `communicationItems/value="o\"brien[x]@acme.example" and communicationItems/communicationType="Email"`,
		"pageSize":        "1000",
		"page":            "1",
	}
	for k, v := range wantQ {
		if len(q[k]) != 1 || q[k][0] != v {
			t.Errorf("query %s = %q, want %q", k, q[k], v)
		}
	}
}

func TestCompaniesTypeFilterQuery(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "company/companies", answer(200, `[
		{"id":1,"name":"A","types":[{"id":1,"name":"Client"},{"id":5,"name":"Prospect"}],"status":{"id":1,"name":"Active"}},
		{"id":2,"name":"B","types":[{"id":1,"name":"Client"}],"status":{"id":1,"name":"Active"}}]`))
	got, err := f.connector(t).Companies(context.Background(), psa.CompanyFilter{Types: []string{"5", "7"}})
	if err != nil {
		t.Fatalf("Companies: %v", err)
	}
	// B lacks the types: a peer that ignored childConditions is corrected.
	want := []psa.Company{{ID: "1", Name: "A", Type: "5", Active: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("companies (-want +got):\n%s", diff)
	}
	q := f.requests(apiPrefix + "company/companies")[0].Query
	if got, want := q.Get("conditions"), `deletedFlag=false and status/name="Active"`; got != want {
		t.Errorf("conditions = %q, want %q", got, want)
	}
	if got, want := q.Get("childConditions"), "(types/id=5 or types/id=7)"; got != want {
		t.Errorf("childConditions = %q, want %q", got, want)
	}
	_, err = f.connector(t).Companies(context.Background(), psa.CompanyFilter{Classifications: []string{"1"}})
	if psa.ClassOf(err) != psa.Permanent {
		t.Errorf("classification filter: err %v, want permanent (ConnectWise has none)", err)
	}
}

func TestLinkRel(t *testing.T) {
	t.Parallel()
	const a, b = "https://h/x?page=2&pageSize=1000", "https://h/x?page=9"
	tests := []struct{ name, header, rel, want string }{
		{"next first", `<` + a + `>; rel="next", <` + b + `>; rel="last"`, "next", a},
		{"last", `<` + a + `>; rel="next", <` + b + `>; rel="last"`, "last", b},
		{"next after first and prev", `<https://h/x?page=1>; rel="first", <https://h/x?page=1>; rel="prev", <` + a + `>; rel="next"`, "next", a},
		{"unquoted and spaced", `< ` + a + `>;rel=next`, "next", a},
		{"several relations", `<` + a + `>; rel="prev next"`, "next", a},
		{"case", `<` + a + `>; REL="Next"`, "next", a},
		{"none", `<` + b + `>; rel="last"`, "next", ""},
		{"empty", ``, "next", ""},
		{"broken", `<` + a, "next", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := linkRel(tt.header, tt.rel); got != tt.want {
				t.Errorf("linkRel = %q, want %q", got, tt.want)
			}
		})
	}
}

// pagedServer serves items 1..total in pages with or without Link headers.
func pagedServer(f *fake, total int, links bool) {
	f.api("GET", "service/priorities", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("pageSize"))
		if page < 1 || size < 1 {
			w.WriteHeader(400)
			return
		}
		if links && page*size < total {
			next := fmt.Sprintf("%s%sservice/priorities?pageSize=%d&page=%d", f.srv.URL, apiPrefix, size, page+1)
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, next, next))
		}
		io.WriteString(w, "[")
		for i := (page-1)*size + 1; i <= min(page*size, total); i++ {
			if i > (page-1)*size+1 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"id":%d,"name":"p%d"}`, i, i)
		}
		io.WriteString(w, "]")
	})
}

func TestCollectPaging(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		total     int
		links     bool
		wantPages int
	}{
		{name: "link header over three pages", total: 2500, links: true, wantPages: 3},
		{name: "link header, one page", total: 3, links: true, wantPages: 1},
		{name: "no link header, full pages then a short one", total: 2100, wantPages: 3},
		{name: "no link header, exact multiple ends on an empty page", total: 2000, wantPages: 3},
		{name: "empty", total: 0, wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			pagedServer(f, tt.total, tt.links)
			c := f.connector(t)
			rows, err := collect[namedWire](context.Background(), c, "service/priorities", nil, "priorities.list")
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			if len(rows) != tt.total {
				t.Fatalf("rows = %d, want %d", len(rows), tt.total)
			}
			for i, r := range rows {
				if r.ID != int64(i+1) {
					t.Fatalf("row %d has id %d, want %d (pages out of order or repeated)", i, r.ID, i+1)
				}
			}
			if n := len(f.requests(apiPrefix + "service/priorities")); n != tt.wantPages {
				t.Errorf("pages requested = %d, want %d", n, tt.wantPages)
			}
		})
	}
}

func TestCollectRefusesForeignNextLink(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	other := newFake(t)
	other.api("GET", "service/priorities", answer(200, `[]`))
	f.api("GET", "service/priorities", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<`+other.srv.URL+apiPrefix+`service/priorities?page=2>; rel="next"`)
		io.WriteString(w, `[{"id":1,"name":"a"}]`)
	})
	_, err := collect[namedWire](context.Background(), f.connector(t), "service/priorities", nil, "priorities.list")
	if psa.ClassOf(err) != psa.Permanent {
		t.Fatalf("collect = %v, want a permanent error", err)
	}
	if n := len(other.requests("")); n != 0 {
		t.Errorf("foreign host got %d requests: credentials would leak", n)
	}
}

func TestCollectStopsAtMaxPages(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "service/priorities", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<`+f.srv.URL+apiPrefix+`service/priorities?page=2>; rel="next"`)
		io.WriteString(w, `[{"id":1,"name":"a"}]`)
	})
	_, err := collect[namedWire](context.Background(), f.connector(t), "service/priorities", nil, "priorities.list")
	if psa.ClassOf(err) != psa.Permanent {
		t.Fatalf("collect = %v, want a permanent error after %d pages", err, maxPages)
	}
	if n := len(f.requests(apiPrefix + "service/priorities")); n != maxPages {
		t.Errorf("pages requested = %d, want %d", n, maxPages)
	}
}
