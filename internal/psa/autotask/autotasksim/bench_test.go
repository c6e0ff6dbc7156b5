package autotasksim_test

import (
	"net/http"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

// BenchmarkCreateAndQuery measures a ticket create plus an externalID
// lookup, the connector's hot path, over real loopback HTTP.
func BenchmarkCreateAndQuery(b *testing.B) {
	_, c := start(b, autotasksim.Options{HourlyLimit: 1 << 30})
	for i := 0; b.Loop(); i++ {
		body := ticket("bench")
		body["externalID"] = "tb:" + itoa(i)
		c.create("Tickets", body)
		c.call(http.MethodPost, "Tickets/query", map[string]any{
			"filter": []any{cond("eq", "externalID", "tb:"+itoa(i))}, "IncludeFields": []string{"id"},
		}, http.StatusOK)
	}
}
