package alert_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// validJSON is the DESIGN.md example alert with the given id.
func validJSON(id string) string {
	return `{
  "id": "` + id + `",
  "kind": "issue",
  "organization": {"id": "org-42", "name": "Acme Corp"},
  "type": "Too Many Downloads",
  "rule": {"kind": "respond", "id": "r-17", "name": "Block risky sign-in"},
  "severity": "high",
  "status": "open",
  "title": "Too many downloads by jane@acme.example",
  "description": "412 files in 10 minutes",
  "user": {"email": "jane@acme.example", "name": "Jane Doe"},
  "device": {"name": "ACME-LT-07"},
  "occurred_at": "2026-11-21T10:15:00Z",
  "url": "https://source.example/alerts/` + id + `",
  "attributes": {"ip": "203.0.113.9"}
}`
}

// minimalJSON is an alert with only the required fields, with extra
// members spliced in (each `"key": value`).
func minimalJSON(id string, extra ...string) string {
	parts := []string{
		`"id":` + quote(id),
		`"organization":{"name":"Acme"}`,
		`"type":"Malware"`,
		`"severity":"low"`,
		`"title":"Malware found"`,
		`"occurred_at":"2026-11-21T10:15:00+01:00"`,
	}
	return "{" + strings.Join(append(parts, extra...), ",") + "}"
}

// withMembers builds an object from members, so a test can leave out a
// required one.
func withMembers(members ...string) string { return "{" + strings.Join(members, ",") + "}" }

func quote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func exampleAlert(id string) alert.Alert {
	return alert.Alert{
		ID:           id,
		Kind:         alert.KindIssue,
		Organization: alert.Organization{ID: "org-42", Name: "Acme Corp"},
		Type:         "Too Many Downloads",
		Rule:         &alert.Rule{Kind: alert.RuleRespond, ID: "r-17", Name: "Block risky sign-in"},
		Severity:     alert.SeverityHigh,
		Status:       alert.StatusOpen,
		Title:        "Too many downloads by jane@acme.example",
		Description:  "412 files in 10 minutes",
		User:         &alert.User{Email: "jane@acme.example", Name: "Jane Doe"},
		Device:       &alert.Device{Name: "ACME-LT-07"},
		OccurredAt:   time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC),
		URL:          "https://source.example/alerts/" + id,
		Attributes:   map[string]string{"ip": "203.0.113.9"},
	}
}

func TestDecodeAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ids  []string
	}{
		{"object", validJSON("a-1"), []string{"a-1"}},
		{"object with leading space and BOM", "\uFEFF \n" + validJSON("a-1") + "\n\n", []string{"a-1"}},
		{"array", "[" + validJSON("a-1") + "," + minimalJSON("a-2") + "]", []string{"a-1", "a-2"}},
		{"array of one", "[" + minimalJSON("a-1") + "]", []string{"a-1"}},
		{"ndjson", minimalJSON("a-1") + "\n" + minimalJSON("a-2") + "\n" + minimalJSON("a-3") + "\n", []string{"a-1", "a-2", "a-3"}},
		{"ndjson with blank lines and CRLF", minimalJSON("a-1") + "\r\n\r\n  \n" + minimalJSON("a-2"), []string{"a-1", "a-2"}},
		{"unknown fields ignored", minimalJSON("a-1", `"future":{"x":[1,2]}`, `"ID":5`), []string{"a-1"}},
		{"null optional fields", minimalJSON("a-1", `"rule":null`, `"user":null`, `"status":null`, `"attributes":null`), []string{"a-1"}},
		{"organization by id only", withMembers(`"id":"a-1"`, `"organization":{"id":"o"}`, `"type":"t"`, `"severity":"info"`, `"title":"x"`, `"occurred_at":"2026-11-21T10:15:00.123Z"`), []string{"a-1"}},
		{"escaped strings, duplicate key keeps the last", minimalJSON("x", `"id":"a-\u00e9"`, `"title":"tab\there"`), []string{"a-é"}},
		{"batch of MaxBatch", "[" + strings.Repeat(minimalJSON("a")+",", alert.MaxBatch-1) + minimalJSON("a") + "]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := alert.Decode([]byte(tt.body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.ids == nil {
				if len(got) != alert.MaxBatch {
					t.Fatalf("got %d alerts, want %d", len(got), alert.MaxBatch)
				}
				return
			}
			ids := make([]string, len(got))
			for i, a := range got {
				ids[i] = a.ID
				if errs := a.Validate(); len(errs) > 0 {
					t.Errorf("decoded alert %d does not validate: %v", i, errs)
				}
			}
			if diff := cmp.Diff(tt.ids, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeExample(t *testing.T) {
	t.Parallel()
	got, err := alert.Decode([]byte(validJSON("sa-000123")))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if diff := cmp.Diff([]alert.Alert{exampleAlert("sa-000123")}, got); diff != "" {
		t.Errorf("alert (-want +got):\n%s", diff)
	}
}

func TestDecodeNormalizes(t *testing.T) {
	t.Parallel()
	got, err := alert.Decode([]byte(minimalJSON("a-1", `"rule":{"id":"r"}`)))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	a := got[0]
	if a.Kind != alert.KindIssue || a.Status != alert.StatusOpen || a.Rule.Kind != alert.RuleOther {
		t.Errorf("defaults not filled: kind %q status %q rule kind %q", a.Kind, a.Status, a.Rule.Kind)
	}
	want := time.Date(2026, 11, 21, 9, 15, 0, 0, time.UTC)
	if !a.OccurredAt.Equal(want) {
		t.Errorf("occurred_at = %v, want %v", a.OccurredAt, want)
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return quote(strings.Repeat("x", n)) }
	manyAttrs := make([]string, alert.MaxAttributes+1)
	for i := range manyAttrs {
		manyAttrs[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	tests := []struct {
		name string
		body string
		want []alert.FieldError // Reason compared by substring
	}{
		{"empty body", "  \n", []alert.FieldError{{0, "body", "empty body"}}},
		{"not an object", `"hello"`, []alert.FieldError{{0, "body", "must be a JSON object"}}},
		{"number", `42`, []alert.FieldError{{0, "body", "must be a JSON object"}}},
		{"invalid utf-8", "{\"id\":\"a\xff\"}", []alert.FieldError{{0, "body", "invalid UTF-8 at byte 8"}}},
		{"syntax error with position", "{\n  \"id\": \"a\",\n  \"type\": ,\n}", []alert.FieldError{{0, "body", "line 3, column 11"}}},
		{"truncated", `{"id":"a"`, []alert.FieldError{{0, "body", "unexpected end"}}},
		{"array syntax error", `[{"id":"a"} {"id":"b"}]`, []alert.FieldError{{0, "body", "line 1, column 13"}}},
		{"array trailing garbage", "[" + minimalJSON("a") + "] x", []alert.FieldError{{0, "body", "invalid JSON"}}},
		{"empty array", `[ ]`, []alert.FieldError{{0, "body", "empty array"}}},
		{"too many in array", "[" + strings.Repeat(minimalJSON("a")+",", alert.MaxBatch) + minimalJSON("a") + "]", []alert.FieldError{{0, "body", "too many alerts: 1001"}}},
		{"too many in ndjson", strings.Repeat(minimalJSON("a")+"\n", alert.MaxBatch+1), []alert.FieldError{{0, "body", "too many alerts"}}},
		{"array element not object", "[" + minimalJSON("a") + `, 7]`, []alert.FieldError{{1, "body", "must be an object"}}},
		{
			"ndjson: every bad line named", minimalJSON("a") + "\n{\"id\": x}\n" + minimalJSON("b") + "\n{bad\n",
			[]alert.FieldError{{1, "body", "line 2, column 8"}, {3, "body", "line 4, column 2"}},
		},
		{
			"ndjson: bad first line", "{\"id\": }\n" + minimalJSON("b"),
			[]alert.FieldError{{0, "body", "line 1, column 8"}},
		},
		{
			"ndjson: syntax and field errors together", minimalJSON("a", `"severity":"bad"`) + "\n{oops}\n",
			[]alert.FieldError{{0, "severity", "unknown value"}, {1, "body", "line 2"}},
		},
		{
			"missing required", `{}`,
			[]alert.FieldError{
				{0, "id", "required"}, {0, "organization", "required (id or name)"}, {0, "type", "required"},
				{0, "title", "required"}, {0, "severity", "required"}, {0, "occurred_at", "required"},
			},
		},
		{
			"blank required", withMembers(`"id":" "`, `"organization":{"id":"","name":"  "}`, `"type":""`, `"severity":"low"`, `"title":"\t"`, `"occurred_at":"2026-11-21T10:15:00Z"`),
			[]alert.FieldError{{0, "id", "required"}, {0, "organization", "required"}, {0, "type", "required"}, {0, "title", "required"}},
		},
		{
			"wrong types, every field", withMembers(`"id":1`, `"organization":"Acme"`, `"type":true`, `"severity":5`, `"title":["x"]`,
				`"occurred_at":1700000000`, `"status":{}`, `"kind":1`, `"description":2`, `"url":3`, `"user":"jane"`, `"device":[]`, `"rule":"r"`, `"attributes":[]`),
			[]alert.FieldError{
				{0, "id", "must be a string"}, {0, "kind", "must be a string"}, {0, "type", "must be a string"},
				{0, "severity", "must be a string"}, {0, "status", "must be a string"}, {0, "title", "must be a string"},
				{0, "description", "must be a string"}, {0, "url", "must be a string"}, {0, "occurred_at", "must be a string"},
				{0, "attributes", "must be an object"}, {0, "organization", "must be an object"}, {0, "rule", "must be an object"},
				{0, "user", "must be an object"}, {0, "device", "must be an object"},
			},
		},
		{
			"wrong nested types", minimalJSON("a", `"rule":{"kind":1,"id":2,"name":3}`, `"user":{"email":4,"name":5}`, `"device":{"name":6}`),
			[]alert.FieldError{
				{0, "rule.kind", "must be a string"}, {0, "rule.id", "must be a string"}, {0, "rule.name", "must be a string"},
				{0, "user.email", "must be a string"}, {0, "user.name", "must be a string"}, {0, "device.name", "must be a string"},
			},
		},
		{
			"organization id wrong type", withMembers(`"id":"a"`, `"organization":{"id":42}`, `"type":"t"`, `"severity":"low"`, `"title":"x"`, `"occurred_at":"2026-11-21T10:15:00Z"`),
			[]alert.FieldError{{0, "organization.id", "must be a string"}, {0, "organization", "required"}},
		},
		{"unknown severity", minimalJSON("a", `"severity":"urgent"`), []alert.FieldError{{0, "severity", `unknown value "urgent", must be one of critical, high, medium, low, info`}}},
		{"unknown status", minimalJSON("a", `"status":"closed"`), []alert.FieldError{{0, "status", "must be one of open, in_progress, resolved, ignored"}}},
		{"unknown kind", minimalJSON("a", `"kind":"event"`), []alert.FieldError{{0, "kind", "must be one of issue, incident"}}},
		{"unknown rule kind", minimalJSON("a", `"rule":{"kind":"yara"}`), []alert.FieldError{{0, "rule.kind", "must be one of respond, ioc, other"}}},
		{"occurred_at not RFC 3339", minimalJSON("a", `"occurred_at":"21/11/2026 10:15"`), []alert.FieldError{{0, "occurred_at", "RFC 3339"}}},
		{"occurred_at date only", minimalJSON("a", `"occurred_at":"2026-11-21"`), []alert.FieldError{{0, "occurred_at", "RFC 3339"}}},
		{"id too long", minimalJSON("a", `"id":`+long(201)), []alert.FieldError{{0, "id", "too long: 201 characters, at most 200"}}},
		{"type too long", minimalJSON("a", `"type":`+long(201)), []alert.FieldError{{0, "type", "at most 200"}}},
		{"title too long", minimalJSON("a", `"title":`+long(1001)), []alert.FieldError{{0, "title", "at most 1000"}}},
		{"description too long", minimalJSON("a", `"description":`+long(32001)), []alert.FieldError{{0, "description", "at most 32000"}}},
		{"email too long", minimalJSON("a", `"user":{"email":`+long(321)+`}`), []alert.FieldError{{0, "user.email", "at most 320"}}},
		{"length counts characters", minimalJSON("a", `"id":`+quote(strings.Repeat("é", 201))), []alert.FieldError{{0, "id", "201 characters"}}},
		{"too many attributes", minimalJSON("a", `"attributes":{`+strings.Join(manyAttrs, ",")+`}`), []alert.FieldError{{0, "attributes", "too many entries: 51, at most 50"}}},
		{"attribute not a string", minimalJSON("a", `"attributes":{"ip":12,"host":"h","tags":["a"]}`), []alert.FieldError{{0, "attributes.ip", "must be a string"}, {0, "attributes.tags", "must be a string"}}},
		{"attribute empty key", minimalJSON("a", `"attributes":{"":"v"}`), []alert.FieldError{{0, "attributes", "keys must not be empty"}}},
		{"NUL in title", minimalJSON("a", `"title":"a\u0000b"`), []alert.FieldError{{0, "title", "NUL"}}},
		{"NUL in attribute", minimalJSON("a", `"attributes":{"ip":"\u0000"}`), []alert.FieldError{{0, "attributes.ip", "NUL"}}},
		{
			"errors of several alerts by index", "[" + minimalJSON("a") + "," + minimalJSON("b", `"severity":"x"`) + "," + minimalJSON("c", `"title":""`) + "]",
			[]alert.FieldError{{1, "severity", "unknown value"}, {2, "title", "required"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := alert.Decode([]byte(tt.body))
			if got != nil {
				t.Errorf("got %d alerts with an error, want none", len(got))
			}
			assertFieldErrors(t, err, tt.want)
		})
	}
}

// assertFieldErrors checks that err is a *ValidationError holding exactly
// the wanted index and field pairs, each reason containing the wanted text.
func assertFieldErrors(t *testing.T, err error, want []alert.FieldError) {
	t.Helper()
	var ve *alert.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want *alert.ValidationError", err)
	}
	type key struct {
		Index int
		Field string
	}
	var gotKeys, wantKeys []key
	for _, f := range ve.Fields {
		gotKeys = append(gotKeys, key{f.Index, f.Field})
	}
	for _, f := range want {
		wantKeys = append(wantKeys, key{f.Index, f.Field})
	}
	if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
		t.Fatalf("fields (-want +got):\n%s\nerrors: %v", diff, ve)
	}
	for i, f := range want {
		if !strings.Contains(ve.Fields[i].Reason, f.Reason) {
			t.Errorf("field %s: reason %q does not contain %q", f.Field, ve.Fields[i].Reason, f.Reason)
		}
	}
}

func BenchmarkDecodeSingle(b *testing.B) {
	body := []byte(validJSON("sa-000123"))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := alert.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBatch100(b *testing.B) {
	items := make([]string, 100)
	for i := range items {
		items[i] = validJSON(fmt.Sprintf("sa-%06d", i))
	}
	body := []byte("[" + strings.Join(items, ",") + "]")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := alert.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "alerts/s")
}
