package autotask

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// flexString reads a JSON number, string or null as a string: Autotask ids
// are numbers, picklist values are strings, and itemId has been seen as both.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	}
	return nil
}

// flexBool reads true/false, 1/0 (Contacts.isActive is an integer) and their
// string forms; null is false.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	switch strings.ToLower(s) {
	case "true", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}

// wireTime reads Autotask datetimes: UTC without a zone designator on
// output ("2024-01-31T15:04:05.307"), and with one where a client wrote it.
type wireTime time.Time

// UnmarshalJSON implements json.Unmarshaler.
func (w *wireTime) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil || *s == "" {
		*w = wireTime{}
		return nil
	}
	t, err := parseTime(*s)
	if err != nil {
		return err
	}
	*w = wireTime(t)
	return nil
}

// parseTime accepts RFC 3339 and zone-less times, the latter read as UTC.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
}

// formatTime writes a datetime the way Autotask accepts input.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// parseID reads an Autotask integer id.
func parseID(what, id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil {
		return 0, invalidID(what, id)
	}
	return n, nil
}

// parseIDs reads a list of integer ids.
func parseIDs(what string, ids []string) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		n, err := parseID(what, id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// itemResult is the answer to a create or update.
type itemResult struct {
	ItemID flexString `json:"itemId"`
}
