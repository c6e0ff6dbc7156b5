package autotasksim

func contactFields() []field {
	return []field{
		fLong("id").ro(),
		fStr("additionalAddressInformation", 100),
		fStr("addressLine", 128), fStr("addressLine1", 128),
		fStr("alternatePhone", 32),
		fInt("apiVendorID").ro().picks(),
		fStr("city", 32),
		fInt("companyID").req().ref("Company").hook(),
		fInt("companyLocationID").ref("CompanyLocation"),
		fInt("countryID").ref("Country"),
		fDate("createDate").ro(),
		fStr("emailAddress", 254).hook(), fStr("emailAddress2", 254), fStr("emailAddress3", 254),
		fStr("extension", 10),
		fStr("externalID", 100),
		fStr("faxNumber", 25),
		fStr("firstName", 50).req().hook(),
		fInt("impersonatorCreatorResourceID").ro().ref("Resource"),
		// isActive is an integer 0/1 on Contacts, unlike Companies' boolean.
		fInt("isActive").req().hook(),
		fBool("isOptedOutFromBulkEmail"),
		fDate("lastActivityDate").ro(),
		fDate("lastModifiedDate").ro(),
		fStr("lastName", 50).req().hook(),
		fStr("middleInitial", 2),
		fStr("mobilePhone", 25),
		fStr("note", 250),
		fStr("phone", 25),
		fBool("primaryContact"),
		fBool("receivesEmailNotifications"),
		fStr("roomNumber", 50),
		fStr("state", 40),
		fStr("title", 50),
		fStr("zipCode", 16),
	}
}

// newContacts builds Contacts, written only through /Companies/{id}/Contacts
// (the swagger has no POST/PATCH/PUT on /V1.0/Contacts).
func newContacts() *entity {
	e := newEntity("Contacts", "Contact", 36, contactFields())
	e.canCreate, e.canUpdate, e.webhooks = true, true, true
	e.rules = func(_ *Sim, w *write) error {
		if a := asInt(w.rec["isActive"]); a != 0 && a != 1 {
			return invalid("isActive must be 0 or 1, got %d", a)
		}
		return nil
	}
	e.stamp = func(_ *Sim, w *write) {
		if w.old == nil {
			w.rec["createDate"] = w.now
		}
		w.rec["lastModifiedDate"] = w.now
	}
	return e
}
