package alert

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Length limits, in characters (runes), of the canonical alert's fields.
// They keep one alert well under the ingest body limit and inside what the
// PSAs accept for a ticket title and description.
const (
	MaxIDLen          = 200
	MaxTypeLen        = 200
	MaxTitleLen       = 1000
	MaxDescriptionLen = 32000
	MaxEmailLen       = 320
	MaxNameLen        = 320 // organization, rule, user and device names
	MaxURLLen         = 2048
	MaxAttributes     = 50
	MaxAttributeLen   = 1000 // attribute keys and values
)

// RuleKinds lists every valid rule kind.
var RuleKinds = []RuleKind{RuleRespond, RuleIOC, RuleOther}

// Kinds lists every valid alert kind.
var Kinds = []Kind{KindIssue, KindIncident}

// Validate checks one alert and returns its problems, every one of them,
// with Index 0 (Decode sets the index). Empty kind, status and rule kind are
// accepted because Normalize fills them.
func (a *Alert) Validate() []FieldError {
	var v validator
	v.required("id", a.ID, MaxIDLen)
	v.organization(a.Organization)
	v.required("type", a.Type, MaxTypeLen)
	v.required("title", a.Title, MaxTitleLen)
	v.optional("description", a.Description, MaxDescriptionLen)
	v.optional("url", a.URL, MaxURLLen)
	v.enums(a)
	if a.OccurredAt.IsZero() {
		v.add("occurred_at", "required")
	}
	if a.Rule != nil {
		v.optional("rule.id", a.Rule.ID, MaxIDLen)
		v.optional("rule.name", a.Rule.Name, MaxNameLen)
	}
	if a.User != nil {
		v.optional("user.email", a.User.Email, MaxEmailLen)
		v.optional("user.name", a.User.Name, MaxNameLen)
	}
	if a.Device != nil {
		v.optional("device.name", a.Device.Name, MaxNameLen)
	}
	v.attributes(a.Attributes)
	return v.errs
}

// validator collects field errors in the order the checks run.
type validator struct {
	errs []FieldError
}

func (v *validator) add(field, reason string) {
	v.errs = append(v.errs, FieldError{Field: field, Reason: reason})
}

// required checks a string that must be present and not blank.
func (v *validator) required(field, s string, limit int) {
	if strings.TrimSpace(s) == "" {
		v.add(field, "required")
		return
	}
	v.optional(field, s, limit)
}

// optional checks the length and content of a string that may be empty.
func (v *validator) optional(field, s string, limit int) {
	if n := utf8.RuneCountInString(s); n > limit {
		v.add(field, fmt.Sprintf("too long: %d characters, at most %d", n, limit))
	}
	if strings.IndexByte(s, 0) >= 0 {
		v.add(field, "must not contain NUL bytes")
	}
}

func (v *validator) organization(o Organization) {
	if strings.TrimSpace(o.ID) == "" && strings.TrimSpace(o.Name) == "" {
		v.add("organization", "required (id or name)")
	}
	v.optional("organization.id", o.ID, MaxIDLen)
	v.optional("organization.name", o.Name, MaxNameLen)
}

func (v *validator) enums(a *Alert) {
	if a.Severity == "" {
		v.add("severity", "required")
	} else if !oneOf(a.Severity, Severities) {
		v.add("severity", unknownValue(a.Severity, Severities))
	}
	if a.Status != "" && !oneOf(a.Status, Statuses) {
		v.add("status", unknownValue(a.Status, Statuses))
	}
	if a.Kind != "" && !oneOf(a.Kind, Kinds) {
		v.add("kind", unknownValue(a.Kind, Kinds))
	}
	if a.Rule != nil && a.Rule.Kind != "" && !oneOf(a.Rule.Kind, RuleKinds) {
		v.add("rule.kind", unknownValue(a.Rule.Kind, RuleKinds))
	}
}

func (v *validator) attributes(attrs map[string]string) {
	if len(attrs) > MaxAttributes {
		v.add("attributes", fmt.Sprintf("too many entries: %d, at most %d", len(attrs), MaxAttributes))
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		switch {
		case k == "":
			v.add("attributes", "keys must not be empty")
			continue
		case utf8.RuneCountInString(k) > MaxAttributeLen:
			v.add("attributes", fmt.Sprintf("key %q is too long, at most %d characters", truncate(k, 50), MaxAttributeLen))
			continue
		case strings.IndexByte(k, 0) >= 0:
			v.add("attributes", "keys must not contain NUL bytes")
			continue
		}
		v.optional("attributes."+k, attrs[k], MaxAttributeLen)
	}
}

func oneOf[T ~string](s T, valid []T) bool {
	for _, x := range valid {
		if s == x {
			return true
		}
	}
	return false
}

// unknownValue names the bad value and every valid one, so the sender can
// fix it without reading the docs.
func unknownValue[T ~string](s T, valid []T) string {
	names := make([]string, len(valid))
	for i, x := range valid {
		names[i] = string(x)
	}
	return fmt.Sprintf("unknown value %q, must be one of %s", truncate(string(s), 50), strings.Join(names, ", "))
}

// truncate shortens s to at most n runes for echoing it in an error.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
