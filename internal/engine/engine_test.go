package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
)

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	b := &books{cfg: &Config{RetryBase: time.Second, RetryMax: time.Minute}}
	cases := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{10, 30 * time.Second, time.Minute},
		{60, 30 * time.Second, time.Minute},
	}
	for _, c := range cases {
		for range 200 {
			if d := b.backoff(c.attempt); d < c.min || d > c.max {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", c.attempt, d, c.min, c.max)
			}
		}
	}
}

func note(title, body string) pendingNote {
	return pendingNote{dec: rules.Decision{Note: psa.NewNote{Title: title, Description: body, Type: "3", Visibility: psa.VisibilityInternal}}}
}

func TestChunkNotesRespectsSizeLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 12000)
	notes := []pendingNote{note("a", big), note("b", big), note("c", big), note("d", "small")}
	chunks := chunkNotes(notes)
	if len(chunks) != 2 {
		t.Fatalf("got %d chunks, want 2", len(chunks))
	}
	for i, c := range chunks {
		if n := len(composeNote(c).Description); n > MaxNoteChars {
			t.Errorf("chunk %d is %d chars, over the limit %d", i, n, MaxNoteChars)
		}
	}
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	if total != len(notes) {
		t.Errorf("chunks hold %d notes, want %d", total, len(notes))
	}
}

func TestComposeNote(t *testing.T) {
	t.Parallel()
	one := composeNote([]pendingNote{note("Uploads (medium)", "body 1")})
	if one.Title != "Uploads (medium)" || one.Description != "body 1" {
		t.Errorf("single note changed: %+v", one)
	}
	many := composeNote([]pendingNote{note("Uploads (medium)", "body 1"), note("Uploads (high)", "body 2"), note("x", "body 3")})
	if many.Title != "Uploads (medium) (+2 more alerts)" {
		t.Errorf("title = %q", many.Title)
	}
	for _, b := range []string{"body 1", "body 2", "body 3"} {
		if !strings.Contains(many.Description, b) {
			t.Errorf("coalesced note lacks %q", b)
		}
	}
	if many.Type != "3" || many.Visibility != psa.VisibilityInternal {
		t.Errorf("type/visibility lost: %+v", many)
	}
}

// countingConn counts ContactByEmail calls; other methods are unused here.
type countingConn struct {
	psa.Connector
	calls int
}

func (c *countingConn) ContactByEmail(_ context.Context, companyID, email string) (psa.Contact, error) {
	c.calls++
	if strings.EqualFold(email, "jane@acme.example") {
		return psa.Contact{ID: "31", CompanyID: companyID, Email: email}, nil
	}
	return psa.Contact{}, psa.ErrNotFound
}

func TestContactCache(t *testing.T) {
	t.Parallel()
	conn := &countingConn{}
	cache := contactCache{ttl: time.Minute}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for range 3 {
		if c, err := cache.byEmail(ctx, conn, "175", "Jane@Acme.example", now); err != nil || c.ID != "31" {
			t.Fatalf("found contact = %+v, %v", c, err)
		}
		if _, err := cache.byEmail(ctx, conn, "175", "nobody@acme.example", now); !errors.Is(err, psa.ErrNotFound) {
			t.Fatalf("missing contact err = %v, want ErrNotFound", err)
		}
	}
	if conn.calls != 2 {
		t.Errorf("PSA asked %d times, want 2 (one per email)", conn.calls)
	}
	if _, err := cache.byEmail(ctx, conn, "175", "jane@acme.example", now.Add(2*time.Minute)); err != nil || conn.calls != 3 {
		t.Errorf("after ttl: calls = %d, err %v; want a fresh lookup", conn.calls, err)
	}
}

// TestContactCacheFill: a batch answer stands in for one lookup per
// email, misses included, until the ttl runs out.
func TestContactCacheFill(t *testing.T) {
	t.Parallel()
	conn := &countingConn{}
	cache := contactCache{ttl: time.Minute}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	jane := psa.Contact{ID: "31", CompanyID: "175", Email: "jane@acme.example"}
	other := psa.Contact{ID: "39", CompanyID: "175", Email: "JANE@acme.example"}
	if cache.has("175", "Jane@Acme.example", now) {
		t.Fatal("empty cache claims an answer")
	}
	cache.fill("175", []string{"jane@acme.example", "nobody@acme.example"}, []psa.Contact{jane, other}, now)
	tests := []struct {
		company, email string
		wantID         string // "" for not found
		cached         bool
	}{
		{"175", "Jane@Acme.example", "31", true},
		{"175", "nobody@acme.example", "", true},
		{"176", "jane@acme.example", "", false},
	}
	for _, tt := range tests {
		if got := cache.has(tt.company, tt.email, now); got != tt.cached {
			t.Errorf("has(%s, %s) = %v, want %v", tt.company, tt.email, got, tt.cached)
		}
		if !tt.cached {
			continue
		}
		c, err := cache.byEmail(ctx, conn, tt.company, tt.email, now)
		if tt.wantID == "" && !errors.Is(err, psa.ErrNotFound) || tt.wantID != "" && c.ID != tt.wantID {
			t.Errorf("byEmail(%s, %s) = %+v, %v; want %q", tt.company, tt.email, c, err, tt.wantID)
		}
	}
	if conn.calls != 0 {
		t.Errorf("PSA asked %d times after a batch fill, want 0", conn.calls)
	}
	if cache.has("175", "jane@acme.example", now.Add(2*time.Minute)) {
		t.Error("a batch answer outlived the ttl")
	}
}

// spentConn is a connector whose request budget has nothing left; any PSA
// call would panic on the nil Connector.
type spentConn struct{ psa.Connector }

func (spentConn) BudgetRemaining() int { return 0 }

// TestRoundWaitsForBudget: with the budget spent a round starts nothing,
// not even the store read of due work, and the worker looks again soon
// rather than at the next due time (which is now).
func TestRoundWaitsForBudget(t *testing.T) {
	t.Parallel()
	dl := &deliverer{books: &books{cfg: &Config{}}} // nil store: any read would panic
	dl.load(&snapshot{conn: spentConn{}})
	n, err := dl.deliver(context.Background(), nil, nil)
	if n != 0 || err != nil || !dl.waitingForBudget() {
		t.Fatalf("deliver = %d, %v, waiting for budget %v; want 0, nil, true", n, err, dl.waitingForBudget())
	}
}
