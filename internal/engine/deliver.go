package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

const deliverBatch = 500

// budgetPoll is how soon a worker whose request budget is spent looks
// again: slots free continuously as the window slides.
const budgetPoll = 100 * time.Millisecond

func budgetSpent(c psa.Connector) bool {
	b, ok := c.(psa.Budgeted)
	return ok && b.BudgetRemaining() <= 0
}

// deliverer carries out deliveries against the PSA in rounds: creates
// search by external reference before they repeat, a link's waiting notes
// go out coalesced, and every write is recorded with its delivery's
// completion in one transaction. It owns the contact cache the rounds
// fill, the links whose new ticket's number is still to be read, and
// whether the last round found the request budget spent.
type deliverer struct {
	*books
	snap   *snapshot
	status statusPusher

	contacts contactCache
	// unnumbered are links whose ticket was created without a read-back
	// and whose number is still to be read (see round).
	unnumbered []int64
	// budgetSpent is set when a round did not start because the request
	// budget had nothing left.
	budgetSpent bool
	// drift is set while the round does not start because reconcile found
	// settings the PSA no longer backs; driftStale says a reconcile in
	// this process just wrote a report, to be read at once.
	drift      driftWait
	driftStale atomic.Bool

	// busy holds the ticket links of the round under way. The router runs
	// while the round's PSA calls do (see deliver) and leaves alone the
	// alerts whose group's link is among them: such a link may be ended
	// by its round (its ticket found closed or deleted, its create
	// failed) after reading its pending notes, and a note queued in
	// between would wait on an ended link for good.
	busy busyLinks

	// routingBehind is set by the worker before a round when alerts wait
	// to be routed: the round then holds back young notes (see
	// holdNotes).
	routingBehind bool
}

// busyLinks is a set of ticket links shared by the worker's goroutine
// and the router it runs during a round.
type busyLinks struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (b *busyLinks) set(ids []int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ids = make(map[int64]bool, len(ids))
	for _, id := range ids {
		b.ids[id] = true
	}
}

func (b *busyLinks) add(ids []int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ids == nil {
		b.ids = make(map[int64]bool, len(ids))
	}
	for _, id := range ids {
		b.ids[id] = true
	}
}

func (b *busyLinks) done(id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.ids, id)
}

func (b *busyLinks) has(id int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ids[id]
}

// statusPusher carries out set_status deliveries, which the round runs
// after a link's notes; statusSync is one.
type statusPusher interface {
	setStatus(ctx context.Context, link store.TicketLink, d store.Delivery) error
}

// load delivers by a new settings version. Contacts are looked up again:
// the new settings may attach them differently.
func (dl *deliverer) load(s *snapshot) {
	dl.snap = s
	dl.contacts = contactCache{ttl: dl.cfg.CompaniesTTL}
}

// waitingForBudget reports whether the last round did not start because
// no request could go: the worker then looks again shortly rather than
// at the next due time.
func (dl *deliverer) waitingForBudget() bool { return dl.budgetSpent }

// waitingForDrift reports whether deliveries wait for drift to be fixed:
// the worker then looks again at its rescan pace, not at once.
func (dl *deliverer) waitingForDrift() bool { return dl.drift.waiting }

// deliver carries out due deliveries, one goroutine per ticket link (the
// work of one link is ordered: create before notes), at most as many links
// at once as the PSA allows concurrent calls. It returns how many links it
// worked on.
//
// While the round's calls are under way, each signal on wake runs
// meanwhile, which routes one batch of the alerts that arrived, on a
// goroutine of its own: the routing is done while the PSA answers rather
// than after, and the round goes on starting calls as slots free. A batch
// that came back full is followed by another while the round has calls
// out. When meanwhile routed something and the work now due is light,
// the round takes it on as soon as a call slot is free (see join); a
// backlog waits for the next round, whose batched reads serve it whole.
// The round ends once its calls and the routing under way are done.
func (dl *deliverer) deliver(ctx context.Context, wake <-chan struct{}, meanwhile func(n int) int) (int, error) {
	if dl.budgetSpent = budgetSpent(dl.snap.conn); dl.budgetSpent {
		// Every call would be refused; the round's batched reads would
		// fail first and leave each link to read on its own later.
		return 0, nil
	}
	due, err := dl.st.DueDeliveries(ctx, dl.id, dl.cfg.Now(), deliverBatch)
	if err != nil {
		return 0, fmt.Errorf("list due deliveries: %w", err)
	}
	if len(due) > 0 || dl.drift.waiting {
		// Also with nothing due: held rows wait pushed back, and apply's
		// clearing of the report must bring them back at once.
		if due, err = dl.holdForDrift(ctx, due); err != nil {
			return 0, err
		}
	}
	due = dl.holdNotes(due)
	order, byLink := groupByLink(due)
	r := dl.newRound(ctx, order, byLink)
	run := &roundRun{dl: dl, began: dl.wall(), done: make(chan linkDone), handed: map[int64]bool{}}
	run.limit = dl.snap.settings.Connection.MaxConcurrent
	if run.limit <= 0 {
		run.limit = 3
	}
	dl.busy.set(order)
	defer dl.busy.set(nil)
	for _, linkID := range order {
		run.add(linkID, byLink[linkID], r)
	}
	routing := routing{meanwhile: meanwhile, done: make(chan int, 1)}
	if dl.routingBehind && len(run.queue) > 0 {
		routing.start(run.routeSize()) // alerts wait: route them beside the calls
	}
	for {
		for run.running < run.limit && len(run.queue) > 0 {
			run.start(ctx)
		}
		if run.running == 0 && !routing.busy {
			break
		}
		select {
		case d := <-run.done:
			run.running--
			dl.busy.done(d.linkID)
			run.err = errors.Join(run.err, d.err)
		case n := <-routing.done:
			routing.busy = false
			full := n >= routing.asked
			// Routing a listing's worth at once is a backlog already: the
			// next round serves it, and listing it here would cost reads
			// on every wake of a storm's ingest.
			switch {
			case n >= joinList:
				run.backlog = true
			case n > 0:
				run.joinWanted = true
			}
			if (routing.again || full) && run.running+len(run.queue) > 0 {
				routing.start(run.routeSize())
			}
		case <-wake:
			routing.start(run.routeSize())
		}
		if run.joinWanted && run.running < run.limit {
			run.join(ctx)
		}
	}
	dl.unnumbered = append(dl.unnumbered, r.created...)
	dl.readNumbers(ctx)
	return run.worked, run.err
}

// noteHold bounds how long a note waits for routing to catch up.
const noteHold = 5 * time.Second

// holdNotes leaves out of a round the notes queued less than noteHold
// ago while routing is behind. In a storm the alerts of a group arrive
// together but are routed batch after batch; a note sent now would be
// followed by another for the same ticket once the rest of the group is
// routed, and each is a request of the budget. Held, they leave as one
// note after routing catches up, while the round spends the budget on
// tickets, which are never coalesced.
func (dl *deliverer) holdNotes(due []store.Delivery) []store.Delivery {
	if !dl.routingBehind {
		return due
	}
	since := dl.cfg.Now().Add(-noteHold)
	kept := due[:0:0]
	for _, d := range due {
		if d.Kind == store.DeliveryAddNote && d.CreatedAt.After(since) {
			continue
		}
		kept = append(kept, d)
	}
	return kept
}

// routeSize is how many alerts the round's routing takes at once: a
// batch holds the only writer while it is written, so while more links
// wait than there are call slots, the batches are small and the calls'
// own commits wait less; otherwise the batches are large and a backlog
// is routed sooner.
func (run *roundRun) routeSize() int {
	if run.running+len(run.queue) > run.limit {
		return meanwhileBatch
	}
	return routeBatch
}

// routing runs a round's meanwhile on its own goroutine, one at a time.
type routing struct {
	meanwhile func(n int) int
	done      chan int
	busy      bool
	asked     int // the batch size asked of the routing under way
	// again is set by a wake while a batch is being routed: the alerts
	// it announced may have come after that batch was listed.
	again bool
}

func (rt *routing) start(n int) {
	if rt.meanwhile == nil {
		return
	}
	if rt.busy {
		rt.again = true
		return
	}
	rt.busy, rt.again, rt.asked = true, false, n
	go func() { rt.done <- rt.meanwhile(n) }()
}

// groupByLink orders due deliveries by ticket link, first due first.
func groupByLink(due []store.Delivery) ([]int64, map[int64][]store.Delivery) {
	var order []int64
	byLink := map[int64][]store.Delivery{}
	for _, d := range due {
		if _, ok := byLink[d.TicketLinkID]; !ok {
			order = append(order, d.TicketLinkID)
		}
		byLink[d.TicketLinkID] = append(byLink[d.TicketLinkID], d)
	}
	return order, byLink
}

// Joining a round under way: light work is what fits one short listing;
// a round takes on work for this long, so that a steady trickle cannot
// keep the worker from its other duties (status, billing, reconcile).
const (
	joinList = 16
	joinFor  = time.Second
)

// roundRun schedules one round's links on the worker's goroutine: a link
// starts when a call slot is free, and reports back on done.
type roundRun struct {
	dl      *deliverer
	began   time.Time
	limit   int
	queue   []linkWork
	running int
	done    chan linkDone
	worked  int
	err     error
	// handed holds the deliveries given to a link this round: a link may
	// join again with new work once it is done, never for the same rows,
	// so a link that leaves its rows due (notes waiting for a create)
	// cannot spin.
	handed     map[int64]bool
	joinWanted bool
	// backlog is set once more work is due than a round takes on: it
	// stays due until the next round, so the round stops looking.
	backlog bool
}

type linkWork struct {
	linkID int64
	due    []store.Delivery
	r      *round
}

type linkDone struct {
	linkID int64
	err    error
}

func (run *roundRun) add(linkID int64, due []store.Delivery, r *round) {
	for _, d := range due {
		run.handed[d.ID] = true
	}
	run.queue = append(run.queue, linkWork{linkID, due, r})
}

func (run *roundRun) start(ctx context.Context) {
	w := run.queue[0]
	run.queue = run.queue[1:]
	run.running++
	run.worked++
	go func() {
		run.done <- linkDone{w.linkID, run.dl.deliverLink(ctx, w.linkID, w.due, w.r)}
	}()
}

// join takes on, while the round runs, the deliveries that routing made
// due during it, when they are few: at 20 alerts a second each would
// otherwise wait for the round's last call and the next cycle. Joined
// links read what they need on their own, as a round of one link would;
// a backlog waits for the next round's batched reads, which is what keeps
// a storm within its request budget.
func (run *roundRun) join(ctx context.Context) {
	dl := run.dl
	run.joinWanted = false
	if run.backlog || dl.wall().Sub(run.began) > joinFor || dl.drift.waiting || budgetSpent(dl.snap.conn) {
		return
	}
	due, err := dl.st.DueDeliveries(ctx, dl.id, dl.cfg.Now(), joinList)
	if err != nil {
		dl.logErr("list due deliveries to join the round", err)
		return
	}
	if len(due) == 0 {
		return
	}
	if len(due) == joinList {
		run.backlog = true
		return
	}
	if due, err = dl.holdForDrift(ctx, due); err != nil {
		dl.logErr("hold deliveries for drift", err)
		return
	}
	order, byLink := groupByLink(dl.holdNotes(due))
	var joining []int64
	for _, linkID := range order {
		if dl.busy.has(linkID) || !run.hasNew(byLink[linkID]) {
			continue
		}
		joining = append(joining, linkID)
	}
	dl.busy.add(joining)
	for _, linkID := range joining {
		run.add(linkID, byLink[linkID], &round{})
	}
}

func (run *roundRun) hasNew(due []store.Delivery) bool {
	for _, d := range due {
		if !run.handed[d.ID] {
			return true
		}
	}
	return false
}

func (dl *deliverer) deliverLink(ctx context.Context, linkID int64, due []store.Delivery, r *round) error {
	link, err := dl.st.TicketLink(ctx, linkID)
	if err != nil {
		return fmt.Errorf("read ticket link %d: %w", linkID, err)
	}
	switch link.State {
	case store.LinkCreating:
		for _, d := range due {
			if d.Kind == store.DeliveryCreateTicket {
				return dl.createTicket(ctx, link, d, r)
			}
		}
		return nil
	case store.LinkOpen:
		if err := dl.addNotes(ctx, link, r.tickets); err != nil {
			return err
		}
		// Status pushes go after the notes, so a resolve lands on a ticket
		// that already holds every alert.
		for _, d := range due {
			if d.Kind == store.DeliverySetStatus {
				if err := dl.status.setStatus(ctx, link, d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// createTicket creates the link's PSA ticket exactly once: it first asks
// the PSA for a ticket with the link's external reference (a previous
// attempt may have created it and crashed before storing the id), and
// records the ticket id, the link state and the delivery's completion in
// one transaction.
func (dl *deliverer) createTicket(ctx context.Context, link store.TicketLink, d store.Delivery, r *round) error {
	dec, pa, err := decodePayload(d)
	if err != nil {
		return dl.fail(ctx, []store.Delivery{d}, &psa.Error{Class: psa.Permanent, Message: err.Error()})
	}
	batch := []store.Delivery{d}
	if err := dl.startAttempt(ctx, batch); err != nil {
		return err
	}
	d = batch[0]
	if link.PSATicketID != "" {
		// The group's closed ticket, within ticket.reopen_within.
		if done, err := dl.reopen(ctx, &link, d, dec, pa); done || err != nil {
			return err
		}
	}
	t, how, err := dl.findOrCreate(ctx, link, dec, d.Attempts > 1, r.bare)
	if err != nil {
		return dl.fail(ctx, batch, err)
	}
	now := dl.cfg.Now()
	link.State, link.PSATicketID, link.TicketNumber, link.PSAStatus, link.UpdatedAt = store.LinkOpen, t.ID, t.Number, t.Status, now
	d.State, d.Result, d.LastError, d.CompletedAt, d.UpdatedAt = store.DeliveryDone, t.ID, "", &now, now
	err = dl.st.InTx(ctx, func(q store.Queries) error {
		if err := q.UpdateTicketLink(ctx, link); err != nil {
			return err
		}
		if err := q.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		if d.Attempts > 1 {
			if err := dl.resumeWaitingNotes(ctx, q, link.ID, now); err != nil {
				return err
			}
		}
		return q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: dl.id, At: now,
			Event: "ticket_created", Detail: fmt.Sprintf("ticket %s for %s: %s", ticketRef(t), dec.CompanyName, how),
		})
	})
	if err != nil {
		return fmt.Errorf("record ticket %s: %w", t.ID, err)
	}
	if t.Number == "" {
		r.createdBare(link.ID)
	}
	dl.observeDone(ctx, d, pa.ReceivedAt, "ok")
	dl.log.Info("ticket created", "psa_ticket", t.ID, "ticket_number", t.Number, "delivery_id", d.ID, "how", how)
	return nil
}

// findOrCreate searches the PSA by the link's external reference before
// creating, but only when an earlier attempt was counted: attempts are
// committed before each PSA call, so a first attempt knows no earlier one
// can have written, and the search would only spend budget.
func (dl *deliverer) findOrCreate(ctx context.Context, link store.TicketLink, dec rules.Decision, retried bool, bare psa.BareCreator) (psa.Ticket, string, error) {
	var t psa.Ticket
	if retried {
		found, err := dl.snap.conn.TicketByExternalRef(ctx, link.ExternalRef)
		if err == nil {
			return found, "recovered (found by external reference)", nil
		}
		if !errors.Is(err, psa.ErrNotFound) {
			return t, "", fmt.Errorf("search ticket by external reference: %w", err)
		}
	}
	contactID, how, err := dl.contactFor(ctx, dec)
	if err != nil {
		return t, "", err
	}
	nt := dec.Ticket
	nt.ContactID, nt.ExternalRef, nt.DueAt = contactID, link.ExternalRef, dl.cfg.Now().Add(dl.snap.dueIn)
	if bare != nil {
		t, err = createBare(ctx, bare, nt)
	} else {
		t, err = dl.snap.conn.CreateTicket(ctx, nt)
	}
	if err != nil && t.ID != "" {
		// The PSA created it; only a follow-up read failed. Whatever that
		// read's error says, the next attempt must look for this ticket.
		return t, "", &psa.Error{Class: psa.Retryable, Message: "ticket " + t.ID + " created but not read back: " + err.Error()}
	}
	if err != nil {
		return t, "", fmt.Errorf("create ticket for %s: %w", dec.CompanyName, err)
	}
	if hook := dl.cfg.AfterCreate; hook != nil {
		if err := hook(ctx, t); err != nil {
			return t, "", err
		}
	}
	return t, "created" + how, nil
}

// contactFor finds the ticket contact (see ChooseContact) and says how,
// for the timeline.
func (dl *deliverer) contactFor(ctx context.Context, dec rules.Decision) (string, string, error) {
	c, err := ChooseContact(ctx, cachedContacts{dl}, dec)
	if err != nil {
		return "", "", err
	}
	switch c.Source {
	case ContactByEmail:
		return c.ID, " with contact " + c.Name + " (found by email)", nil
	case ContactFallback:
		return c.ID, " with fallback contact " + c.Name + " (no contact with the alert's email)", nil
	case ContactCompanyFirst:
		return c.ID, " with the company's first contact " + c.Name, nil
	case ContactNone:
		return "", " without contact (none found)", nil
	}
	return "", "", nil
}
