package superopssim

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// MaxPageSize is SuperOps' cap on records per list request.
const MaxPageSize = 100

// defaultPageSize is what a list without pageSize answers with.
const defaultPageSize = 10

// errServer is an unhandled fault: the live API answers filters it cannot
// run (operators "equals", "in", ...) with HTTP 500 and SuperOps' own
// capitalised message, which is why the error string is capitalised.
var errServer = errors.New("Internal Server Error(s) while executing query") //lint:ignore ST1005 SuperOps' own wording

// lister filters, sorts and pages records by ListInfoInput.
type lister struct {
	rejectDates  bool
	ignoreCustom bool
	now          time.Time
}

// list answers one ListInfoInput over records (output objects).
func (l lister) list(records []object, in map[string]any) ([]object, object, error) {
	cond, _ := in["condition"].(map[string]any)
	var kept []object
	for _, r := range records {
		ok, err := l.match(cond, r)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			kept = append(kept, r)
		}
	}
	sorts, _ := in["sort"].([]any)
	sortRecords(kept, sorts)
	page := simkit.Page{Number: intArg(in["page"], 1), Size: min(intArg(in["pageSize"], defaultPageSize), MaxPageSize), Total: len(kept)}
	start, end := page.Bounds()
	var echoSort []object
	for _, s := range sorts {
		if m, ok := s.(map[string]any); ok {
			echoSort = append(echoSort, object(m))
		}
	}
	info := object{
		"page": max(page.Number, 1), "pageSize": page.Size, "sort": echoSort, "condition": in["condition"],
		"hasMore": page.More(), "totalCount": len(kept),
	}
	return kept[start:end], info, nil
}

func intArg(v any, def int) int {
	var n int
	switch x := v.(type) {
	case int64:
		n = int(x)
	case int:
		n = x
	case float64:
		n = int(x)
	case json.Number:
		i, _ := x.Int64()
		n = int(i)
	}
	if n > 0 {
		return n
	}
	return def
}

// match evaluates a condition: a leaf, or a compound whose joinOperator
// is "AND" (upper case only) or anything else, which SuperOps treats as
// OR (live-observed).
func (l lister) match(cond map[string]any, r object) (bool, error) {
	if cond == nil {
		return true, nil
	}
	if ops, ok := cond["operands"].([]any); ok && len(ops) > 0 {
		and := cond["joinOperator"] == "AND"
		for _, op := range ops {
			m, _ := op.(map[string]any)
			ok, err := l.match(m, r)
			if err != nil {
				return false, err
			}
			if ok != and {
				return ok, nil
			}
		}
		return and, nil
	}
	attr, _ := cond["attribute"].(string)
	op, _ := cond["operator"].(string)
	if attr == "" && op == "" {
		return true, nil
	}
	if l.ignoreCustom && strings.HasPrefix(attr, "customFields.") {
		return false, nil
	}
	return l.leaf(op, lookup(r, attr), cond["value"])
}

// lookup follows a dot-delimited attribute path ("requester.email").
func lookup(r object, path string) any {
	var cur any = map[string]any(r)
	for _, part := range strings.Split(path, ".") {
		switch m := cur.(type) {
		case map[string]any:
			cur = m[part]
		case object:
			cur = m[part]
		default:
			return nil
		}
	}
	return cur
}

var dateOps = map[string]bool{"on": true, "between": true, "inNext": true, "inLast": true, "after": true, "before": true}

// leaf applies one operator. String matching is case-insensitive; an
// operator SuperOps does not know is a server fault.
func (l lister) leaf(op string, got, want any) (bool, error) {
	if dateOps[op] {
		if l.rejectDates {
			return false, errServer
		}
		return l.date(op, got, want)
	}
	g := text(got)
	w := text(want)
	switch op {
	case "is":
		return strings.EqualFold(g, w), nil
	case "isNot":
		return !strings.EqualFold(g, w), nil
	case "isEmpty":
		return g == "", nil
	case "isNotEmpty":
		return g != "", nil
	case "startsWith":
		return strings.HasPrefix(strings.ToLower(g), strings.ToLower(w)), nil
	case "endsWith":
		return strings.HasSuffix(strings.ToLower(g), strings.ToLower(w)), nil
	case "contains":
		return strings.Contains(strings.ToLower(g), strings.ToLower(w)), nil
	case "notContains":
		return !strings.Contains(strings.ToLower(g), strings.ToLower(w)), nil
	case "includes", "notIncludes":
		in := slices.ContainsFunc(values(want), func(v string) bool { return strings.EqualFold(v, g) })
		return in == (op == "includes"), nil
	case "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual":
		return numeric(op, g, w)
	}
	return false, errServer
}

func numeric(op, g, w string) (bool, error) {
	x, err1 := strconv.ParseFloat(g, 64)
	y, err2 := strconv.ParseFloat(w, 64)
	if err1 != nil || err2 != nil {
		return false, nil
	}
	switch op {
	case "greaterThan":
		return x > y, nil
	case "greaterThanOrEqual":
		return x >= y, nil
	case "lessThan":
		return x < y, nil
	}
	return x <= y, nil
}

// date applies a date operator to zone-less UTC timestamps.
func (l lister) date(op string, got, want any) (bool, error) {
	g, ok := parseTime(text(got))
	if !ok {
		return false, nil
	}
	switch op {
	case "after", "before", "on":
		w, ok := parseTime(text(want))
		if !ok {
			return false, fault(CodeTypeValidation, "value")
		}
		switch op {
		case "after":
			return g.After(w), nil
		case "before":
			return g.Before(w), nil
		}
		return g.Format("2006-01-02") == w.Format("2006-01-02"), nil
	case "between":
		vs := values(want)
		if len(vs) != 2 {
			return false, fault(CodeTypeValidation, "value")
		}
		a, ok1 := parseTime(vs[0])
		b, ok2 := parseTime(vs[1])
		if !ok1 || !ok2 {
			return false, fault(CodeTypeValidation, "value")
		}
		return !g.Before(a) && !g.After(b), nil
	}
	days, err := strconv.Atoi(text(want))
	if err != nil {
		return false, fault(CodeTypeValidation, "value")
	}
	span := time.Duration(days) * 24 * time.Hour
	if op == "inLast" {
		return !g.Before(l.now.Add(-span)) && !g.After(l.now), nil
	}
	return !g.Before(l.now) && !g.After(l.now.Add(span)), nil
}

// parseTime reads SuperOps' zone-less UTC timestamps and dates.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{TimeLayout, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		var parts []string
		for _, p := range x {
			parts = append(parts, text(p))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func values(v any) []string {
	list, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil
		}
		return []string{text(v)}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, text(x))
	}
	return out
}

// sortRecords applies the sort keys in order.
func sortRecords(rs []object, sorts []any) {
	slices.SortStableFunc(rs, func(a, b object) int {
		for _, s := range sorts {
			m, _ := s.(map[string]any)
			attr, _ := m["attribute"].(string)
			c := compareValues(lookup(a, attr), lookup(b, attr))
			if m["order"] == "DESC" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

func compareValues(a, b any) int {
	x, y := text(a), text(b)
	if nx, err := strconv.ParseInt(x, 10, 64); err == nil {
		if ny, err := strconv.ParseInt(y, 10, 64); err == nil {
			return cmp.Compare(nx, ny)
		}
	}
	if nx, err := strconv.ParseFloat(x, 64); err == nil {
		if ny, err := strconv.ParseFloat(y, 64); err == nil {
			return cmp.Compare(nx, ny)
		}
	}
	return cmp.Compare(strings.ToLower(x), strings.ToLower(y))
}
