package replicatest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// databaseURL returns the test PostgreSQL or skips.
func databaseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TICKETBRIDGE_TEST_DATABASE_URL")
	if u == "" {
		tb.Skip("needs PostgreSQL: set TICKETBRIDGE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable (or run scripts/replicatest)")
	}
	return u
}

// freshSchema returns base with search_path set to a new schema of random
// name, which is dropped when the test ends. The store creates it on open.
func freshSchema(tb testing.TB, base string) string {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("TICKETBRIDGE_TEST_DATABASE_URL: %v", err)
	}
	name := "tb_replicas_" + strings.ToLower(rand.Text()[:10])
	if keep() {
		tb.Logf("keeping schema %s (TICKETBRIDGE_REPLICATEST_KEEP)", name)
	}
	tb.Cleanup(func() {
		if keep() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
		}
	})
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// buildBinary builds cmd/ticketbridge into a temporary folder; the build
// cache makes a second build in one run cheap.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "ticketbridge")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ticketbridge/ticketbridge/cmd/ticketbridge")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// keep reports whether TICKETBRIDGE_REPLICATEST_KEEP=1 asks to keep the
// schema and the replicas' logs after the run, to look into a failure.
func keep() bool { return os.Getenv("TICKETBRIDGE_REPLICATEST_KEEP") == "1" }

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cluster is several `ticketbridge serve` processes on one schema. They
// share the secret key (so each can decrypt the PSA credentials another
// stored) and the admin token.
type cluster struct {
	tb         testing.TB
	bin, dir   string
	adminToken string
	env        []string
	log        *eventLog

	mu       sync.Mutex
	replicas []*replica
}

// replica is one serve process.
type replica struct {
	ID   string
	Addr string // host:port it listens on
	cmd  *exec.Cmd
	addr chan string   // the listen address, once printed
	done chan struct{} // closed once its output is read to the end
	dead bool
}

// URL is the replica's base URL.
func (r *replica) URL() string { return "http://" + r.Addr }

func newCluster(tb testing.TB, bin, dbURL string, extraEnv ...string) *cluster {
	c := &cluster{
		tb: tb, bin: bin, dir: tb.TempDir(), log: &eventLog{},
		adminToken: "tba_replicatest_" + randomHex(16),
	}
	if keep() {
		dir, err := os.MkdirTemp("", "replicatest-")
		if err != nil {
			tb.Fatal(err)
		}
		c.dir = dir
		tb.Logf("keeping the replicas' logs in %s (TICKETBRIDGE_REPLICATEST_KEEP)", dir)
	}
	c.env = append(os.Environ(),
		"TICKETBRIDGE_DATABASE_URL="+dbURL,
		"TICKETBRIDGE_SECRET_KEY="+randomHex(32),
		"TICKETBRIDGE_ADMIN_TOKEN="+c.adminToken,
		"TICKETBRIDGE_LOG_LEVEL=info", "TICKETBRIDGE_LOG_FORMAT=json")
	c.env = append(c.env, extraEnv...)
	tb.Cleanup(c.stopAll)
	return c
}

// apply writes settings with `ticketbridge apply -f --yes`.
func (c *cluster) apply(settings string) {
	c.tb.Helper()
	path := filepath.Join(c.dir, "settings.yaml")
	if err := os.WriteFile(path, []byte(settings), 0o600); err != nil {
		c.tb.Fatal(err)
	}
	cmd := exec.Command(c.bin, "apply", "-f", path, "--yes")
	cmd.Env = append(c.env, "TICKETBRIDGE_DATA_DIR="+filepath.Join(c.dir, "apply"))
	if out, err := cmd.CombinedOutput(); err != nil {
		c.tb.Fatalf("apply: %v\n%s", err, out)
	}
}

// start launches `serve --replica-id id` on a free loopback port; ready
// waits until it answers. Its log goes to DIR/id.log and into c.log.
func (c *cluster) start(id string) *replica {
	c.tb.Helper()
	r := &replica{ID: id, done: make(chan struct{}), addr: make(chan string, 1)}
	r.cmd = exec.Command(c.bin, "serve", "--replica-id", id, "--addr", "127.0.0.1:0")
	r.cmd.Env = append(c.env, "TICKETBRIDGE_DATA_DIR="+filepath.Join(c.dir, id))
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		c.tb.Fatal(err)
	}
	r.cmd.Stdout = io.Discard
	if err := r.cmd.Start(); err != nil {
		c.tb.Fatalf("start replica %s: %v", id, err)
	}
	c.mu.Lock()
	c.replicas = append(c.replicas, r)
	c.mu.Unlock()
	go c.readLog(r, stderr, r.addr)
	return r
}

// ready waits until the replica printed its address and answers /healthz.
func (c *cluster) ready(ctx context.Context, r *replica) {
	c.tb.Helper()
	select {
	case r.Addr = <-r.addr:
	case <-time.After(30 * time.Second):
		c.tb.Fatalf("replica %s printed no listen address (log in %s)", r.ID, c.dir)
	}
	c.waitHealthy(ctx, r)
}

// startN starts replicas r1..rn at once and waits until all are ready.
func (c *cluster) startN(ctx context.Context, n int) []*replica {
	c.tb.Helper()
	rs := make([]*replica, n)
	for i := range rs {
		rs[i] = c.start(fmt.Sprintf("r%d", i+1))
	}
	for _, r := range rs {
		c.ready(ctx, r)
	}
	return rs
}

func (c *cluster) waitHealthy(ctx context.Context, r *replica) {
	c.tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; {
		resp, err := http.Get(r.URL() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.tb.Fatalf("replica %s did not come up (log in %s)", r.ID, c.dir)
}

// readLog copies the replica's stderr to its log file, sends the listen
// address once it is printed, and records the log events the tests read.
func (c *cluster) readLog(r *replica, stderr io.Reader, addr chan<- string) {
	defer close(r.done)
	f, err := os.Create(filepath.Join(c.dir, r.ID+".log"))
	if err != nil {
		f = nil
	}
	if f != nil {
		defer f.Close()
	}
	lines := bufio.NewScanner(stderr)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		line := lines.Bytes()
		if f != nil {
			_, _ = f.Write(append(line, '\n'))
		}
		if a, ok := bytes.CutPrefix(line, []byte("ticketbridge listening on http://")); ok {
			addr <- string(a)
			continue
		}
		c.log.add(r.ID, line)
	}
}

// kill sends SIGKILL to the replica and reaps it.
func (c *cluster) kill(r *replica) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.dead {
		return
	}
	r.dead = true
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	_ = r.cmd.Wait()
	<-r.done
}

func (c *cluster) stopAll() {
	c.mu.Lock()
	rs := append([]*replica(nil), c.replicas...)
	c.mu.Unlock()
	for _, r := range rs {
		c.kill(r)
	}
}

// logTail returns the last lines of a replica's log, for failure reports.
func (c *cluster) logTail(id string, n int) string {
	b, err := os.ReadFile(filepath.Join(c.dir, id+".log"))
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// admin calls the REST API of replica r with the admin token.
func (c *cluster) admin(ctx context.Context, r *replica, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL()+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}

// createSource creates a source through replica r and returns its token.
func (c *cluster) createSource(ctx context.Context, r *replica, id string) string {
	c.tb.Helper()
	var res struct{ Token string }
	if err := c.admin(ctx, r, http.MethodPost, "/api/v1/sources", map[string]string{"id": id, "name": id}, &res); err != nil {
		c.tb.Fatal(err)
	}
	if res.Token == "" {
		c.tb.Fatal("create source: no token in the answer")
	}
	return res.Token
}

// deliveries counts deliveries in state, up to 1000, as replica r sees them.
func (c *cluster) deliveries(ctx context.Context, r *replica, state string) (int, error) {
	var res struct{ Deliveries []json.RawMessage }
	err := c.admin(ctx, r, http.MethodGet, "/api/v1/deliveries?limit=1000&state="+state, nil, &res)
	return len(res.Deliveries), err
}

// event is one log line of interest.
type event struct {
	At          time.Time
	Replica     string // the process that logged it
	Msg         string
	Integration string
	Level       string
}

// Messages the engine logs that the tests follow.
const (
	msgWorking   = "working integration"
	msgLeaseLost = "lease lost; stopping this integration here"
)

// eventLog collects the replicas' log events.
type eventLog struct {
	mu     sync.Mutex
	events []event
	errors []string // ERROR lines, raw
}

func (l *eventLog) add(replica string, line []byte) {
	var v struct {
		Time        time.Time `json:"time"`
		Level       string    `json:"level"`
		Msg         string    `json:"msg"`
		Integration string    `json:"integration"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if v.Level == "ERROR" {
		l.errors = append(l.errors, replica+": "+string(line))
	}
	if v.Msg == msgWorking || v.Msg == msgLeaseLost {
		l.events = append(l.events, event{At: v.Time, Replica: replica, Msg: v.Msg, Integration: v.Integration, Level: v.Level})
	}
}

// snapshot returns the events so far, oldest first. Lines of different
// replicas arrive interleaved; their own timestamps order them.
func (l *eventLog) snapshot() []event {
	l.mu.Lock()
	out := append([]event(nil), l.events...)
	l.mu.Unlock()
	slices.SortStableFunc(out, func(a, b event) int { return a.At.Compare(b.At) })
	return out
}

func (l *eventLog) errorLines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors...)
}

// holders returns, for each integration, the replica that last logged
// working it at or before at, unless it logged losing it since.
func holders(events []event, at time.Time) map[string]string {
	out := map[string]string{}
	for _, e := range events {
		if e.At.After(at) {
			continue
		}
		switch e.Msg {
		case msgWorking:
			out[e.Integration] = e.Replica
		case msgLeaseLost:
			if out[e.Integration] == e.Replica {
				delete(out, e.Integration)
			}
		}
	}
	return out
}

// takeover returns when another replica than dead first logged working
// integration after at.
func takeover(events []event, integration, dead string, at time.Time) (time.Time, string, bool) {
	for _, e := range events {
		if e.Msg == msgWorking && e.Integration == integration && e.Replica != dead && e.At.After(at) {
			return e.At, e.Replica, true
		}
	}
	return time.Time{}, "", false
}

// errNoReplica is returned by the sender when every replica is down.
var errNoReplica = errors.New("no live replica")
