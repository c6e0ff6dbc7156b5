package superops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/superops/superopssim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

func TestEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, region, url, want string
		bad                     bool
	}{
		{name: "default region", want: "https://api.superops.ai/msp"},
		{name: "eu", region: "EU", want: "https://euapi.superops.ai/msp"},
		{name: "unknown region", region: "apac", bad: true},
		{name: "url without path", url: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080/msp"},
		{name: "url with path", url: "http://127.0.0.1:8080/msp", region: "eu", want: "http://127.0.0.1:8080/msp"},
		{name: "not a url", url: "127.0.0.1:8080", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{Region: tt.region, URL: tt.url, Subdomain: "acme", APIToken: secret.New("api-x")})
			if tt.bad {
				if err == nil {
					t.Fatalf("New accepted region %q url %q", tt.region, tt.url)
				}
				return
			}
			if err != nil || c.endpoint != tt.want {
				t.Fatalf("endpoint %v, %v; want %s", c, err, tt.want)
			}
		})
	}
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "subdomain") || !strings.Contains(err.Error(), "api_token") {
		t.Errorf("New without settings: %v; want both missing settings named", err)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	if err := f.conn.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Method != http.MethodPost || r.Path != "/msp" || r.Header.Get("Authorization") != "Bearer "+f.sim.Users()[0].Token ||
		r.Header.Get("CustomerSubDomain") != superopssim.SeedSubdomain || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s %v", r.Method, r.Path, r.Header)
	}
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	tests := []struct {
		name, token, sub string
		status           int
		hint             string
	}{
		{"revoked token", "api-revoked", superopssim.SeedSubdomain, http.StatusUnauthorized, "connection.api_token"},
		{"wrong subdomain", f.sim.Users()[0].Token, "nosuchmsp", http.StatusBadRequest, "connection.subdomain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.connect(t, tt.token, tt.sub).Test(context.Background())
			var pe *psa.Error
			if !errors.As(err, &pe) || pe.Class != psa.Permanent || pe.Status != tt.status {
				t.Fatalf("Test: %v; want permanent HTTP %d", err, tt.status)
			}
			if strings.Contains(err.Error(), tt.token) || !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("error %q holds the token, or does not name %s", err, tt.hint)
			}
		})
	}
}

// answering is a stand-in that answers every request with body, HTTP 200.
func answering(t *testing.T, body string) *Connector {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Subdomain: "acme", APIToken: secret.New("api-secret-token"), HTTPClient: srv.Client(), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClassification(t *testing.T) {
	t.Parallel()
	clientErr := func(code string) string {
		return `{"data":{},"errors":[{"message":"x","extensions":{"clientError":[{"code":"` + code + `","param":{"attributes":["status"]}}]}}]}`
	}
	tests := []struct {
		name     string
		body     string
		class    psa.Class
		notFound bool
	}{
		{"rate limit", clientErr("rate_limit_exceeded"), psa.RateLimited, false},
		{"no such entity", clientErr("entity_does_not_exist"), psa.Permanent, true},
		{"mandatory", clientErr("mandatory_validation_failed"), psa.Permanent, false},
		{"referred value", clientErr("referred_value_does_not_exist"), psa.Permanent, false},
		{"forbidden", clientErr("forbidden"), psa.Permanent, false},
		{"subscription", clientErr("subscription_paused"), psa.Permanent, false},
		{"document refused", `{"errors":[{"message":"Validation error","extensions":{"classification":"ValidationError"}}]}`, psa.Permanent, false},
		{"server fault", `{"errors":[{"message":"Internal Server Error(s) while executing query"}],"data":null}`, psa.Retryable, false},
		{"cut answer", `{"data":{"getTicket":`, psa.Retryable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := answering(t, tt.body).Ticket(context.Background(), "1")
			if err == nil || psa.ClassOf(err) != tt.class || errors.Is(err, psa.ErrNotFound) != tt.notFound {
				t.Fatalf("Ticket: %v (class %s); want %s, not found %v", err, psa.ClassOf(err), tt.class, tt.notFound)
			}
		})
	}
}

func TestRateLimitedBySimulator(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{RateLimit: 2})
	ctx := context.Background()
	for range 2 {
		if err := f.conn.Test(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.conn.Test(ctx); psa.ClassOf(err) != psa.RateLimited {
		t.Fatalf("third call: %v; want rate limited", err)
	}
}

func TestSecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	var logs bytes.Buffer
	token := f.sim.Users()[0].Token
	c, err := New(Config{URL: f.srv.URL, Subdomain: superopssim.SeedSubdomain, APIToken: secret.New(token), HTTPClient: f.srv.Client(),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Picklists(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = c.Ticket(context.Background(), "404")
	if logs.Len() == 0 || strings.Contains(logs.String(), token) || strings.Contains(fmt.Sprint(err), token) {
		t.Errorf("logs (%d bytes) or error hold the token, or nothing was logged:\n%s", logs.Len(), logs.String())
	}
}

func TestMissingReferenceField(t *testing.T) {
	t.Parallel()
	c := answering(t, `{"data":{"getTicketCustomFieldList":[{"columnName":"udf1text","label":"Asset Tag"}]}}`)
	_, err := c.CreateTicket(context.Background(), psa.NewTicket{CompanyID: "1", Title: "t", ExternalRef: "r"})
	if psa.ClassOf(err) != psa.Permanent || !strings.Contains(fmt.Sprint(err), RefFieldLabel) {
		t.Errorf("CreateTicket without the reference field: %v; want a permanent error naming %q", err, RefFieldLabel)
	}
	c = answering(t, `{"data":{"getClientList":{"listInfo":{"totalCount":3}},"getTicketCustomFieldList":[]}}`)
	if err := c.Test(context.Background()); psa.ClassOf(err) != psa.Permanent || !strings.Contains(fmt.Sprint(err), RefFieldLabel) {
		t.Errorf("Test without the reference field: %v; want a permanent error naming %q", err, RefFieldLabel)
	}
}

func TestCreateTicketSendsReference(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{StrictStatus: true})
	tk := f.newTicket(t, "tb-ref-1")
	snap := f.sim.Snapshot()
	if len(snap) != 1 {
		t.Fatalf("%d tickets", len(snap))
	}
	got := snap[0]
	if got.Source != "INTEGRATION" || got.SubSource != "ticketbridge" || got.SourceRef != "tb-ref-1" || got.CustomFields[f.sim.RefColumn()] != "tb-ref-1" {
		t.Errorf("stored ticket %+v", got)
	}
	if got.Conversations[0].Content != "412 files" || tk.Number != got.DisplayID || tk.IssueType != "Data Loss" || tk.SubIssueType != "Excessive Download" {
		t.Errorf("ticket %+v, stored %+v", tk, got)
	}
}

func TestNotesTitleAndPrivacy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	ctx := context.Background()
	tk := f.newTicket(t, "tb-notes")
	adds := []psa.NewNote{
		{Title: "Too Many Downloads (high)", Description: "line one\n\nline two", Type: NoteTypeID, Visibility: psa.VisibilityInternal},
		{Description: "no title", Type: NoteTypeID, Visibility: psa.VisibilityExternal},
	}
	for _, n := range adds {
		if _, err := f.conn.AddNote(ctx, tk.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := f.conn.Notes(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []psa.NewNote
	for _, n := range notes {
		got = append(got, psa.NewNote{Title: n.Title, Description: n.Description, Type: n.Type, Visibility: n.Visibility})
	}
	if diff := cmp.Diff(adds, got); diff != "" {
		t.Errorf("notes (-added +read):\n%s", diff)
	}
	if p := f.sim.Snapshot()[0].Notes; p[0].Privacy != "PRIVATE" || p[1].Privacy != "PUBLIC" {
		t.Errorf("privacy %s %s", p[0].Privacy, p[1].Privacy)
	}
}

func TestChangeFeedPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	ctx := context.Background()
	var all []psa.Ticket
	for i := range 230 {
		all = append(all, f.newTicket(t, fmt.Sprintf("feed-%d", i)))
	}
	cursor := f.clk.Now().Add(30 * time.Second)
	f.clk.Advance(time.Minute)
	status := "In Progress"
	for _, i := range []int{3, 150, 229} {
		if err := f.conn.UpdateTicket(ctx, all[i].ID, psa.TicketPatch{Status: &status}); err != nil {
			t.Fatal(err)
		}
	}
	before := f.count()
	got, err := f.conn.TicketsChangedSince(ctx, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.count() - before; calls != 1 {
		t.Errorf("feed took %d requests; want 1 (the first page reaches the cursor)", calls)
	}
	var ids []string
	for _, tk := range got {
		ids = append(ids, tk.ID)
	}
	if diff := cmp.Diff([]string{all[3].ID, all[150].ID, all[229].ID}, ids); diff != "" {
		t.Errorf("changed tickets (-want +got):\n%s", diff)
	}
	// From before the first ticket, every page is read.
	before = f.count()
	got, err = f.conn.TicketsChangedSince(ctx, time.Time{})
	if err != nil || len(got) != 230 || f.count()-before != 3 {
		t.Errorf("whole feed: %d tickets in %d requests, %v; want 230 in 3", len(got), f.count()-before, err)
	}
}

func TestTicketsByIDBatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	var ids []string
	for i := range maxBatch + 5 {
		ids = append(ids, f.newTicket(t, fmt.Sprintf("batch-%d", i)).ID)
	}
	ids = append(ids, "999999999")
	before := f.count()
	got, err := f.conn.TicketsByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != maxBatch+5 || f.count()-before != 2 {
		t.Errorf("%d tickets in %d requests; want %d in 2", len(got), f.count()-before, maxBatch+5)
	}
	for i, tk := range got {
		if tk.ID != ids[i] || tk.ExternalRef != fmt.Sprintf("batch-%d", i) {
			t.Fatalf("ticket %d = %+v", i, tk)
		}
	}
}

func TestUpdateTicketRefusesContract(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	id := "1"
	err := f.conn.UpdateTicket(context.Background(), id, psa.TicketPatch{ContractID: &id})
	if psa.ClassOf(err) != psa.Permanent || f.count() != 0 {
		t.Errorf("UpdateTicket with a contract: %v after %d requests; want permanent, none sent", err, f.count())
	}
}

func TestReadOnlyTokenIsForbidden(t *testing.T) {
	t.Parallel()
	f := newFixture(t, superopssim.Options{})
	tk := f.newTicket(t, "ro")
	ro := f.connect(t, f.sim.Users()[2].Token, superopssim.SeedSubdomain)
	status := "Closed"
	err := ro.UpdateTicket(context.Background(), tk.ID, psa.TicketPatch{Status: &status})
	if psa.ClassOf(err) != psa.Permanent || !strings.Contains(fmt.Sprint(err), "forbidden") {
		t.Errorf("read-only update: %v; want permanent forbidden", err)
	}
}

// TestTicketByExternalRefWithoutCustomFieldFilter: where SuperOps cannot
// filter by the reference field, recovery still finds a fresh ticket
// among the newest, and an unknown reference is still not found.
func TestTicketByExternalRefWithoutCustomFieldFilter(t *testing.T) {
	t.Parallel()
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprint("ignore=", ignore), func(t *testing.T) {
			f := newFixture(t, superopssim.Options{IgnoreCustomFieldConditions: ignore})
			for i := range 120 {
				f.newTicket(t, fmt.Sprintf("old-%d", i))
			}
			want := f.newTicket(t, "crashed-create")
			ctx := context.Background()
			before := f.count()
			got, err := f.conn.TicketByExternalRef(ctx, "crashed-create")
			if err != nil || got.ID != want.ID {
				t.Fatalf("TicketByExternalRef = %+v, %v; want ticket %s", got, err, want.ID)
			}
			if calls, wantCalls := f.count()-before, map[bool]int{false: 1, true: 2}[ignore]; calls != wantCalls {
				t.Errorf("%d requests, want %d", calls, wantCalls)
			}
			if _, err := f.conn.TicketByExternalRef(ctx, "never-created"); !errors.Is(err, psa.ErrNotFound) {
				t.Errorf("unknown reference: %v, want ErrNotFound", err)
			}
		})
	}
}
