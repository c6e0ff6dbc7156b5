package connectwisesim

import (
	"strings"
	"time"
)

func (e *cmpExpr) eval(res resolver) (bool, error) {
	v, err := res(e.path)
	if err != nil {
		return false, err
	}
	if len(e.lits) == 1 && e.lits[0].kind == litNull {
		switch e.op {
		case "=":
			return (v == nil) != e.neg, nil
		case "!=":
			return (v != nil) != e.neg, nil
		}
		return false, badRequest("null can only be compared with = or != (field %s). %s", strings.Join(e.path, "/"), literalHelp)
	}
	if v == nil {
		return false, nil // SQL semantics: a null field matches no comparison
	}
	hit := false
	for _, l := range e.lits {
		ok, err := e.compare(v, l)
		if err != nil {
			return false, err
		}
		if ok {
			hit = true
			break
		}
	}
	return hit != e.neg, nil
}

// valueKind names a stored value's type as ConnectWise's messages do.
func valueKind(v any) (litKind, bool) {
	switch v.(type) {
	case string:
		return litString, true
	case int64, int, float64:
		return litNumber, true
	case bool:
		return litBool, true
	case time.Time:
		return litDate, true
	}
	return 0, false
}

func (e *cmpExpr) compare(v any, l literal) (bool, error) {
	kind, ok := valueKind(v)
	if !ok {
		return false, badRequest("%s is not a value field; compare one of its fields, e.g. %s/id or %s/name.",
			strings.Join(e.path, "/"), strings.Join(e.path, "/"), strings.Join(e.path, "/"))
	}
	if (e.op == "like" || e.op == "contains") && kind != litString {
		return false, badRequest("Operator %s needs a string field; %s is %s.", e.op, strings.Join(e.path, "/"), kind)
	}
	if kind != l.kind {
		return false, badRequest("Expected a %s value, not a %s. %s", kind, l.kind, literalHelp)
	}
	switch e.op {
	case "like":
		return e.like.MatchString(v.(string)), nil
	case "contains":
		return strings.Contains(strings.ToLower(v.(string)), strings.ToLower(l.s)), nil
	case "in":
		return order(v, l) == 0, nil
	}
	if kind == litBool && e.op != "=" && e.op != "!=" {
		return false, badRequest("Operator %s cannot compare boolean values.", e.op)
	}
	c := order(v, l)
	switch e.op {
	case "=":
		return c == 0, nil
	case "!=":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil // >=
}

// order compares a stored value with a literal of the same kind; strings
// compare case-insensitively.
func order(v any, l literal) int {
	switch x := v.(type) {
	case string:
		return strings.Compare(strings.ToLower(x), strings.ToLower(l.s))
	case bool:
		if x == l.b {
			return 0
		}
		return 1
	case time.Time:
		return x.Compare(l.t)
	}
	return cmpFloat(toFloat(v), l.n)
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case int:
		return float64(n)
	case float64:
		return n
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
