package mailin

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// The poll's use of go-imap/v2 (a beta: v2.0.0-beta.8) is held here
// against that module's own in-memory server on loopback: implicit TLS
// with certificate checks, login, select, the unseen search, a peeked
// fetch, the \Seen store, and the bound per poll.

// imapBox serves one user's mailbox on loopback, over TLS when cert is
// given, and returns its address and the user.
func imapBox(t *testing.T, cert *tls.Certificate, messages ...string) (string, *imapmemserver.User) {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("tb", "pw")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	for _, m := range messages {
		if _, err := user.Append("INBOX", bytes.NewReader([]byte(m)), &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: cert == nil, Caps: imap.CapSet{imap.CapIMAP4rev1: {}},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, opts.TLSConfig)
	}
	srv := imapserver.New(opts)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), user
}

func imapSource(addr, extra string) store.Source {
	return store.Source{TenantID: "t1", ID: "mail", Settings: []byte(`{"default_organization": {"id": "org-42"},
		"mail": {"imap": {"addr": "` + addr + `", "username": "tb", "password_env": "PW"` + extra + `}}}`)}
}

func newPoller(acc *acceptor, src *fakeSources, password string) *Poller {
	return &Poller{Sources: src, Accept: acc.accept, Getenv: func(k string) string {
		if k == "PW" {
			return password
		}
		return ""
	}, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
}

// TestPollOverTLS: without "insecure" the poll speaks implicit TLS and
// checks the server's certificate: a certificate it trusts lets the
// message through; the same server is refused on the system's roots.
func TestPollOverTLS(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	addr, _ := imapBox(t, &cert, mail)
	acc := &acceptor{}
	p := newPoller(acc, &fakeSources{}, "pw")
	if n, err := p.PollOnce(context.Background(), imapSource(addr, "")); err == nil || n != 0 || !strings.Contains(err.Error(), "dial") {
		t.Fatalf("an untrusted certificate: %d, %v; want a dial error", n, err)
	}
	p.TLS = &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
	if n, err := p.PollOnce(context.Background(), imapSource(addr, "")); err != nil || n != 1 || len(acc.alerts) != 1 {
		t.Fatalf("over TLS: %d, %v, %d alerts; want the message taken", n, err, len(acc.alerts))
	}
}

// TestPollRefusals: a wrong password, a folder that is not there and an
// unset password variable are errors naming the step, and the message
// stays unseen for a poll that can take it.
func TestPollRefusals(t *testing.T) {
	t.Parallel()
	addr, _ := imapBox(t, nil, mail)
	acc := &acceptor{}
	for _, tc := range []struct{ name, password, extra, want string }{
		{"wrong password", "nope", `, "insecure": true`, "login"},
		{"no such folder", "pw", `, "insecure": true, "folder": "Nowhere"`, "select Nowhere"},
		{"password unset", "", `, "insecure": true`, "PW is not set"},
	} {
		n, err := newPoller(acc, &fakeSources{}, tc.password).PollOnce(context.Background(), imapSource(addr, tc.extra))
		if err == nil || n != 0 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %d, %v; want an error naming %q", tc.name, n, err, tc.want)
		}
		if strings.Contains(fmt.Sprint(err), "nope") {
			t.Errorf("%s: the error shows the password: %v", tc.name, err)
		}
	}
	if n, err := newPoller(acc, &fakeSources{}, "pw").PollOnce(context.Background(), imapSource(addr, `, "insecure": true`)); err != nil || n != 1 {
		t.Errorf("after the refusals: %d, %v; want the message still unseen and taken", n, err)
	}
}

// TestPollRefusedSender: mail from a sender the source does not allow is
// kept as unmatched with the reason, flagged seen, and makes no alert.
func TestPollRefusedSender(t *testing.T) {
	t.Parallel()
	addr, _ := imapBox(t, nil, strings.Replace(mail, "noreply@trendmicro.example", "mallory@evil.example", 1))
	src := imapSource(addr, `, "insecure": true`)
	src.Settings = bytes.Replace(src.Settings, []byte(`"mail": {`), []byte(`"mail": {"allow_senders": ["@trendmicro.example"], `), 1)
	acc, sources := &acceptor{}, &fakeSources{}
	p := newPoller(acc, sources, "pw")
	if n, err := p.PollOnce(context.Background(), src); err != nil || n != 1 {
		t.Fatalf("poll: %d, %v; want the message taken", n, err)
	}
	if len(acc.alerts) != 0 || len(sources.unmatched) != 1 || !strings.Contains(sources.unmatched[0].Reason, "not allowed") {
		t.Errorf("%d alerts, unmatched %+v; want none and one unmatched naming the sender", len(acc.alerts), sources.unmatched)
	}
	if n, err := p.PollOnce(context.Background(), src); err != nil || n != 0 {
		t.Errorf("second poll: %d, %v; want it flagged seen", n, err)
	}
}

// TestPollBound: a poll takes at most maxPerPoll messages; the next one
// takes the rest.
func TestPollBound(t *testing.T) {
	t.Parallel()
	msgs := make([]string, maxPerPoll+3)
	for i := range msgs {
		msgs[i] = strings.Replace(mail, "<r1@x>", fmt.Sprintf("<r%d@x>", i), 1)
	}
	addr, _ := imapBox(t, nil, msgs...)
	acc := &acceptor{}
	p := newPoller(acc, &fakeSources{}, "pw")
	src := imapSource(addr, `, "insecure": true`)
	for i, want := range []int{maxPerPoll, 3, 0} {
		if n, err := p.PollOnce(context.Background(), src); err != nil || n != want {
			t.Errorf("poll %d: %d, %v; want %d", i+1, n, err, want)
		}
	}
	if len(acc.alerts) != maxPerPoll+3 {
		t.Errorf("%d alerts, want %d", len(acc.alerts), maxPerPoll+3)
	}
}
