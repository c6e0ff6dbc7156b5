package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
	"github.com/ticketbridge/ticketbridge/internal/psa/simfault"
)

func runSim(ctx context.Context, args []string, io IO) error {
	fs := newFlags("sim", "autotask|connectwise [--addr 127.0.0.1:PORT]", io)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address (loopback)")
	hourly := fs.Int("hourly-limit", 10000, "requests per rolling hour before 429")
	latency := fs.Duration("latency", 0, "fixed delay added to every response")
	window := fs.Duration("window", time.Hour, "length of the rolling hour of --hourly-limit (scale it down to test an hour in seconds)")
	faults := faultFlags(fs)
	if len(args) == 0 || (args[0] != "autotask" && args[0] != "connectwise") {
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
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
	// The simulators' credentials are their own made-up ones, printed so a
	// user can point ticketbridge at them; no real secret is involved.
	var handler http.Handler
	if args[0] == "connectwise" {
		limit := 0 // ConnectWise publishes no limit: off unless asked for
		if flagSet(fs, "hourly-limit") {
			limit = *hourly
		}
		sim := connectwisesim.New(connectwisesim.Options{RateLimit: limit, Window: *window, Latency: *latency})
		m := sim.Members()[0]
		fmt.Fprintf(io.Out, "ConnectWise simulator on http://%s (connection.url)\n  company:     %s\n  public key:  %s\n  private key: %s\n  client id:   %s\n  technician:  %s\n",
			ln.Addr(), sim.CompanyID(), m.PublicKey, m.PrivateKey, sim.ClientID(), sim.Members()[1].Identifier)
		handler = sim
		faults.cfg.BodyFor = func(status int, msg string) []byte {
			b, _ := json.Marshal(map[string]any{"code": "Simulated", "message": msg, "errors": nil})
			return b
		}
	} else {
		sim := autotasksim.New(autotasksim.Options{HourlyLimit: *hourly, Latency: *latency, Window: *window})
		u := sim.Users()[0]
		fmt.Fprintf(io.Out, "Autotask simulator on http://%s/atservicesrest/\n  username:         %s\n  secret:           %s\n  integration code: %s\n  technician:       %s / %s\n",
			ln.Addr(), u.UserName, u.Secret, sim.IntegrationCode(), sim.Users()[1].UserName, sim.Users()[1].Secret)
		handler = sim
	}
	if faults.Injected() {
		handler = simfault.Wrap(handler, *faults.cfg)
	}
	if faults.Injected() {
		fmt.Fprintf(io.Out, "  faults:           %s (counters at GET %s)\n", faults, faultStatsPath)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
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

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
