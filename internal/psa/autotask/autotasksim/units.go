package autotasksim

import (
	"slices"
	"time"
)

// maxPeriods bounds the unit rows of one contract service (and keeps row
// ids unique: a row's id is contractServiceID*unitIDStride + its index).
const (
	maxPeriods   = 600
	unitIDStride = 10000
)

// unitSpan is one ContractServiceUnits row before it is stored.
type unitSpan struct {
	start, end  time.Time // calendar days, end inclusive
	units       int64
	price, cost any
}

// deriveUnits rebuilds the ContractServiceUnits rows of one contract
// service from its contract's dates and its adjustments. Callers hold mu.
func (s *Sim) deriveUnits(csID int64) {
	table := s.entities["contractserviceunits"]
	for id, r := range table.rows {
		if asInt(r["contractServiceID"]) == csID {
			delete(table.rows, id)
		}
	}
	cs := s.entities["contractservices"].rows[csID]
	if cs == nil {
		return
	}
	contract := s.entities["contracts"].rows[asInt(cs["contractID"])]
	if contract == nil {
		return
	}
	for i, sp := range unitSpans(contract, cs, s.adjustmentsOf(csID)) {
		table.insert(csID*unitIDStride+int64(i+1), record{
			"contractID": cs["contractID"], "contractServiceID": csID, "serviceID": cs["serviceID"],
			"startDate": sp.start, "endDate": sp.end, "units": sp.units,
			"price": sp.price, "cost": sp.cost, "internalCurrencyPrice": sp.price,
		})
	}
}

// unitSpans cuts the contract's term into monthly periods, splits them where
// an adjustment takes effect and sums the unit changes in effect on each
// span's first day. Price and cost are the latest adjusted values, else the
// contract service's own.
func unitSpans(contract, cs record, adjs []record) []unitSpan {
	start, ok1 := contract["startDate"].(time.Time)
	end, ok2 := contract["endDate"].(time.Time)
	if !ok1 || !ok2 {
		return nil
	}
	start, end = midnight(start), midnight(end)
	cuts := map[time.Time]bool{}
	for i := 0; i < maxPeriods; i++ {
		if d := start.AddDate(0, i, 0); !d.After(end) {
			cuts[d] = true
		}
	}
	for _, a := range adjs {
		cuts[a["effectiveDate"].(time.Time)] = true
	}
	days := sortedDays(cuts, end)
	var out []unitSpan
	for i, d := range days {
		next := end.AddDate(0, 0, 1)
		if i+1 < len(days) {
			next = days[i+1]
		}
		sp := unitSpan{start: d, end: next.AddDate(0, 0, -1), price: cs["unitPrice"], cost: cs["unitCost"]}
		for _, a := range adjs {
			if a["effectiveDate"].(time.Time).After(d) {
				break
			}
			sp.units += asInt(a["unitChange"])
			if a["adjustedUnitPrice"] != nil {
				sp.price = a["adjustedUnitPrice"]
			}
			if a["adjustedUnitCost"] != nil {
				sp.cost = a["adjustedUnitCost"]
			}
		}
		out = append(out, sp)
	}
	return out
}

// sortedDays returns the cut days up to end in ascending order.
func sortedDays(cuts map[time.Time]bool, end time.Time) []time.Time {
	days := make([]time.Time, 0, len(cuts))
	for d := range cuts {
		if !d.After(end) {
			days = append(days, d)
		}
	}
	slices.SortFunc(days, time.Time.Compare)
	if len(days) > maxPeriods {
		days = days[:maxPeriods]
	}
	return days
}
