package autotasksim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stored values are typed by the field's dataType: int64 (integer, long),
// float64 (decimal), string, bool, time.Time (UTC) or nil. Everything the
// wire sends is coerced into these once, so comparison and output never
// have to guess.

// outputTime is how Autotask renders datetimes: UTC, no zone designator, and
// (like .NET's round-trip format) trailing fractional zeros dropped.
const outputTime = "2006-01-02T15:04:05.999"

var errBadValue = errors.New("invalid value")

// inputTimes are the layouts accepted on input, with or without a zone.
var inputTimes = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTime reads a client datetime; a missing zone means UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range inputTimes {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a datetime", errBadValue, s)
}

// coerce converts a decoded JSON value (numbers as json.Number) to the
// stored type for f. Empty strings become nil, as Autotask stores them.
func coerce(f *field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.DataType {
	case typeInteger, typeLong:
		return coerceInt(v)
	case typeDecimal:
		return coerceFloat(v)
	case typeBoolean:
		return coerceBool(v)
	case typeDateTime:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: expected a datetime string", errBadValue)
		}
		if s == "" {
			return nil, nil
		}
		return parseTime(s)
	default:
		return coerceString(v)
	}
}

func coerceInt(v any) (any, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
		if s == "" {
			return nil, nil
		}
	default:
		return nil, fmt.Errorf("%w: expected an integer", errBadValue)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return nil, fmt.Errorf("%w: %q is not an integer", errBadValue, s)
	}
	return int64(f), nil
}

func coerceFloat(v any) (any, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
		if s == "" {
			return nil, nil
		}
	default:
		return nil, fmt.Errorf("%w: expected a number", errBadValue)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a number", errBadValue, s)
	}
	return f, nil
}

func coerceBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	case json.Number:
		switch x.String() {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
	}
	return nil, fmt.Errorf("%w: expected a boolean", errBadValue)
}

func coerceString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, nil
		}
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return nil, fmt.Errorf("%w: expected a string", errBadValue)
}

// formatValue renders a stored value as text: picklist lookups, string
// operators on non-string fields and error messages use it.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(outputTime)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// wireValue is the JSON form of a stored value.
func wireValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(outputTime)
	}
	return v
}

// compareValues orders two non-nil stored values of the same field. Strings
// compare case-insensitively, as Autotask's SQL collation does.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmpOrdered(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmpOrdered(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmpOrdered(boolInt(x), boolInt(y))
		}
	}
	return strings.Compare(strings.ToLower(formatValue(a)), strings.ToLower(formatValue(b)))
}

func cmpOrdered[T int64 | float64 | int](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameValue reports whether two stored values are equal (nil-aware).
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(time.Time); ok {
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	return a == b
}
