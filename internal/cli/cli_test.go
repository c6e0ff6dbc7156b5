package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

func run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestHelpOnEveryCommand(t *testing.T) {
	t.Parallel()
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := []string{name, "--help"}
			if name == "sim" {
				args = []string{"sim", drivers.Default().Name(), "--help"}
			}
			code, _, stderr := run(t, nil, "", args...)
			if code != 0 || !strings.Contains(stderr, "Usage: ticketbridge "+name) {
				t.Errorf("exit %d, stderr %q: want 0 and a usage line", code, stderr)
			}
			if !strings.Contains(stderr, "\nExample:\n  ") || !strings.Contains(stderr, "ticketbridge "+name) {
				t.Errorf("help of %s has no example:\n%s", name, stderr)
			}
			// Only serve takes serve's settings.
			if name != "serve" && (strings.Contains(stderr, "-retention") || strings.Contains(stderr, "-max-attempts")) {
				t.Errorf("help of %s shows serve's flags:\n%s", name, stderr)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	if code, _, stderr := run(t, nil, "", "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestApplyExportExplain runs the config-as-code loop against every
// PSA's simulator: plan without writing, write with --yes, export,
// explain.
func TestApplyExportExplain(t *testing.T) {
	t.Parallel()
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			applyExportExplain(t, d)
		})
	}
}

func applyExportExplain(t *testing.T, d driver.Driver) {
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dir := t.TempDir()
	yaml, env := sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: srv.URL})
	env["TICKETBRIDGE_DATA_DIR"] = dir
	file := filepath.Join(dir, "settings.yaml")
	write(t, file, yaml)
	name := "demo-" + d.Name()

	code, out, stderr := run(t, env, "", "apply", "-f", file)
	if code != 0 || !strings.Contains(out, "plan only") || !strings.Contains(out, "+ ticket.queue: Security") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, out, _ := run(t, env, "", "export"); strings.Contains(out, name) {
		t.Fatalf("plan-only apply wrote the integration:\n%s", out)
	}
	if code, out, stderr := run(t, env, "", "apply", "-f", file, "--yes"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("apply --yes: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ := run(t, env, "", "apply", "-f", file); code != 0 || !strings.Contains(out, "no changes") {
		t.Errorf("re-apply of the same file: exit %d, want no changes:\n%s", code, out)
	}
	code, out, _ = run(t, env, "", "export")
	if code != 0 || !strings.Contains(out, "env: DEMO_") {
		t.Errorf("export: exit %d, want secret references:\n%s", code, out)
	}
	for k, v := range env {
		if strings.HasPrefix(k, "DEMO_") && strings.Contains(out, v) {
			t.Errorf("export holds the value of %s", k)
		}
	}

	al := `{"id":"x-1","organization":{"id":"org-42"},"type":"Too Many Downloads","severity":"high","title":"t","user":{"email":"jane@acme.example"},"occurred_at":"2026-11-21T10:00:00Z"}`
	code, out, stderr = run(t, env, al, "explain", "-f", "-")
	for _, want := range []string{"company Acme Corp: mapped organization org-42", "queue: Security", "Jane Doe (found by email", "would create a new ticket"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q (exit %d):\n%s\n%s", want, code, out, stderr)
		}
	}
	if n := len(sim.State().Tickets); n != 0 {
		t.Errorf("explain left %d tickets in the PSA, want 0", n)
	}

	if code, out, stderr := run(t, env, "", "reconcile"); code != 0 || !strings.Contains(out, "integration "+name+": no drift") {
		t.Errorf("reconcile: exit %d, want no drift:\n%s\n%s", code, out, stderr)
	}
	renamer, ok := sim.(driver.QueueRenamer)
	if !ok || !renamer.RenameQueue("Security", "Security Operations") {
		t.Fatalf("%s: the simulator cannot rename its Security queue", d.Name())
	}
	code, out, _ = run(t, env, "", "reconcile", "--integration", name)
	if code != 1 || !strings.Contains(out, `ticket.queue: unknown`) || !strings.Contains(out, `"Security Operations"`) {
		t.Errorf("reconcile after a rename: exit %d, want 1 naming ticket.queue and the nearest name:\n%s", code, out)
	}
	renamer.RenameQueue("Security Operations", "Security")

	write(t, file, strings.Replace(yaml, "queue: Security", "queue: Secuirty", 1))
	code, _, stderr = run(t, env, "", "apply", "-f", file, "--yes")
	if code != 1 || !strings.Contains(stderr, `did you mean "Security"`) {
		t.Errorf("typo in queue: exit %d, stderr %q: want an error naming the nearest queue", code, stderr)
	}
}

func TestMigrateAndVersion(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TICKETBRIDGE_DATA_DIR": t.TempDir()}
	if code, out, stderr := run(t, env, "", "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate: exit %d %q %q", code, out, stderr)
	}
	if code, out, _ := run(t, nil, "", "version"); code != 0 || !strings.HasPrefix(out, "ticketbridge ") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPlanOnlyApplyWritesNothing: apply without --yes on a data folder
// that does not exist yet plans against the PSA and leaves no folder, key,
// token or database behind.
func TestPlanOnlyApplyWritesNothing(t *testing.T) {
	t.Parallel()
	d := drivers.Default()
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	yaml, env := sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: srv.URL})
	env["TICKETBRIDGE_DATA_DIR"] = data
	file := filepath.Join(root, "settings.yaml")
	write(t, file, yaml)

	if code, out, stderr := run(t, env, "", "apply", "-f", file); code != 0 || !strings.Contains(out, "+ ticket.queue: Security") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(data)
		t.Fatalf("plan-only apply created %s (%v): %v", data, err, entries)
	}
	if code, out, stderr := run(t, env, "", "apply", "-f", file, "--yes"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("apply --yes: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, f := range []string{"secret.key", "admin.token", "ticketbridge.db"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("apply --yes: %v", err)
		}
	}
}

// TestSecondServeOnOneFolderRefuses: while one serve holds a SQLite data
// folder, a second exits non-zero naming the folder and the first process.
func TestSecondServeOnOneFolderRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"TICKETBRIDGE_DATA_DIR": dir}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int, 1)
	var firstErr syncBuffer
	go func() {
		var out bytes.Buffer
		first <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, &firstErr, func(k string) string { return env[k] })
	}()
	for i := 0; !strings.Contains(firstErr.String(), "listening on"); i++ {
		if i == 1000 {
			cancel()
			t.Fatalf("the first serve never listened: %s", firstErr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, _, stderr := run(t, env, "", "serve", "--addr", "127.0.0.1:0")
	abs, _ := filepath.Abs(dir)
	if code == 0 || !strings.Contains(stderr, abs) || !strings.Contains(stderr, fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("second serve: exit %d, stderr %q; want non-zero naming %s and process %d", code, stderr, abs, os.Getpid())
	}
	cancel()
	if code := <-first; code != 0 {
		t.Errorf("first serve: exit %d: %s", code, firstErr.String())
	}
}

// syncBuffer is a buffer one goroutine writes while another reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestHealth: health exits 0 with the answer of a ready serve, and
// non-zero naming the address when nothing answers.
func TestHealth(t *testing.T) {
	t.Parallel()
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ready\n"))
	}))
	defer ready.Close()
	addr := strings.TrimPrefix(ready.URL, "http://")
	if code, out, stderr := run(t, nil, "", "health", "--addr", addr); code != 0 || out != "ready\n" {
		t.Errorf("ready serve: exit %d, out %q, stderr %q", code, out, stderr)
	}
	ready.Close()
	if code, _, stderr := run(t, map[string]string{"TICKETBRIDGE_ADDR": addr}, "", "health"); code == 0 || !strings.Contains(stderr, addr) {
		t.Errorf("nothing listening: exit %d, stderr %q; want non-zero naming %s", code, stderr, addr)
	}
}
