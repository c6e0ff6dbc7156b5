package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Defaults of the group commit.
const (
	// DefaultGroupWindow is the longest a request waits for others to
	// share its transaction. An fsync costs about as much, so waiting
	// longer only adds latency.
	DefaultGroupWindow = 2 * time.Millisecond
	// DefaultGroupMaxAlerts caps one shared transaction, so that the
	// single writer is not held for long by one group.
	DefaultGroupMaxAlerts = 500
	// commitTimeout bounds a shared transaction: it no longer runs under
	// any one request's context (one client hanging up must not fail the
	// others), so it needs a bound of its own.
	commitTimeout = 30 * time.Second
)

// committer is a group commit: concurrent requests are stored in one
// transaction, paying for one fsync instead of one each, and every request
// is answered only after that transaction committed, so durability is the
// same as with one transaction per request.
//
// There is no background goroutine to own: the first request to arrive
// while no commit is gathering becomes the leader, gathers the requests
// that queue behind it, commits them all and hands the lead to the oldest
// request still queued. When no other request is on its way (arriving is
// zero) the leader commits at once, so a lone client pays no wait.
type committer struct {
	st        store.Store
	now       func() time.Time
	log       *slog.Logger
	window    time.Duration
	maxAlerts int
	orgs      orgBook

	mu            sync.Mutex
	pending       []*job
	pendingAlerts int
	leading       bool // a leader is gathering or committing
	arriving      int  // requests between arrive and submit
	signal        chan struct{}
}

// job is one request waiting for its commit.
type job struct {
	src    store.Source
	alerts []alert.Alert
	raw    *store.RawBody // kept with the alerts for replay; nil for canonical bodies
	done   chan outcome   // buffered: the sender never waits
}

// outcome answers a job, or hands it the lead.
type outcome struct {
	accepted []acceptedAlert
	err      error
	lead     bool
}

func newCommitter(st store.Store, now func() time.Time, log *slog.Logger, window time.Duration, maxAlerts int) *committer {
	return &committer{st: st, now: now, log: log, window: window, maxAlerts: maxAlerts, signal: make(chan struct{}, 1)}
}

// arrive counts a request that may soon submit; the leader waits for it.
func (c *committer) arrive() {
	c.mu.Lock()
	c.arriving++
	c.mu.Unlock()
}

// leave uncounts a request that ended without submitting (401, 400, ...).
func (c *committer) leave() {
	c.mu.Lock()
	c.arriving--
	c.mu.Unlock()
	c.notify()
}

func (c *committer) notify() {
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

// submit stores the request's alerts in a shared transaction and returns
// once that transaction committed (or failed). The caller must have
// called arrive.
func (c *committer) submit(ctx context.Context, src store.Source, alerts []alert.Alert, raw *store.RawBody) ([]acceptedAlert, error) {
	j := &job{src: src, alerts: alerts, raw: raw, done: make(chan outcome, 1)}
	c.mu.Lock()
	c.arriving--
	c.pending = append(c.pending, j)
	c.pendingAlerts += len(alerts)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	c.notify()
	if !lead {
		o := <-j.done
		if !o.lead {
			return o.accepted, o.err
		}
	}
	// The leader's job is the oldest pending one, so the batch it commits
	// holds it and its outcome is waiting once lead returns.
	c.lead(ctx)
	o := <-j.done
	return o.accepted, o.err
}

// lead gathers one batch, commits it and passes the lead on.
func (c *committer) lead(ctx context.Context) {
	batch := c.gather()
	c.commit(ctx, batch)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		c.leading = false
		return
	}
	c.pending[0].done <- outcome{lead: true}
}

// gather waits until the batch is full, nobody else is on the way, or the
// window passed, and takes the batch off the queue.
func (c *committer) gather() []*job {
	timer := time.NewTimer(c.window)
	defer timer.Stop()
	for expired := false; ; {
		c.mu.Lock()
		if expired || c.arriving <= 0 || c.pendingAlerts >= c.maxAlerts {
			break // still locked
		}
		c.mu.Unlock()
		select {
		case <-c.signal:
		case <-timer.C:
			expired = true
		}
	}
	defer c.mu.Unlock()
	n, alerts := 0, 0
	for n < len(c.pending) && (n == 0 || alerts+len(c.pending[n].alerts) <= c.maxAlerts) {
		alerts += len(c.pending[n].alerts)
		n++
	}
	batch := append([]*job(nil), c.pending[:n]...)
	c.pending = append(c.pending[:0], c.pending[n:]...)
	c.pendingAlerts -= alerts
	return batch
}

// commit stores the batch in one transaction and answers every job. When
// the shared transaction fails, each job is tried again in a transaction
// of its own, so that one bad request (a value the database refuses)
// cannot fail the requests that happened to share its commit. Jobs whose
// token was revoked since they were authenticated are answered so and
// left out.
func (c *committer) commit(ctx context.Context, batch []*job) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	pending := batch // the jobs not answered yet
	defer func() {
		// A panicking store must not leave followers waiting forever.
		if r := recover(); r != nil {
			c.log.Error("store alerts panicked", "panic", fmt.Sprint(r))
			for _, j := range pending {
				j.done <- outcome{err: fmt.Errorf("store alerts: panic: %v", r)}
			}
		}
	}()
	answer := func(j *job, o outcome) {
		j.done <- o
		pending = pending[1:]
	}
	results, err := c.persist(ctx, pending)
	for rev := (*revokedError)(nil); errors.As(err, &rev); {
		pending = answerRevoked(pending, rev.jobs)
		if len(pending) == 0 {
			return
		}
		results, err = c.persist(ctx, pending)
	}
	if err == nil || len(pending) == 1 {
		for i, j := range slices.Clone(pending) {
			if err != nil {
				answer(j, outcome{err: err})
			} else {
				answer(j, outcome{accepted: results[i]})
			}
		}
		return
	}
	c.log.Warn("shared ingest transaction failed; storing its requests one by one", "requests", len(pending), "err", err)
	for _, j := range slices.Clone(pending) {
		res, err := c.persist(ctx, []*job{j})
		var rev *revokedError
		switch {
		case errors.As(err, &rev):
			answer(j, outcome{err: errTokenRevoked})
		case err != nil:
			answer(j, outcome{err: err})
		default:
			answer(j, outcome{accepted: res[0]})
		}
	}
}

// answerRevoked answers the jobs at idx with errTokenRevoked and returns
// the others.
func answerRevoked(jobs []*job, idx []int) []*job {
	revoked := make(map[int]bool, len(idx))
	for _, i := range idx {
		revoked[i] = true
	}
	var rest []*job
	for i, j := range jobs {
		if revoked[i] {
			j.done <- outcome{err: errTokenRevoked}
			continue
		}
		rest = append(rest, j)
	}
	return rest
}

// persist stores the jobs' alerts in one transaction: all of them are
// durable when it returns nil, or none is.
func (c *committer) persist(ctx context.Context, batch []*job) ([][]acceptedAlert, error) {
	now := c.now().UTC()
	var out [][]acceptedAlert
	var orgs []store.Organization
	err := c.st.InTx(ctx, func(q store.Queries) error {
		var err error
		out, err = saveJobs(ctx, q, batch, now) // fresh if the store runs fn again
		if err != nil {
			return err
		}
		orgs = c.orgs.unknown(batch, now)
		return c.orgs.save(ctx, q, orgs)
	})
	if err != nil {
		return nil, fmt.Errorf("store alerts: %w", err)
	}
	c.orgs.remember(orgs)
	return out, nil
}
