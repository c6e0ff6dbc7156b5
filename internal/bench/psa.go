package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// ReadState reads what a simulator in another process holds from its
// state endpoint (`ticketbridge sim` serves it at url), retrying any
// failure until it succeeds or ctx ends. The read costs nothing of the
// PSA's request budget the audit checks.
func ReadState(ctx context.Context, url string, client *http.Client) (driver.State, error) {
	client = clientOr(client)
	var st driver.State
	err := retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		st = driver.State{}
		return send(client, req, &st)
	})
	if err != nil {
		return st, fmt.Errorf("read simulator state: %w", err)
	}
	return st, nil
}

// clientOr is c, or a client with a 5s time-out: a simulator that hangs
// a call (fault injection) must cost a retry, not the test's time-out.
func clientOr(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 5 * time.Second}
}

// retry calls f until it succeeds or ctx ends, with a short pause that
// grows to 2s: a failed read only delays the audit.
func retry(ctx context.Context, f func() error) error {
	var last error
	for attempt := 0; attempt < 1000; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), last)
			case <-time.After(min(time.Duration(attempt)*100*time.Millisecond, 2*time.Second)):
			}
		}
		if last = f(); last == nil {
			return nil
		}
	}
	return last
}

// send does req and decodes a 200 answer into out. The body is read in
// full first, so a connection cut mid-body is an error, not a short read.
func send(client *http.Client, req *http.Request, out any) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return json.NewDecoder(bytes.NewReader(b)).Decode(out)
}
