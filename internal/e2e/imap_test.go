package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketbridge/ticketbridge/internal/demo"
)

// TestIMAPPoll: an MSP whose TrendAI notification mail lands in a mailbox
// has it polled from an IMAP folder (a Go IMAP server in-process, on
// loopback). The notification becomes the right ticket, a mail no rule
// matches is kept as unmatched, both are flagged \Seen only after that,
// and the next poll takes nothing again. It runs on every PSA.
func TestIMAPPoll(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			imapPollOn(t, p)
		})
	}
}

func imapPollOn(t *testing.T, p string) {
	addr, user := startIMAP(t)
	for _, m := range []string{trendMail, strings.Replace(strings.Replace(trendMail, "New high-risk users/devices", "Quarterly newsletter", 1), "hr-0001", "nl-0001", 1)} {
		if _, err := user.Append("INBOX", bytes.NewReader([]byte(m)), &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e := start(t, "", func(o *demo.Options) {
		o.PSA, o.SkipApply = p, true
		// The test polls itself: serve's poll at start would race it
		// for the messages on a busy machine.
		o.AppOpts.MailPollEvery = -1
		o.AppOpts.Getenv = func(k string) string {
			if k == "TB_IMAP_PASSWORD" {
				return "imap-pass"
			}
			return ""
		}
	})
	if _, err := e.Apply(context.Background(), psaSettings(e.DefaultSettings(), "none")); err != nil {
		t.Fatalf("apply: %v", err)
	}
	e.createFormatSource(t, "canonical", fmt.Sprintf(`{"default_organization": {"id": "org-42", "name": "Acme Corp"},
		"mail": {"imap": {"addr": %q, "username": "tb", "password_env": "TB_IMAP_PASSWORD", "insecure": true}}}`, addr))
	ctx := context.Background()
	n, err := e.App.PollMailOnce(ctx)
	if err != nil || n != 2 {
		t.Fatalf("first poll: %d messages, %v; want 2", n, err)
	}
	if err := e.WaitIdle(ctx, 15e9); err != nil {
		t.Fatal(err)
	}
	e.noFailedDeliveries()
	if c := e.countAlertsOf(t, "native-canonical"); c != 1 {
		t.Fatalf("%d alerts from the mailbox, want 1", c)
	}
	alerts, _ := e.App.Store.UnroutedAlerts(ctx, "default", 0, 0, 10)
	got := e.viewOfSource(t, "native-canonical", alerts[0].Alert.ID)
	got.ID, got.Notes, got.Closed = "", nil, false
	want := view{Company: "Acme Corp", Contact: "Jane Doe", Queue: "Security", Priority: seedOf(e.PSA).Priorities["high"],
		IssueType: "Security Incident", SubIssueType: "Other"}
	if lacks(p, "ticket.sub_issue_type") {
		want.SubIssueType = ""
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("ticket of the polled mail:\n got  %+v\n want %+v", got, want)
	}
	_, body := e.call(t, http.MethodGet, "/api/v1/mail/unmatched", e.AdminToken, "")
	var um struct {
		Unmatched []struct{ Subject string }
	}
	if err := json.Unmarshal(body, &um); err != nil || len(um.Unmatched) != 1 || um.Unmatched[0].Subject != "[TM] Quarterly newsletter" {
		t.Errorf("unmatched: %s", body)
	}
	if n, err := e.App.PollMailOnce(ctx); err != nil || n != 0 {
		t.Errorf("second poll: %d messages, %v; want none (both flagged seen)", n, err)
	}
}

func startIMAP(t *testing.T) (string, *imapmemserver.User) {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("tb", "imap-pass")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), user
}
