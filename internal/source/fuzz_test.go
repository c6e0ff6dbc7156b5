package source

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzFormat checks one decoder on arbitrary bodies: it never panics, and
// whatever it accepts is a valid canonical alert.
func fuzzFormat(f *testing.F, name string) {
	c, ok := MustLoadBuiltins().Get(name)
	if !ok {
		f.Fatalf("no built-in format %s", name)
	}
	if sample, err := os.ReadFile(filepath.Join("testdata", name+".json")); err == nil {
		f.Add(sample)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`[{"id": 1}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		alerts, err := c.Decode(body, testOptions())
		if err != nil {
			return
		}
		for i := range alerts {
			if errs := alerts[i].Validate(); len(errs) > 0 {
				t.Fatalf("accepted an invalid alert: %v", errs)
			}
		}
	})
}

func FuzzAlertmanager(f *testing.F)        { fuzzFormat(f, "alertmanager") }
func FuzzDefenderXDR(f *testing.F)         { fuzzFormat(f, "defender-xdr") }
func FuzzGuardz(f *testing.F)              { fuzzFormat(f, "guardz") }
func FuzzHuntress(f *testing.F)            { fuzzFormat(f, "huntress") }
func FuzzKaseyaMDR(f *testing.F)           { fuzzFormat(f, "kaseya-mdr") }
func FuzzSaaSAlerts(f *testing.F)          { fuzzFormat(f, "saas-alerts") }
func FuzzSentinel(f *testing.F)            { fuzzFormat(f, "sentinel") }
func FuzzTrendAINotification(f *testing.F) { fuzzFormat(f, "trendai-notification") }
func FuzzTrendAIWorkbench(f *testing.F)    { fuzzFormat(f, "trendai-workbench") }
