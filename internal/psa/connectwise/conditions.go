package connectwise

import (
	"strconv"
	"strings"
)

// literalEscaper escapes a string for a conditions literal. Inside double
// quotes only the backslash and the double quote are special; brackets
// (datetime literals), parentheses and operators are plain text there, so
// quoting is all a name with them needs.
var literalEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quote renders s as a conditions string literal.
func quote(s string) string {
	return `"` + literalEscaper.Replace(s) + `"`
}

// eqString is the condition field = "value".
func eqString(field, value string) string {
	return field + "=" + quote(value)
}

// eqInt is the condition field=n.
func eqInt(field string, n int64) string {
	return field + "=" + strconv.FormatInt(n, 10)
}

// anyInt is the condition that field is one of ids.
func anyInt(field string, ids []int64) string { return anyOf(field, ids, eqInt) }

// anyString is the condition that field is one of values.
func anyString(field string, values []string) string { return anyOf(field, values, eqString) }

// anyOf writes "field is one of values" as an or-group of equalities
// rather than `in (…)`: childConditions are documented with = only.
func anyOf[T any](field string, values []T, eq func(string, T) string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = eq(field, v)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

// and joins conditions.
func and(conds ...string) string {
	return strings.Join(conds, " and ")
}
