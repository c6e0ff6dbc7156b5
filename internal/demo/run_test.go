package demo_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// TestDemoOnEveryPSA: the demo plays its story to the end on every PSA,
// every alert of it gets its timeline, and a PSA whose seed document is
// TrendAI Vision One's also plays that product's notifications, each
// onto a ticket of its own.
func TestDemoOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out bytes.Buffer
			if err := demo.Run(ctx, &out, d); err != nil {
				t.Fatalf("demo: %v\n%s", err, out.String())
			}
			text := out.String()
			wantTickets, ids := "(4)", []string{"sa-1001", "sa-1006"}
			sim := d.Simulate(driver.SimOptions{})
			sim.Close()
			if sim.Seed().Story == driver.StoryTrendAI {
				wantTickets, ids = "(7)", append(ids, "tv1-hru-1", "tv1-asset-1", "tv1-risk-1")
			}
			if !strings.Contains(text, "== Tickets in "+d.Name()+" "+wantTickets+" ==") || !strings.Contains(text, "demo finished") {
				t.Errorf("want %s tickets and the end of the demo:\n%s", wantTickets, text)
			}
			for _, id := range ids {
				if !strings.Contains(text, "\n"+id+"  ") {
					t.Errorf("no timeline of %s:\n%s", id, text)
				}
			}
			if strings.Contains(text, "tv1-") && !strings.Contains(text, "for Acme Corp: created with fallback contact helpdesk@acme.example") {
				t.Errorf("the discovered asset (no user) did not land on Acme Corp with its fallback contact:\n%s", text)
			}
		})
	}
}

// TestDemoServe: with serve the demo prints the console's address and
// the admin token's file, the console takes that token, and the demo
// stops when its context ends.
func TestDemoServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- demo.RunServe(ctx, pw, drivers.All()[0], true); _ = pw.Close() }()
	var url, tokenFile string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := consoleLine.FindStringSubmatch(sc.Text()); m != nil {
			url, tokenFile = m[1], m[2]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if url == "" {
		t.Fatalf("no console line; demo: %v", <-done)
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(url + "signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("no sign-in form at %s:\n%s", url, page)
	}
	resp, err = client.PostForm(url+"signin", neturl.Values{"csrf": {string(csrf[1])}, "token": {strings.TrimSpace(string(token))}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "demo-") {
		t.Errorf("signed in: %d, want the integrations page with the demo's integration:\n%s", resp.StatusCode, page)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo after Ctrl-C: %v", err)
	}
}

var consoleLine = regexp.MustCompile(`^console: (http://\S+/) \(sign in with the admin token in (\S+)\)$`)
