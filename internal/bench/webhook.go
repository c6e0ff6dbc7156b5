package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Forged-webhook parameters: bodies of the size a webhook may have, with a
// signature of the right form but the wrong value, sent at the same
// steady rate as the alerts they arrive beside (one per request).
const (
	forgedBodySize = 1 << 20
	forgedClients  = 8
	webhookRate    = 100 // alerts, and forged webhooks, per second
)

// webhookRounds is how many times the workload measures alerts alone,
// forged webhooks alone and both together. The ingest p99 is the 10th
// slowest of 1,000 sends, and one busy second of a shared machine moves
// it: single runs gave 1.3 to 2.2 for the same build within minutes, so
// the ratio is the median of the rounds'.
const webhookRounds = 3

// runWebhook measures what forged PSA webhooks cost: the CPU time of n of
// them (1 MiB, bad signature) against that of n alerts ingested, and the
// ingest latency (request to 202) of alerts sent alone and while the
// forged webhooks arrive. Both CPU figures are the whole process's (the
// sending clients included, on both sides alike).
func runWebhook(ctx context.Context, o Options) (Result, error) {
	n := o.size(200, 1000)
	res := Result{Title: "forged webhooks: CPU and ingest latency", Params: fmt.Sprintf(
		"%d webhooks of %d KiB with a bad signature and %d alerts, each at %d/s, median of %d rounds", n, forgedBodySize>>10, n, webhookRate, webhookRounds)}
	e, err := startEnv(ctx, o, driver.SimOptions{RequestLimit: 1_000_000}, &driver.SettingsParams{Name: "bench", RequestsPerHour: 1_000_000, BudgetWindow: time.Hour, MaxConcurrent: 3})
	if err != nil {
		return res, err
	}
	defer e.Close()
	header, ok := webhookHeader(ctx, e)
	if !ok {
		res.Params += fmt.Sprintf("; not run: %s sends no webhooks", o.driver().Name())
		return res, nil
	}
	sender := NewSender(e.BaseURL, e.Token, 8)
	forger := newForger(e.BaseURL+"/hooks/bench", header)
	answers := map[int]int{}
	var alertsCPU, forgedCPU, cpuRatios, alone99, during99, latencyRatios []float64
	for round := range webhookRounds {
		o.progress("webhook: round %d of %d", round+1, webhookRounds)
		r, err := webhookRound(ctx, sender, forger, n, round)
		if err != nil {
			return res, err
		}
		if err := e.WaitIdle(ctx, 2*time.Minute); err != nil {
			return res, err
		}
		for status, count := range r.answers {
			answers[status] += count
		}
		alertsCPU, forgedCPU = append(alertsCPU, ms(r.alertsCPU)), append(forgedCPU, ms(r.forgedCPU))
		cpuRatios = append(cpuRatios, float64(r.forgedCPU)/float64(max(r.alertsCPU, 1)))
		a, d := percentile(r.alone, 99), percentile(r.during, 99)
		alone99, during99 = append(alone99, ms(a)), append(during99, ms(d))
		latencyRatios = append(latencyRatios, float64(d)/float64(max(a, 1)))
		res.add(fmt.Sprintf("round %d: ingest p99 during ÷ alone", round+1), float64(d)/float64(max(a, 1)), "")
	}
	res.add(fmt.Sprintf("CPU of %d alerts ingested", n), median(alertsCPU), "ms")
	res.add(fmt.Sprintf("CPU of %d forged webhooks", n), median(forgedCPU), "ms")
	res.atMost("forged webhooks' CPU ÷ alerts' CPU", median(cpuRatios), "", 1)
	res.add("forged webhooks answered 401 (signature checked)", float64(answers[http.StatusUnauthorized]), "")
	res.add("forged webhooks answered 429 (refused unread)", float64(answers[http.StatusTooManyRequests]), "")
	res.add("forged webhooks cut off (connection closed unread)", float64(answers[0]), "")
	res.add("ingest p99 alone", median(alone99), "ms")
	res.add("ingest p99 during forged webhooks", median(during99), "ms")
	res.atMost("ingest p99 during ÷ alone", median(latencyRatios), "", 2)
	return res, nil
}

// webhookMeasures is one round of the forged-webhook workload.
type webhookMeasures struct {
	alone, during        []time.Duration // each alert's time to 202, sorted
	alertsCPU, forgedCPU time.Duration
	answers              map[int]int // the forged-only phase's answers by status
}

// webhookRound sends n alerts alone, then n forged webhooks alone, then
// both at once, each at webhookRate.
func webhookRound(ctx context.Context, sender *Sender, forger *forger, n, round int) (webhookMeasures, error) {
	var m webhookMeasures
	storm := Storm{Orgs: 10, Users: 40, Types: 5, Seed: 3, IDPrefix: fmt.Sprintf("wa%d-", round)}
	cpu := cpuTime()
	alone, err := timedSends(ctx, sender, storm, n)
	if err != nil {
		return m, err
	}
	m.alertsCPU = cpuTime() - cpu

	cpu = cpuTime()
	m.answers = forger.send(ctx, n)
	m.forgedCPU = cpuTime() - cpu

	storm.IDPrefix = fmt.Sprintf("wb%d-", round)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); forger.send(ctx, n) }()
	during, err := timedSends(ctx, sender, storm, n)
	wg.Wait()
	if err != nil {
		return m, err
	}
	sortDurations(alone)
	sortDurations(during)
	m.alone, m.during = alone, during
	return m, nil
}

// webhookHeader waits for the engine to work the bench integration and
// returns the header its PSA signs webhooks in.
func webhookHeader(ctx context.Context, e *env) (string, bool) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(20 * time.Millisecond) {
		if h, ok := e.App.Engine.WebhookSignatureHeader(store.DefaultTenant, "bench"); ok {
			return h, true
		}
	}
	return "", false
}

// timedSends sends n alerts one per request at webhookRate and returns
// each one's time from request to 202.
func timedSends(ctx context.Context, s *Sender, storm Storm, n int) ([]time.Duration, error) {
	sent, err := SendPaced(ctx, s, storm, n, webhookRate)
	if err != nil {
		return nil, err
	}
	took := make([]time.Duration, n)
	for i, x := range sent {
		took[i] = x.Accepted.Sub(x.Start)
	}
	return took, nil
}

// forger posts one 1 MiB body again and again with a signature of the
// right form that does not match it.
type forger struct {
	url, header, signature string
	body                   []byte
	client                 *http.Client
}

func newForger(url, header string) *forger {
	mac := make([]byte, 20)
	_, _ = rand.Read(mac)
	body := bytes.Repeat([]byte(`{"id":1,"fields":{"status":"5"},"note":"forged"}`), forgedBodySize/48+1)[:forgedBodySize]
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = forgedClients
	return &forger{url: url, header: header, signature: "sha1=" + base64.StdEncoding.EncodeToString(mac), body: body,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// send posts n forged webhooks at webhookRate from up to forgedClients
// clients and counts the answers by status (0: the server closed the
// connection first).
func (f *forger) send(ctx context.Context, n int) map[int]int {
	var mu sync.Mutex
	answers := map[int]int{}
	next := make(chan struct{})
	var wg sync.WaitGroup
	for range forgedClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				status := f.post(ctx)
				mu.Lock()
				answers[status]++
				mu.Unlock()
			}
		}()
	}
	tick := time.NewTicker(time.Second / webhookRate)
	defer tick.Stop()
	for range n {
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	return answers
}

func (f *forger) post(ctx context.Context) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(f.body))
	if err != nil {
		return 0
	}
	req.Header.Set(f.header, f.signature)
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
