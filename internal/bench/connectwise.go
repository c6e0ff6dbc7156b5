package bench

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ConnectWiseSettings returns integration settings YAML for the
// ConnectWise simulator's seed tenant at site, logging in as company and
// publicKey: the same story as Settings (catch-all company, contacts by
// email, user_alert grouping, the request budget given) in ConnectWise's
// names. Secrets are read from DEMO_CW_PRIVATE_KEY and DEMO_CW_CLIENT_ID.
func ConnectWiseSettings(name, site, company, publicKey string, requestsPerHour int, window time.Duration, maxConcurrent int) string {
	return fmt.Sprintf(`name: %s
psa: connectwise
connection:
  url: %s
  company: %s
  public_key: %s
  private_key: {env: DEMO_CW_PRIVATE_KEY}
  client_id: {env: DEMO_CW_CLIENT_ID}
  requests_per_hour: %d
  budget_window: %s
  max_concurrent: %d
sync:
  since: 30d
companies:
  catch_all: {company: Default Account, contact: default.contact@msp.example}
  attach_contacts: true
  auto_match: true
ticket:
  status: New
  queue: Security
  source: Monitoring Alert
  subject: "{{.Type}}: {{.UserOrDevice}}"
  group_by: user_alert
  priority: {critical: Priority 1 - Critical, high: Priority 2 - High, medium: Priority 3 - Medium, low: Priority 4 - Low, info: Priority 4 - Low}
  issue_type: Security Incident
  sub_issue_type: Other
notes:
  visibility: internal
  title: "{{.Type}} ({{.Severity}})"
`, name, site, company, publicKey, requestsPerHour, window, maxConcurrent)
}

// ConnectWiseReader reads what landed in a ConnectWise simulator through
// its API, as a technician would, in the shapes PSAReader returns so that
// AuditPSA reads both alike. It retries every failure, bounded by its
// context.
//
// ConnectWise has no ticket description: a ticket's initialDescription
// becomes its first note, which is what the reader reports as the
// ticket's Description, leaving it out of Notes. Notes can only be listed
// per ticket, so the reader keeps what it read (notes are never edited)
// and lists again only the notes of tickets updated since. It is safe for
// concurrent use.
type ConnectWiseReader struct {
	BaseURL    string // the site + /v4_6_release/apis/3.0/
	Company    string // login company
	PublicKey  string
	PrivateKey string
	ClientID   string
	Client     *http.Client // default: 5s time-out

	mu       sync.Mutex
	notes    map[int64][]SimNote      // by ticket, in id order
	readAt   map[int64]time.Time      // when each ticket's notes were listed
	statuses map[int64]map[int64]bool // board → status → closed
}

// cwTicket is the part of a ConnectWise ticket the audit needs.
type cwTicket struct {
	ID           int64  `json:"id"`
	Summary      string `json:"summary"`
	Company      cwRef  `json:"company"`
	Board        cwRef  `json:"board"`
	Status       cwRef  `json:"status"`
	ExternalXRef string `json:"externalXRef"`
	ClosedFlag   bool   `json:"closedFlag"`
	Info         struct {
		LastUpdated string `json:"lastUpdated"`
	} `json:"_info"`
}

type cwRef struct {
	ID int64 `json:"id"`
}

type cwNote struct {
	ID       int64  `json:"id"`
	TicketID int64  `json:"ticketId"`
	Text     string `json:"text"`
}

type cwStatus struct {
	ID           int64 `json:"id"`
	ClosedStatus bool  `json:"closedStatus"`
}

// cwPageSize is ConnectWise's largest page.
const cwPageSize = 1000

// Tickets returns every service ticket, by id. Closed follows the
// connector's rule: the ticket's closedFlag, or a status its board marks
// closedStatus.
func (r *ConnectWiseReader) Tickets(ctx context.Context) ([]SimTicket, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tickets, err := r.refresh(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SimTicket, 0, len(tickets))
	for _, w := range tickets {
		closed, err := r.closed(ctx, w)
		if err != nil {
			return nil, err
		}
		t := SimTicket{ID: w.ID, Title: w.Summary, CompanyID: w.Company.ID, Status: int(w.Status.ID), ExternalID: w.ExternalXRef, Closed: closed}
		if notes := r.notes[w.ID]; len(notes) > 0 {
			t.Description = notes[0].Description
		}
		out = append(out, t)
	}
	return out, nil
}

// Notes returns every note but the tickets' initial descriptions, by id.
func (r *ConnectWiseReader) Notes(ctx context.Context) ([]SimNote, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tickets, err := r.refresh(ctx)
	if err != nil {
		return nil, err
	}
	var out []SimNote
	for _, w := range tickets {
		if notes := r.notes[w.ID]; len(notes) > 1 {
			out = append(out, notes[1:]...)
		}
	}
	slices.SortFunc(out, func(a, b SimNote) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// refresh lists every ticket and the notes added to those updated since
// their notes were last listed. Callers hold r.mu.
func (r *ConnectWiseReader) refresh(ctx context.Context) ([]cwTicket, error) {
	if r.notes == nil {
		r.notes, r.readAt, r.statuses = map[int64][]SimNote{}, map[int64]time.Time{}, map[int64]map[int64]bool{}
	}
	tickets, err := listAfter(ctx, r, "service/tickets", func(t cwTicket) int64 { return t.ID })
	if err != nil {
		return nil, err
	}
	for _, w := range tickets {
		if !r.stale(w) {
			continue
		}
		at := time.Now()
		if err := r.readNotes(ctx, w.ID); err != nil {
			return nil, err
		}
		r.readAt[w.ID] = at
	}
	return tickets, nil
}

// clockSlack covers ConnectWise keeping times to the second, and the
// simulator's clock being another process's reading of the same one.
const clockSlack = 2 * time.Second

// stale reports whether notes may have been added to w since they were
// listed: adding a note moves its ticket's lastUpdated, so a ticket not
// updated since shortly before the last listing has none. An unreadable
// time counts as an update.
func (r *ConnectWiseReader) stale(w cwTicket) bool {
	at, ok := r.readAt[w.ID]
	if !ok {
		return true
	}
	updated, err := time.Parse(time.RFC3339, w.Info.LastUpdated)
	return err != nil || !updated.Before(at.Add(-clockSlack))
}

// readNotes appends the ticket's notes after the last one read, which
// stays correct while notes are added: ids only grow.
func (r *ConnectWiseReader) readNotes(ctx context.Context, ticket int64) error {
	known := r.notes[ticket]
	after := int64(0)
	if len(known) > 0 {
		after = known[len(known)-1].ID
	}
	path := fmt.Sprintf("service/tickets/%d/notes", ticket)
	rows, err := listFrom(ctx, r, path, after, func(n cwNote) int64 { return n.ID })
	if err != nil {
		return err
	}
	for _, n := range rows {
		known = append(known, SimNote{ID: n.ID, TicketID: ticket, Description: n.Text})
	}
	r.notes[ticket] = known
	return nil
}

// closed reports whether the ticket is closed. A board's statuses are read
// once, and again when a status is missing, in case it was added since.
func (r *ConnectWiseReader) closed(ctx context.Context, w cwTicket) (bool, error) {
	if w.ClosedFlag || w.Board.ID == 0 || w.Status.ID == 0 {
		return w.ClosedFlag, nil
	}
	if closed, ok := r.statuses[w.Board.ID][w.Status.ID]; ok {
		return closed, nil
	}
	rows, err := listAfter(ctx, r, fmt.Sprintf("service/boards/%d/statuses", w.Board.ID), func(s cwStatus) int64 { return s.ID })
	if err != nil {
		return false, err
	}
	board := make(map[int64]bool, len(rows))
	for _, s := range rows {
		board[s.ID] = s.ClosedStatus
	}
	r.statuses[w.Board.ID] = board
	return board[w.Status.ID], nil
}

// listAfter reads every row of a collection.
func listAfter[T any](ctx context.Context, r *ConnectWiseReader, path string, id func(T) int64) ([]T, error) {
	return listFrom(ctx, r, path, 0, id)
}

// listFrom pages through a collection by an id cursor (conditions id>N in
// id order), like PSAReader, so rows added meanwhile are neither skipped
// nor read twice. A short page is the last.
func listFrom[T any](ctx context.Context, r *ConnectWiseReader, path string, after int64, id func(T) int64) ([]T, error) {
	var out []T
	for page := 0; page < 100000; page++ {
		q := url.Values{
			"conditions": {"id>" + strconv.FormatInt(after, 10)},
			"orderBy":    {"id asc"},
			"pageSize":   {strconv.Itoa(cwPageSize)},
		}
		var rows []T
		if err := r.get(ctx, path+"?"+q.Encode(), &rows); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		out = append(out, rows...)
		if len(rows) < cwPageSize {
			return out, nil
		}
		after = id(rows[len(rows)-1])
	}
	return nil, fmt.Errorf("read %s: too many pages", path)
}

// get sends one GET, retrying any failure until it succeeds or ctx ends.
func (r *ConnectWiseReader) get(ctx context.Context, path string, out any) error {
	client := clientOr(r.Client)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(r.Company+"+"+r.PublicKey+":"+r.PrivateKey))
	return retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(r.BaseURL, "/")+"/"+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("clientId", r.ClientID)
		req.Header.Set("Accept", "application/json")
		return send(client, req, out)
	})
}
