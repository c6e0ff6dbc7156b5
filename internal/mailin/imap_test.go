package mailin

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestPollFlagsOnlyAfterCommit: a message whose alert cannot be committed
// stays unseen and is taken by the next poll; once taken it is not taken
// again.
func TestPollFlagsOnlyAfterCommit(t *testing.T) {
	t.Parallel()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("tb", "pw")
	if err := user.Create("Alerts", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	if _, err := user.Append("Alerts", bytes.NewReader([]byte(mail)), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true, Caps: imap.CapSet{imap.CapIMAP4rev1: {}},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })

	src := store.Source{TenantID: "t1", ID: "mail", Settings: []byte(`{"default_organization": {"id": "org-42"},
		"mail": {"imap": {"addr": "` + ln.Addr().String() + `", "username": "tb", "password_env": "PW", "folder": "Alerts", "insecure": true}}}`)}
	acc := &acceptor{fail: true}
	p := &Poller{Sources: &fakeSources{}, Accept: acc.accept, Getenv: func(string) string { return "pw" },
		Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	if n, err := p.PollOnce(context.Background(), src); err == nil || n != 0 {
		t.Fatalf("poll with a failing commit: %d, %v; want 0 and an error", n, err)
	}
	acc.fail = false
	if n, err := p.PollOnce(context.Background(), src); err != nil || n != 1 || len(acc.alerts) != 1 {
		t.Fatalf("poll after the store is back: %d, %v, %d alerts; want the message taken", n, err, len(acc.alerts))
	}
	if n, err := p.PollOnce(context.Background(), src); err != nil || n != 0 {
		t.Errorf("third poll: %d, %v; want nothing left unseen", n, err)
	}
}
