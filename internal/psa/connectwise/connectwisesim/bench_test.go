package connectwisesim_test

import (
	"net/http"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// BenchmarkCreateAndLookup measures a ticket create plus an externalXRef
// lookup, the connector's hot path, over real loopback HTTP.
func BenchmarkCreateAndLookup(b *testing.B) {
	_, c := start(b, connectwisesim.Options{})
	for i := 0; b.Loop(); i++ {
		body := ticket("bench")
		body["externalXRef"] = "tb:" + itoa(i)
		c.create(body)
		c.call(http.MethodGet, "service/tickets?fields=id&conditions="+urlq(`externalXRef="tb:`+itoa(i)+`"`), nil, http.StatusOK)
	}
}
