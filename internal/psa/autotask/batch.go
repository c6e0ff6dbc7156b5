package autotask

import (
	"context"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxInValues keeps an `in` filter within Autotask's 500-condition limit.
const maxInValues = 500

var _ psa.TicketLister = (*Connector)(nil)

// TicketsByID implements psa.TicketLister with one query per 500 ids.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	var out []psa.Ticket
	for start := 0; start < len(ids); start += maxInValues {
		chunk := ids[start:min(start+maxInValues, len(ids))]
		values := make([]any, 0, len(chunk))
		for _, id := range chunk {
			n, err := parseID("ticket", id)
			if err != nil {
				return nil, err
			}
			values = append(values, n)
		}
		rows, err := queryAll[ticketWire](ctx, c, "Tickets", "tickets.batch", []filter{{Op: "in", Field: "id", Value: values}})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, r.ticket())
		}
	}
	return out, nil
}
