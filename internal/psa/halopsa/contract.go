package halopsa

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Contracts are client contracts; services are items; a contract service
// is an item on the contract's recurring invoice. Halo keeps one quantity
// per recurring invoice line and no history of it, so units are kept as
// lines: the service's first line (its id is the contract service's id,
// quantity 0) and one line per date a change takes effect, holding the
// change from that startdate on. The units in effect on a date are the
// sum of the item's lines started by then, which is also what the
// recurring invoice bills.

var _ psa.Contracts = (*Connector)(nil)

type contractWire struct {
	ID       int64  `json:"id"`
	ClientID int64  `json:"client_id"`
	Ref      string `json:"ref"`
	Active   *bool  `json:"active"`
	Expired  bool   `json:"expired"`
}

type itemWire struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	BasePrice float64 `json:"baseprice"`
	CostPrice float64 `json:"costprice"`
}

type invoiceWire struct {
	ID         int64      `json:"id"`
	ClientID   int64      `json:"client_id,omitempty"`
	ContractID int64      `json:"contract_id,omitempty"`
	Lines      []lineWire `json:"lines,omitempty"`
}

type lineWire struct {
	ID        int64    `json:"id,omitempty"`
	IHID      int64    `json:"ihid"`
	ItemID    int64    `json:"_itemid,omitempty"`
	Qty       *float64 `json:"qty_order,omitempty"`
	UnitPrice *float64 `json:"unit_price,omitempty"`
	UnitCost  *float64 `json:"unit_cost,omitempty"`
	StartDate string   `json:"startdate,omitempty"`
}

func (l lineWire) qty() float64 {
	if l.Qty == nil {
		return 0
	}
	return *l.Qty
}

func val(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// Contracts lists the client's active, unexpired contracts.
func (c *Connector) Contracts(ctx context.Context, companyID string) ([]psa.Contract, error) {
	cid, err := atoi("company", companyID)
	if err != nil {
		return nil, err
	}
	rows, err := list[contractWire](ctx, c, "ClientContract", "contracts", url.Values{"client_id": {strconv.FormatInt(cid, 10)}}, "contracts.query")
	if err != nil {
		return nil, err
	}
	var out []psa.Contract
	for _, r := range rows {
		if r.ClientID != cid || r.Expired || (r.Active != nil && !*r.Active) {
			continue
		}
		out = append(out, psa.Contract{ID: itoa(r.ID), CompanyID: itoa(r.ClientID), Name: r.Ref, Active: true})
	}
	return out, nil
}

// Services lists the items.
func (c *Connector) Services(ctx context.Context) ([]psa.Service, error) {
	rows, err := list[itemWire](ctx, c, "Item", "items", nil, "items.query")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Service, len(rows))
	for i, r := range rows {
		out[i] = psa.Service{ID: itoa(r.ID), Name: r.Name, UnitPrice: r.BasePrice, UnitCost: r.CostPrice}
	}
	return out, nil
}

// invoiceOf reads the contract's recurring invoice with its lines; ok is
// false when it has none.
func (c *Connector) invoiceOf(ctx context.Context, contractID string) (invoiceWire, bool, error) {
	kid, err := atoi("contract", contractID)
	if err != nil {
		return invoiceWire{}, false, err
	}
	q := url.Values{"contract_id": {strconv.FormatInt(kid, 10)}, "includelines": {"true"}}
	rows, err := list[invoiceWire](ctx, c, "RecurringInvoice", "invoices", q, "invoices.query")
	if err != nil {
		return invoiceWire{}, false, err
	}
	for _, r := range rows {
		if r.ContractID == kid {
			return r, true, nil
		}
	}
	return invoiceWire{}, false, nil
}

// anchors returns each item's first line, by item.
func anchors(lines []lineWire) map[int64]lineWire {
	out := map[int64]lineWire{}
	for _, l := range lines {
		if a, ok := out[l.ItemID]; !ok || l.ID < a.ID {
			out[l.ItemID] = l
		}
	}
	return out
}

// ContractServices lists the items on the contract's recurring invoice,
// one per item.
func (c *Connector) ContractServices(ctx context.Context, contractID string) ([]psa.ContractService, error) {
	inv, ok, err := c.invoiceOf(ctx, contractID)
	if err != nil || !ok {
		return nil, err
	}
	var out []psa.ContractService
	for item, a := range anchors(inv.Lines) {
		out = append(out, psa.ContractService{ID: itoa(a.ID), ContractID: contractID, ServiceID: itoa(item),
			UnitPrice: val(a.UnitPrice), UnitCost: val(a.UnitCost)})
	}
	slices.SortFunc(out, func(a, b psa.ContractService) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// AddContractService puts the item on the contract's recurring invoice
// with no units, creating the invoice when the contract has none.
func (c *Connector) AddContractService(ctx context.Context, contractID, serviceID string, unitPrice, unitCost float64) (psa.ContractService, error) {
	item, err := atoi("service", serviceID)
	if err != nil {
		return psa.ContractService{}, err
	}
	inv, ok, err := c.invoiceOf(ctx, contractID)
	if err != nil {
		return psa.ContractService{}, err
	}
	if !ok {
		if inv, err = c.newInvoice(ctx, contractID); err != nil {
			return psa.ContractService{}, err
		}
	}
	zero := 0.0
	l := lineWire{IHID: inv.ID, ItemID: item, Qty: &zero, UnitPrice: &unitPrice, UnitCost: &unitCost}
	var got lineWire
	if err := c.call(ctx, http.MethodPost, "RecurringInvoice/updatelines", nil, "invoices.add_line", []lineWire{l}, &got); err != nil {
		return psa.ContractService{}, err
	}
	return psa.ContractService{ID: itoa(got.ID), ContractID: contractID, ServiceID: serviceID,
		UnitPrice: val(got.UnitPrice), UnitCost: val(got.UnitCost)}, nil
}

// newInvoice creates the contract's recurring invoice for its client.
func (c *Connector) newInvoice(ctx context.Context, contractID string) (invoiceWire, error) {
	var k contractWire
	if err := c.call(ctx, http.MethodGet, "ClientContract/"+contractID, nil, "contracts.get", nil, &k); err != nil {
		return invoiceWire{}, notFound(err, "contract "+contractID)
	}
	var got invoiceWire
	err := c.call(ctx, http.MethodPost, "RecurringInvoice", nil, "invoices.create", []invoiceWire{{ClientID: k.ClientID, ContractID: k.ID}}, &got)
	return got, err
}

// serviceLines returns the lines of the contract service's item.
func (c *Connector) serviceLines(ctx context.Context, contractID, contractServiceID string) (invoiceWire, []lineWire, error) {
	lid, err := atoi("contract service", contractServiceID)
	if err != nil {
		return invoiceWire{}, nil, err
	}
	inv, _, err := c.invoiceOf(ctx, contractID)
	if err != nil {
		return invoiceWire{}, nil, err
	}
	i := slices.IndexFunc(inv.Lines, func(l lineWire) bool { return l.ID == lid })
	if i < 0 {
		return invoiceWire{}, nil, psa.ErrNotFound
	}
	var out []lineWire
	for _, l := range inv.Lines {
		if l.ItemID == inv.Lines[i].ItemID {
			out = append(out, l)
		}
	}
	return inv, out, nil
}

// day is the calendar date of t as Halo writes dates.
func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// ContractServiceUnits sums the item's lines started by the date.
func (c *Connector) ContractServiceUnits(ctx context.Context, contractID, contractServiceID string, at time.Time) (float64, error) {
	_, lines, err := c.serviceLines(ctx, contractID, contractServiceID)
	if err != nil {
		return 0, err
	}
	units := 0.0
	for _, l := range lines {
		if l.StartDate == "" || !parseTime(l.StartDate).After(day(at)) {
			units += l.qty()
		}
	}
	return units, nil
}

// AdjustContractService adds the change as a line starting on the
// effective date, or to the line already starting then. The lock keeps
// two adjustments of one line from both reading the same quantity.
func (c *Connector) AdjustContractService(ctx context.Context, a psa.Adjustment) error {
	mu := c.lineLock(a.ContractServiceID)
	mu.Lock()
	defer mu.Unlock()
	inv, lines, err := c.serviceLines(ctx, a.ContractID, a.ContractServiceID)
	if err != nil {
		return err
	}
	start := haloTime(day(a.EffectiveDate))
	for _, l := range lines {
		if l.StartDate != "" && day(parseTime(l.StartDate)).Equal(day(a.EffectiveDate)) {
			q := l.qty() + a.UnitChange
			return c.call(ctx, http.MethodPost, "RecurringInvoice/updatelines", nil, "invoices.update_line", []lineWire{{ID: l.ID, IHID: inv.ID, Qty: &q}}, nil)
		}
	}
	anchor := lines[0]
	price, cost := cmp.Or(a.UnitPrice, val(anchor.UnitPrice)), cmp.Or(a.UnitCost, val(anchor.UnitCost))
	q := a.UnitChange
	l := lineWire{IHID: inv.ID, ItemID: anchor.ItemID, Qty: &q, UnitPrice: &price, UnitCost: &cost, StartDate: start}
	return c.call(ctx, http.MethodPost, "RecurringInvoice/updatelines", nil, "invoices.add_line", []lineWire{l}, nil)
}

// lineLock returns the lock of one contract service.
func (c *Connector) lineLock(id string) *sync.Mutex {
	c.lineMu.Lock()
	defer c.lineMu.Unlock()
	if c.lineLocks == nil {
		c.lineLocks = map[string]*sync.Mutex{}
	}
	if c.lineLocks[id] == nil {
		c.lineLocks[id] = &sync.Mutex{}
	}
	return c.lineLocks[id]
}
