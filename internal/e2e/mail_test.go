package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// trendMail is a TrendAI Vision One notification mail, reconstructed (its
// layout is not published): a subject with the admin's prefix and the
// alert type's name, the user on a line of its own.
const trendMail = "From: Trend Vision One <noreply@trendmicro.example>\r\n" +
	"To: alerts@tb.example\r\n" +
	"Subject: [TM] New high-risk users/devices\r\n" +
	"Message-ID: <hr-0001@trendmicro.example>\r\n" +
	"Date: Sat, 21 Nov 2026 10:15:00 +0000\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
	"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
	"A user was newly classified as high-risk in the past 4 hours.\r\nUser: jane@acme.example\r\nRisk score: 82\r\n" +
	"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>User: jane@acme.example</p>\r\n--b1--\r\n"

// TestMailIngest sends a TrendAI notification over real SMTP on loopback
// to a source's secret address and sees its ticket in every PSA's
// simulator; a mail no rule matches is answered 250 and listed as
// unmatched; unknown addresses and refused senders are answered 550 and
// nothing is stored.
func TestMailIngest(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			mailIngestOn(t, p)
		})
	}
}

func mailIngestOn(t *testing.T, p string) {
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	if _, err := e.Apply(context.Background(), psaSettings(e.DefaultSettings(), "none")); err != nil {
		t.Fatalf("apply: %v", err)
	}
	token := e.createFormatSource(t, "canonical", `{"default_organization": {"id": "org-42", "name": "Acme Corp"},
		"mail": {"builtin": "trendai", "allow_senders": ["@trendmicro.example"]}}`)
	addr := e.serveMail(t)
	rcpt := "alerts+" + token + "@tb.example"

	if err := smtp.SendMail(addr, nil, "noreply@trendmicro.example", []string{rcpt}, []byte(trendMail)); err != nil {
		t.Fatalf("send the notification: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	e.noFailedDeliveries()
	alerts, err := e.App.Store.UnroutedAlerts(ctx, store.DefaultTenant, 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, a := range alerts {
		if a.SourceID == "native-canonical" {
			id = a.Alert.ID
		}
	}
	if id == "" {
		t.Fatalf("no alert from the mail among %d", len(alerts))
	}
	got := e.viewOfSource(t, "native-canonical", id)
	got.ID, got.Notes, got.Closed = "", nil, false
	want := view{Company: "Acme Corp", Contact: "Jane Doe", Queue: "Security", Priority: seedOf(e.PSA).Priorities["high"],
		IssueType: "Security Incident", SubIssueType: "Other"}
	if lacks(p, "ticket.sub_issue_type") {
		want.SubIssueType = ""
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("ticket of the mail:\n got  %+v\n want %+v", got, want)
	}
	a, _ := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, "native-canonical", id)
	if a.Alert.Type != "New high-risk users/devices" || a.Alert.Severity != "high" {
		t.Errorf("alert of the mail = %+v", a.Alert)
	}

	// The same mail again (a retry after a lost 250) is the same alert.
	if err := smtp.SendMail(addr, nil, "noreply@trendmicro.example", []string{rcpt}, []byte(trendMail)); err != nil {
		t.Fatalf("resend: %v", err)
	}
	if n := e.countAlertsOf(t, "native-canonical"); n != 1 {
		t.Errorf("after a resend: %d alerts, want 1", n)
	}

	digest := strings.Replace(strings.Replace(trendMail, "New high-risk users/devices", "Your weekly digest", 1), "hr-0001", "dg-0001", 1)
	if err := smtp.SendMail(addr, nil, "noreply@trendmicro.example", []string{rcpt}, []byte(digest)); err != nil {
		t.Fatalf("a mail no rule matches must still be taken: %v", err)
	}
	code, body := e.call(t, http.MethodGet, "/api/v1/mail/unmatched", e.AdminToken, "")
	var um struct {
		Unmatched []struct{ Subject, Reason, Source string }
	}
	if err := json.Unmarshal(body, &um); code != http.StatusOK || err != nil {
		t.Fatalf("unmatched: %d %s", code, body)
	}
	if len(um.Unmatched) != 1 || um.Unmatched[0].Subject != "[TM] Your weekly digest" || !strings.Contains(um.Unmatched[0].Reason, "no mail rule matched") {
		t.Errorf("unmatched = %+v", um.Unmatched)
	}

	wantCode := func(name string, err error, code int) {
		t.Helper()
		var pe *textproto.Error
		if !errors.As(err, &pe) || pe.Code != code {
			t.Errorf("%s: %v, want SMTP %d", name, err, code)
		}
	}
	wantCode("unknown address", smtp.SendMail(addr, nil, "noreply@trendmicro.example", []string{"alerts+tbs_nope@tb.example"}, []byte(trendMail)), 550)
	wantCode("refused sender", smtp.SendMail(addr, nil, "mallory@evil.example", []string{rcpt}, []byte(trendMail)), 550)
	if n := e.countAlertsOf(t, "native-canonical"); n != 1 {
		t.Errorf("after refused mail: %d alerts, want 1", n)
	}
}

// serveMail runs the app's SMTP listener on a loopback port.
func (e *env) serveMail(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.App.ServeMail(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("smtp: %v", err)
		}
	})
	return ln.Addr().String()
}

func (e *env) countAlertsOf(t *testing.T, sourceID string) int {
	t.Helper()
	alerts, err := e.App.Store.UnroutedAlerts(context.Background(), store.DefaultTenant, 0, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range alerts {
		if a.SourceID == sourceID {
			n++
		}
	}
	return n
}
