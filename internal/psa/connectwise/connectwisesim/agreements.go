package connectwisesim

func (s *Sim) agreementSpec() saveSpec {
	return saveSpec{sc: scope{table: tAgreements}, build: s.buildAgreement}
}

func (s *Sim) createAgreement(c *call) { s.save(c, s.agreementSpec()) }
func (s *Sim) patchAgreement(c *call)  { s.save(c, s.agreementSpec()) }
func (s *Sim) putAgreement(c *call)    { s.save(c, s.agreementSpec()) }

// agreementStatuses are the values of agreementStatus.
var agreementStatuses = []string{"Active", "Cancelled", "Expired", "Inactive"}

// buildAgreement validates an agreement: name, type, company and contact
// are required and the contact must be the company's. Callers hold s.mu.
func (s *Sim) buildAgreement(in *input, _ obj) (obj, error) {
	ts := s.tables
	a := obj{"name": in.str("name", 100, true)}
	a["type"] = refOrNil(ts[tAgreementTypes], in.resolve("type", ts[tAgreementTypes], true, nil, ""))
	company := in.resolve("company", ts[tCompanies], true, nil, "")
	a["company"] = refOrNil(ts[tCompanies], company)
	ofCompany := func(o obj) bool { return company == nil || refID(o["company"]) == asInt(company["id"]) }
	why := "does not belong to the agreement's company"
	a["contact"] = refOrNil(ts[tContacts], in.resolve("contact", ts[tContacts], true, ofCompany, why))
	a["site"] = refOrNil(ts[tSites], in.resolve("site", ts[tSites], false, ofCompany, why))
	a["agreementStatus"] = in.enum("agreementStatus", agreementStatuses, "Active")
	a["cancelledFlag"] = in.boolean("cancelledFlag", false)
	a["startDate"], a["endDate"] = in.date("startDate"), in.date("endDate")
	a["noEndingDateFlag"] = in.boolean("noEndingDateFlag", a["endDate"] == nil)
	a["billAmount"] = in.number("billAmount")
	if len(in.errs) > 0 {
		return nil, invalidObject("agreement", in.errs)
	}
	if a["cancelledFlag"] == true {
		a["agreementStatus"] = "Cancelled"
	}
	return a, nil
}

func (s *Sim) additionSpec(c *call) saveSpec {
	return saveSpec{
		sc:    scope{table: tAdditions, parent: tAgreements, parentField: "agreementId"},
		build: func(in *input, old obj) (obj, error) { return s.buildAddition(c.ids[0], in) },
	}
}

func (s *Sim) createAddition(c *call) { s.save(c, s.additionSpec(c)) }
func (s *Sim) patchAddition(c *call)  { s.save(c, s.additionSpec(c)) }
func (s *Sim) putAddition(c *call)    { s.save(c, s.additionSpec(c)) }

// buildAddition validates an agreement addition; quantity is what billing
// features change with [{"op":"replace","path":"quantity","value":N}].
// Callers hold s.mu.
func (s *Sim) buildAddition(agreementID int64, in *input) (obj, error) {
	ts := s.tables
	product := in.resolve("product", ts[tProducts], true, nil, "")
	a := obj{"product": refOrNil(ts[tProducts], product), "agreementId": agreementID}
	a["billCustomer"] = in.enum("billCustomer", []string{"Billable", "DoNotBill", "NoCharge"}, "")
	if a["billCustomer"] == nil && in.raw("billCustomer") == nil {
		in.missing("billCustomer")
	}
	a["quantity"] = numberOr(in.number("quantity"), 1)
	a["lessIncluded"] = numberOr(in.number("lessIncluded"), 0)
	if q, _ := a["quantity"].(float64); q < 0 {
		in.fail(codeInvalidField, "quantity", "quantity cannot be negative.")
	}
	a["unitPrice"], a["unitCost"] = in.number("unitPrice"), in.number("unitCost")
	if product != nil {
		a["unitPrice"] = numberOr(a["unitPrice"], product["price"].(float64))
		a["unitCost"] = numberOr(a["unitCost"], product["cost"].(float64))
	}
	a["effectiveDate"], a["cancelledDate"] = in.date("effectiveDate"), in.date("cancelledDate")
	a["taxableFlag"] = in.boolean("taxableFlag", false)
	a["invoiceDescription"] = in.str("invoiceDescription", 6000, false)
	if len(in.errs) > 0 {
		return nil, invalidObject("addition", in.errs)
	}
	a["agreementStatus"] = ts[tAgreements].rows[agreementID]["agreementStatus"]
	priceAddition(a)
	return a, nil
}

func numberOr(v any, def float64) any {
	if v == nil {
		return def
	}
	return v
}

// priceAddition sets the extended price and cost: billed quantity (less
// what the agreement includes) times the unit figures.
func priceAddition(a obj) {
	q := toFloat(a["quantity"]) - toFloat(a["lessIncluded"])
	a["extPrice"] = q * toFloat(a["unitPrice"])
	a["extCost"] = q * toFloat(a["unitCost"])
}
