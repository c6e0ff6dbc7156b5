package mailin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestStartTLS: with a certificate the listener offers STARTTLS, and a
// mail sent over the upgraded connection is taken.
func TestStartTLS(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	acc := &acceptor{}
	s := New(Config{Sources: &fakeSources{}, Accept: acc.accept, HashToken: func(tok string) string { return "hash:" + tok },
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	c, err := smtp.Dial(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered")
	}
	if err := c.StartTLS(&tls.Config{ServerName: "localhost", RootCAs: pool, MinVersion: tls.VersionTLS12}); err != nil {
		t.Fatalf("starttls: %v", err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("not on TLS after STARTTLS")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Mail("noreply@trendmicro.example"))
	must(c.Rcpt("alerts+" + secretToken + "@tb.example"))
	w, err := c.Data()
	must(err)
	_, err = w.Write([]byte(mail))
	must(err)
	must(w.Close())
	if len(acc.alerts) != 1 {
		t.Errorf("%d alerts after a mail over STARTTLS, want 1", len(acc.alerts))
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
