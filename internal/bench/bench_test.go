package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/source"
)

func TestMarkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       []string
	}{
		{"none", "just text", nil},
		{"last line", "Malware\n\nticketbridge alert src/a-1", []string{"src/a-1"}},
		{"coalesced note", "x\nticketbridge alert s/1\r\n\ny\n ticketbridge alert s/10 \n", []string{"s/1", "s/10"}},
		{"inside a line is not a marker", "see ticketbridge alert s/1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Markers(tt.body)); diff != "" {
				t.Errorf("Markers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditPSA(t *testing.T) {
	t.Parallel()
	accepted := map[string]string{"s/1": "g1", "s/2": "g1", "s/3": "g2", "s/4": "g2", "s/5": "g3"}
	st := driver.State{Tickets: []driver.Ticket{
		{ID: "1", Description: "a\nticketbridge alert s/1", Notes: []driver.Note{
			{ID: "1", Description: "ticketbridge alert s/2\nticketbridge alert s/1"}, // s/1 twice
		}},
		{ID: "2", Description: "b\nticketbridge alert s/3"},
		{ID: "3", Description: "c\nticketbridge alert s/4"},               // g2's second open ticket
		{ID: "4", Description: "d\nticketbridge alert s/9", Closed: true}, // never sent
	}}
	a := AuditPSA(accepted, st)
	want := Audit{
		Tickets: 4, Notes: 1, Found: 4, Lost: []string{"s/5"}, Duplicated: []string{"s/1"},
		DuplicateGroups: []string{"g2"}, Unknown: 1,
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("AuditPSA (-want +got):\n%s", diff)
	}
}

// TestAuditClosedTicketsAreNotDuplicates: a group may have a closed ticket
// and a newer open one.
func TestAuditClosedTicketsAreNotDuplicates(t *testing.T) {
	t.Parallel()
	a := AuditPSA(map[string]string{"s/1": "g", "s/2": "g"}, driver.State{Tickets: []driver.Ticket{
		{ID: "1", Description: "ticketbridge alert s/1", Closed: true},
		{ID: "2", Description: "ticketbridge alert s/2"},
	}})
	if len(a.DuplicateGroups) != 0 || len(a.Lost) != 0 || a.Found != 2 {
		t.Errorf("audit %+v", a)
	}
}

func TestOverlap(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	l := &CallLog{calls: []Call{
		{Start: at(0), End: at(50)}, {Start: at(40), End: at(100)}, // merge to 0..100
		{Start: at(200), End: at(250)},
	}}
	busy := l.busy()
	if len(busy) != 2 {
		t.Fatalf("busy %v, want two intervals", busy)
	}
	tests := []struct {
		from, to int
		want     time.Duration
	}{
		{0, 300, 150 * time.Millisecond},
		{50, 220, 70 * time.Millisecond},
		{100, 200, 0},
		{260, 400, 0},
	}
	for _, tt := range tests {
		if got := overlap(busy, at(tt.from), at(tt.to)); got != tt.want {
			t.Errorf("overlap(%d, %d) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
	}
}

// byUser classifies calls by a UserName header, as a simulator would by
// its credentials, and budget refusals by a word in the body.
type byUser string

func (u byUser) Call(r *http.Request) driver.Call {
	kind := "ticket.query"
	if r.Method == http.MethodPost && !strings.HasSuffix(r.URL.Path, "/query") {
		kind = "ticket.create"
	}
	return driver.Call{Ours: strings.EqualFold(r.Header.Get("UserName"), string(u)), Kind: kind}
}

func (byUser) OverBudget(status int, body []byte) bool {
	return status == http.StatusTooManyRequests && bytes.Contains(body, []byte("budget"))
}

// TestCallLogRecordsWrites: the log records only the API user's calls,
// flags budget refusals, and notes when a marker's write finished,
// wherever the body keeps the text.
func TestCallLogRecordsWrites(t *testing.T) {
	t.Parallel()
	sim := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/query") {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"errors":["request budget of 10 per hour spent"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"itemId":1}`))
	})
	l := NewCallLog(sim, byUser("tb@msp.example"))
	send := func(user, path, body string) {
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(body)))
		r.Header.Set("UserName", user)
		l.ServeHTTP(httptest.NewRecorder(), r)
	}
	desc, _ := json.Marshal(map[string]any{"ticket": map[string]string{"initialDescription": "text\n\nticketbridge alert s/1"}})
	send("TB@msp.example", "/api/tickets", string(desc))
	send("tech@msp.example", "/api/tickets", `{"description":"ticketbridge alert s/2"}`)
	send("tb@msp.example", "/api/tickets/query", `{}`)
	calls := l.Calls()
	if len(calls) != 2 || calls[0].Kind != "ticket.create" || !calls[1].OverBudget {
		t.Errorf("calls %+v, want the create and a budget refusal", calls)
	}
	if _, ok := l.Written("s/1"); !ok {
		t.Error("the write of s/1 was not recorded")
	}
	if _, ok := l.Written("s/2"); ok {
		t.Error("another user's write was recorded")
	}
}

func TestStormDeterministic(t *testing.T) {
	t.Parallel()
	s := Storm{Orgs: 3, Users: 6, Types: 2, Seed: 5, IDPrefix: "x-"}
	a, b := s.Alerts(20), s.Alerts(20)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("two runs differ:\n%s", diff)
	}
	for _, g := range a {
		var v struct {
			ID           string
			Organization struct{ ID string }
			User         struct{ Email string }
		}
		if err := json.Unmarshal(g.JSON, &v); err != nil {
			t.Fatalf("alert %s: %v", g.ID, err)
		}
		// The user's organization is part of the email: groups stay per org.
		if v.ID != g.ID || !strings.Contains(v.User.Email, "@"+v.Organization.ID+".") || !strings.HasPrefix(g.Group, v.Organization.ID+"/") {
			t.Errorf("alert %s: %+v group %s", g.ID, v, g.Group)
		}
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(s.Body(0, 5), &arr); err != nil || len(arr) != 5 {
		t.Errorf("Body(0, 5): %d alerts, %v", len(arr), err)
	}
}

func TestMinimumCalls(t *testing.T) {
	t.Parallel()
	s := Storm{Orgs: 1, Users: 1, Types: 1, Seed: 1} // one group
	start := time.Now()
	acc := []time.Time{start, start.Add(6 * time.Second)} // two bodies of 2 alerts, windows 0 and 1
	// 1 create + a note in window 0 (alert 1) + a note in window 1.
	if got := minimumCalls(s, 4, 2, start, acc, 5*time.Second); got != 3 {
		t.Errorf("minimumCalls = %d, want 3", got)
	}
}

// TestRunUnknownWorkload: a bad name fails before anything starts.
func TestRunUnknownWorkload(t *testing.T) {
	t.Parallel()
	if _, err := Run(context.Background(), Options{Workloads: []string{"w9"}}); err == nil {
		t.Error("Run(w9) = nil error")
	}
}

// TestQuickW1 runs the latency workload at its smallest on every PSA:
// every alert is written to the PSA and the figures are positive.
func TestQuickW1(t *testing.T) {
	t.Parallel()
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			quickW1(t, d)
		})
	}
}

func quickW1(t *testing.T, d driver.Driver) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rs, err := Run(ctx, Options{Workloads: []string{"w1"}, Alerts: 20, Driver: d})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range rs[0].Metrics {
		got[m.Name] = m.Value
	}
	if got["alerts not written"] != 0 || got["p50 end to end"] <= 0 {
		t.Errorf("metrics %v", got)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs); err != nil || !strings.Contains(buf.String(), "p99 (ticketbridge's time)") {
		t.Errorf("table %q, %v", buf.String(), err)
	}
}

// TestQuickW4 runs the scale workload small: its baseline W1 and W1 at
// size each write every alert, and the ratio of their tails is reported.
func TestQuickW4(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rs, err := Run(ctx, Options{Workloads: []string{"w4"}, Quick: true, Alerts: 2000})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range rs[0].Metrics {
		got[m.Name] = m.Value
	}
	for _, name := range []string{"W1 at size: p50 end to end", "W1 on an empty store: p99 (ticketbridge's time)", "W1 at size ÷ on an empty store, p99", "timeline query p50"} {
		if got[name] <= 0 {
			t.Errorf("%s = %v, want > 0; metrics %v", name, got[name], got)
		}
	}
	if v, ok := got["W1 at size: alerts not written"]; !ok || v != 0 {
		t.Errorf("W1 at size: alerts not written = %v (reported %v), want 0", v, ok)
	}
}

// TestSenderRetriesUntilAccepted: a 503 is sent again, a 400 is not.
func TestSenderRetriesUntilAccepted(t *testing.T) {
	t.Parallel()
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch {
		case strings.Contains(r.Header.Get("Authorization"), "bad"):
			w.WriteHeader(http.StatusBadRequest)
		case calls < 3:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := NewSender(srv.URL, "tok", 1)
	if err := s.Deliver(ctx, []byte(`{}`)); err != nil || calls != 3 || s.Retries.Load() != 2 {
		t.Errorf("Deliver: err %v after %d calls, %d retries; want accepted on the third", err, calls, s.Retries.Load())
	}
	bad := NewSender(srv.URL, "bad", 1)
	if err := bad.Deliver(ctx, []byte(`{}`)); err == nil || bad.Retries.Load() != 0 {
		t.Errorf("Deliver with a rejected body: err %v, %d retries; want an error at once", err, bad.Retries.Load())
	}
}

// TestQuickLimit runs the limit workload small: both rates are measured
// and the ratio is theirs.
func TestQuickLimit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rs, err := Run(ctx, Options{Workloads: []string{"limit"}, Alerts: 500})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range rs[0].Metrics {
		got[m.Name] = m.Value
	}
	limit, ingest := got["durable limit (median)"], got["batched ingest (median)"]
	if limit <= 0 || ingest <= 0 {
		t.Errorf("metrics %v", got)
	}
	checkMedianOfRounds(t, got, limitRounds, "round %d: ingest ÷ limit", "ingest ÷ limit (median of rounds)")
}

// checkMedianOfRounds checks that every round printed its ratio (the
// metric named by roundName's format) and that the reported one is their
// median.
func checkMedianOfRounds(t *testing.T, got map[string]float64, n int, roundName, reported string) {
	t.Helper()
	var rounds []float64
	for i := range n {
		r, ok := got[fmt.Sprintf(roundName, i+1)]
		if !ok || r <= 0 {
			t.Fatalf("round %d has no ratio: %v", i+1, got)
		}
		rounds = append(rounds, r)
	}
	if got[reported] != median(rounds) {
		t.Errorf("%s %v is not the median of the rounds' %v", reported, got[reported], rounds)
	}
}

// TestW2Format runs W2 at its smallest with --format alertmanager: the
// native bodies are all accepted (formatRun checks as many alerts stored
// as sent) and the share of canonical ingest is reported; a format it
// cannot generate fails before anything runs.
func TestW2Format(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rs, err := Run(ctx, Options{Workloads: []string{"w2"}, Alerts: 300, Format: "alertmanager"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range rs[0].Metrics {
		got[m.Name] = m.Value
	}
	if got["batched 100 as alertmanager, median of 3: alerts/s"] <= 0 || got["alertmanager / canonical"] <= 0 {
		t.Errorf("metrics %v", got)
	}
	if _, err := Run(ctx, Options{Workloads: []string{"w2"}, Alerts: 100, Format: "no-such-product"}); err == nil {
		t.Error("w2 with a format it cannot generate: nil error")
	}
}

// TestFormatRunEveryBuiltin sends a few bodies of every built-in format
// through a real app: each is accepted and every alert is stored.
func TestFormatRunEveryBuiltin(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	storm := Storm{Orgs: 5, Users: 10, Types: 3, Seed: 1, IDPrefix: "t-"}
	for _, f := range mappedBuiltins() {
		if rate, err := formatRun(ctx, Options{Format: f}, storm, 250, 100); err != nil || rate <= 0 {
			t.Errorf("%s: %v alerts/s, %v", f, rate, err)
		}
	}
}

// TestNativeBodiesDecode: the generated bodies of every built-in format
// are what its mapping reads, one alert per generated alert, with the
// same id, type, severity and user as the canonical body of that alert.
func TestNativeBodiesDecode(t *testing.T) {
	t.Parallel()
	b := source.MustLoadBuiltins()
	if got, want := FormatBodies, mappedBuiltins(); !slices.Equal(got, want) {
		t.Fatalf("bench generates %v, built in are %v", got, want)
	}
	storm := Storm{Orgs: 5, Users: 10, Types: 3, Seed: 1, IDPrefix: "t-"}
	for _, name := range FormatBodies {
		t.Run(name, func(t *testing.T) {
			c, _ := b.Get(name)
			d, err := b.NewDecoder(name, []byte(nativeFormats[name].settings))
			if err != nil {
				t.Fatal(err)
			}
			alerts, err := d.Decode(storm.nativeBody(nativeFormats[name], 3, 7), nil)
			if err != nil || len(alerts) != 7 {
				t.Fatalf("decode: %v, %d alerts, want 7", err, len(alerts))
			}
			for i, a := range alerts {
				want := storm.vars(3 + i)
				if !strings.HasSuffix(a.ID, want.id) || a.Type != fmt.Sprintf("Storm Type %02d", want.typ) ||
					a.Severity != "high" || a.Status != "open" || a.Organization.ID == "" {
					t.Errorf("alert %d = %+v, want id …%s, type %02d, high, open, an organization", i, a, want.id, want.typ)
				}
				if _, mapsUser := c.Mapping().Fields["user.email"]; mapsUser && (a.User == nil || a.User.Email != want.email) {
					t.Errorf("alert %d user = %+v, want %s", i, a.User, want.email)
				}
			}
		})
	}
}

// mappedBuiltins names the built-in formats that are mappings (all but
// canonical), sorted.
func mappedBuiltins() []string {
	var out []string
	for _, n := range source.MustLoadBuiltins().Names() {
		if n != source.Canonical {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// BenchmarkFormatIngest is W2's batched run as a Go benchmark, canonical
// and each built-in format, so `go test -cpuprofile` can show where a
// format's ingest spends beyond canonical's.
func BenchmarkFormatIngest(b *testing.B) {
	const n = 2000
	storm := Storm{Orgs: 50, Users: 200, Types: 20, Seed: 2, IDPrefix: "b-"}
	b.Run("canonical", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := ingestRun(b.Context(), Options{}, storm, n, 100); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
	})
	for _, f := range FormatBodies {
		b.Run(f, func(b *testing.B) {
			for b.Loop() {
				if _, err := formatRun(b.Context(), Options{Format: f}, storm, n, 100); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

// TestQuickWebhook runs the forged-webhook workload small on Autotask:
// every forged webhook of every round is refused (checked and 401, or
// refused unread), none is taken, both CPU figures are measured, and the
// latency ratio is the median of the rounds'.
func TestQuickWebhook(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rs, err := Run(ctx, Options{Workloads: []string{"webhook"}, Alerts: 60})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range rs[0].Metrics {
		got[m.Name] = m.Value
	}
	sent := float64(webhookRounds * 60)
	refused := got["forged webhooks answered 401 (signature checked)"] + got["forged webhooks answered 429 (refused unread)"] + got["forged webhooks cut off (connection closed unread)"]
	if refused != sent || got["CPU of 60 alerts ingested"] <= 0 || got["CPU of 60 forged webhooks"] <= 0 {
		t.Errorf("metrics %v: want all %v forged webhooks refused and both CPU figures measured", got, sent)
	}
	// At 100 a second, past a burst of 20 only 5 a second are checked.
	if checked := got["forged webhooks answered 401 (signature checked)"]; checked >= sent || got["forged webhooks answered 429 (refused unread)"] == 0 {
		t.Errorf("%v of %v forged webhooks had their signature checked, none refused unread; past the burst most must be", checked, sent)
	}
	checkMedianOfRounds(t, got, webhookRounds, "round %d: ingest p99 during ÷ alone", "ingest p99 during ÷ alone")
}
