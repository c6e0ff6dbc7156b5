//go:build linux

package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
	"github.com/ticketbridge/ticketbridge/internal/cli"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// gate skips the test unless TICKETBRIDGE_CRASHTEST=1.
func gate(t *testing.T) {
	t.Helper()
	if os.Getenv("TICKETBRIDGE_CRASHTEST") != "1" {
		t.Skip("slow process-level test: set TICKETBRIDGE_CRASHTEST=1 (or run scripts/crashtest)")
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative number", name, v)
	}
	return n
}

// buildBinary builds cmd/ticketbridge into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ticketbridge")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ticketbridge/ticketbridge/cmd/ticketbridge")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// psaUnderTest is the driver TICKETBRIDGE_CRASHTEST_PSA names, the
// default driver when it is empty.
func psaUnderTest(t *testing.T) driver.Driver {
	t.Helper()
	name := os.Getenv("TICKETBRIDGE_CRASHTEST_PSA")
	if name == "" {
		return drivers.Default()
	}
	d, err := drivers.Lookup(name)
	if err != nil {
		t.Fatalf("TICKETBRIDGE_CRASHTEST_PSA: %v", err)
	}
	return d
}

// simProc is a running `ticketbridge sim <psa>`.
type simProc struct {
	URL string // http://host:port, where the fault counters are served
	// env holds the secrets serve reads through the settings' {env: …}.
	env []string
	// settings are the integration settings for this simulator's tenant.
	settings func(name string, requestsPerHour int, window time.Duration, maxConcurrent int) string
}

// startSim runs the driver's simulator with extra flags and reads its
// address from what it prints. It is stopped at cleanup.
//
// The settings and credentials come from a simulator built here: a seed
// tenant is the same in every process, which the banner (credentials
// included) proves.
func startSim(t *testing.T, bin string, d driver.Driver, flags ...string) *simProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"sim", d.Name(), "--addr", "127.0.0.1:0"}, flags...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	local := d.Simulate(driver.SimOptions{})
	t.Cleanup(local.Close)
	banner, base := readBanner(out, strings.Count(local.Banner("http://x"), "\n"))
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if base == "" {
		t.Fatalf("the simulator did not print its address:\n%s", banner)
	}
	if want := local.Banner(base); banner != want {
		t.Fatalf("the simulator's seed tenant differs from this process's:\n%s\nwant\n%s", banner, want)
	}
	_, env := local.Settings(driver.BenchSettings, driver.SettingsParams{Base: base})
	sp := &simProc{URL: base}
	for k, v := range env {
		sp.env = append(sp.env, k+"="+v)
	}
	sp.settings = func(name string, perHour int, window time.Duration, maxConcurrent int) string {
		yaml, _ := local.Settings(driver.BenchSettings, driver.SettingsParams{
			Name: name, Base: base, RequestsPerHour: perHour, BudgetWindow: window, MaxConcurrent: maxConcurrent,
		})
		return yaml
	}
	return sp
}

// readBanner reads the lines a simulator prints on start and the base URL
// (scheme and host) of the first.
func readBanner(out io.Reader, lines int) (banner, base string) {
	sc := bufio.NewScanner(out)
	var b strings.Builder
	for i := 0; i < lines && sc.Scan(); i++ {
		b.WriteString(sc.Text() + "\n")
	}
	for _, f := range strings.Fields(b.String()) {
		if rest, ok := strings.CutPrefix(f, "http://"); ok {
			host, _, _ := strings.Cut(rest, "/")
			return b.String(), "http://" + host
		}
	}
	return b.String(), ""
}

// state reads what the simulator holds, without its API or budget.
func (s *simProc) state(ctx context.Context) (driver.State, error) {
	return bench.ReadState(ctx, s.URL+cli.SimStatePath, nil)
}

// faultStats reads the fault injector's counters.
func (s *simProc) faultStats(t *testing.T) map[string]any {
	t.Helper()
	resp, err := http.Get(s.URL + "/_simfault/stats")
	if err != nil {
		t.Fatalf("read fault stats: %v", err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode fault stats: %v", err)
	}
	return v
}

// app is ticketbridge run as `serve` on one data dir, restartable.
type app struct {
	t          *testing.T
	bin, dir   string
	addr       string
	adminToken string
	env        []string
	cmd        *exec.Cmd
	runs       int
}

func newApp(t *testing.T, bin string, sim *simProc) *app {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // serve binds it; the same address across restarts
	a := &app{t: t, bin: bin, dir: t.TempDir(), addr: addr, adminToken: "tba_crashtest_admin_token_0123456789"}
	a.env = append(os.Environ(),
		"TICKETBRIDGE_DATA_DIR="+a.dir, "TICKETBRIDGE_ADDR="+addr, "TICKETBRIDGE_ADMIN_TOKEN="+a.adminToken,
		"TICKETBRIDGE_LOG_LEVEL=warn")
	a.env = append(a.env, sim.env...)
	t.Cleanup(a.stop)
	return a
}

// applyTries bounds how often the harness runs apply behind faults.
const applyTries = 40

// apply writes the settings with `ticketbridge apply -f --yes`.
func (a *app) apply(settings string) {
	a.t.Helper()
	path := filepath.Join(a.dir, "settings.yaml")
	if err := os.WriteFile(path, []byte(settings), 0o600); err != nil {
		a.t.Fatal(err)
	}
	// Apply reads the PSA's picklists; behind fault injection a read can
	// fail, and a person would simply run apply again. ConnectWise's
	// many picklist reads failed ten tries in a row once in CI, so the
	// harness tries for longer.
	var out []byte
	var err error
	for attempt := 0; attempt < applyTries; attempt++ {
		cmd := exec.Command(a.bin, "apply", "-f", path, "--yes")
		cmd.Env = a.env
		if out, err = cmd.CombinedOutput(); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
	a.t.Fatalf("apply failed %d times: %v\n%s", applyTries, err, out)
}

// start runs serve and waits until it answers /healthz.
func (a *app) start(ctx context.Context) {
	a.t.Helper()
	a.runs++
	logf, err := os.Create(filepath.Join(a.dir, fmt.Sprintf("serve-%02d.log", a.runs)))
	if err != nil {
		a.t.Fatal(err)
	}
	defer logf.Close()
	a.cmd = exec.Command(a.bin, "serve")
	a.cmd.Env, a.cmd.Stdout, a.cmd.Stderr = a.env, logf, logf
	a.cmd.SysProcAttr = dieWithParent()
	if err := a.cmd.Start(); err != nil {
		a.t.Fatalf("start serve: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := http.Get("http://" + a.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.t.Fatalf("serve did not come up (log in %s)", a.dir)
}

// kill sends SIGKILL and reaps the process.
func (a *app) kill() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	_ = a.cmd.Wait()
	a.cmd = nil
}

func (a *app) stop() { a.kill() }

// admin calls the REST API with the admin token.
func (a *app) admin(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+a.addr+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}

// createSource creates the source and returns its token.
func (a *app) createSource(ctx context.Context, id string) string {
	a.t.Helper()
	var res struct{ Token string }
	if err := a.admin(ctx, http.MethodPost, "/api/v1/sources", map[string]string{"id": id, "name": id}, &res); err != nil {
		a.t.Fatal(err)
	}
	return res.Token
}

// deliveries counts deliveries in state (up to 1000).
func (a *app) deliveries(ctx context.Context, state string) (int, error) {
	var res struct{ Deliveries []json.RawMessage }
	err := a.admin(ctx, http.MethodGet, "/api/v1/deliveries?limit=1000&state="+state, nil, &res)
	return len(res.Deliveries), err
}

// skipped reports whether the alert was routed as skipped, with reason.
func (a *app) skipped(ctx context.Context, source, id string) (string, bool) {
	var res struct {
		Routes []struct{ Outcome, Reason string }
	}
	if err := a.admin(ctx, http.MethodGet, "/api/v1/alerts/"+id+"?source="+source, nil, &res); err != nil {
		return "", false
	}
	for _, r := range res.Routes {
		if r.Outcome == "skipped" {
			return r.Reason, true
		}
	}
	return "", false
}

// dieWithParent has the kernel kill a child when the test process dies
// (a time-out, ^C), so no simulator or server outlives the test.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
