package connectwise

import (
	"context"
	"net/url"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxInValues keeps a conditions string well inside URL length limits.
const maxInValues = 200

var _ psa.TicketLister = (*Connector)(nil)

// TicketsByID implements psa.TicketLister with one `id in (…)` query per
// 200 ids.
func (c *Connector) TicketsByID(ctx context.Context, ids []string) ([]psa.Ticket, error) {
	var out []psa.Ticket
	for start := 0; start < len(ids); start += maxInValues {
		chunk := ids[start:min(start+maxInValues, len(ids))]
		for _, id := range chunk {
			if _, err := parseID("ticket", id); err != nil {
				return nil, err
			}
		}
		q := url.Values{"conditions": {"id in (" + strings.Join(chunk, ",") + ")"}, "pageSize": {"1000"}}
		rows, err := collect[ticketWire](ctx, c, "service/tickets", q, "tickets.batch")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			t, err := c.ticket(ctx, r)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}
