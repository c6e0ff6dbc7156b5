package ingest

import (
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// diffAlerts lists, in words, what differs between the stored version of an
// alert and a re-sent one ("status open → resolved", "title changed"); an
// empty list means the re-send is identical. Short enumerated fields show
// both values; free text only says that it changed.
func diffAlerts(old, cur *alert.Alert) []string {
	var out []string
	values := func(name, a, b string) {
		if a != b {
			out = append(out, name+" "+orNone(a)+" → "+orNone(b))
		}
	}
	changed := func(name string, differ bool) {
		if differ {
			out = append(out, name+" changed")
		}
	}
	values("status", string(old.Status), string(cur.Status))
	values("severity", string(old.Severity), string(cur.Severity))
	values("kind", string(old.Kind), string(cur.Kind))
	values("type", short(old.Type), short(cur.Type))
	values("organization", short(old.Organization.Key()), short(cur.Organization.Key()))
	changed("organization name", old.Organization != cur.Organization && old.Organization.Key() == cur.Organization.Key())
	changed("title", old.Title != cur.Title)
	changed("description", old.Description != cur.Description)
	changed("occurred_at", !sameInstant(old.OccurredAt, cur.OccurredAt))
	changed("url", old.URL != cur.URL)
	changed("rule", !equalPtr(old.Rule, cur.Rule))
	changed("user", !equalPtr(old.User, cur.User))
	changed("device", !equalPtr(old.Device, cur.Device))
	changed("attributes", !maps.Equal(old.Attributes, cur.Attributes))
	return out
}

// sameInstant compares at microseconds: the store keeps no finer
// precision, and a re-send of the same nanoseconds must not count as a
// change.
func sameInstant(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

func equalPtr[T comparable](a, b *T) bool {
	var zero T
	if a == nil {
		a = &zero
	}
	if b == nil {
		b = &zero
	}
	return *a == *b
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// short keeps values echoed on the timeline readable.
func short(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:60]) + "…"
}

func joinChanges(changes []string) string { return strings.Join(changes, "; ") }
