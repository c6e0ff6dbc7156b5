package servicenowsim

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// term is one condition of an encoded query: field, operator, value.
type term struct {
	field, op, value string
}

// clause is terms joined by ^OR: any of them holds.
type clause []term

// query is an encoded query: alternatives joined by ^NQ, each a list of
// clauses that must all hold, plus the sort order.
type query struct {
	alts    [][]clause
	orderBy []order
	invalid bool // named a field the table does not have
}

type order struct {
	field string
	desc  bool
}

// operators in the order they are tried: longer spellings first, so that
// "NOT IN" is not read as "NOT" and ">=" not as ">".
var operators = []string{
	"ISNOTEMPTY", "ISEMPTY", "ANYTHING", "NOT IN", "NOTLIKE", "STARTSWITH", "ENDSWITH", "BETWEEN", "SAMEAS",
	"LIKE", "IN", "!=", ">=", "<=", "=", ">", "<",
}

// parseQuery reads sysparm_query. Fields the table lacks make the query
// invalid, which the caller ignores (ServiceNow drops the condition) or
// answers with no rows.
func (s *Sim) parseQuery(table, raw string) query {
	var q query
	for _, alt := range strings.Split(raw, "^NQ") {
		var clauses []clause
		for _, part := range strings.Split(alt, "^") {
			if part == "" || part == "EQ" {
				continue
			}
			if f, ok := strings.CutPrefix(part, "ORDERBYDESC"); ok {
				q.orderBy = append(q.orderBy, order{f, true})
				continue
			}
			if f, ok := strings.CutPrefix(part, "ORDERBY"); ok {
				q.orderBy = append(q.orderBy, order{f, false})
				continue
			}
			or := false
			if rest, ok := strings.CutPrefix(part, "OR"); ok && len(clauses) > 0 {
				part, or = rest, true
			}
			t, ok := parseTerm(part)
			if !ok || !s.knows(table, t.field) {
				q.invalid = true
				continue
			}
			if or {
				clauses[len(clauses)-1] = append(clauses[len(clauses)-1], t)
			} else {
				clauses = append(clauses, clause{t})
			}
		}
		q.alts = append(q.alts, clauses)
	}
	return q
}

// parseTerm splits "field<op>value"; field names are lower case, digits,
// underscores and dots (one dot-walk).
func parseTerm(part string) (term, bool) {
	i := strings.IndexFunc(part, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.')
	})
	if i <= 0 {
		return term{}, false
	}
	rest := part[i:]
	for _, op := range operators {
		if v, ok := strings.CutPrefix(rest, op); ok {
			return term{field: part[:i], op: op, value: v}, true
		}
	}
	return term{}, false
}

// knows reports whether field (or its one-level dot-walk) exists.
func (s *Sim) knows(table, field string) bool {
	sc := schemas[table]
	head, tail, walk := strings.Cut(field, ".")
	col, ok := sc.cols[head]
	if !ok {
		return false
	}
	if !walk {
		return true
	}
	_, ok = schemas[col.ref].cols[tail]
	return col.ref != "" && ok
}

// matches reports whether rec satisfies q. Callers hold s.mu.
func (s *Sim) matches(table string, rec record, q query) bool {
	for _, alt := range q.alts {
		if s.matchAll(table, rec, alt) {
			return true
		}
	}
	return len(q.alts) == 0
}

func (s *Sim) matchAll(table string, rec record, clauses []clause) bool {
	for _, c := range clauses {
		if !slices.ContainsFunc(c, func(t term) bool { return s.holds(s.value(table, rec, t.field), t) }) {
			return false
		}
	}
	return true
}

// value reads field of rec, following one dot-walk.
func (s *Sim) value(table string, rec record, field string) string {
	head, tail, walk := strings.Cut(field, ".")
	if !walk {
		return rec[head]
	}
	ref := schemas[table].cols[head].ref
	target := s.tables[ref].byID[rec[head]]
	if target == nil {
		return ""
	}
	return target[tail]
}

// holds applies one operator.
func (s *Sim) holds(got string, t term) bool {
	eq := func(a, b string) bool {
		if s.opt.CaseSensitive {
			return a == b
		}
		return strings.EqualFold(a, b)
	}
	lg, lv := strings.ToLower(got), strings.ToLower(t.value)
	switch t.op {
	case "=":
		return eq(got, t.value)
	case "!=":
		return !eq(got, t.value)
	case "ISEMPTY":
		return got == ""
	case "ISNOTEMPTY":
		return got != ""
	case "ANYTHING":
		return true
	case "LIKE":
		return strings.Contains(lg, lv)
	case "NOTLIKE":
		return !strings.Contains(lg, lv)
	case "STARTSWITH":
		return strings.HasPrefix(lg, lv)
	case "ENDSWITH":
		return strings.HasSuffix(lg, lv)
	case "IN", "NOT IN":
		in := slices.ContainsFunc(strings.Split(t.value, ","), func(v string) bool { return eq(got, strings.TrimSpace(v)) })
		return in == (t.op == "IN")
	case "BETWEEN":
		lo, hi, _ := strings.Cut(t.value, "@")
		return compare(got, lo) >= 0 && compare(got, hi) <= 0
	case ">":
		return got != "" && compare(got, t.value) > 0
	case ">=":
		return got != "" && compare(got, t.value) >= 0
	case "<":
		return got != "" && compare(got, t.value) < 0
	case "<=":
		return got != "" && compare(got, t.value) <= 0
	}
	return false
}

// compare orders two values: as integers when both are, else as text,
// which orders "YYYY-MM-DD HH:MM:SS" date-times (all UTC) correctly.
func compare(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// sortRows orders rows by q's ORDERBY fields; rows that tie keep their
// insertion order.
func (s *Sim) sortRows(table string, rows []record, q query) {
	if len(q.orderBy) == 0 {
		return
	}
	slices.SortStableFunc(rows, func(a, b record) int {
		for _, o := range q.orderBy {
			c := compare(s.value(table, a, o.field), s.value(table, b, o.field))
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}
