package cli

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// TestSimFaultFlags: the --fault-* flags fill the injector's config, and
// rates it cannot honour are refused before anything listens.
func TestSimFaultFlags(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := faultFlags(fs)
	err := fs.Parse([]string{"--fault-500", "0.1", "--fault-429-retry-after", "0.05", "--fault-hang", "0.02",
		"--hang-for", "2s", "--slow", "10ms", "--fault-seed", "42"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.cfg
	if c.Rate500 != 0.1 || c.Rate429RetryAfter != 0.05 || c.RateHang != 0.02 || c.HangFor != 2*time.Second ||
		c.SlowFixed != 10*time.Millisecond || c.Seed != 42 || c.StatsPath != faultStatsPath {
		t.Errorf("config %+v", *c)
	}
	if !f.Injected() || f.Validate() != nil {
		t.Errorf("Injected %v, Validate %v", f.Injected(), f.Validate())
	}
	if none := faultFlags(flag.NewFlagSet("x", flag.ContinueOnError)); none.Injected() {
		t.Error("no fault flags, yet Injected")
	}

	code, _, stderr := run(t, nil, "", "sim", drivers.Default().Name(), "--addr", "127.0.0.1:0", "--fault-500", "0.7", "--fault-429", "0.7")
	if code == 0 || !strings.Contains(stderr, "sum to") {
		t.Errorf("exit %d, stderr %q: want the rates refused", code, stderr)
	}
}
