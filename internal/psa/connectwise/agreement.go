package connectwise

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

var _ psa.Contracts = (*Connector)(nil)

// How the contract port maps onto ConnectWise:
//   - a contract is an agreement (finance/agreements);
//   - a service is a procurement catalog item, named by its identifier;
//   - a contract service is an agreement addition (ContractService.ID is
//     the addition id, ServiceID its product id) and its units are the
//     addition's quantity.
//
// ConnectWise keeps one quantity per addition, not a dated history of
// units, so adjustments change that quantity in place (see
// AdjustContractService) and units at a date are approximated with the
// addition's effective and cancelled dates (see ContractServiceUnits).

type agreementWire struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	Company          *ref   `json:"company"`
	AgreementStatus  string `json:"agreementStatus"`
	CancelledFlag    bool   `json:"cancelledFlag"`
	StartDate        string `json:"startDate"`
	EndDate          string `json:"endDate"`
	NoEndingDateFlag bool   `json:"noEndingDateFlag"`
}

type catalogWire struct {
	ID           int64    `json:"id"`
	Identifier   string   `json:"identifier"`
	Description  string   `json:"description"`
	Price        *float64 `json:"price"`
	Cost         *float64 `json:"cost"`
	InactiveFlag bool     `json:"inactiveFlag"`
}

type additionWire struct {
	ID            int64    `json:"id"`
	AgreementID   int64    `json:"agreementId"`
	Product       *ref     `json:"product"`
	Quantity      *float64 `json:"quantity"`
	UnitPrice     *float64 `json:"unitPrice"`
	UnitCost      *float64 `json:"unitCost"`
	EffectiveDate string   `json:"effectiveDate"`
	CancelledDate string   `json:"cancelledDate"`
}

// Contracts lists the company's agreements in force today: not
// cancelled, status Active (or none given), started, and not ended.
func (c *Connector) Contracts(ctx context.Context, companyID string) ([]psa.Contract, error) {
	cid, err := parseID("company", companyID)
	if err != nil {
		return nil, err
	}
	q := url.Values{"conditions": {and(eqInt("company/id", cid), "cancelledFlag=false")}, "orderBy": {"id asc"}}
	rows, err := collect[agreementWire](ctx, c, "finance/agreements", q, "agreements.list")
	if err != nil {
		return nil, err
	}
	today := calendarDay(c.now())
	out := make([]psa.Contract, 0, len(rows))
	for _, r := range rows {
		if idOf(r.Company) != itoa(cid) || !r.inForce(today) {
			continue // a peer that ignored the conditions, or not in force
		}
		out = append(out, psa.Contract{ID: itoa(r.ID), CompanyID: itoa(cid), Name: r.Name, Active: true})
	}
	return out, nil
}

// inForce reports whether the agreement applies on day.
func (r agreementWire) inForce(day time.Time) bool {
	if r.CancelledFlag || (r.AgreementStatus != "" && r.AgreementStatus != "Active") {
		return false
	}
	if start := parseTime(r.StartDate); !start.IsZero() && calendarDay(start).After(day) {
		return false
	}
	end := parseTime(r.EndDate)
	return r.NoEndingDateFlag || end.IsZero() || !calendarDay(end).Before(day)
}

// Services lists the active catalog items, named by identifier (the
// short unique code admins recognise, e.g. MDR-USER).
func (c *Connector) Services(ctx context.Context) ([]psa.Service, error) {
	q := url.Values{"conditions": {"inactiveFlag=false"}, "orderBy": {"id asc"}}
	rows, err := collect[catalogWire](ctx, c, "procurement/catalog", q, "catalog.list")
	if err != nil {
		return nil, err
	}
	out := make([]psa.Service, 0, len(rows))
	for _, r := range rows {
		if r.InactiveFlag {
			continue
		}
		out = append(out, psa.Service{
			ID: itoa(r.ID), Name: cmp.Or(r.Identifier, r.Description),
			UnitPrice: num(r.Price), UnitCost: num(r.Cost),
		})
	}
	return out, nil
}

// ContractServices lists the agreement's additions that are not
// cancelled as of today: a cancelled addition bills nothing, and billing
// must not adjust it.
func (c *Connector) ContractServices(ctx context.Context, contractID string) ([]psa.ContractService, error) {
	aid, err := parseID("agreement", contractID)
	if err != nil {
		return nil, err
	}
	rows, err := c.additions(ctx, aid)
	if err != nil {
		return nil, err
	}
	today := calendarDay(c.now())
	out := make([]psa.ContractService, 0, len(rows))
	for _, r := range rows {
		if cancelled := parseTime(r.CancelledDate); !cancelled.IsZero() && !calendarDay(cancelled).After(today) {
			continue
		}
		out = append(out, r.contractService(contractID))
	}
	return out, nil
}

func (c *Connector) additions(ctx context.Context, aid int64) ([]additionWire, error) {
	path := fmt.Sprintf("finance/agreements/%d/additions", aid)
	rows, err := collect[additionWire](ctx, c, path, url.Values{"orderBy": {"id asc"}}, "additions.list")
	if err != nil {
		return nil, notFound(err, "agreement "+itoa(aid))
	}
	slices.SortFunc(rows, func(a, b additionWire) int { return cmp.Compare(a.ID, b.ID) })
	return rows, nil
}

func (r additionWire) contractService(contractID string) psa.ContractService {
	return psa.ContractService{
		ID: itoa(r.ID), ContractID: contractID, ServiceID: idOf(r.Product),
		UnitPrice: num(r.UnitPrice), UnitCost: num(r.UnitCost),
	}
}

// AddContractService adds the product to the agreement as a Billable
// addition with quantity 0: units arrive through AdjustContractService,
// which also dates the addition from the first units.
func (c *Connector) AddContractService(ctx context.Context, contractID, serviceID string, unitPrice, unitCost float64) (psa.ContractService, error) {
	aid, err := parseID("agreement", contractID)
	if err != nil {
		return psa.ContractService{}, err
	}
	pid, err := parseID("product", serviceID)
	if err != nil {
		return psa.ContractService{}, err
	}
	body := map[string]any{
		"product": idRef(pid), "quantity": 0, "billCustomer": "Billable",
		"unitPrice": unitPrice, "unitCost": unitCost,
	}
	var res additionWire
	path := fmt.Sprintf("finance/agreements/%d/additions", aid)
	if _, err := c.call(ctx, http.MethodPost, path, "additions.create", body, &res); err != nil {
		return psa.ContractService{}, notFound(err, "agreement "+contractID)
	}
	if res.ID == 0 {
		return psa.ContractService{}, &psa.Error{Class: psa.Permanent, Message: "additions.create: answer has no id"}
	}
	return res.contractService(contractID), nil
}

// addition reads one addition of an agreement.
func (c *Connector) addition(ctx context.Context, contractID, contractServiceID string) (int64, additionWire, error) {
	aid, err := parseID("agreement", contractID)
	if err != nil {
		return 0, additionWire{}, err
	}
	id, err := parseID("addition", contractServiceID)
	if err != nil {
		return 0, additionWire{}, err
	}
	var w additionWire
	path := fmt.Sprintf("finance/agreements/%d/additions/%d", aid, id)
	if _, err := c.call(ctx, http.MethodGet, path, "additions.get", nil, &w); err != nil {
		return 0, additionWire{}, notFound(err, "addition "+contractServiceID+" of agreement "+contractID)
	}
	return aid, w, nil
}

// ContractServiceUnits returns the addition's quantity. ConnectWise keeps
// no dated history of quantities, so at only decides whether the addition
// applies: 0 before its effective date or from its cancelled date on
// (calendar days, at read in its own location), its current quantity
// otherwise. Asked about a past date after a later change, it answers the
// current quantity.
func (c *Connector) ContractServiceUnits(ctx context.Context, contractID, contractServiceID string, at time.Time) (float64, error) {
	_, w, err := c.addition(ctx, contractID, contractServiceID)
	if err != nil {
		return 0, err
	}
	day := calendarDay(at)
	if eff := parseTime(w.EffectiveDate); !eff.IsZero() && calendarDay(eff).After(day) {
		return 0, nil
	}
	if cancelled := parseTime(w.CancelledDate); !cancelled.IsZero() && !calendarDay(cancelled).After(day) {
		return 0, nil
	}
	return num(w.Quantity), nil
}

// AdjustContractService changes the addition's quantity by UnitChange:
// it reads the quantity and PATCHes quantity = current + UnitChange.
// Non-zero UnitPrice and UnitCost replace the addition's when they differ. When the
// addition held no units, its effectiveDate becomes the adjustment's
// date, so billing starts with the first units; later changes keep the
// date, since moving the start of an addition that already bills would
// re-date its whole past.
//
// A read-modify-write is not idempotent by itself. Within this process,
// adjustments of one addition are serialised, so two cannot both read the
// same quantity. The PATCH is never retried in-call (psahttp retries
// reads only), and the billing engine computes every change from the
// units it has just read, so a repeated sync after a lost answer posts
// the remaining difference, not the change again. A change by someone
// else between our read and our write is overwritten; ConnectWise offers
// no conditional write (JSON-Patch "test" is not among its operations).
func (c *Connector) AdjustContractService(ctx context.Context, a psa.Adjustment) error {
	id, err := parseID("addition", a.ContractServiceID)
	if err != nil {
		return err
	}
	mu := c.additionLock(id)
	mu.Lock()
	defer mu.Unlock()
	aid, w, err := c.addition(ctx, a.ContractID, a.ContractServiceID)
	if err != nil {
		return err
	}
	current := num(w.Quantity)
	want := current + a.UnitChange
	if want < 0 || math.IsNaN(want) || math.IsInf(want, 0) {
		return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf(
			"addition %d holds %v units; a change of %v would make it negative", id, current, a.UnitChange)}
	}
	ops := adjustOps(a, w, want)
	if len(ops) == 0 {
		return nil
	}
	var res additionWire
	path := fmt.Sprintf("finance/agreements/%d/additions/%d", aid, id)
	if _, err := c.call(ctx, http.MethodPatch, path, "additions.update", ops, &res); err != nil {
		return notFound(err, "addition "+a.ContractServiceID+" of agreement "+a.ContractID)
	}
	if res.Quantity != nil && *res.Quantity != want {
		return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("addition %d holds %v units after setting %v", id, *res.Quantity, want)}
	}
	return nil
}

// adjustOps builds the JSON-Patch of an adjustment; none when nothing
// changes.
func adjustOps(a psa.Adjustment, w additionWire, want float64) []patchOp {
	var ops []patchOp
	if current := num(w.Quantity); want != current {
		ops = append(ops, patchOp{Op: "replace", Path: "quantity", Value: want})
		if current == 0 && !a.EffectiveDate.IsZero() {
			ops = append(ops, patchOp{Op: "replace", Path: "effectiveDate", Value: formatTime(calendarDay(a.EffectiveDate))})
		}
	}
	if a.UnitPrice != 0 && a.UnitPrice != num(w.UnitPrice) {
		ops = append(ops, patchOp{Op: "replace", Path: "unitPrice", Value: a.UnitPrice})
	}
	if a.UnitCost != 0 && a.UnitCost != num(w.UnitCost) {
		ops = append(ops, patchOp{Op: "replace", Path: "unitCost", Value: a.UnitCost})
	}
	return ops
}

// additionLock returns the lock of one addition's quantity.
func (c *Connector) additionLock(id int64) *sync.Mutex {
	c.addMu.Lock()
	defer c.addMu.Unlock()
	if c.addIDs == nil {
		c.addIDs = make(map[int64]*sync.Mutex)
	}
	mu, ok := c.addIDs[id]
	if !ok {
		mu = &sync.Mutex{}
		c.addIDs[id] = mu
	}
	return mu
}

// calendarDay is t's date in its own location as midnight UTC, the way
// ConnectWise date fields carry a calendar date.
func calendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func num(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
