package connectwisesim

import (
	"sort"
	"strings"
	"time"
)

// obj is one stored record or nested object. Values are string, int64,
// float64, bool, time.Time, href, obj, []obj, []int64, []any or nil. Every
// field of a record is present (nil when empty) so condition paths can tell
// an empty field from an unknown one; rendering drops nils, as ConnectWise
// omits null fields from its answers.
type obj map[string]any

// href is a link below the API root; it renders as an absolute URL on the
// host the request came in on.
type href string

// timeFormat is ConnectWise's wire format: UTC to the second with Z.
const timeFormat = "2006-01-02T15:04:05Z"

// table is one resource's rows and how references to them look.
type table struct {
	display  string // name in NotFound messages, e.g. "Ticket"
	resource string // resource name in validation errors, e.g. "ticket"
	path     string // collection path below the API root
	refKey   string // prefix of the _info href key in references, e.g. "board"
	// refExtra copies row fields into references: reference key → row key.
	refExtra map[string]string
	// refName names a row in references; default its "name" field. An
	// empty name is left out (product references carry none).
	refName func(obj) string
	// hrefOf is a row's path below the API root when it is not
	// path/{id} (board statuses, agreement additions).
	hrefOf func(obj) string

	rows   map[int64]obj
	lastID int64
}

func newTable(display, resource, path, refKey string, firstID int64) *table {
	return &table{display: display, resource: resource, path: path, refKey: refKey,
		rows: make(map[int64]obj), lastID: firstID - 1}
}

// insert stores o under its "id".
func (t *table) insert(o obj) obj {
	id := asInt(o["id"])
	t.rows[id] = o
	t.lastID = max(t.lastID, id)
	return o
}

func (t *table) nextID() int64 {
	t.lastID++
	return t.lastID
}

// sorted returns the rows in ascending id order.
func (t *table) sorted() []obj {
	out := make([]obj, 0, len(t.rows))
	for _, o := range t.rows {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return asInt(out[i]["id"]) < asInt(out[j]["id"]) })
	return out
}

// ref is the reference object other records hold to row id, or nil.
func (t *table) ref(id int64) obj {
	row := t.rows[id]
	if row == nil {
		return nil
	}
	name, _ := row["name"].(string)
	if t.refName != nil {
		name = t.refName(row)
	}
	r := obj{"id": id}
	if name != "" {
		r["name"] = name
	}
	for k, src := range t.refExtra {
		r[k] = row[src]
	}
	r["_info"] = obj{t.refKey + "_href": t.href(row)}
	return r
}

// href is the link to row.
func (t *table) href(row obj) href {
	if t.hrefOf != nil {
		return href(t.hrefOf(row))
	}
	return href(t.path + "/" + itoa(asInt(row["id"])))
}

// info is a new record's _info.
func info(now time.Time, who string) obj {
	return obj{"lastUpdated": now, "updatedBy": who, "dateEntered": now, "enteredBy": who}
}

// touch records a change in o's _info.
func touch(o obj, now time.Time, who string) {
	in, _ := o["_info"].(obj)
	if in == nil {
		in = info(now, who)
		o["_info"] = in
	}
	in["lastUpdated"], in["updatedBy"] = now, who
}

// render turns a stored value into its wire form: nil fields dropped,
// times formatted, links made absolute on base.
func render(v any, base string) any {
	switch x := v.(type) {
	case obj:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = render(e, base)
			}
		}
		return out
	case []obj:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = render(e, base)
		}
		return out
	case time.Time:
		return x.UTC().Format(timeFormat)
	case href:
		return base + string(x)
	}
	return v
}

// field reads key from o case-insensitively. A key absent from a record
// but present in its _info (lastUpdated, dateEntered, ...) reads from
// there, which is how conditions name _info fields.
func field(o obj, key string) (any, bool) {
	if v, ok := o[key]; ok {
		return v, true
	}
	for k, v := range o {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	if in, ok := o["_info"].(obj); ok && !strings.EqualFold(key, "_info") {
		return field(in, key)
	}
	return nil, false
}

// asInt reads an integer stored or decoded from JSON; others read as 0.
func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// refID is the id of a stored reference, 0 when unset.
func refID(v any) int64 {
	if r, ok := v.(obj); ok {
		return asInt(r["id"])
	}
	return 0
}
