package app

import (
	"context"
	"os"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/mailin"
	"github.com/ticketbridge/ticketbridge/internal/source"
)

// defaultMailPollEvery is how often the mailbox folders of sources are
// polled unless Options.MailPollEvery says otherwise.
const defaultMailPollEvery = time.Minute

// PollMailOnce polls the mailbox folder of every source that names one
// and returns how many messages were taken; a source whose poll fails is
// logged and the others are polled.
func (a *App) PollMailOnce(ctx context.Context) (int, error) {
	srcs, err := a.allSources(ctx)
	if err != nil {
		return 0, err
	}
	getenv := a.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	p := &mailin.Poller{Sources: a.Store, Accept: a.ingestHandler().Accept, Getenv: getenv, Now: a.now, Logger: a.log}
	taken := 0
	for _, src := range srcs {
		s, err := source.ParseSettings(src.Settings)
		if err != nil || s.Mail == nil || s.Mail.IMAP == nil {
			continue
		}
		n, err := p.PollOnce(ctx, src)
		taken += n
		if err != nil {
			a.log.Warn("poll mailbox", "tenant", src.TenantID, "source", src.ID, "err", err)
		}
	}
	return taken, nil
}

// pollMail polls every a.mailPollEvery until ctx ends; never when that
// is negative.
func (a *App) pollMail(ctx context.Context) {
	if a.mailPollEvery < 0 {
		return
	}
	t := time.NewTicker(a.mailPollEvery)
	defer t.Stop()
	for {
		if _, err := a.PollMailOnce(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("poll mailboxes", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
