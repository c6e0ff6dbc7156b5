package cli

import (
	"bufio"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// The examples and the README are read from the repository root.
const (
	examplesDir = "../../examples"
	readmePath  = "../../README.md"
	// simAddr is where `ticketbridge sim` listens by default, the address
	// the examples are written for.
	simAddr = "http://127.0.0.1:9090"
)

// exportLine is an example's `#   export NAME='value'` header line.
var exportLine = regexp.MustCompile(`^#\s+export ([A-Z][A-Z0-9_]*)='([^']*)'$`)

// TestExamplesApplyAgainstTheirSimulator: every PSA driver has an example
// in examples/, and each applies as written against `ticketbridge sim` of
// its PSA, with the credentials the simulator prints exported as the
// example's header says.
func TestExamplesApplyAgainstTheirSimulator(t *testing.T) {
	t.Parallel()
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			applyExample(t, d)
		})
	}
}

func applyExample(t *testing.T, d driver.Driver) {
	path := filepath.Join(examplesDir, d.Name()+".yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("every PSA driver needs an example: %v", err)
	}
	text := string(raw)
	if !strings.Contains(text, simAddr) {
		t.Fatalf("%s: connection.url is not the simulator's default address %s", path, simAddr)
	}
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	banner := sim.Banner(simAddr)

	dir := t.TempDir()
	env := map[string]string{"TICKETBRIDGE_DATA_DIR": dir}
	exported := exports(t, text)
	if len(exported) == 0 {
		t.Errorf("%s: the header exports no credentials", path)
	}
	for name, value := range exported {
		if !strings.Contains(banner, value) {
			t.Errorf("%s exports %s=%q, which `ticketbridge sim %s` does not print:\n%s", path, name, value, d.Name(), banner)
		}
		env[name] = value
	}
	file := filepath.Join(dir, d.Name()+".yaml")
	write(t, file, strings.ReplaceAll(text, simAddr, srv.URL))

	if code, out, stderr := run(t, env, "", "apply", "-f", file); code != 0 || !strings.Contains(out, "plan only") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := run(t, env, "", "apply", "-f", file, "--yes"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("apply --yes: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := run(t, env, "", "apply", "-f", file); code != 0 || !strings.Contains(out, "no changes") {
		t.Errorf("re-apply: exit %d, want no changes\n%s\n%s", code, out, stderr)
	}
}

// exports reads the example's header: the environment it needs.
func exports(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if m := exportLine.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = m[2]
		}
	}
	return out
}

// TestExamplesNameDrivers: no example is left behind by a renamed or
// removed driver.
func TestExamplesNameDrivers(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if _, err := drivers.Lookup(name); err != nil {
			t.Errorf("%s: no PSA driver is called %q", f, name)
		}
	}
}

// TestReadmeSettingsAreExamples: the README's full settings example is
// examples/autotask.yaml as it is (less its header), and every other YAML
// block in the README is a part of it, so what the README shows is what
// the examples test applies.
func TestReadmeSettingsAreExamples(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(examplesDir, "autotask.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	full := withoutHeader(string(raw))
	blocks := readmeBlocks(t, "yaml")
	if len(blocks) == 0 {
		t.Fatal("the README has no YAML block")
	}
	var whole any
	if err := yaml.Unmarshal([]byte(full), &whole); err != nil {
		t.Fatal(err)
	}
	found := false
	for i, b := range blocks {
		if b == full {
			found = true
			continue
		}
		var part any
		if err := yaml.Unmarshal([]byte(b), &part); err != nil {
			t.Errorf("README YAML block %d does not parse: %v", i+1, err)
			continue
		}
		if path, ok := subset(part, whole, ""); !ok {
			t.Errorf("README YAML block %d: %s differs from examples/autotask.yaml:\n%s", i+1, path, b)
		}
	}
	if !found {
		t.Error("no README YAML block is examples/autotask.yaml (less its header comment)")
	}
}

// withoutHeader drops the comment lines and the blank line a file opens
// with.
func withoutHeader(s string) string {
	for strings.HasPrefix(s, "#") {
		_, s, _ = strings.Cut(s, "\n")
	}
	return strings.TrimPrefix(s, "\n")
}

// readmeBlocks returns the README's fenced blocks of the language.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur *strings.Builder
	for line := range strings.Lines(string(raw)) {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```"+lang:
			cur = &strings.Builder{}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line)
		}
	}
	return out
}

// subset reports whether every value in part is in whole at the same
// place, and where it is not.
func subset(part, whole any, at string) (string, bool) {
	switch p := part.(type) {
	case map[string]any:
		w, ok := whole.(map[string]any)
		if !ok {
			return at, false
		}
		for k, v := range p {
			if path, ok := subset(v, w[k], at+"."+k); !ok {
				return path, false
			}
		}
		return "", true
	case []any:
		w, ok := whole.([]any)
		if !ok || len(w) < len(p) {
			return at, false
		}
		for i, v := range p {
			if path, ok := subset(v, w[i], fmt.Sprintf("%s[%d]", at, i)); !ok {
				return path, false
			}
		}
		return "", true
	}
	if !reflect.DeepEqual(part, whole) {
		return at, false
	}
	return "", true
}

// TestPlanNamesItsEffects: a plan says what a new integration will do at
// once: the stored alerts its sync.since lets through, and the billable
// unit changes of a sync day already past.
func TestPlanNamesItsEffects(t *testing.T) {
	t.Parallel()
	d, err := drivers.Lookup("autotask")
	if err != nil {
		t.Fatal(err)
	}
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	raw, err := os.ReadFile(filepath.Join(examplesDir, "autotask.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := exports(t, string(raw))
	env["TICKETBRIDGE_DATA_DIR"] = dir
	file := filepath.Join(dir, "autotask.yaml")
	write(t, file, strings.ReplaceAll(string(raw), simAddr, srv.URL))

	// Before the integration exists: two recent alerts, one too old for
	// sync.since (7d), and a billable count for org-42.
	a, err := app.New(t.Context(), config.Config{DataDir: dir, MaxBodyBytes: 1 << 20}, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	src := store.Source{TenantID: a.Tenant, ID: "src", Name: "src", TokenHash: "h", CreatedAt: now}
	if err := a.Store.CreateSource(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	for i, age := range []time.Duration{time.Hour, 2 * time.Hour, 30 * 24 * time.Hour} {
		al := alert.Alert{ID: fmt.Sprintf("a%d", i), Organization: alert.Organization{ID: "org-42"}, Type: "Too Many Downloads",
			Severity: alert.SeverityHigh, Status: alert.StatusOpen, Kind: alert.KindIssue, Title: "t", OccurredAt: now.Add(-age)}
		if _, err := a.Store.UpsertAlert(t.Context(), store.StoredAlert{TenantID: a.Tenant, SourceID: src.ID, Alert: al, ReceivedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Store.PutBillableCount(t.Context(), store.BillableCount{TenantID: a.Tenant, Organization: "org-42", Count: 42, AsOf: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	code, out, stderr := run(t, env, "", "apply", "-f", file)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"! up to 2 stored alert(s) that occurred since", "set sync.since: now", "! billable users:", "units go from 0 to 42 at once"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan does not say %q:\n%s", want, out)
		}
	}
}

// TestApplyReportsEveryProblemAtOnce: a settings problem and a name the
// PSA does not know come back in one run, one per line.
func TestApplyReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	d := drivers.Default()
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dir := t.TempDir()
	yaml, env := sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: srv.URL})
	env["TICKETBRIDGE_DATA_DIR"] = dir
	yaml = strings.Replace(yaml, "  queue: Security\n", "  queue: Secuirty\n", 1)
	yaml = strings.Replace(yaml, "  exclude_types: [Test Alert]\n", "  exclude_types: [Test Alert, \"\"]\n", 1)
	file := filepath.Join(dir, "settings.yaml")
	write(t, file, yaml)
	code, _, stderr := run(t, env, "", "apply", "-f", file)
	for _, want := range []string{
		"invalid settings (2 problems):",
		"\n  sync.exclude_types[1]: empty",
		"\n  ticket.queue: unknown queue \"Secuirty\": did you mean \"Security\"?",
	} {
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d; stderr lacks %q:\n%s", code, want, stderr)
		}
	}
}

// TestApplyWarnsOverThePublishedLimit: a budget over what the PSA
// publishes is applied with a warning saying so.
func TestApplyWarnsOverThePublishedLimit(t *testing.T) {
	t.Parallel()
	d, err := drivers.Lookup("autotask")
	if err != nil {
		t.Fatal(err)
	}
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dir := t.TempDir()
	yaml, env := sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: srv.URL})
	env["TICKETBRIDGE_DATA_DIR"] = dir
	yaml = strings.Replace(yaml, "connection:\n", "connection:\n  requests_per_hour: 12000\n", 1)
	file := filepath.Join(dir, "settings.yaml")
	write(t, file, yaml)
	code, out, stderr := run(t, env, "", "apply", "-f", file)
	if code != 0 || !strings.Contains(out, "warning: connection.requests_per_hour: 12000 per 1h0m0s is over Autotask's published limit of 10000 per 1h0m0s") {
		t.Errorf("exit %d, want a warning:\n%s\n%s", code, out, stderr)
	}
}
