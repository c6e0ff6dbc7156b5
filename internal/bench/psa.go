package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SimTicket is a ticket as the simulator's API returns it.
type SimTicket struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	CompanyID   int64  `json:"companyID"`
	Status      int    `json:"status"` // the PSA's own status id
	ExternalID  string `json:"externalID"`
	Description string `json:"description"`
	// Closed is whether the PSA counts the ticket as finished, as each
	// reader works it out; AuditPSA reads it.
	Closed bool `json:"-"`
}

// SimNote is a ticket note as the simulator's API returns it.
type SimNote struct {
	ID          int64  `json:"id"`
	TicketID    int64  `json:"ticketID"`
	Description string `json:"description"`
}

// autotaskComplete is Autotask's stock "Complete" ticket status.
const autotaskComplete = 5

// PSAReader reads what landed in an Autotask simulator through its API, as
// a technician with a browser tab on the PSA would see it. It retries
// every failure (the simulator may sit behind fault injection), bounded by
// its context.
type PSAReader struct {
	BaseURL         string // .../atservicesrest/
	IntegrationCode string
	UserName        string
	Secret          string
	Client          *http.Client // default: 5s time-out
}

// Tickets returns every ticket, by id.
func (p *PSAReader) Tickets(ctx context.Context) ([]SimTicket, error) {
	ts, err := readAll[SimTicket](ctx, p, "Tickets", func(t SimTicket) int64 { return t.ID })
	for i := range ts {
		ts[i].Closed = ts[i].Status == autotaskComplete
	}
	return ts, err
}

// Notes returns every ticket note, by id.
func (p *PSAReader) Notes(ctx context.Context) ([]SimNote, error) {
	return readAll[SimNote](ctx, p, "TicketNotes", func(n SimNote) int64 { return n.ID })
}

// readAll pages through an entity by an id cursor, which stays correct
// while rows are being added.
func readAll[T any](ctx context.Context, p *PSAReader, entity string, id func(T) int64) ([]T, error) {
	var out []T
	after := int64(-1)
	for page := 0; page < 100000; page++ {
		body := fmt.Sprintf(`{"filter":[{"op":"gt","field":"id","value":%d}]}`, after)
		var res struct{ Items []T }
		if err := p.call(ctx, http.MethodPost, "V1.0/"+entity+"/query", body, &res); err != nil {
			return nil, fmt.Errorf("read %s: %w", entity, err)
		}
		if len(res.Items) == 0 {
			return out, nil
		}
		out = append(out, res.Items...)
		after = id(res.Items[len(res.Items)-1])
	}
	return nil, fmt.Errorf("read %s: too many pages", entity)
}

// call sends one request, retrying any failure until it succeeds or ctx
// ends.
func (p *PSAReader) call(ctx context.Context, method, path, body string, out any) error {
	client := clientOr(p.Client)
	return retry(ctx, func() error { return p.once(ctx, client, method, path, body, out) })
}

func (p *PSAReader) once(ctx context.Context, client *http.Client, method, path, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.BaseURL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("ApiIntegrationCode", p.IntegrationCode)
	req.Header.Set("UserName", p.UserName)
	req.Header.Set("Secret", p.Secret)
	req.Header.Set("Content-Type", "application/json")
	return send(client, req, out)
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
// grows to 2s: readers sit behind fault injection, where any one call may
// fail, and a failed read only delays the audit.
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
