package alert_test

import (
	"errors"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// FuzzDecode checks Decode's promise on any input: it never panics, and it
// either returns alerts that all validate or a *ValidationError naming at
// least one field. Seeds live in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(validJSON("sa-1")))
	f.Add([]byte("[" + validJSON("sa-1") + "," + minimalJSON("sa-2") + "]"))
	f.Add([]byte(minimalJSON("sa-1") + "\n" + minimalJSON("sa-2") + "\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		alerts, err := alert.Decode(body)
		if err != nil {
			var ve *alert.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T %v, want *alert.ValidationError", err, err)
			}
			if len(ve.Fields) == 0 {
				t.Fatal("ValidationError with no fields")
			}
			if alerts != nil {
				t.Fatal("alerts returned with an error")
			}
			return
		}
		if len(alerts) == 0 || len(alerts) > alert.MaxBatch {
			t.Fatalf("%d alerts without an error", len(alerts))
		}
		for i, a := range alerts {
			if errs := a.Validate(); len(errs) > 0 {
				t.Fatalf("alert %d does not validate: %v", i, errs)
			}
		}
	})
}
