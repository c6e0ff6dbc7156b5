package autotasksim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

func cond(op, field string, value any) map[string]any {
	return map[string]any{"op": op, "field": field, "value": value}
}

func group(op string, items ...any) map[string]any {
	return map[string]any{"op": op, "items": items}
}

// TestQueryOperators runs every operator over the seeded companies
// (ids 0 and 174-179), whose names and types are fixed.
func TestQueryOperators(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	tests := []struct {
		name   string
		filter []any
		want   []int
	}{
		{"eq is case-insensitive", []any{cond("eq", "companyName", "acme corp")}, []int{175}},
		{"field name is case-insensitive", []any{cond("eq", "COMPANYNAME", "Initech")}, []int{177}},
		{"noteq", []any{cond("noteq", "companyType", 1)}, []int{0, 178}},
		{"gt", []any{cond("gt", "id", 177)}, []int{178, 179}},
		{"gte", []any{cond("gte", "id", 177)}, []int{177, 178, 179}},
		{"lt", []any{cond("lt", "id", 175)}, []int{0, 174}},
		{"lte", []any{cond("lte", "id", 175)}, []int{0, 174, 175}},
		{"beginsWith", []any{cond("beginsWith", "companyName", "GLOB")}, []int{176}},
		{"endsWith", []any{cond("endsWith", "companyName", "corp")}, []int{175, 179}},
		{"contains", []any{cond("contains", "companyName", "TECH")}, []int{177}},
		{"exist", []any{map[string]any{"op": "exist", "field": "classification"}}, []int{175, 176, 177}},
		{"notExist", []any{map[string]any{"op": "notExist", "field": "classification"}}, []int{0, 174, 178, 179}},
		{"in", []any{cond("in", "companyType", []any{3, 8})}, []int{0, 178}},
		{"notIn", []any{cond("notIn", "id", []any{0, 174, 175, 176})}, []int{177, 178, 179}},
		{"boolean eq", []any{cond("eq", "isActive", false)}, []int{179}},
		{"string number value", []any{cond("eq", "classification", "2")}, []int{176}},
		{"top-level array is AND", []any{cond("eq", "companyType", 1), cond("exist", "classification", nil)}, []int{175, 176, 177}},
		{"or group", []any{group("or", cond("eq", "id", 0), cond("eq", "companyName", "Old Corp"))}, []int{0, 179}},
		{"and inside or", []any{group("or",
			group("and", cond("eq", "companyType", 1), cond("eq", "isActive", false)),
			cond("eq", "companyType", 3))}, []int{178, 179}},
		{"unknown operator is ignored", []any{cond("eq", "id", 175), map[string]any{"op": "noteExist", "field": "phone"}}, []int{175}},
		{"operator spelling is case-sensitive", []any{cond("eq", "id", 176), cond("EQ", "id", 175)}, []int{176}},
		{"no match", []any{cond("eq", "companyName", "Nobody")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(c.call(http.MethodPost, "Companies/query", map[string]any{"filter": tt.filter}, 200))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			n := c.call(http.MethodPost, "Companies/query/count", map[string]any{"Filter": tt.filter}, 200)["queryCount"]
			if n != float64(len(tt.want)) {
				t.Errorf("count = %v, want %d", n, len(tt.want))
			}
		})
	}
}

func TestQueryDatesAndUDF(t *testing.T) {
	t.Parallel()
	clock := newClock()
	_, c := start(t, autotasksim.Options{Now: clock.Now})
	a := c.create("Tickets", ticket("a"))
	withUDF := ticket("b")
	withUDF["userDefinedFields"] = []any{map[string]any{"name": "Alert Source", "value": "Guardz"}}
	b := c.create("Tickets", withUDF)
	tests := []struct {
		name   string
		filter []any
		want   []int
	}{
		{"datetime with Z", []any{cond("gt", "createDate", "2026-11-21T10:00:00Z")}, []int{a, b}},
		{"datetime without zone", []any{cond("gt", "createDate", "2026-11-21T10:15:00.123")}, nil},
		{"udf match", []any{map[string]any{"op": "eq", "field": "alert source", "value": "guardz", "udf": true}}, []int{b}},
		{"udf notExist", []any{map[string]any{"op": "notExist", "field": "Alert Source", "udf": true}}, []int{a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(c.call(http.MethodPost, "Tickets/query", map[string]any{"filter": tt.filter}, 200))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	udf := c.item("Tickets/" + itoa(b))["userDefinedFields"]
	if diff := cmp.Diff([]any{map[string]any{"name": "Alert Source", "value": "Guardz"}}, udf); diff != "" {
		t.Errorf("userDefinedFields (-want +got):\n%s", diff)
	}
}

func TestIncludeFieldsProjection(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	for _, key := range []string{"IncludeFields", "includeFields"} {
		t.Run(key, func(t *testing.T) {
			m := c.call(http.MethodPost, "Companies/query", map[string]any{
				"filter": []any{cond("eq", "id", 178)}, key: []string{"id", "COMPANYNAME", "classification"},
			}, 200)
			want := []any{map[string]any{"id": 178.0, "companyName": "Umbrella Prospect", "classification": nil}}
			if diff := cmp.Diff(want, m["items"]); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	manyOr := make([]any, 501)
	for i := range manyOr {
		manyOr[i] = cond("eq", "id", i)
	}
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		want   string
	}{
		{"no filter", http.MethodPost, "Companies/query", map[string]any{"MaxRecords": 5}, 500, "Parameter name: filters"},
		{"empty filter", http.MethodPost, "Companies/query", map[string]any{"filter": []any{}}, 500, "Parameter name: filters"},
		{"empty body", http.MethodPost, "Companies/query", "", 500, "Parameter name: filters"},
		{"GET without search", http.MethodGet, "Companies/query", nil, 500, "Parameter name: filters"},
		{"next POST without body", http.MethodPost, "Companies/query/next?paging=" + url.QueryEscape(`{"pageSize":2,"afterId":175}`), "", 500, "Parameter name: filters"},
		{"next GET without search", http.MethodGet, "Companies/query/next?paging=" + url.QueryEscape(`{"pageSize":2,"afterId":175}`), nil, 405, ""},
		{"MaxRecords 501", http.MethodPost, "Companies/query", map[string]any{"filter": []any{cond("gte", "id", 0)}, "MaxRecords": 501}, 400, "MaxRecords"},
		{"501 or conditions", http.MethodPost, "Companies/query", map[string]any{"filter": []any{group("or", manyOr...)}}, 500,
			"Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions."},
		{"unknown field", http.MethodPost, "Companies/query", map[string]any{"filter": []any{cond("eq", "nope", 1)}}, 500, "nope"},
		{"unknown include field", http.MethodPost, "Companies/query", map[string]any{"filter": []any{cond("eq", "id", 1)}, "IncludeFields": []string{"nope"}}, 500, "nope"},
		{"bad value type", http.MethodPost, "Companies/query", map[string]any{"filter": []any{cond("eq", "id", "abc")}}, 500, "id"},
		{"two UDFs", http.MethodPost, "Tickets/query", map[string]any{"filter": []any{
			map[string]any{"op": "exist", "field": "A", "udf": true}, map[string]any{"op": "exist", "field": "B", "udf": true}}}, 500, "user-defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				if status, body, _ := c.do(tt.method, tt.path, tt.body); status != tt.status {
					t.Errorf("status %d, want %d (body %s)", status, tt.status, body)
				}
				return
			}
			c.wantError(tt.method, tt.path, tt.body, tt.status, tt.want)
		})
	}
	ok := c.call(http.MethodPost, "Companies/query", map[string]any{"filter": []any{group("or", manyOr[:500]...)}}, 200)
	if len(ids(ok)) != 7 { // every seeded company id is below 500
		t.Errorf("500 or conditions: ids %v", ids(ok))
	}
}

// TestPagingPost creates 1,200 tickets and follows nextPageUrl by POSTing
// the same body until it is null.
func TestPagingPost(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	created := map[int]bool{}
	for i := range 1200 {
		created[c.create("Tickets", ticket("bulk "+itoa(i)))] = true
	}
	body := map[string]any{"filter": []any{cond("gte", "id", 0)}, "IncludeFields": []string{"id"}}
	seen := map[int]int{}
	page := c.call(http.MethodPost, "Tickets/query", body, 200)
	var counts []float64
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging did not end")
		}
		pd := page["pageDetails"].(map[string]any)
		counts = append(counts, pd["count"].(float64))
		for _, id := range ids(page) {
			seen[id]++
		}
		next, _ := pd["nextPageUrl"].(string)
		if next == "" {
			break
		}
		if !strings.HasPrefix(next, "http://127.0.0.1:") || !strings.Contains(next, "paging=") {
			t.Fatalf("nextPageUrl %q is not absolute with paging=", next)
		}
		page = c.call(http.MethodPost, next, body, 200)
	}
	if diff := cmp.Diff([]float64{500, 500, 200}, counts); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	for id := range created {
		if seen[id] != 1 {
			t.Errorf("ticket %d seen %d times", id, seen[id])
		}
	}
	if len(seen) != len(created) {
		t.Errorf("saw %d ids, created %d", len(seen), len(created))
	}
	if status, _, _ := c.do(http.MethodGet, page["pageDetails"].(map[string]any)["prevPageUrl"].(string), nil); status != 405 {
		t.Errorf("GET on a POST query's page URL: status %d, want 405", status)
	}
}

// TestPagingGet follows a GET ?search= query, whose URLs carry search=.
func TestPagingGet(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	search, _ := json.Marshal(map[string]any{"filter": []any{cond("gte", "id", 0)}, "maxRecords": 3})
	page := c.call(http.MethodGet, "Companies/query?search="+url.QueryEscape(string(search)), nil, 200)
	var got []int
	var prev []string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging did not end")
		}
		got = append(got, ids(page)...)
		pd := page["pageDetails"].(map[string]any)
		if pd["requestCount"] != 3.0 {
			t.Errorf("requestCount = %v, want 3", pd["requestCount"])
		}
		p, _ := pd["prevPageUrl"].(string)
		prev = append(prev, p)
		next, _ := pd["nextPageUrl"].(string)
		if next == "" {
			break
		}
		if !strings.Contains(next, "search=") {
			t.Fatalf("GET next URL lacks search=: %s", next)
		}
		page = c.call(http.MethodGet, next, nil, 200)
	}
	if diff := cmp.Diff([]int{0, 174, 175, 176, 177, 178, 179}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if prev[0] != "" || prev[len(prev)-1] == "" {
		t.Fatalf("prevPageUrl per page: %q", prev)
	}
	back := ids(c.call(http.MethodGet, prev[len(prev)-1], nil, 200))
	if diff := cmp.Diff([]int{176, 177, 178}, back); diff != "" {
		t.Errorf("previous page ids (-want +got):\n%s", diff)
	}
}
