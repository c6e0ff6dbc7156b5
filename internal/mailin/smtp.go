package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// DefaultMaxMessageBytes is the size limit when Config.MaxMessageBytes is
// zero: notification mails are small; attachments beyond this are not
// alerts.
const DefaultMaxMessageBytes = 1 << 20

// Sources is what the listener needs of the store: a source by the hash
// of the secret in its address, and a place for unmatched mail.
type Sources interface {
	SourceByTokenHash(ctx context.Context, tokenHash string) (store.Source, error)
	AddUnmatchedMail(ctx context.Context, m store.UnmatchedMail) (store.UnmatchedMail, error)
}

// Config holds the listener's collaborators.
type Config struct {
	Sources Sources
	// Accept commits a source's alerts and returns after the commit
	// (ingest.Handler.Accept).
	// raw, kept with the alerts for replay, is the whole message.
	Accept AcceptFunc
	// HashToken hashes the secret part of an address the way source tokens
	// are stored (ingest.HashToken).
	HashToken       func(token string) string
	Domain          string
	MaxMessageBytes int64
	// TLS, when set, is offered with STARTTLS (senders' MTAs upgrade when
	// they can; mail is not refused without it, as most MTAs expect).
	TLS    *tls.Config
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is the SMTP listener.
type Server struct {
	cfg  Config
	smtp *smtp.Server
}

// New returns the listener; Serve runs it.
func New(cfg Config) *Server {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	s := &Server{cfg: cfg}
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{srv: s}, nil
	}))
	s.smtp.Domain = cfg.Domain
	s.smtp.TLSConfig = cfg.TLS
	s.smtp.MaxMessageBytes = cfg.MaxMessageBytes
	s.smtp.MaxRecipients = 50
	s.smtp.ReadTimeout = time.Minute
	s.smtp.WriteTimeout = time.Minute
	return s
}

// Serve accepts connections on ln until ctx is cancelled; a message being
// committed then finishes first (Shutdown waits for open sessions).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- s.smtp.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("smtp: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.smtp.Shutdown(shutdownCtx); err != nil {
		_ = s.smtp.Close()
	}
	<-done
	return nil
}

// recipient is one accepted RCPT: the source its address names.
type recipient struct {
	src store.Source
	dec *source.MailDecoder
}

type session struct {
	srv  *Server
	from string
	to   []recipient
}

var (
	errNoSuchAddress = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such address"}
	errSenderRefused = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender not allowed for this address"}
	errTryLater      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not store the message; try again later"}
)

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt takes an address whose local part is, or ends in "+", a source's
// secret: alerts+tbs_...@mail.example. Anything else is refused, so the
// listener relays nothing and tells nobody which sources exist.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, _, ok := strings.Cut(strings.Trim(to, "<>"), "@")
	if !ok || local == "" {
		return errNoSuchAddress
	}
	if i := strings.LastIndexByte(local, '+'); i >= 0 {
		local = local[i+1:]
	}
	ctx := context.Background()
	src, err := s.srv.cfg.Sources.SourceByTokenHash(ctx, s.srv.cfg.HashToken(local))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNoSuchAddress
	case err != nil:
		s.srv.cfg.Logger.Error("look up mail source", "err", err)
		return errTryLater
	}
	dec, err := source.NewMailDecoder(src.Settings)
	if err != nil {
		s.srv.cfg.Logger.Error("build mail rules", "tenant", src.TenantID, "source", src.ID, "err", err)
		return errTryLater
	}
	if !dec.Allows(s.from) {
		return errSenderRefused
	}
	s.to = append(s.to, recipient{src: src, dec: dec})
	return nil
}

// Data reads the message and answers only once every recipient has it
// committed: as an alert, or as unmatched mail with the reason. A store
// failure is a 451, so the sender retries; the retry lands on the same
// alert (its id is the Message-ID's hash).
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // the size limit's 552 comes from the server's reader
	}
	msg, parseErr := Parse(raw)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, rc := range s.to {
		if err := s.deliver(ctx, rc, msg, raw, parseErr); err != nil {
			s.srv.cfg.Logger.Error("store mail", "tenant", rc.src.TenantID, "source", rc.src.ID, "err", err)
			return errTryLater
		}
	}
	return nil
}

func (s *session) deliver(ctx context.Context, rc recipient, msg source.MailMessage, raw []byte, parseErr error) error {
	return take(ctx, s.srv.cfg.Sources, s.srv.cfg.Accept, s.srv.cfg.Logger, rc.src, rc.dec, s.from, msg, raw, parseErr, s.srv.cfg.Now())
}

// AcceptFunc commits a source's alerts (ingest.Handler.Accept).
type AcceptFunc func(ctx context.Context, src store.Source, alerts []alert.Alert, raw *store.RawBody) error

// take makes one message a source's alert, or keeps it as unmatched mail
// with the reason. nil means it is durable either way, and only then may
// the message be acknowledged (250, or the IMAP \Seen flag).
func take(ctx context.Context, sources Sources, accept AcceptFunc, log *slog.Logger, src store.Source, dec *source.MailDecoder,
	from string, msg source.MailMessage, raw []byte, parseErr error, now time.Time) error {
	reason := ""
	if parseErr != nil {
		reason = parseErr.Error()
	} else {
		a, err := dec.Decode(msg, now)
		if err == nil {
			return accept(ctx, src, []alert.Alert{a}, &store.RawBody{
				TenantID: src.TenantID, SourceID: src.ID, ReceivedAt: now, Kind: store.RawMail, Body: raw,
			})
		}
		reason = err.Error()
	}
	_, err := sources.AddUnmatchedMail(ctx, store.UnmatchedMail{
		TenantID: src.TenantID, SourceID: src.ID, ReceivedAt: now, Sender: from,
		Subject: msg.Subject, MessageID: msg.MessageID, Reason: reason, Raw: raw,
	})
	if err == nil {
		log.Info("kept unmatched mail", "tenant", src.TenantID, "source", src.ID, "reason", reason)
	}
	return err
}
