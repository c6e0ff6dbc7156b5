package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Sender posts alert bodies to a ticketbridge ingest as a source would:
// each body is sent again until it is answered 202.
type Sender struct {
	URL    string // .../api/v1/alerts
	Token  string
	Client *http.Client
	// Retries counts bodies sent again after a failure or a non-202.
	Retries atomic.Int64
}

// NewSender returns a sender with a connection pool for conns clients.
func NewSender(baseURL, token string, conns int) *Sender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	tr.MaxConnsPerHost = conns
	return &Sender{URL: baseURL + "/api/v1/alerts", Token: token, Client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// errRejected is an answer that sending again would not change.
var errRejected = errors.New("alerts rejected")

// Post sends one body once and returns the status.
func (s *Sender) Post(ctx context.Context, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusAccepted:
		return resp.StatusCode, nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return resp.StatusCode, fmt.Errorf("ingest answered %s", resp.Status)
	}
	return resp.StatusCode, fmt.Errorf("%w: %s: %s", errRejected, resp.Status, msg)
}

// Deliver sends one body until it is accepted, pausing between attempts;
// it returns when the body was accepted, was rejected for good, or ctx
// ended.
func (s *Sender) Deliver(ctx context.Context, body []byte) error {
	for attempt := 0; ; attempt++ {
		_, err := s.Post(ctx, body)
		if err == nil || errors.Is(err, errRejected) {
			return err
		}
		s.Retries.Add(1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("send alerts: %w (last: %v)", ctx.Err(), err)
		case <-time.After(min(time.Duration(attempt+1)*50*time.Millisecond, time.Second)):
		}
	}
}

// SendAll delivers n bodies, made by body(i) as they are sent, with
// clients concurrent senders, and returns when each body was accepted
// (its 202), in body order.
func (s *Sender) SendAll(ctx context.Context, n int, body func(i int) []byte, clients int) ([]time.Time, error) {
	accepted := make([]time.Time, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range max(1, clients) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := s.Deliver(ctx, body(i)); err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				accepted[i] = time.Now()
			}
		}()
	}
	wg.Wait()
	return accepted, firstErr
}
