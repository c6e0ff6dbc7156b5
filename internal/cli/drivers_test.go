package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers/driverstest"
)

// TestNewDriverIsPickedUp: a PSA added to the driver list is served by
// sim, demo --psa and bench with no other edit. The new PSA is a clone of
// the default one under a name nothing else knows.
func TestNewDriverIsPickedUp(t *testing.T) {
	t.Parallel()
	all := append(drivers.All(), driverstest.Clone(drivers.Default(), "newpsa"))
	runWith := func(ctx context.Context, args ...string) (int, string, string) {
		var out, errOut strings.Builder
		code := RunIO(ctx, args, IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }, Drivers: all})
		return code, out.String(), errOut.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel) // the subtests run in parallel, after this returns

	t.Run("demo", func(t *testing.T) {
		t.Parallel()
		code, out, stderr := runWith(ctx, "demo", "--psa", "newpsa")
		if code != 0 || !strings.Contains(out, "newpsa simulator") || !strings.Contains(out, "ticket_created") {
			t.Errorf("demo --psa newpsa: exit %d\n%s\n%s", code, out, stderr)
		}
	})
	t.Run("bench", func(t *testing.T) {
		t.Parallel()
		code, out, stderr := runWith(ctx, "bench", "--psa", "newpsa", "--workload", "w1", "--alerts", "10", "--json")
		var results []struct {
			Metrics []struct {
				Name  string
				Value float64
			}
		}
		if code != 0 || json.Unmarshal([]byte(out), &results) != nil || len(results) != 1 {
			t.Fatalf("bench --psa newpsa: exit %d\n%s\n%s", code, out, stderr)
		}
		for _, m := range results[0].Metrics {
			if m.Name == "alerts not written" && m.Value != 0 {
				t.Errorf("bench --psa newpsa: %v alerts not written", m.Value)
			}
		}
	})
	t.Run("sim", func(t *testing.T) {
		t.Parallel()
		simCtx, stop := context.WithCancel(ctx)
		defer stop()
		r, w := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- RunIO(simCtx, []string{"sim", "newpsa", "--addr", "127.0.0.1:0"}, IO{Out: w, Err: io.Discard, Drivers: all})
			w.Close()
		}()
		banner, err := bufio.NewReader(r).ReadString('\n')
		go func() { _, _ = io.Copy(io.Discard, r) }()
		if err != nil {
			t.Fatalf("sim newpsa printed no banner: %v", err)
		}
		base := simBase(t, banner)
		resp, err := http.Get(base + SimStatePath)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st driver.State
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&st) != nil {
			t.Errorf("GET %s: %s", SimStatePath, resp.Status)
		}
		stop()
		if code := <-done; code != 0 {
			t.Errorf("sim newpsa exited %d", code)
		}
	})
}

// simBase finds the simulator's base URL (scheme and host) in its banner.
func simBase(t *testing.T, banner string) string {
	t.Helper()
	for _, f := range strings.Fields(banner) {
		if rest, ok := strings.CutPrefix(f, "http://"); ok {
			host, _, _ := strings.Cut(rest, "/")
			return "http://" + host
		}
	}
	t.Fatalf("no URL in banner %q", banner)
	return ""
}
