package psa

import (
	"context"
	"errors"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// ChangeFeed is implemented by connectors that can list changed tickets:
// the status poller's source of truth, and the safety net under webhooks.
type ChangeFeed interface {
	// TicketsChangedSince returns the tickets whose fields changed at or
	// after since (the PSA's last-modified time of the ticket), ordered by
	// LastModified then ID. The poller asks with an overlap window and
	// drops changes it has already seen.
	TicketsChangedSince(ctx context.Context, since time.Time) ([]Ticket, error)
}

// TicketActivity says whether people other than the integration's own API
// user have worked on a ticket.
type TicketActivity struct {
	// TouchedByOthers is true when anyone but our API user added a note or
	// a time entry, or changed the ticket's status.
	TouchedByOthers bool
	// Detail names the first such activity, for the timeline.
	Detail string
}

// ActivityReader is implemented by connectors that can tell human work on a
// ticket from their own (the auto-resolve "only untouched" option).
type ActivityReader interface {
	TicketActivity(ctx context.Context, ticketID string) (TicketActivity, error)
}

// ErrBadSignature means a webhook's signature does not verify: the body was
// forged or altered, or the secret is wrong.
var ErrBadSignature = errors.New("psa: webhook signature does not verify")

// WebhookEvent is one ticket change a PSA pushed to us.
type WebhookEvent struct {
	TicketID string
	// Action is create, update, delete or deactivated.
	Action string
	// Status is the ticket's new status id, "" when the event carries none.
	Status string
	// Sequence orders events of one ticket; with TicketID it deduplicates
	// redelivered callouts.
	Sequence int64
	At       time.Time
	// PersonID is who made the change, as the PSA names people.
	PersonID string
}

// TicketWebhooks is implemented by connectors whose PSA can call us when a
// ticket changes.
type TicketWebhooks interface {
	// RegisterTicketWebhook makes the PSA call url on ticket status
	// changes (deactivationURL when it gives up on us), signed with key.
	// Registering the same url again updates the existing webhook rather
	// than adding a second one. It returns the webhook's PSA id.
	RegisterTicketWebhook(ctx context.Context, url, deactivationURL string, key secret.Secret) (string, error)
	// SignatureHeader is the HTTP header that carries the signature.
	SignatureHeader() string
	// ParseTicketWebhook verifies signature over the exact body bytes and
	// decodes the event; ErrBadSignature when it does not verify.
	ParseTicketWebhook(body []byte, signature string, key secret.Secret) (WebhookEvent, error)
}

// TicketLister is implemented by connectors that read many tickets in one
// call. Once per delivery round the engine asks for every ticket it is
// about to add notes to, to see whether the PSA closed any, instead of one
// read per ticket.
type TicketLister interface {
	// TicketsByID returns the tickets with these ids; missing ones are
	// left out.
	TicketsByID(ctx context.Context, ids []string) ([]Ticket, error)
}

// ContactBatcher is implemented by connectors that look many contacts of
// one company up by email in one call. Before a round of ticket creates
// the engine asks once for every user email the round needs, instead of
// once per user.
type ContactBatcher interface {
	// ContactsByEmail returns the company's active contacts holding any of
	// the emails, each with Email set to the address that matched; emails
	// nobody holds are left out.
	ContactsByEmail(ctx context.Context, companyID string, emails []string) ([]Contact, error)
}

// BareCreator is implemented by connectors whose PSA answers a create with
// the new id only, so the full ticket costs a second call. Under a storm
// the engine creates with CreateTicketID and reads every new ticket's
// number back in one TicketsByID call per round.
type BareCreator interface {
	// CreateTicketID creates a ticket and returns its PSA id, nothing more.
	CreateTicketID(ctx context.Context, t NewTicket) (string, error)
}
