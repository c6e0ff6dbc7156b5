package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// env is a running app against a simulator whose calls are logged.
type env struct {
	*demo.Env
	calls *CallLog
	srv   *http.Server
}

// startEnv serves the driver's simulator behind a call log and starts the
// app on it, with the driver's bench settings applied under budget (or
// none when budget is nil).
func startEnv(ctx context.Context, o Options, simOpts driver.SimOptions, budget *driver.SettingsParams) (*env, error) {
	d := o.driver()
	sim := d.Simulate(simOpts)
	log := NewCallLog(sim, sim)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sim.Close()
		return nil, fmt.Errorf("listen for simulator: %w", err)
	}
	srv := &http.Server{Handler: log, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	settings := ""
	if budget != nil {
		p := *budget
		p.Base = base
		settings, _ = sim.Settings(driver.BenchSettings, p)
	}
	e, err := demo.Start(ctx, demo.Options{
		Driver: d, Sim: sim, SimURL: base, Settings: settings, SkipApply: settings == "",
	})
	if err != nil {
		_ = srv.Close()
		sim.Close()
		return nil, err
	}
	return &env{Env: e, calls: log, srv: srv}, nil
}

func (e *env) Close() {
	e.Env.Close()
	_ = e.srv.Close()
	e.Sim.Close()
}

// skipped reports whether the alert was routed as skipped.
func (e *env) skipped(ctx context.Context, alertID string) bool {
	a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, e.SourceID, alertID)
	if err != nil {
		return false
	}
	routes, err := e.App.Store.Routes(ctx, a.Seq)
	if err != nil {
		return false
	}
	for _, r := range routes {
		if r.Outcome == store.RouteSkipped {
			return true
		}
	}
	return false
}

// Memory is the process's resident set, in MB.
type Memory struct{ RSS, Peak float64 }

// ReadMemory reads VmRSS and VmHWM from /proc/self/status.
func ReadMemory() (Memory, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Memory{}, fmt.Errorf("read memory: %w", err)
	}
	var m Memory
	for line := range strings.Lines(string(b)) {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return Memory{}, fmt.Errorf("read memory: %s: %w", name, err)
		}
		if name == "VmRSS" {
			m.RSS = kb / 1024
		} else {
			m.Peak = kb / 1024
		}
	}
	if m.RSS == 0 {
		return m, errors.New("read memory: no VmRSS in /proc/self/status")
	}
	return m, nil
}

// resetPeak resets VmHWM so the next peak is one workload's own (Linux
// clear_refs 5; best effort).
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
