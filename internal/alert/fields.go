package alert

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// object is one JSON object split into its raw members.
type object map[string]json.RawMessage

// fieldDecoder reads typed fields out of raw JSON objects and records a
// field error for each member of the wrong type, so one bad member never
// hides the next.
type fieldDecoder struct {
	errs []FieldError
}

func (d *fieldDecoder) add(field, reason string) {
	d.errs = append(d.errs, FieldError{Field: field, Reason: reason})
}

// decodeAlert decodes one alert and returns every problem with it: wrong
// types first, then what Validate finds in the fields that did decode.
func decodeAlert(raw json.RawMessage) (Alert, []FieldError) {
	var d fieldDecoder
	root, ok := d.object(raw, "alert")
	if !ok {
		return Alert{}, d.errs
	}
	a := Alert{
		ID:          d.str(root, "id", "id"),
		Kind:        Kind(d.str(root, "kind", "kind")),
		Type:        d.str(root, "type", "type"),
		Severity:    Severity(d.str(root, "severity", "severity")),
		Status:      Status(d.str(root, "status", "status")),
		Title:       d.str(root, "title", "title"),
		Description: d.str(root, "description", "description"),
		URL:         d.str(root, "url", "url"),
		OccurredAt:  d.time(root, "occurred_at"),
		Attributes:  d.attributes(root),
	}
	if org, ok := d.member(root, "organization"); ok {
		a.Organization = Organization{ID: d.str(org, "id", "organization.id"), Name: d.str(org, "name", "organization.name"),
			BillableUsers: d.count(org, "billable_users", "organization.billable_users")}
	}
	if r, ok := d.member(root, "rule"); ok {
		a.Rule = &Rule{Kind: RuleKind(d.str(r, "kind", "rule.kind")), ID: d.str(r, "id", "rule.id"), Name: d.str(r, "name", "rule.name")}
	}
	if u, ok := d.member(root, "user"); ok {
		a.User = &User{Email: d.str(u, "email", "user.email"), Name: d.str(u, "name", "user.name")}
	}
	if dev, ok := d.member(root, "device"); ok {
		a.Device = &Device{Name: d.str(dev, "name", "device.name")}
	}
	return a, d.merge(a.Validate())
}

// merge appends the validation errors of fields that did not already fail
// to decode: "severity: must be a string" makes "severity: required" noise.
func (d *fieldDecoder) merge(valid []FieldError) []FieldError {
	failed := make(map[string]bool, len(d.errs))
	for _, e := range d.errs {
		failed[e.Field] = true
	}
	for _, e := range valid {
		if !failed[e.Field] {
			d.errs = append(d.errs, e)
		}
	}
	return d.errs
}

// present returns a member's raw value; JSON null counts as absent.
func present(o object, key string) (json.RawMessage, bool) {
	raw, ok := o[key]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil, false
	}
	return raw, true
}

// object decodes raw as a JSON object, recording an error under field
// when it is something else.
func (d *fieldDecoder) object(raw json.RawMessage, field string) (object, bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if o, ok := splitObject(raw); ok {
		return o, true
	}
	var o object
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &o) != nil {
		if field == "alert" {
			field = "body" // the value itself is not an alert object
		}
		d.add(field, "must be an object")
		return nil, false
	}
	return o, true
}

// member decodes an optional nested object.
func (d *fieldDecoder) member(o object, key string) (object, bool) {
	raw, ok := present(o, key)
	if !ok {
		return nil, false
	}
	return d.object(raw, key)
}

// str decodes an optional string member.
func (d *fieldDecoder) str(o object, key, field string) string {
	raw, ok := present(o, key)
	if !ok {
		return ""
	}
	s, ok := decodeString(raw)
	if !ok {
		d.add(field, "must be a string")
	}
	return s
}

// count reads an optional non-negative whole number.
func (d *fieldDecoder) count(o object, key, field string) *int {
	raw, ok := present(o, key)
	if !ok {
		return nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
		d.add(field, "must be a whole number of at least 0")
		return nil
	}
	return &n
}

func decodeString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	// Fast path: without escapes the bytes between the quotes are the
	// string (the body was already checked to be valid UTF-8 and JSON).
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func (d *fieldDecoder) time(o object, key string) time.Time {
	raw, ok := present(o, key)
	if !ok {
		return time.Time{}
	}
	s, ok := decodeString(raw)
	if !ok {
		d.add(key, "must be a string holding an RFC 3339 time such as 2026-11-21T10:15:00Z")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d.add(key, "must be an RFC 3339 time such as 2026-11-21T10:15:00Z, got "+quoteShort(s))
		return time.Time{}
	}
	return t
}

// attributes decodes the optional attributes map; every value must be a
// string, and each one that is not is named.
func (d *fieldDecoder) attributes(o object) map[string]string {
	obj, ok := d.member(o, "attributes")
	if !ok || len(obj) == 0 {
		return nil
	}
	attrs := make(map[string]string, len(obj))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		s, ok := decodeString(obj[k])
		if !ok {
			d.add("attributes."+truncate(k, 100), "must be a string")
			continue
		}
		attrs[k] = s
	}
	return attrs
}

func quoteShort(s string) string {
	b, _ := json.Marshal(truncate(s, 50))
	return string(b)
}
