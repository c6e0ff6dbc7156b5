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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
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

// PSAs the tests run against, by the name `ticketbridge sim` takes.
const (
	psaAutotask    = "autotask"
	psaConnectWise = "connectwise"
)

// psaUnderTest is TICKETBRIDGE_CRASHTEST_PSA, autotask by default.
func psaUnderTest(t *testing.T) string {
	t.Helper()
	switch v := os.Getenv("TICKETBRIDGE_CRASHTEST_PSA"); v {
	case "", psaAutotask:
		return psaAutotask
	case psaConnectWise:
		return psaConnectWise
	default:
		t.Fatalf("TICKETBRIDGE_CRASHTEST_PSA=%q: want %s or %s", v, psaAutotask, psaConnectWise)
		return ""
	}
}

// psaReader reads what landed in the PSA, in the shapes bench.AuditPSA
// takes; bench has one reader per simulator.
type psaReader interface {
	Tickets(ctx context.Context) ([]bench.SimTicket, error)
	Notes(ctx context.Context) ([]bench.SimNote, error)
}

// simProc is a running `ticketbridge sim <psa>`.
type simProc struct {
	URL string // http://host:port, where the fault counters are served
	// env holds the secrets serve reads through the settings' {env: …}.
	env []string
	// settings are the integration settings for this simulator's tenant.
	settings func(name string, requestsPerHour int, window time.Duration, maxConcurrent int) string
	// reader reads as the simulator's technician. One reader serves the
	// whole run, as the ConnectWise one keeps what it has read.
	reader psaReader
}

// startSim runs the simulator with extra flags and reads its address and
// made-up credentials from what it prints. It is stopped at cleanup.
func startSim(t *testing.T, bin, psa string, flags ...string) *simProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"sim", psa, "--addr", "127.0.0.1:0"}, flags...)...)
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
	addr, fields := readBanner(out)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if addr == "" || fields["technician"] == "" {
		t.Fatal("the simulator did not print its address and credentials")
	}
	if psa == psaConnectWise {
		return connectWiseSim(t, addr, fields)
	}
	return autotaskSim(addr, fields)
}

// readBanner reads what a simulator prints on start: "<PSA> simulator on
// <address> …", then "label: value" lines up to the technician's.
func readBanner(out io.Reader) (addr string, fields map[string]string) {
	fields = map[string]string{}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if _, rest, ok := strings.Cut(line, " simulator on "); ok && addr == "" {
			addr, _, _ = strings.Cut(rest, " ")
			continue
		}
		if label, value, ok := strings.Cut(line, ":"); ok {
			fields[label] = strings.TrimSpace(value)
		}
		if fields["technician"] != "" {
			break
		}
	}
	return addr, fields
}

// autotaskSim is `sim autotask`: root is its .../atservicesrest/.
func autotaskSim(root string, f map[string]string) *simProc {
	techName, techKey, _ := strings.Cut(f["technician"], " / ")
	return &simProc{
		URL: strings.TrimSuffix(root, "/atservicesrest/"),
		env: []string{"DEMO_AUTOTASK_SECRET=" + f["secret"], "DEMO_AUTOTASK_INTEGRATION_CODE=" + f["integration code"]},
		settings: func(name string, perHour int, window time.Duration, maxConcurrent int) string {
			s := bench.Settings(name, perHour, window, maxConcurrent)
			return strings.Replace(s, "  username:", "  url: "+root+"\n  username:", 1)
		},
		reader: &bench.PSAReader{BaseURL: root, IntegrationCode: f["integration code"], UserName: techName, Secret: techKey},
	}
}

// connectWiseSim is `sim connectwise`: site is what connection.url takes.
// The simulator names its technician but prints only the API member's
// keys; the technician's are the simulator's default members'.
func connectWiseSim(t *testing.T, site string, f map[string]string) *simProc {
	t.Helper()
	i := slices.IndexFunc(connectwisesim.DefaultMembers(), func(m connectwisesim.Member) bool { return m.Identifier == f["technician"] })
	if i < 0 {
		t.Fatalf("technician %q is not one of the ConnectWise simulator's default members", f["technician"])
	}
	tech := connectwisesim.DefaultMembers()[i]
	company, public := f["company"], f["public key"]
	return &simProc{
		URL: site,
		env: []string{"DEMO_CW_PRIVATE_KEY=" + f["private key"], "DEMO_CW_CLIENT_ID=" + f["client id"]},
		settings: func(name string, perHour int, window time.Duration, maxConcurrent int) string {
			return bench.ConnectWiseSettings(name, site, company, public, perHour, window, maxConcurrent)
		},
		reader: &bench.ConnectWiseReader{
			BaseURL: site + "/" + connectwisesim.StableCodebase + "apis/3.0/", Company: company,
			PublicKey: tech.PublicKey, PrivateKey: tech.PrivateKey, ClientID: f["client id"],
		},
	}
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

// apply writes the settings with `ticketbridge apply -f --yes`.
func (a *app) apply(settings string) {
	a.t.Helper()
	path := filepath.Join(a.dir, "settings.yaml")
	if err := os.WriteFile(path, []byte(settings), 0o600); err != nil {
		a.t.Fatal(err)
	}
	// Apply reads the PSA's picklists; behind fault injection a read can
	// fail, and a person would simply run apply again.
	var out []byte
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		cmd := exec.Command(a.bin, "apply", "-f", path, "--yes")
		cmd.Env = a.env
		if out, err = cmd.CombinedOutput(); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
	a.t.Fatalf("apply failed 10 times: %v\n%s", err, out)
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
