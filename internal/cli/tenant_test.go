package cli

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// TestReadmeTenantsBlock runs the README's Tenants block as written, on a
// fresh data folder: the tenant is created with a token shown once, is
// listed, and export works for it; an unknown tenant is an error.
func TestReadmeTenantsBlock(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TICKETBRIDGE_DATA_DIR": t.TempDir()}
	lines := readmeSectionBlock(t, "### Tenants", "sh")
	if len(lines) != 3 {
		t.Fatalf("the Tenants block has %d commands, want 3: %q", len(lines), lines)
	}
	outs := make([]string, len(lines))
	for i, line := range lines {
		args := shellWords(t, line)
		if args[0] != "ticketbridge" {
			t.Fatalf("%q: not a ticketbridge command", line)
		}
		code, out, errOut := run(t, env, "", args[1:]...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", line, code, errOut)
		}
		outs[i] = out
	}
	if !strings.Contains(outs[0], "admin token (shown once): tba_") {
		t.Errorf("tenant create printed %q", outs[0])
	}
	if !strings.Contains(outs[1], "acme\tAcme MSP\n") || !strings.Contains(outs[1], "default\t") {
		t.Errorf("tenant list printed %q", outs[1])
	}
	code, _, errOut := run(t, env, "", "export", "--tenant", "nope")
	if code == 0 || !strings.Contains(errOut, `unknown tenant "nope"`) {
		t.Errorf("export of an unknown tenant: exit %d, %q", code, errOut)
	}
	code, _, errOut = run(t, env, "", "tenant", "create", "acme")
	if code == 0 || !strings.Contains(errOut, "already exists") {
		t.Errorf("creating acme twice: exit %d, %q", code, errOut)
	}
}

// readmeSectionBlock returns the command lines (comments dropped) of the
// first fenced lang block after heading.
func readmeSectionBlock(t *testing.T, heading, lang string) []string {
	t.Helper()
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(raw), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no %q", heading)
	}
	_, after, ok = strings.Cut(after, "```"+lang+"\n")
	if !ok {
		t.Fatalf("README's %q has no %s block", heading, lang)
	}
	block, _, _ := strings.Cut(after, "```")
	var lines []string
	for _, l := range strings.Split(block, "\n") {
		if i := strings.Index(l, "  #"); i >= 0 {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// shellWords splits a command line on spaces, keeping "double quoted"
// words whole: all the quoting the README's blocks use.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("%q: unbalanced quote", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestApplyAndExportPerTenant: apply --tenant writes the tenant's
// settings and no other's; export reads back only the tenant's; without
// the flag both work on the default tenant as before.
func TestApplyAndExportPerTenant(t *testing.T) {
	t.Parallel()
	d, err := drivers.All().Find("autotask")
	if err != nil {
		t.Fatal(err)
	}
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	yaml, simEnv := sim.Settings(driver.DemoSettings, driver.SettingsParams{Name: "acme-psa", Base: srv.URL})

	dir := t.TempDir()
	env := map[string]string{"TICKETBRIDGE_DATA_DIR": dir}
	for k, v := range simEnv {
		env[k] = v
	}
	file := filepath.Join(dir, "acme.yaml")
	write(t, file, yaml)

	if code, _, stderr := run(t, env, "", "apply", "--tenant", "acme", "-f", file, "--yes"); code == 0 || !strings.Contains(stderr, `unknown tenant "acme"`) {
		t.Fatalf("apply to a tenant not created: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, env, "", "tenant", "create", "acme"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	if code, out, stderr := run(t, env, "", "apply", "--tenant", "acme", "-f", file, "--yes"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("apply --tenant acme: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := run(t, env, "", "export", "--tenant", "acme"); code != 0 || !strings.Contains(out, "name: acme-psa") {
		t.Errorf("export --tenant acme: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := run(t, env, "", "export"); code != 0 || out != "" {
		t.Errorf("export of the default tenant: exit %d, want nothing\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := run(t, env, "", "apply", "-f", file); code != 0 || !strings.Contains(out, `integration "acme-psa" (create)`) {
		t.Errorf("the default tenant's plan: exit %d, want a create\n%s\n%s", code, out, stderr)
	}
}
