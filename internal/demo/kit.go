package demo

import (
	"context"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// SetStatus sets a ticket's status by its label, as a technician does in
// the PSA (statuses of the ticket's board, where the PSA has boards).
func (e *Env) SetStatus(ctx context.Context, ticketID, label string) error {
	t, err := e.Tech.Ticket(ctx, ticketID)
	if err != nil {
		return fmt.Errorf("read ticket %s: %w", ticketID, err)
	}
	pl, err := e.Tech.Picklists(ctx)
	if err != nil {
		return err
	}
	v, ok := pl.Lookup(psa.FieldStatus, label, t.Queue)
	if !ok {
		if v, ok = pl.Lookup(psa.FieldStatus, label, ""); !ok {
			return fmt.Errorf("no status %q", label)
		}
	}
	return e.Tech.UpdateTicket(ctx, ticketID, psa.TicketPatch{Status: &v.ID})
}

// CloseTicket closes a ticket as a technician does.
func (e *Env) CloseTicket(ctx context.Context, ticketID string) error {
	return e.SetStatus(ctx, ticketID, e.Sim.Seed().ClosedStatus)
}

// DeleteTicket deletes a ticket as a person does in the PSA's own screens.
func (e *Env) DeleteTicket(ticketID string) error {
	d, ok := e.Sim.(driver.TicketDeleter)
	if !ok {
		return fmt.Errorf("the %T simulator cannot delete tickets", e.Sim)
	}
	if !d.DeleteTicket(ticketID) {
		return fmt.Errorf("no ticket %s to delete", ticketID)
	}
	return nil
}

// RenameQueue renames the queue tickets go to, as an admin does in the
// PSA's own screens.
func (e *Env) RenameQueue(from, to string) error {
	q, ok := e.Sim.(driver.QueueRenamer)
	if !ok {
		return fmt.Errorf("the %T simulator cannot rename queues", e.Sim)
	}
	if !q.RenameQueue(from, to) {
		return fmt.Errorf("no queue %q to rename", from)
	}
	return nil
}
