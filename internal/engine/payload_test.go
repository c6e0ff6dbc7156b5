package engine

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// legacyDecision is what testdata/payload_legacy.json holds: a delivery
// queued by a ticketbridge from before payload versions.
func legacyDecision() rules.Decision {
	return rules.Decision{
		CompanyID: "174", CompanyName: "Acme Corp", GroupKey: "user_alert:jane@acme.example/Too Many Downloads",
		Contact: rules.ContactPlan{Attach: true, Email: "jane@acme.example", FallbackID: "32", FallbackName: "helpdesk@acme.example", CompanyDefault: true},
		Ticket: psa.NewTicket{CompanyID: "174", ContractID: "7", Title: "Too Many Downloads: jane@acme.example",
			Description: "412 files\n\nticketbridge alert saas-alerts/sa-1", Status: "1", Priority: "2", Queue: "29683325",
			Category: "3", Type: "5", Source: "8", IssueType: "11", SubIssueType: "100", DueAt: time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)},
		Note:    psa.NewNote{Title: "Too Many Downloads (high)", Description: "412 files\n\nticketbridge alert saas-alerts/sa-1", Type: "3", Visibility: psa.VisibilityInternal},
		Reasons: []string{"company Acme Corp: mapped organization org-42", "priority High: severity high"},
	}
}

// TestPayloadReadsLegacyDeliveries: a delivery written before versions
// still decodes to its decision after an upgrade.
func TestPayloadReadsLegacyDeliveries(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/payload_legacy.json")
	if err != nil {
		t.Fatal(err)
	}
	dec, pa, err := decodePayload(store.Delivery{ID: 1, Payload: b})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(legacyDecision(), dec); diff != "" || pa != (payloadAlert{Key: "saas-alerts/sa-1"}) {
		t.Errorf("legacy payload: alert %+v, decision (-want +got):\n%s", pa, diff)
	}
}

// TestPayloadCarriesEveryField fills every field of a decision (but Skip,
// which never reaches a delivery) and reads it back: a field added to the
// decision, the ticket, the note or the contact plan without a place in
// the payload fails here.
func TestPayloadCarriesEveryField(t *testing.T) {
	t.Parallel()
	var dec rules.Decision
	fill(t, reflect.ValueOf(&dec).Elem(), "")
	dec.Skip = nil
	alert := payloadAlert{Key: "src/a-1", ReceivedAt: time.Date(2026, 12, 7, 9, 30, 0, 123456789, time.UTC)}
	b, err := encodePayload(alert, dec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"v":1`) {
		t.Errorf("payload %s carries no version", b)
	}
	got, gotAlert, err := decodePayload(store.Delivery{ID: 2, Payload: b})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dec, got); diff != "" || !gotAlert.ReceivedAt.Equal(alert.ReceivedAt) || gotAlert.Key != alert.Key {
		t.Errorf("round trip: alert %+v, want %+v; decision (-want +got):\n%s", gotAlert, alert, diff)
	}
}

// fill sets every field under v to a value that differs from its zero.
func fill(t *testing.T, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x" + path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0), path+"[0]")
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), path)
		v.Set(p)
	default:
		t.Fatalf("%s: no filler for %s", path, v.Kind())
	}
}

// TestPayloadRefusesANewerVersion: a payload from a newer ticketbridge is
// an error that says to upgrade, not a decision read wrong.
func TestPayloadRefusesANewerVersion(t *testing.T) {
	t.Parallel()
	_, _, err := decodePayload(store.Delivery{ID: 3, Payload: []byte(`{"v":99,"alert_key":"a"}`)})
	if err == nil || !strings.Contains(err.Error(), "upgrade") {
		t.Errorf("decode of version 99: %v, want an error saying to upgrade", err)
	}
}
