package syncro

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/syncrosim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

func TestAPIRoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, sub, want string
		bad            bool
	}{
		{sub: "acme", want: "https://acme.syncromsp.com/api/v1"},
		{sub: "acme.syncromsp.com", want: "https://acme.syncromsp.com/api/v1"},
		{sub: "https://Acme.syncromsp.com/", want: "https://acme.syncromsp.com/api/v1"},
		{url: "http://127.0.0.1:8080", sub: "acme", want: "http://127.0.0.1:8080/api/v1"},
		{url: "http://127.0.0.1:8080/api/v1/", want: "http://127.0.0.1:8080/api/v1"},
		{sub: "", bad: true},
		{sub: "evil.example.com", bad: true},
		{url: "ftp://x", bad: true},
	}
	for _, tt := range tests {
		got, err := apiRoot(tt.url, tt.sub)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("apiRoot(%q, %q) = %q, %v; want %q (error %v)", tt.url, tt.sub, got, err, tt.want, tt.bad)
		}
	}
}

func TestErrorMessageShapes(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		`{"error": "Customer required field"}`:                                        "Customer required field",
		`{"success": false, "message": ["Subject can't be blank"], "params": {}}`:     "Subject can't be blank",
		`{"record": {"name": null}, "errors": "Customer can't be blank"}`:             "Customer can't be blank",
		`{"errors": "Name can't be blank, Description can't be blank", "params": {}}`: "Name can't be blank, Description can't be blank",
		`{"error": ["Name can't be blank"]}`:                                          "Name can't be blank",
		`{"customer_id": ["can't be blank"], "date": ["can't be blank"]}`:             "customer_id can't be blank; date can't be blank",
		`{"message": ["Vendor is blank", "Value is blank"]}`:                          "Vendor is blank; Value is blank",
		`{"message": "Not found"}`:                                                    "Not found",
		``:                                                                            "",
		`<html>bad gateway</html>`:                                                    "",
	}
	for body, want := range tests {
		if got := errorMessage([]byte(body)); got != want {
			t.Errorf("errorMessage(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestValidationIsPermanentWithSyncrosWords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, syncrosim.Options{})
	_, err := f.conn.CreateTicket(t.Context(), psa.NewTicket{CompanyID: strconv.Itoa(syncrosim.AcmeID), Status: "Nope"})
	if psa.ClassOf(err) != psa.Permanent || errors.Is(err, psa.ErrNotFound) {
		t.Fatalf("invalid create: %v (class %s), want permanent", err, psa.ClassOf(err))
	}
	for _, want := range []string{"Subject can't be blank", "Status is not included in the list"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks Syncro's %q", err, want)
		}
	}
	if strings.Contains(err.Error(), syncrosim.APIToken) {
		t.Errorf("error holds the token: %v", err)
	}
	_, err = f.conn.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "999", Title: "x"})
	if !strings.Contains(fmt.Sprint(err), "Customer required field") {
		t.Errorf("unknown customer: %v", err)
	}
	if _, err := f.conn.Ticket(t.Context(), "4242"); !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("unknown ticket: %v, want ErrNotFound", err)
	}
}

func TestRateLimitWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":"slow down"}`))
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL, APIToken: secret.New("t"), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Test(t.Context())
	if psa.ClassOf(err) != psa.RateLimited || psa.RetryAfterOf(err) != rateLimitWait {
		t.Errorf("429 without Retry-After: %v, class %s, wait %s; want rate limited for %s", err, psa.ClassOf(err), psa.RetryAfterOf(err), rateLimitWait)
	}
}

func TestPaceRefusesBeyondTheMinute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, syncrosim.Options{})
	c, err := New(Config{URL: f.conn.base, APIToken: secret.New(syncrosim.APIToken), RequestsPerHour: 120, PaceMinute: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := c.Test(t.Context()); err != nil {
			t.Fatalf("call %d within 2 a minute: %v", i, err)
		}
	}
	err = c.Test(t.Context())
	if psa.ClassOf(err) != psa.RateLimited || !psa.NotSent(err) {
		t.Errorf("third call in the minute: %v; want rate limited, not sent", err)
	}
	if n := f.rec.count("GET /api/v1/me"); n != 2 {
		t.Errorf("%d requests reached Syncro, want 2", n)
	}
}

func TestPagingAndFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t, syncrosim.Options{PageSize: 2, TicketPageSize: 2})
	ctx := t.Context()
	cos, err := f.conn.Companies(ctx, psa.CompanyFilter{})
	if err != nil || len(cos) != 5 {
		t.Fatalf("Companies over pages of 2: %d, %v; want the 5 enabled", len(cos), err)
	}
	people, _ := f.conn.Companies(ctx, psa.CompanyFilter{Types: []string{TypeIndividual}})
	if len(people) != 1 || people[0].Name != "Umbrella Prospect" {
		t.Errorf("individuals: %+v", people)
	}
	acme := strconv.Itoa(syncrosim.AcmeID)
	contacts, err := f.conn.Contacts(ctx, acme)
	if err != nil || len(contacts) != 2 || contacts[0].Name() != "Jane Doe" {
		t.Errorf("Acme's contacts: %+v, %v", contacts, err)
	}
	var created []psa.Ticket
	for i := range 5 {
		tk, err := f.conn.CreateTicket(ctx, psa.NewTicket{CompanyID: acme, ContactID: contacts[0].ID, Title: fmt.Sprintf("t%d", i),
			Status: "New", Priority: "2 Normal", Queue: "11", IssueType: "Malware", ExternalRef: fmt.Sprintf("ref-%d", i),
			Description: "first", DueAt: time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, tk)
		f.clk.add(time.Second)
	}
	got, err := f.conn.TicketsChangedSince(ctx, time.Time{})
	if err != nil || len(got) != 5 {
		t.Fatalf("all tickets over pages of 2: %d, %v", len(got), err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("feed, oldest first (-created +feed):\n%s", diff)
	}
	if tk := created[3]; tk.Queue != "11" || tk.IssueType != "Malware" || tk.ExternalRef != "ref-3" || tk.Number == tk.ID {
		t.Errorf("ticket fields: %+v", tk)
	}
	byRef, err := f.conn.TicketByExternalRef(ctx, "ref-3")
	if err != nil || byRef.ID != created[3].ID {
		t.Errorf("by ref: %+v, %v", byRef, err)
	}
	// "ref-1" is a substring of no other reference, but the search is
	// by substring: only an exact custom field value counts.
	if _, err := f.conn.TicketByExternalRef(ctx, "ref-"); !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("a partial reference found a ticket: %v", err)
	}
}

func TestNotesAndVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t, syncrosim.Options{})
	ctx := t.Context()
	tk, err := f.conn.CreateTicket(ctx, psa.NewTicket{CompanyID: strconv.Itoa(syncrosim.AcmeID), Title: "x", Description: "the alert"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []psa.Visibility{psa.VisibilityInternal, psa.VisibilityExternal} {
		if _, err := f.conn.AddNote(ctx, tk.ID, psa.NewNote{Title: "seen " + string(v), Description: "more", Visibility: v}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.conn.AddNote(ctx, tk.ID, psa.NewNote{Description: "untitled"}); err != nil {
		t.Fatal(err)
	}
	notes, err := f.conn.Notes(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range notes {
		got = append(got, fmt.Sprintf("%s|%s|%s", n.Title, n.Description, n.Visibility))
	}
	want := []string{"seen internal|more|internal", "seen external|more|external", "Update|untitled|internal"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notes, description left out (-want +got):\n%s", diff)
	}
	snap := f.sim.Snapshot()[0]
	if !snap.Comments[0].Hidden || !snap.Comments[2].DoNotEmail || snap.Comments[2].Hidden {
		t.Errorf("description hidden %v; external note do_not_email %v hidden %v", snap.Comments[0].Hidden, snap.Comments[2].DoNotEmail, snap.Comments[2].Hidden)
	}
}

// TestTicketsByIDReadsTheFeedOnce: known tickets cost one change-feed
// read, unknown ones one read each, and a technician's change is seen.
func TestTicketsByIDReadsTheFeedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, syncrosim.Options{})
	ctx := t.Context()
	var ids []string
	for i := range 4 {
		tk, err := f.conn.CreateTicket(ctx, psa.NewTicket{CompanyID: strconv.Itoa(syncrosim.AcmeID), Title: fmt.Sprintf("t%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
		f.clk.add(time.Second)
	}
	byTech, err := f.tech.CreateTicket(ctx, psa.NewTicket{CompanyID: strconv.Itoa(syncrosim.AcmeID), Title: "tech's"})
	if err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Minute)
	resolved := "Resolved"
	if err := f.tech.UpdateTicket(ctx, ids[1], psa.TicketPatch{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	before := f.rec.count("GET /api/v1/tickets")
	got, err := f.conn.TicketsByID(ctx, append(ids, byTech.ID, "777777"))
	if err != nil {
		t.Fatal(err)
	}
	if n := f.rec.count("GET /api/v1/tickets") - before; n != 3 {
		t.Errorf("%d ticket reads, want 3: one feed, one for the ticket never seen, one for the unknown id", n)
	}
	closed := map[string]bool{}
	for _, tk := range got {
		closed[tk.ID] = tk.Closed
	}
	if len(got) != 5 || !closed[ids[1]] || closed[ids[0]] {
		t.Errorf("TicketsByID = %+v; want 5 tickets, %s closed by the technician", got, ids[1])
	}
	// Nothing changed since: the next round reads the feed from the
	// newest change it saw, which is one ticket.
	before = f.rec.count("GET /api/v1/tickets")
	if _, err := f.conn.TicketsByID(ctx, ids); err != nil {
		t.Fatal(err)
	}
	last := f.rec.reqs[len(f.rec.reqs)-1]
	if !strings.Contains(last, "since_updated_at=2026-11-21T10%3A01%3A03.999Z") || f.rec.count("GET /api/v1/tickets")-before != 1 {
		t.Errorf("second round: %d reads; want one feed read from the last change (last %s)", f.rec.count("GET /api/v1/tickets")-before, last)
	}
}

func TestChangeFeedInclusiveOnAnExclusiveSyncro(t *testing.T) {
	t.Parallel()
	f := newFixture(t, syncrosim.Options{SinceExclusive: true})
	tk, err := f.conn.CreateTicket(context.Background(), psa.NewTicket{CompanyID: strconv.Itoa(syncrosim.AcmeID), Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.conn.TicketsChangedSince(t.Context(), tk.LastModified)
	if err != nil || len(got) != 1 {
		t.Errorf("changes since the ticket's own time on a Syncro comparing with >: %+v, %v", got, err)
	}
}

func TestTokenFormAndSecretsStayOut(t *testing.T) {
	t.Parallel()
	var auth, query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, query = r.Header.Get("Authorization"), r.URL.RawQuery
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"Not authorized. Please ask account admin to update your group permissions."}`))
	}))
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, APIToken: secret.New("s3cr3t-token")})
	err := c.Test(t.Context())
	if auth != "Bearer s3cr3t-token" || strings.Contains(query, "s3cr3t") {
		t.Errorf("sent Authorization %q, query %q; want the Bearer form only", auth, query)
	}
	if psa.ClassOf(err) != psa.Permanent || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "group permissions") {
		t.Errorf("401: %v", err)
	}
}
