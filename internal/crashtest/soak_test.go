//go:build linux

package crashtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to read serve's database after the run

	"github.com/ticketbridge/ticketbridge/internal/bench"
)

// TestSoak sends alerts one per request at a steady rate for a long time
// to one `serve` process and reports, minute by minute, how long each
// alert took from receipt to its ticket or note, and serve's resident
// memory, WAL and database size: latency must not grow with the number of
// stored alerts, nor memory and WAL with time. It asserts what must never
// happen (an alert lost or written twice); the figures are a report for
// the issue note and the README, not a wall-clock assert, since a shared
// machine's speed is not the code's.
//
// Set TICKETBRIDGE_SOAK to a duration (scripts/crashtest soak does; 20m
// is the run the README quotes) and optionally TICKETBRIDGE_SOAK_RATE
// (alerts a second, default 100).
func TestSoak(t *testing.T) {
	gate(t)
	length, err := time.ParseDuration(os.Getenv("TICKETBRIDGE_SOAK"))
	if err != nil || length <= 0 {
		t.Skip("long run: set TICKETBRIDGE_SOAK to a duration such as 20m (scripts/crashtest soak)")
	}
	rate := envInt(t, "TICKETBRIDGE_SOAK_RATE", 100)
	if rate == 0 {
		t.Fatal("TICKETBRIDGE_SOAK_RATE must be positive")
	}
	ctx, cancel := context.WithTimeout(context.Background(), length+15*time.Minute)
	defer cancel()
	bin := buildBinary(t)
	d := psaUnderTest(t)
	sim := startSim(t, bin, d, "--hourly-limit", "100000000")
	a := newApp(t, bin, sim)
	a.apply(sim.settings("soak", 100000000, time.Hour, 3))
	a.start(ctx)
	sender := bench.NewSender("http://"+a.addr, a.createSource(ctx, sourceID), 16)
	storm := bench.Storm{Orgs: 10, Users: 40, Types: 5, Seed: 1, IDPrefix: "s-"}
	n := int(length.Seconds()) * rate
	t.Logf("PSA: %s simulator; %d alerts at %d/s for %s", d.Name(), n, rate, length)

	samples := make(chan []sample, 1)
	sampleCtx, stopSampling := context.WithCancel(ctx)
	go func() { samples <- sampleServe(sampleCtx, a, 10*time.Second) }()
	start := time.Now()
	if _, err := bench.SendPaced(ctx, sender, storm, n, rate); err != nil {
		t.Fatalf("send: %v", err)
	}
	t.Logf("%d alerts accepted in %s", n, time.Since(start).Round(time.Second))
	accepted := make(map[string]string, n)
	for i := range n {
		g := storm.Alert(i)
		accepted[sourceID+"/"+g.ID] = g.Group
	}
	out := drain(ctx, t, a, sim, accepted)
	out.drain, out.retries = time.Since(start), sender.Retries.Load()
	stopSampling()
	check(t, out)
	lat, err := latencies(ctx, a.dir)
	if err != nil {
		t.Fatalf("read latencies: %v", err)
	}
	if len(lat) != n-out.skipped {
		t.Errorf("%d alerts have a ticket or note in the timeline, want %d", len(lat), n-out.skipped)
	}
	report := soakReport(start, lat, <-samples)
	t.Log("\n" + report)
	if path := os.Getenv("TICKETBRIDGE_SOAK_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			t.Errorf("write report: %v", err)
		}
	}
}

// sample is serve's footprint at one moment.
type sample struct {
	at                 time.Time
	rssMB, walMB, dbMB float64
	heapMB             float64 // Go heap in use, from serve's metrics
}

// sampleServe reads serve's resident memory and its database and WAL
// sizes every interval until ctx ends.
func sampleServe(ctx context.Context, a *app, every time.Duration) []sample {
	var out []sample
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-tick.C:
		}
		s := sample{at: time.Now()}
		if a.cmd != nil && a.cmd.Process != nil {
			s.rssMB = residentMB(a.cmd.Process.Pid)
		}
		s.dbMB, s.walMB = fileMB(a.dir, ".db"), fileMB(a.dir, ".db-wal")
		s.heapMB = metricMB(ctx, "http://"+a.addr+"/metrics", "go_memstats_heap_inuse_bytes")
		out = append(out, s)
	}
}

// residentMB reads VmRSS of a process, 0 when it cannot.
func residentMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// metricMB reads one gauge in bytes from a Prometheus text page, in MB;
// 0 when it cannot.
func metricMB(ctx context.Context, url, name string) float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v / (1 << 20)
		}
	}
	return 0
}

// fileMB is the total size of the files in dir whose names end in suffix.
func fileMB(dir, suffix string) float64 {
	matches, _ := filepath.Glob(filepath.Join(dir, "*"+suffix))
	var total int64
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil {
			total += fi.Size()
		}
	}
	return float64(total) / (1 << 20)
}

// alertLatency is one alert's receipt and its first ticket or note.
type alertLatency struct {
	received time.Time
	took     time.Duration
}

// latencies reads, from serve's database, each alert's time from receipt
// to the timeline entry of the ticket or note that carries it: the
// service's own clock on both ends, so no client or network time is in it.
func latencies(ctx context.Context, dir string) ([]alertLatency, error) {
	dbs, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	if len(dbs) != 1 {
		return nil, fmt.Errorf("want one database in %s, found %v", dir, dbs)
	}
	db, err := sql.Open("sqlite", "file:"+dbs[0]+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `
		SELECT a.received_at, MIN(t.at) FROM alerts a
		JOIN timeline t ON t.alert_seq = a.seq AND t.event IN ('ticket_created', 'note_added')
		GROUP BY a.seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alertLatency
	for rows.Next() {
		var rec, at int64
		if err := rows.Scan(&rec, &at); err != nil {
			return nil, err
		}
		out = append(out, alertLatency{received: time.UnixMicro(rec), took: time.Duration(at-rec) * time.Microsecond})
	}
	return out, rows.Err()
}

// soakReport is a table a minute: alerts received, latency p50 and p99,
// and serve's footprint at the minute's end; then the drift of p50 from
// the first five minutes to the last five, and of memory after warm-up.
func soakReport(start time.Time, lat []alertLatency, samples []sample) string {
	byMinute := map[int][]time.Duration{}
	last := 0
	for _, l := range lat {
		m := int(l.received.Sub(start) / time.Minute)
		byMinute[m] = append(byMinute[m], l.took)
		last = max(last, m)
	}
	atMinute := map[int]sample{}
	for _, s := range samples {
		atMinute[int(s.at.Sub(start)/time.Minute)] = s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "minute  alerts  p50 ms  p99 ms  rss MB  heap MB  wal MB  db MB\n")
	for m := 0; m <= last; m++ {
		d := byMinute[m]
		slices.Sort(d)
		s := atMinute[m]
		fmt.Fprintf(&b, "%6d  %6d  %6.1f  %6.1f  %6.1f  %7.1f  %6.1f  %5.1f\n", m+1, len(d), msOf(pct(d, 50)), msOf(pct(d, 99)), s.rssMB, s.heapMB, s.walMB, s.dbMB)
	}
	window := func(from, to int) []time.Duration {
		var d []time.Duration
		for m := from; m < to; m++ {
			d = append(d, byMinute[m]...)
		}
		slices.Sort(d)
		return d
	}
	span := min(5, (last+1)/2)
	if span > 0 {
		first, final := window(0, span), window(last+1-span, last+1)
		fmt.Fprintf(&b, "p50 of the first %d minutes %.1f ms, of the last %d %.1f ms: ratio %.2f (goal ≤ 1.5)\n",
			span, msOf(pct(first, 50)), span, msOf(pct(final, 50)), msOf(pct(final, 50))/max(msOf(pct(first, 50)), 0.001))
	}
	if len(samples) > 2 {
		warm := samples[min(len(samples)-1, len(samples)/4)]
		end := samples[len(samples)-1]
		maxWAL := 0.0
		for _, s := range samples {
			maxWAL = max(maxWAL, s.walMB)
		}
		fmt.Fprintf(&b, "rss after warm-up (a quarter in) %.1f MB, at the end %.1f MB; wal at most %.1f MB\n", warm.rssMB, end.rssMB, maxWAL)
	}
	return b.String()
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*p/100)]
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
