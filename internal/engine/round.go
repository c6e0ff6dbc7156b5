package engine

import (
	"context"
	"strings"
	"sync"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// round is what the links of one delivery round share. Under a storm the
// PSA's request budget is the scarce thing, so reads that many links need
// are made once for all of them: the tickets notes go to (closed or not),
// the contacts of the users creates are for, and the numbers of the
// tickets the round created.
type round struct {
	tickets map[string]psa.Ticket // by PSA id; nil when not read in a batch
	// bare is set when the round creates several tickets on a PSA whose
	// create answers with the id only: each skips its own read-back and
	// readNumbers fetches all new tickets in one call at the end.
	bare psa.BareCreator

	mu      sync.Mutex
	created []int64 // links created bare, whose ticket number is unknown
}

func (r *round) createdBare(linkID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.created = append(r.created, linkID)
}

// newRound makes the round's batched reads. A failed batch read is only
// logged: each link then reads what it needs on its own.
func (dl *deliverer) newRound(ctx context.Context, order []int64, byLink map[int64][]store.Delivery) *round {
	dl.readNumbers(ctx)
	r := &round{tickets: dl.prefetchTickets(ctx, order, byLink)}
	var creates []store.Delivery
	for _, linkID := range order {
		for _, d := range byLink[linkID] {
			if d.Kind == store.DeliveryCreateTicket {
				creates = append(creates, d)
			}
		}
	}
	dl.prefetchContacts(ctx, creates)
	bare, canCreate := dl.snap.conn.(psa.BareCreator)
	_, canList := dl.snap.conn.(psa.TicketLister)
	if len(creates) > 1 && canCreate && canList {
		r.bare = bare
	}
	return r
}

// prefetchTickets reads, in one call per round where the connector can,
// every ticket this round adds notes or pushes a status to, so addNotes
// learns whether the PSA closed it without a read per ticket. A link whose
// number was never read (see readNumbers) gets it here.
func (dl *deliverer) prefetchTickets(ctx context.Context, order []int64, byLink map[int64][]store.Delivery) map[string]psa.Ticket {
	lister, ok := dl.snap.conn.(psa.TicketLister)
	if !ok {
		return nil
	}
	var ids []string
	unnumbered := map[string]int64{} // PSA id → link, for links still without a number
	for _, linkID := range order {
		if byLink[linkID][0].Kind == store.DeliveryCreateTicket && len(byLink[linkID]) == 1 {
			continue
		}
		l, err := dl.st.TicketLink(ctx, linkID)
		if err == nil && l.State == store.LinkOpen {
			ids = append(ids, l.PSATicketID)
			if l.TicketNumber == "" {
				unnumbered[l.PSATicketID] = l.ID
			}
		}
	}
	if len(ids) < 2 {
		return nil // one read either way
	}
	tickets, err := lister.TicketsByID(ctx, ids)
	if err != nil {
		dl.log.Warn("batch ticket read failed; reading one by one", "err", err)
		return nil
	}
	out := make(map[string]psa.Ticket, len(tickets))
	for _, t := range tickets {
		out[t.ID] = t
	}
	dl.fillNumbers(ctx, unnumbered, tickets)
	return out
}

// prefetchContacts looks up, one call per company, the user emails of
// every create in the round that attaches a contact, and fills the contact
// cache with the answers, found or not, so contactFor finds them there.
func (dl *deliverer) prefetchContacts(ctx context.Context, creates []store.Delivery) {
	batcher, ok := dl.snap.conn.(psa.ContactBatcher)
	if !ok || len(creates) < 2 {
		return
	}
	now := dl.cfg.Now()
	byCompany := map[string][]string{}
	for _, d := range creates {
		dec, _, err := decodePayload(d)
		if err != nil || !dec.Contact.Attach || dec.Contact.Email == "" {
			continue
		}
		if !dl.contacts.has(dec.CompanyID, dec.Contact.Email, now) {
			byCompany[dec.CompanyID] = append(byCompany[dec.CompanyID], strings.ToLower(dec.Contact.Email))
		}
	}
	for companyID, emails := range byCompany {
		found, err := batcher.ContactsByEmail(ctx, companyID, emails)
		if err != nil {
			dl.log.Warn("batch contact lookup failed; looking up one by one", "company", companyID, "err", err)
			continue
		}
		dl.contacts.fill(companyID, emails, found, now)
	}
}

// readNumbers reads, in one call, the tickets earlier rounds created bare
// and stores their numbers. On failure it tries again next round; a link
// whose number is never read (the process died first) still works by id,
// and the next batch read of its ticket fills the number in.
func (dl *deliverer) readNumbers(ctx context.Context) {
	lister, ok := dl.snap.conn.(psa.TicketLister)
	if !ok || len(dl.unnumbered) == 0 {
		return
	}
	byID := map[string]int64{}
	ids := make([]string, 0, len(dl.unnumbered))
	for _, linkID := range dl.unnumbered {
		l, err := dl.st.TicketLink(ctx, linkID)
		if err != nil || l.TicketNumber != "" {
			continue
		}
		byID[l.PSATicketID] = linkID
		ids = append(ids, l.PSATicketID)
	}
	if len(ids) > 0 {
		tickets, err := lister.TicketsByID(ctx, ids)
		if err != nil {
			dl.log.Warn("read numbers of new tickets; trying again next round", "tickets", len(ids), "err", err)
			return
		}
		dl.fillNumbers(ctx, byID, tickets)
	}
	dl.unnumbered = nil
}

// fillNumbers stores the tickets' numbers on the links (by PSA id) that
// have none, in one transaction: a round's worth is hundreds of links,
// and a commit each held up the next round by as many commits.
func (dl *deliverer) fillNumbers(ctx context.Context, links map[string]int64, tickets []psa.Ticket) {
	var fill []psa.Ticket
	for _, t := range tickets {
		if links[t.ID] != 0 && t.Number != "" {
			fill = append(fill, t)
		}
	}
	if len(fill) == 0 {
		return
	}
	now := dl.cfg.Now()
	err := dl.st.InTx(ctx, func(q store.Queries) error {
		for _, t := range fill {
			l, err := q.TicketLink(ctx, links[t.ID])
			if isNotFound(err) {
				continue // pruned meanwhile: no number to keep
			}
			if err != nil {
				return err
			}
			if l.TicketNumber != "" || l.PSATicketID != t.ID {
				continue
			}
			l.TicketNumber, l.UpdatedAt = t.Number, now
			if err := q.UpdateTicketLink(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	dl.logErr("store ticket numbers", err)
}

// createBare creates the ticket without reading it back: the answer is
// the id, and what was asked for is what the PSA stores.
func createBare(ctx context.Context, c psa.BareCreator, nt psa.NewTicket) (psa.Ticket, error) {
	id, err := c.CreateTicketID(ctx, nt)
	if err != nil {
		return psa.Ticket{}, err
	}
	return psa.Ticket{
		ID: id, CompanyID: nt.CompanyID, ContactID: nt.ContactID, Title: nt.Title, Status: nt.Status,
		Priority: nt.Priority, Queue: nt.Queue, IssueType: nt.IssueType, SubIssueType: nt.SubIssueType,
		ContractID: nt.ContractID, ExternalRef: nt.ExternalRef,
	}, nil
}

// ticketRef names a ticket in timelines: by number when known.
func ticketRef(t psa.Ticket) string {
	if t.Number == "" {
		return "id " + t.ID
	}
	return t.Number + " (id " + t.ID + ")"
}
