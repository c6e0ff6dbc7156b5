package engine

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Only the deliveries whose decision carries a drifted value wait.
func TestDriftFindingUsedBy(t *testing.T) {
	t.Parallel()
	dec := rules.Decision{CompanyID: "175", GroupKey: "g",
		Contact: rules.ContactPlan{FallbackID: "30"},
		Ticket:  psa.NewTicket{Title: "t", Queue: "29", Priority: "1"},
		Note:    psa.NewNote{Title: "n", Type: "3"}}
	payload, err := encodePayload(payloadAlert{Key: "src/a1"}, dec)
	if err != nil {
		t.Fatal(err)
	}
	create := store.Delivery{Kind: store.DeliveryCreateTicket, Payload: payload}
	note := store.Delivery{Kind: store.DeliveryAddNote, Payload: payload}
	status := store.Delivery{Kind: store.DeliverySetStatus, Payload: []byte(`{"status":"5"}`)}
	cases := []struct {
		name string
		f    DriftFinding
		d    store.Delivery
		want bool
	}{
		{"the queue it carries", DriftFinding{Kind: psa.FieldQueue, Value: "29"}, create, true},
		{"another queue", DriftFinding{Kind: psa.FieldQueue, Value: "31"}, create, false},
		{"another priority", DriftFinding{Kind: psa.FieldPriority, Value: "2"}, create, false},
		{"its note type", DriftFinding{Kind: psa.FieldNoteType, Value: "3"}, note, true},
		{"a note's ticket fields count", DriftFinding{Kind: psa.FieldQueue, Value: "29"}, note, true},
		{"its company", DriftFinding{Kind: integration.ValueCompany, Value: "175"}, create, true},
		{"another company", DriftFinding{Kind: integration.ValueCompany, Value: "176"}, create, false},
		{"its fallback contact", DriftFinding{Kind: integration.ValueContact, Value: "30"}, create, true},
		{"a finding without a value holds all", DriftFinding{Path: "ticket.closed_statuses[0]"}, create, true},
		{"a status push carries no ticket field", DriftFinding{Kind: psa.FieldQueue, Value: "29"}, status, false},
		{"a status push waits for a finding without a value", DriftFinding{Path: "status_sync.issues.open"}, status, true},
		{"an unreadable payload waits", DriftFinding{Kind: psa.FieldQueue, Value: "31"}, store.Delivery{Kind: store.DeliveryAddNote, Payload: []byte("{")}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.f.usedBy(c.d); got != c.want {
				t.Errorf("usedBy = %v, want %v", got, c.want)
			}
		})
	}
}
