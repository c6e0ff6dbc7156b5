package autotasksim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Callout actions. Delete callouts never happen: the REST API cannot delete
// tickets, and the simulator changes state only through the API.
const (
	actionCreate      = "Create"
	actionUpdate      = "Update"
	actionDeactivated = "Deactivated"
)

// SignatureHeader is the header carrying a callout's signature:
// "sha1=" + base64(HMAC-SHA1(secretKey, body)).
const SignatureHeader = "X-Hook-Signature"

// callout is one signed POST waiting to be delivered.
type callout struct {
	webhookID    int64
	url          string
	body         []byte
	signature    string
	deactivation bool // a Deactivated notice: sent once, never counted
}

// ticketCallouts queues a callout for every ready webhook that wants this
// ticket write: subscribed to its event, not excluding the caller, and (for
// updates) subscribed to a field that changed. Callers hold mu.
func (s *Sim) ticketCallouts(w *write, changed map[string]bool) {
	action := actionUpdate
	if w.old == nil {
		action = actionCreate
	}
	hooks := s.entities["ticketwebhooks"]
	for _, id := range hooks.sortedIDs() {
		hook := hooks.rows[id]
		if hook["isReady"] != true || hook["isSubscribedTo"+action+"Events"] != true || s.excluded(id, w.caller) {
			continue
		}
		fields, want := s.calloutFields(id, w.rec, changed, action != actionUpdate)
		if !want {
			continue
		}
		s.queueCallout(hook, action, asInt(w.rec["id"]), fields, w.caller, w.now)
	}
}

// excluded reports whether resource is excluded from webhook id.
func (s *Sim) excluded(id, resource int64) bool {
	for _, r := range s.entities["ticketwebhookexcludedresources"].rows {
		if asInt(r["webhookID"]) == id && asInt(r["resourceID"]) == resource {
			return true
		}
	}
	return false
}

// calloutField is one entry of a callout's Fields object.
type calloutField struct {
	id    int64
	name  string // PascalCase
	value any
}

// calloutFields picks the Fields of a callout: subscribed fields that
// changed (all of them on create and delete) plus the display-always ones.
// want is false when no subscribed field changed.
func (s *Sim) calloutFields(id int64, rec record, changed map[string]bool, all bool) (_ []calloutField, want bool) {
	var out []calloutField
	hit := false
	for _, f := range s.entities["ticketwebhookfields"].rows {
		if asInt(f["webhookID"]) != id {
			continue
		}
		name, ok := hookFieldByID(asInt(f["fieldID"]))
		if !ok {
			continue
		}
		sub := f["isSubscribedField"] == true && (all || changed[name])
		hit = hit || sub
		if sub || f["isDisplayAlwaysField"] == true {
			out = append(out, calloutField{id: asInt(f["fieldID"]), name: pascal(name), value: rec[name]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, hit || all
}

// queueCallout numbers, serializes, signs and queues one callout.
func (s *Sim) queueCallout(hook record, action string, entityID int64, fields []calloutField, person int64, now time.Time) {
	id := asInt(hook["id"])
	s.hookSeq[id]++
	body := calloutBody(action, hook["webhookGUID"], entityID, fields, now, s.hookSeq[id], person)
	key, _ := hook["secretKey"].(string)
	c := callout{webhookID: id, body: body, signature: sign([]byte(key), body), deactivation: action == actionDeactivated}
	c.url, _ = hook["webhookUrl"].(string)
	if c.deactivation {
		c.url, _ = hook["deactivationUrl"].(string)
	}
	s.hooks.enqueue(c)
}

// sign returns the X-Hook-Signature value for body: "sha1=" followed by the
// base64 HMAC-SHA1 of the exact bytes under key.
func sign(key, body []byte) string {
	m := hmac.New(sha1.New, key)
	m.Write(body)
	return "sha1=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// calloutBody writes the PascalCase payload in Autotask's key order.
func calloutBody(action string, guid any, id int64, fields []calloutField, now time.Time, seq, person int64) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Action":`)
	writeNetValue(&b, action)
	b.WriteString(`,"Guid":`)
	writeNetValue(&b, guid)
	b.WriteString(`,"EntityType":"Ticket","Id":`)
	b.WriteString(strconv.FormatInt(id, 10))
	b.WriteString(`,"Fields":{`)
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		writeNetValue(&b, f.name)
		b.WriteByte(':')
		writeNetValue(&b, f.value)
	}
	b.WriteString(`},"EventTime":`)
	writeNetValue(&b, now)
	fmt.Fprintf(&b, `,"SequenceNumber":%d,"PersonID":%d}`, seq, person)
	return b.Bytes()
}

// writeNetValue writes a stored value as JSON the way .NET's default
// encoder does, so the signed bytes are exactly what a .NET sender emits.
func writeNetValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case time.Time:
		writeNetString(b, x.UTC().Format(outputTime))
	case string:
		writeNetString(b, x)
	default:
		writeNetString(b, formatValue(x))
	}
}

// writeNetString quotes s with .NET's JavaScriptEncoder.Default rules: the
// HTML-sensitive characters & < > ' " + ` and everything outside printable
// ASCII become \uXXXX (upper-case hex, UTF-16 surrogate pairs above the
// BMP); \ and the common control characters use their short escapes.
func writeNetString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '&', '<', '>', '\'', '"', '+', '`':
			fmt.Fprintf(b, `\u%04X`, r)
		default:
			writeNetRune(b, r)
		}
	}
	b.WriteByte('"')
}

func writeNetRune(b *bytes.Buffer, r rune) {
	switch {
	case r >= 0x20 && r < 0x7f:
		b.WriteRune(r)
	case r > 0xffff:
		hi, lo := utf16.EncodeRune(r)
		fmt.Fprintf(b, `\u%04X\u%04X`, hi, lo)
	default: // controls, DEL, the rest of the BMP; invalid UTF-8 arrives as U+FFFD
		fmt.Fprintf(b, `\u%04X`, r)
	}
}
