package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// maxPerPoll bounds the messages one poll takes; the rest wait for the
// next one.
const maxPerPoll = 200

// Poller takes a source's mail from a mailbox folder: each unseen message
// becomes an alert or unmatched mail, and is flagged \Seen only after that
// is committed. A crash between the two leaves it unseen, and the next
// poll takes it again onto the same alert (its id is the Message-ID's).
type Poller struct {
	Sources Sources
	Accept  AcceptFunc
	Getenv  func(string) string
	Now     func() time.Time
	Logger  *slog.Logger
	// TLS, when set, is the client side of implicit-TLS connections (a
	// test trusts its own certificate with it); nil means the system's
	// roots and TLS 1.2 or newer.
	TLS *tls.Config
}

// PollOnce polls one source's folder and returns how many messages it
// took.
func (p *Poller) PollOnce(ctx context.Context, src store.Source) (int, error) {
	dec, err := source.NewMailDecoder(src.Settings)
	if err != nil {
		return 0, err
	}
	cfg := dec.IMAP()
	if cfg == nil {
		return 0, nil
	}
	password := p.Getenv(cfg.PasswordEnv)
	if password == "" {
		return 0, fmt.Errorf("imap %s: %s is not set", src.ID, cfg.PasswordEnv)
	}
	c, err := dial(cfg, p.TLS)
	if err != nil {
		return 0, fmt.Errorf("imap %s: dial %s: %w", src.ID, cfg.Addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(cfg.Username, password).Wait(); err != nil {
		return 0, fmt.Errorf("imap %s: login: %w", src.ID, err)
	}
	folder := cfg.Folder
	if folder == "" {
		folder = "INBOX"
	}
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		return 0, fmt.Errorf("imap %s: select %s: %w", src.ID, folder, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap %s: search: %w", src.ID, err)
	}
	uids := found.AllUIDs()
	if len(uids) > maxPerPoll {
		uids = uids[:maxPerPoll]
	}
	taken := 0
	for _, uid := range uids {
		if err := p.takeOne(ctx, c, src, dec, uid); err != nil {
			return taken, fmt.Errorf("imap %s: message %d: %w", src.ID, uid, err)
		}
		taken++
	}
	_ = c.Logout().Wait()
	return taken, nil
}

func dial(cfg *source.IMAPSettings, tlsConfig *tls.Config) (*imapclient.Client, error) {
	if cfg.Insecure {
		return imapclient.DialInsecure(cfg.Addr, nil)
	}
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return imapclient.DialTLS(cfg.Addr, &imapclient.Options{TLSConfig: tlsConfig})
}

// takeOne fetches a message without marking it, takes it, then flags it.
func (p *Poller) takeOne(ctx context.Context, c *imapclient.Client, src store.Source, dec *source.MailDecoder, uid imap.UID) error {
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if len(msgs) != 1 || len(msgs[0].BodySection) == 0 {
		return errors.New("fetch: the server sent no body")
	}
	raw := msgs[0].BodySection[0].Bytes
	msg, parseErr := Parse(raw)
	from := msg.From
	if from != "" && !dec.Allows(from) {
		parseErr = fmt.Errorf("sender %s is not allowed for this source", from)
	}
	if err := take(ctx, p.Sources, p.Accept, p.Logger, src, dec, from, msg, raw, parseErr, p.Now()); err != nil {
		return err
	}
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := c.Store(imap.UIDSetNum(uid), flags, nil).Close(); err != nil {
		return fmt.Errorf("flag seen: %w", err)
	}
	return nil
}
