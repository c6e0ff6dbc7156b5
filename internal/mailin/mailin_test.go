package mailin

import (
	"context"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

const secretToken = "tbs_mailsecret"

// fakeSources is the store as the listener sees it: one source, and the
// unmatched mail it was given. Mocks are fine here: this tests the
// listener alone; the end-to-end test runs it on the real store.
type fakeSources struct {
	mu        sync.Mutex
	unmatched []store.UnmatchedMail
	failAdd   bool
}

func (f *fakeSources) SourceByTokenHash(_ context.Context, h string) (store.Source, error) {
	if h != "hash:"+secretToken {
		return store.Source{}, store.ErrNotFound
	}
	return store.Source{TenantID: "t1", ID: "mail", Settings: []byte(`{"default_organization": {"id": "org-42"}}`)}, nil
}

func (f *fakeSources) AddUnmatchedMail(_ context.Context, m store.UnmatchedMail) (store.UnmatchedMail, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failAdd {
		return store.UnmatchedMail{}, errors.New("disk full")
	}
	f.unmatched = append(f.unmatched, m)
	return m, nil
}

type acceptor struct {
	mu     sync.Mutex
	alerts []alert.Alert
	fail   bool
}

func (a *acceptor) accept(_ context.Context, _ store.Source, as []alert.Alert, _ *store.RawBody) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail {
		return errors.New("store unavailable")
	}
	a.alerts = append(a.alerts, as...)
	return nil
}

func startServer(t *testing.T, src *fakeSources, acc *acceptor, maxBytes int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Sources: src, Accept: acc.accept, HashToken: func(tok string) string { return "hash:" + tok }, MaxMessageBytes: maxBytes})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

const mail = "From: noreply@trendmicro.example\r\nSubject: New risk event\r\nMessage-ID: <r1@x>\r\n\r\nRisk level: High\r\n"

func smtpCode(err error) int {
	var pe *textproto.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return 0
}

func TestListener(t *testing.T) {
	t.Parallel()
	rcpt := []string{"alerts+" + secretToken + "@tb.example"}
	tests := []struct {
		name                 string
		body                 string
		failAccept, failKeep bool
		code                 int // 0: accepted (250)
		alerts, unmatched    int
	}{
		{"alert committed", mail, false, false, 0, 1, 0},
		{"commit fails: 451, not acknowledged", mail, true, false, 451, 0, 0},
		{"no rule: kept as unmatched", strings.Replace(mail, "New risk event", "Invoice", 1), false, false, 0, 0, 1},
		{"no rule and keeping fails: 451", strings.Replace(mail, "New risk event", "Invoice", 1), false, true, 451, 0, 0},
		{"not a message: kept as unmatched", "\r\n\r\n", false, false, 0, 0, 1},
		{"over the size limit: 552", mail + strings.Repeat("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", 100), false, false, 552, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, acc := &fakeSources{failAdd: tt.failKeep}, &acceptor{fail: tt.failAccept}
			addr := startServer(t, src, acc, 2048)
			err := smtp.SendMail(addr, nil, "noreply@trendmicro.example", rcpt, []byte(tt.body))
			if got := smtpCode(err); got != tt.code || (tt.code == 0 && err != nil) {
				t.Errorf("answer: %v (code %d), want %d", err, got, tt.code)
			}
			if len(acc.alerts) != tt.alerts || len(src.unmatched) != tt.unmatched {
				t.Errorf("%d alerts, %d unmatched; want %d, %d", len(acc.alerts), len(src.unmatched), tt.alerts, tt.unmatched)
			}
		})
	}
	t.Run("unknown address: 550", func(t *testing.T) {
		t.Parallel()
		addr := startServer(t, &fakeSources{}, &acceptor{}, 0)
		err := smtp.SendMail(addr, nil, "a@b.example", []string{"someone@tb.example"}, []byte(mail))
		if smtpCode(err) != 550 {
			t.Errorf("answer: %v, want 550", err)
		}
	})
}
