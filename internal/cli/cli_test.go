package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
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
				args = []string{"sim", "autotask", "--help"}
			}
			code, _, stderr := run(t, nil, "", args...)
			if code != 0 || !strings.Contains(stderr, "Usage: ticketbridge "+name) {
				t.Errorf("exit %d, stderr %q: want 0 and a usage line", code, stderr)
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

// TestApplyExportExplain runs the config-as-code loop against the
// simulator: plan without writing, write with --yes, export, explain.
func TestApplyExportExplain(t *testing.T) {
	t.Parallel()
	sim := autotasksim.New(autotasksim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{
		"TICKETBRIDGE_DATA_DIR":          dir,
		"DEMO_AUTOTASK_SECRET":           sim.Users()[0].Secret,
		"DEMO_AUTOTASK_INTEGRATION_CODE": sim.IntegrationCode(),
	}
	yaml := strings.Replace(demo.Settings(), "psa: autotask", "psa: autotask\nconnection_url_placeholder: x", 1)
	yaml = strings.Replace(yaml, "connection_url_placeholder: x\nconnection:\n", "connection:\n  url: "+srv.URL+"/atservicesrest/\n", 1)
	file := filepath.Join(dir, "autotask.yaml")
	write(t, file, yaml)

	code, out, stderr := run(t, env, "", "apply", "-f", file)
	if code != 0 || !strings.Contains(out, "plan only") || !strings.Contains(out, "+ ticket.queue: Security") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, out, _ := run(t, env, "", "export"); strings.Contains(out, "demo-autotask") {
		t.Fatalf("plan-only apply wrote the integration:\n%s", out)
	}
	if code, out, stderr := run(t, env, "", "apply", "-f", file, "--yes"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("apply --yes: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ := run(t, env, "", "apply", "-f", file); code != 0 || !strings.Contains(out, "no changes") {
		t.Errorf("re-apply of the same file: exit %d, want no changes:\n%s", code, out)
	}
	code, out, _ = run(t, env, "", "export")
	if code != 0 || !strings.Contains(out, "env: DEMO_AUTOTASK_SECRET") || strings.Contains(out, sim.Users()[0].Secret) {
		t.Errorf("export: exit %d, want secret references and no values:\n%s", code, out)
	}

	al := `{"id":"x-1","organization":{"id":"org-42"},"type":"Too Many Downloads","severity":"high","title":"t","user":{"email":"jane@acme.example"},"occurred_at":"2026-11-21T10:00:00Z"}`
	code, out, stderr = run(t, env, al, "explain", "-f", "-")
	for _, want := range []string{"company Acme Corp: mapped organization org-42", "queue: Security", "Jane Doe (found by email", "would create a new ticket"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q (exit %d):\n%s\n%s", want, code, out, stderr)
		}
	}
	if n := simTicketCount(t, srv.URL, sim); n != 0 {
		t.Errorf("explain left %d tickets in the PSA, want 0", n)
	}

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

func simTicketCount(t *testing.T, base string, sim *autotasksim.Sim) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/atservicesrest/V1.0/Tickets/query/count", strings.NewReader(`{"filter":[{"op":"gte","field":"id","value":0}]}`))
	u := sim.Users()[1]
	req.Header.Set("ApiIntegrationCode", sim.IntegrationCode())
	req.Header.Set("UserName", u.UserName)
	req.Header.Set("Secret", u.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ QueryCount int }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.QueryCount
}
