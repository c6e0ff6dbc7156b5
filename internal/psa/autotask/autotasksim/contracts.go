package autotasksim

import "time"

// Contract status values (Contracts.status: 1 active, 0 inactive).
const (
	contractInactive = 0
	contractActive   = 1
)

func contractFields() []field {
	return []field{
		fLong("id").ro(),
		fInt("billingPreference"),
		fInt("billToCompanyContactID").ref("Contact"),
		fInt("billToCompanyID").ref("Company"),
		fInt("companyID").req().ref("Company"),
		fInt("contactID").ref("Contact"),
		fStr("contactName", 250).ro(),
		fInt("contractCategory").picks(pv(1, "Managed Services").dflt(), pv(2, "Security"), pv(3, "Break/Fix")),
		fStr("contractName", 100).req(),
		fStr("contractNumber", 50),
		fInt("contractPeriodType"),
		fInt("contractType").req().picks(
			pv(1, "Time and Materials"), pv(3, "Fixed Price"), pv(4, "Block Hours"),
			pv(6, "Retainer"), pv(7, "Recurring Service"), pv(8, "Per Ticket")),
		fStr("description", 2000),
		fDate("endDate").req(),
		fDec("estimatedCost"), fDec("estimatedHours"), fDec("estimatedRevenue"),
		fBool("isCompliant").ro(),
		fBool("isDefaultContract").withDefault(false),
		fDate("lastModifiedDateTime").ro(),
		fStr("purchaseOrderNumber", 50),
		fInt("serviceLevelAgreementID"),
		fDec("setupFee"),
		fDate("startDate").req(),
		fInt("status").req().picks(pv(contractInactive, "Inactive"), pv(contractActive, "Active").dflt()),
	}
}

func newContracts() *entity {
	e := newEntity("Contracts", "Contract", 605, contractFields())
	e.canCreate, e.canUpdate = true, true
	e.rootPath, e.rootWrite = true, true
	e.rules = func(_ *Sim, w *write) error {
		start, _ := w.rec["startDate"].(time.Time)
		if end, _ := w.rec["endDate"].(time.Time); end.Before(start) {
			return invalid("endDate must not be before startDate.")
		}
		return nil
	}
	e.stamp = func(_ *Sim, w *write) { w.rec["lastModifiedDateTime"] = w.now }
	e.after = func(s *Sim, w *write) {
		if w.changed["startDate"] || w.changed["endDate"] {
			for id, cs := range s.entities["contractservices"].rows {
				if sameValue(cs["contractID"], w.rec["id"]) {
					s.deriveUnits(id)
				}
			}
		}
	}
	return e
}

func serviceFields() []field {
	return []field{
		fLong("id").ro(),
		fInt("billingCodeID").ref("BillingCode"),
		fDate("createDate").ro(),
		fInt("creatorResourceID").ro().ref("Resource"),
		fStr("description", 400),
		fStr("invoiceDescription", 1000),
		fBool("isActive").withDefault(true),
		fDate("lastModifiedDate").ro(),
		fDec("markupRate"),
		fStr("name", 150).req(),
		fInt("periodType").req().picks(pv(1, "Monthly").dflt(), pv(2, "Quarterly"), pv(3, "Semi-Annual"), pv(4, "Yearly")),
		fStr("sku", 50),
		fDec("unitCost"),
		fDec("unitPrice"),
		fInt("vendorCompanyID").ref("Company"),
	}
}

// newServices builds Services, read-only here: the seeded catalogue is all
// ticketbridge needs (a live tenant lets admins create services too).
func newServices() *entity {
	e := newEntity("Services", "Service", 503, serviceFields())
	e.rootPath = true
	return e
}
