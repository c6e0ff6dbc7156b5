package autotasksim

import "strings"

// matchAll reports whether r satisfies every condition (top level is AND).
func matchAll(r record, conds []cond) bool {
	for _, c := range conds {
		if !matchCond(r, c) {
			return false
		}
	}
	return true
}

func matchCond(r record, c cond) bool {
	switch c.op {
	case "and":
		return matchAll(r, c.items)
	case "or":
		for _, item := range c.items {
			if matchCond(r, item) {
				return true
			}
		}
		return len(c.items) == 0
	}
	v := r[fieldKey(c)]
	if c.udf != "" {
		v = udfLookup(r, c.udf)
	}
	return matchLeaf(c.op, v, c.values)
}

func fieldKey(c cond) string {
	if c.field == nil {
		return ""
	}
	return c.field.Name
}

func udfLookup(r record, name string) any {
	list, _ := r[udfKey].([]udfValue)
	for _, u := range list {
		if strings.EqualFold(u.Name, name) {
			if u.Value == nil || u.Value == "" {
				return nil
			}
			return formatJSON(u.Value)
		}
	}
	return nil
}

// matchLeaf applies one operator. Comparisons with a null value are false
// (SQL semantics; Autotask evaluates queries in SQL), except exist/notExist
// and eq/noteq against an explicit null.
func matchLeaf(op string, v any, values []any) bool {
	var want any
	if len(values) > 0 {
		want = values[0]
	}
	switch op {
	case "exist":
		return v != nil
	case "notExist":
		return v == nil
	case "in", "notIn":
		return v != nil && matchIn(v, values) == (op == "in")
	}
	if want == nil {
		switch op {
		case "eq":
			return v == nil
		case "noteq":
			return v != nil
		}
		return false
	}
	if v == nil {
		return false
	}
	return compareOp(op, v, want)
}

func compareOp(op string, v, want any) bool {
	switch op {
	case "eq":
		return compareValues(v, want) == 0
	case "noteq":
		return compareValues(v, want) != 0
	case "gt":
		return compareValues(v, want) > 0
	case "gte":
		return compareValues(v, want) >= 0
	case "lt":
		return compareValues(v, want) < 0
	case "lte":
		return compareValues(v, want) <= 0
	}
	text, pat := strings.ToLower(formatValue(v)), strings.ToLower(formatValue(want))
	switch op {
	case "beginsWith":
		return strings.HasPrefix(text, pat)
	case "endsWith":
		return strings.HasSuffix(text, pat)
	case "contains":
		return strings.Contains(text, pat)
	}
	return false
}

func matchIn(v any, values []any) bool {
	if v == nil {
		return false
	}
	for _, w := range values {
		if w != nil && compareValues(v, w) == 0 {
			return true
		}
	}
	return false
}
