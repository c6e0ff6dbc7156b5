package autotasksim

func companyFields() []field {
	return []field{
		fLong("id").ro(),
		fStr("additionalAddressInformation", 100),
		fStr("address1", 150), fStr("address2", 150),
		fStr("alternatePhone1", 25), fStr("alternatePhone2", 25),
		fInt("apiVendorID").ro().picks(),
		fStr("city", 50),
		fInt("classification").picks(pv(1, "Gold"), pv(2, "Silver"), pv(3, "Bronze")).hook(),
		fInt("companyCategoryID").ref("CompanyCategory"),
		fStr("companyName", 100).req().hook(),
		fStr("companyNumber", 50),
		fInt("companyType").req().picks(
			pv(1, "Customer"), pv(2, "Lead"), pv(3, "Prospect"), pv(4, "Dead"),
			pv(6, "Cancellation"), pv(7, "Vendor"), pv(8, "Partner")).hook(),
		fInt("countryID").ref("Country"),
		fDate("createDate").ro(),
		fInt("createdByResourceID").ro().ref("Resource"),
		fStr("fax", 25),
		fInt("impersonatorCreatorResourceID").ro().ref("Resource"),
		fBool("isActive").withDefault(true).hook(),
		fBool("isClientPortalActive").ro(),
		fBool("isEnabledForComanaged"),
		fBool("isTaskFireActive").ro(),
		fBool("isTaxExempt"),
		fDate("lastActivityDate").ro(),
		fDate("lastTrackedModifiedDateTime").ro(),
		// A tenant picklist in Autotask (the spec types it int32 only);
		// these values are the simulator's own, unverified.
		fInt("marketSegmentID").picks(pv(1, "Healthcare"), pv(2, "Financial Services"), pv(3, "Manufacturing")),
		fInt("ownerResourceID").req().ref("Resource"),
		fInt("parentCompanyID").ref("Company"),
		fStr("phone", 25).req(),
		fStr("postalCode", 20),
		fStr("state", 40),
		fStr("taxID", 50),
		fInt("territoryID"),
		fStr("webAddress", 255),
	}
}

func newCompanies() *entity {
	e := newEntity("Companies", "Company", 180, companyFields())
	e.canCreate, e.canUpdate = true, true
	e.rootPath, e.rootWrite, e.webhooks = true, true, true
	e.stamp = func(_ *Sim, w *write) {
		if w.old == nil {
			w.rec["createDate"], w.rec["createdByResourceID"] = w.now, w.caller
		}
		if w.old == nil || w.fieldEdit() {
			w.rec["lastTrackedModifiedDateTime"] = w.now
		}
	}
	return e
}
