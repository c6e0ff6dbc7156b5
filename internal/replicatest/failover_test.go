package replicatest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
)

// takeoverLimit is how soon a dead replica's integrations must be worked
// elsewhere (issue 6).
const takeoverLimit = 10 * time.Second

// simHeadroom is what each simulator allows beyond ticketbridge's own
// budget, for the requests of `apply` and of the final audit, which
// ticketbridge does not count. The budget check itself is exact: it
// counts only the replicas' requests (see budgetUse).
const simHeadroom = 200

const (
	sourceID = "replicas"
	replicas = 3
)

// scenario sizes one failover run.
type scenario struct {
	integrations, alerts, batch, clients int
	// sendFor paces the sending; the kill comes once killAt of the
	// bodies were accepted and the victim is calling its PSA (waiting at
	// most 3s for that).
	sendFor time.Duration
	killAt  float64
	// budget requests per window for each integration, in its settings.
	budget  int
	window  time.Duration
	storm   bench.Storm
	timeout time.Duration
}

// chooseScenario returns the long run with TICKETBRIDGE_REPLICATEST=1,
// else the CI-sized one.
func chooseScenario() scenario {
	id := "rt" + randomHex(3) + "-"
	if os.Getenv("TICKETBRIDGE_REPLICATEST") == "1" {
		return scenario{
			integrations: 5, alerts: 6000, batch: 20, clients: 8,
			sendFor: 60 * time.Second, killAt: 0.3,
			budget: 600, window: 30 * time.Second,
			storm:   bench.Storm{Orgs: 20, Users: 100, Types: 3, Seed: uint64(time.Now().UnixNano()), IDPrefix: id},
			timeout: 20 * time.Minute,
		}
	}
	return scenario{
		integrations: 3, alerts: 600, batch: 10, clients: 4,
		sendFor: 12 * time.Second, killAt: 0.15,
		budget: 150, window: 15 * time.Second,
		storm:   bench.Storm{Orgs: 10, Users: 30, Types: 2, Seed: uint64(time.Now().UnixNano()), IDPrefix: id},
		timeout: 4 * time.Minute,
	}
}

// TestReplicasFailover runs three replicas on one PostgreSQL, sends alerts
// for several integrations round-robin to all of them, kills the replica
// holding the most integrations with SIGKILL while alerts still arrive,
// and checks that every alert landed exactly once in every integration's
// PSA, that the dead replica's integrations were taken over within 10
// seconds, and that no integration's request budget was exceeded.
func TestReplicasFailover(t *testing.T) {
	dbURL := freshSchema(t, databaseURL(t))
	sc := chooseScenario()
	ctx, cancel := context.WithTimeout(context.Background(), sc.timeout)
	defer cancel()
	r := setup(ctx, t, dbURL, sc)
	r.sendAndKill(ctx, sc)
	r.drain(ctx, sc)
	r.check(ctx, sc)
}

// run is one failover run in progress.
type run struct {
	t          *testing.T
	c          *cluster
	sims       []*simServer
	rs         []*replica
	serveStart time.Time
	send       *sender
	accepted   map[string]string // alert key → group
	victim     *replica
	killedAt   time.Time
	held       []string // integrations the victim held when killed
	sendStart  time.Time
	drained    time.Duration
}

func setup(ctx context.Context, t *testing.T, dbURL string, sc scenario) *run {
	bin := buildBinary(t)
	r := &run{t: t, accepted: make(map[string]string, sc.alerts)}
	var docs, env []string
	for i := range sc.integrations {
		s := startSim(t, fmt.Sprintf("replicas-%02d", i+1), sc.budget+simHeadroom, sc.window)
		r.sims = append(r.sims, s)
		doc, vars := s.settings(sc.budget, sc.window)
		docs = append(docs, doc)
		// Every simulator has the same made-up credentials.
		env = env[:0]
		for k, v := range vars {
			env = append(env, k+"="+v)
		}
	}
	r.c = newCluster(t, bin, dbURL, env...)
	r.c.apply(strings.Join(docs, "---\n"))
	r.serveStart = time.Now()
	r.rs = r.c.startN(ctx, replicas)
	r.waitAllWorked(ctx)
	for i := range sc.alerts {
		g := sc.storm.Alert(i)
		r.accepted[sourceID+"/"+g.ID] = g.Group
	}
	r.send = newSender(r.rs, r.c.createSource(ctx, r.rs[0], sourceID), sc.clients)
	return r
}

// waitAllWorked waits until each integration is worked by some replica.
func (r *run) waitAllWorked(ctx context.Context) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; {
		if h := holders(r.c.log.snapshot(), time.Now()); len(h) == len(r.sims) {
			r.t.Logf("integrations worked by: %v", h)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatalf("not every integration is worked after 30s: %v", holders(r.c.log.snapshot(), time.Now()))
}

// sendAndKill sends every alert, paced over sc.sendFor, and kills the
// replica holding the most integrations once killAt of the bodies were
// accepted.
func (r *run) sendAndKill(ctx context.Context, sc scenario) {
	bodies := (sc.alerts + sc.batch - 1) / sc.batch
	pace := sc.sendFor / time.Duration(bodies)
	r.sendStart = time.Now()
	done := make(chan error, 1)
	go func() {
		done <- r.send.sendAll(ctx, bodies, sc.clients, func(i int) []byte {
			time.Sleep(time.Until(r.sendStart.Add(time.Duration(i) * pace)))
			return sc.storm.Body(i*sc.batch, min(sc.batch, sc.alerts-i*sc.batch))
		})
	}()
	for r.send.Accepted.Load() < int64(float64(bodies)*sc.killAt) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	r.kill()
	if err := <-done; err != nil {
		r.t.Fatalf("send: %v", err)
	}
	r.t.Logf("%d alerts in %d bodies accepted %s after the first; %d bodies sent again",
		sc.alerts, bodies, time.Since(r.sendStart).Round(time.Millisecond), r.send.Retries.Load())
}

// kill picks the replica holding the most integrations and kills it.
func (r *run) kill() {
	h := holders(r.c.log.snapshot(), time.Now())
	count := map[string][]string{}
	for it, rep := range h {
		count[rep] = append(count[rep], it)
	}
	vi := 0
	for i, rep := range r.rs {
		if len(count[rep.ID]) > len(count[r.rs[vi].ID]) {
			vi = i
		}
	}
	r.victim = r.rs[vi]
	r.held = count[r.victim.ID]
	sort.Strings(r.held)
	if len(r.held) == 0 {
		r.t.Fatalf("no replica holds an integration: %v", h)
	}
	r.waitBusy(3 * time.Second)
	r.send.markDown(vi)
	r.killedAt = time.Now()
	r.c.kill(r.victim)
	r.t.Logf("killed %s with SIGKILL %s into sending; it held %v (all: %v)",
		r.victim.ID, r.killedAt.Sub(r.sendStart).Round(time.Millisecond), r.held, h)
}

// waitBusy waits, at most max, until one of the victim's integrations
// has a PSA call under way, so that the kill lands mid-delivery: between
// a create and its stored id, and before the budget spent since the last
// lease renewal was saved.
func (r *run) waitBusy(max time.Duration) {
	for deadline := time.Now().Add(max); time.Now().Before(deadline); {
		for _, s := range r.sims {
			if !slices.Contains(r.held, s.Name) {
				continue
			}
			calls := s.Calls.Calls()
			if n := len(calls); n > 0 && time.Since(calls[n-1].Start) < 20*time.Millisecond {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// live returns a replica that was not killed.
func (r *run) live() *replica {
	for _, rep := range r.rs {
		if rep != r.victim {
			return rep
		}
	}
	return nil
}

// drain waits until nothing is pending and every accepted alert was
// written to every simulator, or nothing moves for a while.
func (r *run) drain(ctx context.Context, sc scenario) {
	stalled := 0
	for round := 0; round < 3600 && ctx.Err() == nil && stalled < 10; round++ {
		time.Sleep(time.Second)
		pending, err := r.c.deliveries(ctx, r.live(), "pending")
		if err != nil {
			r.t.Logf("drain: %v", err)
			continue
		}
		written := r.written()
		if round%5 == 0 {
			r.t.Logf("drain: %d deliveries pending; written %v of %d", pending, written, sc.alerts)
		}
		complete := pending == 0
		for _, n := range written {
			complete = complete && n == sc.alerts
		}
		if complete {
			break
		}
		if pending == 0 {
			stalled++
		} else {
			stalled = 0
		}
	}
	r.drained = time.Since(r.sendStart)
}

// written counts, per integration, the accepted alerts whose marker the
// replicas wrote to its simulator.
func (r *run) written() []int {
	out := make([]int, len(r.sims))
	for i, s := range r.sims {
		for k := range r.accepted {
			if _, ok := s.Calls.Written(k); ok {
				out[i]++
			}
		}
	}
	return out
}
