package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/simfault"
)

func runSim(ctx context.Context, args []string, io IO) error {
	fs := newFlags("sim", io.psaNames("|")+" [--addr 127.0.0.1:PORT] | --list", io)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address (loopback)")
	limit := fs.Int("hourly-limit", 0, "requests per rolling window before the simulator throttles (0: the PSA's own default)")
	latency := fs.Duration("latency", 0, "fixed delay added to every response")
	window := fs.Duration("window", 0, "length of the rolling window of --hourly-limit (0: the PSA's own; scale an hour down to test it in seconds)")
	faults := faultFlags(fs)
	if len(args) == 1 && args[0] == "--list" {
		fmt.Fprintln(io.Out, io.psaNames("\n"))
		return nil
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	d, err := io.driver(args[0])
	if err != nil {
		return err
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := faults.Validate(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	sim := d.Simulate(driver.SimOptions{RequestLimit: *limit, Window: *window, Latency: *latency})
	defer sim.Close()
	// The simulators' credentials are their own made-up ones, printed so a
	// user can point ticketbridge at them; no real secret is involved.
	fmt.Fprint(io.Out, sim.Banner("http://"+ln.Addr().String()))
	var handler http.Handler = sim
	if faults.Injected() {
		faults.cfg.BodyFor, faults.cfg.Eligible = sim.FaultBody, sim.FaultEligible
		handler = simfault.Wrap(handler, *faults.cfg)
		fmt.Fprintf(io.Out, "  faults:           %s (counters at GET %s)\n", faults, faultStatsPath)
	}
	srv := &http.Server{Handler: serveState(handler, sim), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// SimStatePath serves what a simulator holds (driver.State as JSON), so a
// test auditing a simulator in another process reads its tickets and
// notes directly: without the PSA's API, its paging or its request budget.
const SimStatePath = "/_sim/state"

// serveState answers GET SimStatePath, never faulted, and passes every
// other request on to next.
func serveState(next http.Handler, sim driver.Simulator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != SimStatePath {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sim.State())
	})
}

// faultStatsPath serves the fault injector's counters, so a test driving a
// simulator in another process can read what was injected and how often
// the simulator itself refused a request.
const faultStatsPath = "/_simfault/stats"

// simFaults holds the --fault-* flags.
type simFaults struct{ cfg *simfault.Config }

func faultFlags(fs *flag.FlagSet) simFaults {
	c := &simfault.Config{StatsPath: faultStatsPath}
	fs.Float64Var(&c.Rate500, "fault-500", 0, "share of API requests answered 500 (0..1)")
	fs.Float64Var(&c.Rate429, "fault-429", 0, "share answered 429 without Retry-After")
	fs.Float64Var(&c.Rate429RetryAfter, "fault-429-retry-after", 0, "share answered 429 with Retry-After")
	fs.DurationVar(&c.RetryAfter, "retry-after", time.Second, "Retry-After of --fault-429-retry-after answers")
	fs.Float64Var(&c.RateHang, "fault-hang", 0, "share served, then never answered (connection dropped after --hang-for)")
	fs.DurationVar(&c.HangFor, "hang-for", simfault.DefaultHangFor, "how long a hung request is held")
	fs.Float64Var(&c.RateSlow, "fault-slow", 0, "share delayed by --slow plus up to --slow-jitter")
	fs.DurationVar(&c.SlowFixed, "slow", 200*time.Millisecond, "fixed delay of a slow request")
	fs.DurationVar(&c.SlowJitter, "slow-jitter", 100*time.Millisecond, "random extra delay of a slow request")
	fs.Float64Var(&c.RateReset, "fault-reset", 0, "share whose connection is reset before the simulator sees it")
	fs.Float64Var(&c.RateTruncate, "fault-truncate", 0, "share served with the body cut in half")
	fs.Float64Var(&c.RateMalformed, "fault-malformed", 0, "share served with an invalid JSON body")
	fs.Int64Var(&c.Seed, "fault-seed", 1, "seed of the fault draws")
	return simFaults{cfg: c}
}

// Validate checks the rates.
func (f simFaults) Validate() error {
	if err := f.cfg.Validate(); err != nil {
		return fmt.Errorf("fault flags: %w", err)
	}
	return nil
}

// Injected reports whether any fault rate is set.
func (f simFaults) Injected() bool {
	c := f.cfg
	return c.Rate500+c.Rate429+c.Rate429RetryAfter+c.RateHang+c.RateSlow+c.RateReset+c.RateTruncate+c.RateMalformed > 0
}

func (f simFaults) String() string {
	c := f.cfg
	return fmt.Sprintf("500 %.3g, 429 %.3g, 429+Retry-After %.3g, hang %.3g, slow %.3g, reset %.3g, truncate %.3g, malformed %.3g, seed %d",
		c.Rate500, c.Rate429, c.Rate429RetryAfter, c.RateHang, c.RateSlow, c.RateReset, c.RateTruncate, c.RateMalformed, c.Seed)
}
