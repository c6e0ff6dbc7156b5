package replicatest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
)

// maxSendAttempts bounds how often one body is sent before the run fails.
const maxSendAttempts = 60

// sender posts alert bodies round-robin to the replicas, as a source
// behind a load balancer would: a body that fails or is not answered 202
// is sent again to the next live replica.
type sender struct {
	targets []*bench.Sender
	down    []atomic.Bool
	// Retries counts bodies sent again; Accepted counts bodies answered 202.
	Retries, Accepted atomic.Int64
	// lastErr is the last failure that made a body go again, for reports.
	lastErr atomic.Value
}

// LastError returns the last failure a body was sent again after.
func (s *sender) LastError() string {
	if v, ok := s.lastErr.Load().(string); ok {
		return v
	}
	return "none"
}

func newSender(replicas []*replica, token string, conns int) *sender {
	s := &sender{down: make([]atomic.Bool, len(replicas))}
	for _, r := range replicas {
		s.targets = append(s.targets, bench.NewSender(r.URL(), token, conns))
	}
	return s
}

// markDown takes replica i out of the rotation; bodies in flight to it
// still fail and go to the next one.
func (s *sender) markDown(i int) { s.down[i].Store(true) }

// next returns the first live target at or after i.
func (s *sender) next(i int) (int, error) {
	for k := range len(s.targets) {
		j := (i + k) % len(s.targets)
		if !s.down[j].Load() {
			return j, nil
		}
	}
	return 0, errNoReplica
}

// deliver sends body i until a replica answers 202, starting with replica
// i mod n and moving on after each failure.
func (s *sender) deliver(ctx context.Context, i int, body []byte) error {
	var last error
	for attempt := range maxSendAttempts {
		if attempt > 0 {
			s.Retries.Add(1)
			select {
			case <-ctx.Done():
				return fmt.Errorf("send body %d: %w (last: %v)", i, ctx.Err(), last)
			case <-time.After(min(time.Duration(attempt)*20*time.Millisecond, 500*time.Millisecond)):
			}
		}
		j, err := s.next(i + attempt)
		if err != nil {
			return err
		}
		status, err := s.targets[j].Post(ctx, body)
		if err == nil {
			s.Accepted.Add(1)
			return nil
		}
		last = err
		s.lastErr.Store(err.Error())
		if status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout {
			return fmt.Errorf("send body %d: %w", i, err)
		}
	}
	return fmt.Errorf("send body %d: no 202 after %d attempts (last: %v)", i, maxSendAttempts, last)
}

// sendAll delivers bodies 0..n-1 from clients concurrent senders. Body i
// is made by body(i), which may also pace the sending by sleeping.
func (s *sender) sendAll(ctx context.Context, n, clients int, body func(i int) []byte) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := s.deliver(ctx, i, body(i)); err != nil {
					errs[c] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}
