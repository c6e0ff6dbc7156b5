package servicenow

import (
	"encoding/json"
	"strings"
	"time"
)

// value is one field as the Table API renders it: a string, or an object
// whose "value" is the raw value (a reference {link,value}, or a
// display_value=all pair).
type value string

func (v *value) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*v = value(s)
		return nil
	}
	var obj struct {
		Value *string `json:"value"`
	}
	if json.Unmarshal(b, &obj) == nil && obj.Value != nil {
		*v = value(*obj.Value)
		return nil
	}
	*v = "" // null, numbers the API never sends, ...
	return nil
}

// row is a record: field → raw value.
type row map[string]value

func (r row) get(field string) string { return string(r[field]) }

// dateTime is the layout of every date-time, in UTC.
const dateTime = "2006-01-02 15:04:05"

// parseTime reads a date-time; zero when empty or unreadable, so one odd
// field does not fail a listing.
func parseTime(s string) time.Time {
	t, err := time.ParseInLocation(dateTime, strings.TrimSpace(s), time.UTC)
	if err != nil {
		return time.Time{}
	}
	return t
}

// fields renders sysparm_fields.
func fields(names ...string) string { return strings.Join(names, ",") }

// safe reports whether v can sit in an encoded query as a value: "^"
// would start a new condition and "," split an IN list.
func safe(v string) bool { return !strings.ContainsAny(v, "^,\n") }

// isSysID reports whether id looks like a sys_id (32 hex characters).
func isSysID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
