package autotasksim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// maxPage is Autotask's largest (and default) page size.
const maxPage = 500

// maxOrConditions is the documented cap on conditions under "or" groups.
const maxOrConditions = 500

// query is a parsed query body.
type query struct {
	filter  []cond
	include []string // canonical names; nil means every field
	max     int
	search  string // the original JSON of a GET ?search= query, "" for POST
}

// cond is one filter condition or an and/or group. Leaf values are already
// coerced to the field's type.
type cond struct {
	op     string
	field  *field // nil for groups and UDF conditions
	udf    string // UDF name when the condition has "udf":true
	values []any
	items  []cond
}

// Operators, spelled case-sensitively as Autotask requires.
var leafOps = map[string]bool{
	"eq": true, "noteq": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"beginsWith": true, "endsWith": true, "contains": true,
	"exist": true, "notExist": true, "in": true, "notIn": true,
}

// parseQuery reads a query document. A missing or empty filter is refused
// with the message .NET produces for the null argument.
func parseQuery(e *entity, text []byte) (*query, error) {
	var raw map[string]json.RawMessage
	if len(strings.TrimSpace(string(text))) == 0 {
		return nil, invalid(msgNoFilters)
	}
	if err := json.Unmarshal(text, &raw); err != nil {
		return nil, invalid("The query is not valid JSON.")
	}
	q := &query{max: maxPage}
	fraw := rawKey(raw, "filter")
	if len(fraw) == 0 || string(fraw) == "null" {
		return nil, invalid(msgNoFilters)
	}
	filter, err := parseConds(e, fraw)
	if err != nil {
		return nil, err
	}
	if len(filter) == 0 {
		return nil, invalid(msgNoFilters)
	}
	q.filter = filter
	if n := countOr(filter, false); n > maxOrConditions {
		return nil, invalid(msgTooManyOrs)
	}
	if countUDF(filter) > 1 {
		return nil, invalid("Invalid query syntax. Only one user-defined field may be used in a query.")
	}
	if err := q.parseOptions(e, raw); err != nil {
		return nil, err
	}
	return q, nil
}

func (q *query) parseOptions(e *entity, raw map[string]json.RawMessage) error {
	if m := rawKey(raw, "maxRecords"); len(m) > 0 && string(m) != "null" {
		var n int
		if err := json.Unmarshal(m, &n); err != nil || n < 0 || n > maxPage {
			return &apiError{status: http.StatusBadRequest, msg: "MaxRecords must be between 1 and 500."}
		}
		if n > 0 {
			q.max = n
		}
	}
	inc := rawKey(raw, "includeFields")
	if len(inc) == 0 || string(inc) == "null" {
		return nil
	}
	var names []string
	if err := json.Unmarshal(inc, &names); err != nil {
		return invalid("IncludeFields must be an array of field names.")
	}
	q.include = []string{}
	for _, n := range names {
		if strings.EqualFold(n, udfKey) {
			q.include = append(q.include, udfKey)
			continue
		}
		f := e.field(n)
		if f == nil {
			return invalid("IncludeFields: unable to find field %s in entity %s.", n, e.singular)
		}
		q.include = append(q.include, f.Name)
	}
	return nil
}

// rawKey finds key in raw case-insensitively.
func rawKey(raw map[string]json.RawMessage, key string) json.RawMessage {
	for k, v := range raw {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func parseConds(e *entity, text json.RawMessage) ([]cond, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(text, &items); err != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(text, &one) != nil {
			return nil, invalid("Invalid query syntax. The filter must be an array of conditions.")
		}
		items = []map[string]json.RawMessage{one}
	}
	out := make([]cond, 0, len(items))
	for _, item := range items {
		c, keep, err := parseCond(e, item)
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, c)
		}
	}
	return out, nil
}

// parseCond parses one condition. An unknown operator is dropped silently
// (keep=false): live Autotask ignores e.g. the "noteExist" typo.
func parseCond(e *entity, m map[string]json.RawMessage) (cond, bool, error) {
	var c cond
	_ = json.Unmarshal(rawKey(m, "op"), &c.op)
	if c.op == "and" || c.op == "or" {
		items, err := parseConds(e, rawKey(m, "items"))
		return cond{op: c.op, items: items}, true, err
	}
	if !leafOps[c.op] {
		return c, false, nil
	}
	var name string
	_ = json.Unmarshal(rawKey(m, "field"), &name)
	var isUDF bool
	_ = json.Unmarshal(rawKey(m, "udf"), &isUDF)
	values, err := decodeValues(rawKey(m, "value"))
	if err != nil {
		return c, false, err
	}
	if isUDF {
		c.udf = name
		for i, v := range values {
			values[i] = formatJSON(v)
		}
		c.values = values
		return c, true, nil
	}
	if c.field = e.field(name); c.field == nil {
		return c, false, invalid("Invalid query syntax. Unable to find field %q in entity %s.", name, e.singular)
	}
	for i, v := range values {
		if values[i], err = coerce(c.field, v); err != nil {
			return c, false, invalid("Invalid query value for field %s: %v", c.field.Name, err)
		}
	}
	c.values = values
	return c, true, nil
}

// decodeValues reads a condition's value: a scalar or, for in/notIn, an array.
func decodeValues(text json.RawMessage) ([]any, error) {
	if len(text) == 0 {
		return nil, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(text)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, invalid("Invalid query syntax. A condition value is not valid JSON.")
	}
	if list, ok := v.([]any); ok {
		return list, nil
	}
	return []any{v}, nil
}

func formatJSON(v any) any {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	if b, ok := v.(bool); ok {
		return formatValue(b)
	}
	return v
}

// countOr counts leaf conditions that sit under an "or" group.
func countOr(conds []cond, inOr bool) int {
	n := 0
	for _, c := range conds {
		switch {
		case c.items != nil || c.op == "and" || c.op == "or":
			n += countOr(c.items, inOr || c.op == "or")
		case inOr:
			n++
		}
	}
	return n
}

func countUDF(conds []cond) int {
	names := map[string]bool{}
	var walk func([]cond)
	walk = func(cs []cond) {
		for _, c := range cs {
			if c.udf != "" {
				names[strings.ToLower(c.udf)] = true
			}
			walk(c.items)
		}
	}
	walk(conds)
	return len(names)
}
