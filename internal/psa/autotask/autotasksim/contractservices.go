package autotasksim

import (
	"sort"
	"time"
)

// Contract services, their units and the adjustments that change them.
//
// The units of a contract service are never written directly: clients post
// ContractServiceAdjustments (create-only) and read ContractServiceUnits
// (read-only), which the simulator derives from the adjustments. A service
// put on a contract starts with 0 units (a guess: the REST model of a
// contract service has no units field, so a client has to adjust).
//
// ContractServiceUnits has one row per monthly contract period, split where
// an adjustment takes effect inside a period, so every row has one unit
// count. startDate and endDate are calendar days at midnight, endDate
// inclusive.

func contractServiceFields() []field {
	return []field{
		fLong("id").ro(),
		fInt("contractID").req().ref("Contract"),
		fDec("internalCurrencyAdjustedPrice").ro(),
		fDec("internalCurrencyUnitPrice").ro(),
		fStr("internalDescription", 1000),
		fStr("invoiceDescription", 1000),
		fLong("quoteItemID"),
		fInt("serviceID").req().ref("Service"),
		fDec("unitCost"),
		fDec("unitPrice"),
	}
}

// newContractServices builds ContractServices: queried at the root, written
// through /Contracts/{id}/Services only.
func newContractServices() *entity {
	e := newEntity("ContractServices", "ContractService", 701, contractServiceFields())
	e.canCreate, e.canUpdate, e.rootPath = true, true, true
	e.rules = contractServiceRules
	e.stamp = func(_ *Sim, w *write) {
		w.rec["internalCurrencyUnitPrice"] = w.rec["unitPrice"]
		w.rec["internalCurrencyAdjustedPrice"] = w.rec["unitPrice"]
	}
	e.after = func(s *Sim, w *write) { s.deriveUnits(asInt(w.rec["id"])) }
	return e
}

// contractServiceRules refuses a service already on the contract (live
// Autotask answers 500; the wording here is ours) and prices an unpriced
// line from the service catalogue.
func contractServiceRules(s *Sim, w *write) error {
	r := w.rec
	if w.old != nil && (w.changed["serviceID"] || w.changed["contractID"]) {
		return invalid("serviceID and contractID of a contract service cannot be changed.")
	}
	svc := s.entities["services"].rows[asInt(r["serviceID"])]
	if w.old != nil || svc == nil {
		return nil
	}
	if svc["isActive"] == false {
		return invalid("serviceID %d refers to an inactive service.", asInt(r["serviceID"]))
	}
	for _, cs := range s.entities["contractservices"].rows {
		if sameValue(cs["contractID"], r["contractID"]) && sameValue(cs["serviceID"], r["serviceID"]) {
			return invalid("Service %d is already on contract %d.", asInt(r["serviceID"]), asInt(r["contractID"]))
		}
	}
	for _, k := range []string{"unitPrice", "unitCost"} {
		if r[k] == nil {
			r[k] = svc[k]
		}
	}
	return nil
}

func contractServiceUnitFields() []field {
	return []field{
		fLong("id").ro(),
		fDate("approveAndPostDate").ro(),
		fInt("contractID").ro().ref("Contract"),
		fInt("contractServiceID").ro().ref("ContractService"),
		fDec("cost").ro(),
		fDate("endDate").ro(),
		fDec("internalCurrencyPrice").ro(),
		fInt("organizationalLevelAssociationID").ro(),
		fDec("price").ro(),
		fInt("serviceID").ro().ref("Service"),
		fDate("startDate").ro(),
		fInt("units").ro(),
		fInt("vendorCompanyID").ro().ref("Company"),
	}
}

func newContractServiceUnits() *entity {
	e := newEntity("ContractServiceUnits", "ContractServiceUnit", 1, contractServiceUnitFields())
	e.rootPath = true
	return e
}

func adjustmentFields() []field {
	return []field{
		fLong("id").ro(),
		fDec("adjustedUnitCost"),
		fDec("adjustedUnitPrice"),
		fBool("allowRepeatService").withDefault(false),
		fInt("contractID").req().ref("Contract"),
		fInt("contractServiceID").ref("ContractService"),
		fDate("effectiveDate").req(),
		fInt("quoteItemID"),
		fInt("serviceID").ref("Service"),
		fInt("unitChange").req(),
	}
}

// newAdjustments builds ContractServiceAdjustments: create-only, at the root
// and under /Contracts/{id}/ServiceAdjustments.
func newAdjustments() *entity {
	e := newEntity("ContractServiceAdjustments", "ContractServiceAdjustment", 1, adjustmentFields())
	e.canCreate, e.noQuery = true, true
	e.rootPath, e.rootWrite = true, true
	e.rules = adjustmentRules
	e.after = func(s *Sim, w *write) { s.deriveUnits(asInt(w.rec["contractServiceID"])) }
	return e
}

// adjustmentRules finds the contract service (by id, or by service on the
// contract), keeps the date inside the contract and refuses a change that
// would leave negative units on any later day.
func adjustmentRules(s *Sim, w *write) error {
	r := w.rec
	cs, err := s.adjustedService(r)
	if err != nil {
		return err
	}
	r["contractServiceID"], r["serviceID"] = cs["id"], cs["serviceID"]
	day := midnight(r["effectiveDate"].(time.Time))
	r["effectiveDate"] = day
	contract := s.entities["contracts"].rows[asInt(r["contractID"])]
	start, _ := contract["startDate"].(time.Time)
	end, _ := contract["endDate"].(time.Time)
	if day.Before(midnight(start)) || day.After(end) {
		return invalid("effectiveDate %s must be within the contract's dates (%s to %s).",
			day.Format(time.DateOnly), start.Format(time.DateOnly), end.Format(time.DateOnly))
	}
	adjs := append(s.adjustmentsOf(asInt(cs["id"])), r)
	sortAdjustments(adjs)
	units := int64(0)
	for _, a := range adjs {
		// Stored adjustments never went negative, so a negative sum can
		// only come from the new one.
		if units += asInt(a["unitChange"]); units < 0 {
			return invalid("Units cannot be negative: the adjustment would leave contract service %d with %d units from %s.",
				asInt(cs["id"]), units, a["effectiveDate"].(time.Time).Format(time.DateOnly))
		}
	}
	return nil
}

func (s *Sim) adjustedService(r record) (record, error) {
	services := s.entities["contractservices"]
	if id := r["contractServiceID"]; id != nil {
		cs := services.rows[asInt(id)]
		if cs == nil || !sameValue(cs["contractID"], r["contractID"]) {
			return nil, invalid("contractServiceID %d does not exist on contract %d.", asInt(id), asInt(r["contractID"]))
		}
		return cs, nil
	}
	if r["serviceID"] == nil {
		return nil, invalid("Missing Required Field: contractServiceID")
	}
	for _, cs := range services.rows {
		if sameValue(cs["contractID"], r["contractID"]) && sameValue(cs["serviceID"], r["serviceID"]) {
			return cs, nil
		}
	}
	return nil, invalid("Service %d does not exist on contract %d.", asInt(r["serviceID"]), asInt(r["contractID"]))
}

// adjustmentsOf returns the stored adjustments of a contract service.
func (s *Sim) adjustmentsOf(csID int64) []record {
	var out []record
	for _, a := range s.entities["contractserviceadjustments"].rows {
		if asInt(a["contractServiceID"]) == csID {
			out = append(out, a)
		}
	}
	sortAdjustments(out)
	return out
}

// sortAdjustments orders by effective date, then creation (id; a new,
// unsaved adjustment has none and sorts last among equals).
func sortAdjustments(adjs []record) {
	sort.SliceStable(adjs, func(i, j int) bool {
		di, dj := adjs[i]["effectiveDate"].(time.Time), adjs[j]["effectiveDate"].(time.Time)
		if !di.Equal(dj) {
			return di.Before(dj)
		}
		return adjs[i]["id"] != nil && (adjs[j]["id"] == nil || asInt(adjs[i]["id"]) < asInt(adjs[j]["id"]))
	})
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
