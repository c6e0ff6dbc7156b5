// Package mailin receives alerts by mail: an SMTP listener that takes
// messages for a source's secret address, reads them with a MIME library
// (never by hand) and hands them to internal/source's mail rules. A
// message is answered 250 only after its alert is committed, or after it
// is kept as unmatched mail with the reason: nothing acknowledged is lost.
package mailin

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ticketbridge/ticketbridge/internal/source"
)

// Parse reads a raw message into what the mail rules read: its sender,
// subject, Message-ID, Date and plain text (the HTML part made text when
// there is no plain one, which enmime does).
func Parse(raw []byte) (source.MailMessage, error) {
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return source.MailMessage{}, fmt.Errorf("read MIME message: %w", err)
	}
	m := source.MailMessage{
		From:      env.GetHeader("From"),
		Subject:   strings.TrimSpace(env.GetHeader("Subject")),
		MessageID: strings.TrimSpace(env.GetHeader("Message-Id")),
		Text:      strings.TrimSpace(env.Text),
		Raw:       raw,
	}
	if d, err := env.Date(); err == nil {
		m.Date = d
	}
	if m.Subject == "" && m.Text == "" {
		return m, fmt.Errorf("read MIME message: no subject and no text")
	}
	return m, nil
}
