package autotask

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

var _ psa.Contracts = (*Connector)(nil)

// contractActive is Contracts.status for an active contract (0 inactive).
const contractActive = "1"

// effectiveDateLayout is how adjustment dates are sent: the calendar date at
// midnight without a zone, so Autotask applies no zone conversion.
const effectiveDateLayout = "2006-01-02T00:00:00"

type contractWire struct {
	ID           flexString `json:"id"`
	CompanyID    flexString `json:"companyID"`
	ContractName string     `json:"contractName"`
	Status       flexString `json:"status"`
}

type serviceWire struct {
	ID        flexString `json:"id"`
	Name      string     `json:"name"`
	UnitPrice *float64   `json:"unitPrice"`
	UnitCost  *float64   `json:"unitCost"`
}

type contractServiceWire struct {
	ID         flexString `json:"id"`
	ContractID flexString `json:"contractID"`
	ServiceID  flexString `json:"serviceID"`
	UnitPrice  *float64   `json:"unitPrice"`
	UnitCost   *float64   `json:"unitCost"`
}

type unitsWire struct {
	StartDate wireTime `json:"startDate"`
	EndDate   wireTime `json:"endDate"`
	Units     *float64 `json:"units"`
}

// Contracts lists the active contracts (status 1) of a company.
func (c *Connector) Contracts(ctx context.Context, companyID string) ([]psa.Contract, error) {
	cid, err := parseID("company", companyID)
	if err != nil {
		return nil, err
	}
	rows, err := queryAll[contractWire](ctx, c, "Contracts", "contracts.query", []filter{
		{Op: "eq", Field: "companyID", Value: cid},
		{Op: "eq", Field: "status", Value: 1},
	})
	if err != nil {
		return nil, err
	}
	out := make([]psa.Contract, 0, len(rows))
	for _, r := range rows {
		out = append(out, psa.Contract{
			ID: string(r.ID), CompanyID: string(r.CompanyID), Name: r.ContractName,
			Active: string(r.Status) == contractActive,
		})
	}
	return out, nil
}

// Services lists the active services of the catalogue.
func (c *Connector) Services(ctx context.Context) ([]psa.Service, error) {
	rows, err := queryAll[serviceWire](ctx, c, "Services", "services.query",
		[]filter{{Op: "eq", Field: "isActive", Value: true}})
	if err != nil {
		return nil, err
	}
	out := make([]psa.Service, 0, len(rows))
	for _, r := range rows {
		out = append(out, psa.Service{ID: string(r.ID), Name: r.Name, UnitPrice: num(r.UnitPrice), UnitCost: num(r.UnitCost)})
	}
	return out, nil
}

// ContractServices lists the services on a contract.
func (c *Connector) ContractServices(ctx context.Context, contractID string) ([]psa.ContractService, error) {
	cid, err := parseID("contract", contractID)
	if err != nil {
		return nil, err
	}
	rows, err := queryAll[contractServiceWire](ctx, c, "ContractServices", "contractservices.query",
		[]filter{{Op: "eq", Field: "contractID", Value: cid}})
	if err != nil {
		return nil, err
	}
	out := make([]psa.ContractService, 0, len(rows))
	for _, r := range rows {
		out = append(out, psa.ContractService{
			ID: string(r.ID), ContractID: string(r.ContractID), ServiceID: string(r.ServiceID),
			UnitPrice: num(r.UnitPrice), UnitCost: num(r.UnitCost),
		})
	}
	return out, nil
}

// AddContractService puts a service on a contract through the contract's
// child path. Autotask refuses a service already on the contract (500,
// a permanent error).
func (c *Connector) AddContractService(ctx context.Context, contractID, serviceID string, unitPrice, unitCost float64) (psa.ContractService, error) {
	cid, err := parseID("contract", contractID)
	if err != nil {
		return psa.ContractService{}, err
	}
	sid, err := parseID("service", serviceID)
	if err != nil {
		return psa.ContractService{}, err
	}
	body := map[string]any{"contractID": cid, "serviceID": sid, "unitPrice": unitPrice, "unitCost": unitCost}
	var res itemResult
	path := fmt.Sprintf("V1.0/Contracts/%d/Services", cid)
	if err := c.call(ctx, http.MethodPost, path, "contractservices.create", body, &res); err != nil {
		return psa.ContractService{}, err
	}
	if res.ItemID == "" {
		return psa.ContractService{}, &psa.Error{Class: psa.Permanent, Message: "contractservices.create: answer has no itemId"}
	}
	return psa.ContractService{
		ID: string(res.ItemID), ContractID: contractID, ServiceID: serviceID, UnitPrice: unitPrice, UnitCost: unitCost,
	}, nil
}

// ContractServiceUnits returns the units of the ContractServiceUnits row
// whose period holds at's calendar date (in at's own location), 0 when no
// row does. Periods are compared as whole days, end day included; should
// two rows hold the date (a tenant writing exclusive end dates), the later
// one wins.
func (c *Connector) ContractServiceUnits(ctx context.Context, contractID, contractServiceID string, at time.Time) (float64, error) {
	cid, err := parseID("contract", contractID)
	if err != nil {
		return 0, err
	}
	sid, err := parseID("contract service", contractServiceID)
	if err != nil {
		return 0, err
	}
	day := calendarDay(at)
	rows, err := queryAll[unitsWire](ctx, c, "ContractServiceUnits", "contractserviceunits.query", []filter{
		{Op: "eq", Field: "contractID", Value: cid},
		{Op: "eq", Field: "contractServiceID", Value: sid},
		{Op: "lte", Field: "startDate", Value: day.Add(24*time.Hour - time.Millisecond).Format(feedTime)},
	})
	if err != nil {
		return 0, err
	}
	var best *unitsWire
	for i, r := range rows {
		start, end := calendarDay(time.Time(r.StartDate)), time.Time(r.EndDate)
		if start.After(day) || (!end.IsZero() && calendarDay(end).Before(day)) {
			continue
		}
		if best == nil || start.After(calendarDay(time.Time(best.StartDate))) {
			best = &rows[i]
		}
	}
	if best == nil {
		return 0, nil
	}
	return num(best.Units), nil
}

// AdjustContractService posts one ContractServiceAdjustments row. Autotask
// counts units in whole numbers; a fractional change is refused here.
// Zero UnitPrice or UnitCost means "keep the current one" and is not sent.
func (c *Connector) AdjustContractService(ctx context.Context, a psa.Adjustment) error {
	cid, err := parseID("contract", a.ContractID)
	if err != nil {
		return err
	}
	sid, err := parseID("contract service", a.ContractServiceID)
	if err != nil {
		return err
	}
	if a.UnitChange != math.Trunc(a.UnitChange) || math.Abs(a.UnitChange) > math.MaxInt32 {
		return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("unit change %v is not a whole number of units", a.UnitChange)}
	}
	body := map[string]any{
		"contractID": cid, "contractServiceID": sid, "unitChange": int64(a.UnitChange),
		"effectiveDate":      calendarDay(a.EffectiveDate).Format(effectiveDateLayout),
		"allowRepeatService": false,
	}
	if a.ServiceID != "" {
		svc, err := parseID("service", a.ServiceID)
		if err != nil {
			return err
		}
		body["serviceID"] = svc
	}
	if a.UnitPrice != 0 {
		body["adjustedUnitPrice"] = a.UnitPrice
	}
	if a.UnitCost != 0 {
		body["adjustedUnitCost"] = a.UnitCost
	}
	return c.call(ctx, http.MethodPost, "V1.0/ContractServiceAdjustments", "contractserviceadjustments.create", body, nil)
}

// calendarDay is t's date in its own location as midnight UTC: the "no zone
// conversion" reading Autotask gives date-only fields.
func calendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func num(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
