package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSourceTest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sample := filepath.Join("..", "source", "testdata", "trendai-workbench.json")
	settings := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(settings, []byte(`{"default_organization": {"id": "org-42", "name": "Acme Corp"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, nil, "", "source", "test", "-f", sample, "--format", "trendai-workbench", "--settings", settings)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var alerts []struct {
		ID, Severity string
		Organization struct{ ID string }
		Device       struct{ Name string }
	}
	if err := json.Unmarshal([]byte(stdout), &alerts); err != nil {
		t.Fatalf("stdout is not the alerts as JSON: %v\n%s", err, stdout)
	}
	if len(alerts) != 1 || alerts[0].ID != "WB-13276-20261121-00002" || alerts[0].Organization.ID != "org-42" ||
		alerts[0].Severity != "low" || alerts[0].Device.Name != "ACME-LT-07" {
		t.Errorf("alerts = %+v", alerts)
	}

	code, _, stderr = run(t, nil, `{"alerts": []}`, "source", "test", "--format", "alertmanager")
	if code == 0 || !strings.Contains(stderr, "holds no alerts") {
		t.Errorf("empty Alertmanager body: exit %d, stderr %q; want a failure naming the problem", code, stderr)
	}
	code, _, stderr = run(t, nil, `{}`, "source", "test", "--format", "splunk")
	if code == 0 || !strings.Contains(stderr, "unknown format") || !strings.Contains(stderr, "alertmanager") {
		t.Errorf("unknown format: exit %d, stderr %q; want a failure listing the formats", code, stderr)
	}
}

func TestSourceFormats(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "", "source", "formats")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"canonical", "trendai-workbench", "guardz  ", "kaseya-mdr"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("formats list lacks %q:\n%s", want, stdout)
		}
	}
}

func TestReplayCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TICKETBRIDGE_DATA_DIR": t.TempDir()}
	if code, _, _ := run(t, env, "", "replay"); code != 2 {
		t.Errorf("replay without --source: exit %d, want 2", code)
	}
	code, _, stderr := run(t, env, "", "replay", "--source", "nope")
	if code == 0 || !strings.Contains(stderr, "not found") {
		t.Errorf("replay of an unknown source: exit %d, stderr %q", code, stderr)
	}
}
