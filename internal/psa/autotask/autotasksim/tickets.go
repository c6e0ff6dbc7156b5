package autotasksim

import (
	"fmt"
	"time"
)

// Ticket status values the simulator gives meaning to.
const (
	statusComplete = 5
	personResource = 1 // creatorType / lastActivityPersonType: a resource
)

// categoryRule is what a ticket category adds beyond its picklist entry.
type categoryRule struct {
	dueIn      time.Duration // default due time; 0 means dueDateTime is required
	noteTitles bool          // notes on its tickets need a title
}

// categoryRules are the seeded ticket category settings, keyed by id.
var categoryRules = map[int64]categoryRule{
	4: {dueIn: 24 * time.Hour, noteTitles: true}, // Security Alert
}

func ticketFields() []field {
	return []field{
		fLong("id").ro(),
		fInt("apiVendorID").ro().picks(),
		fInt("assignedResourceID").ref("Resource").hook(),
		fInt("assignedResourceRoleID").ref("Role").hook(),
		fInt("billingCodeID").ref("BillingCode"),
		fInt("changeApprovalBoard").picks(),
		fInt("changeApprovalStatus").picks(),
		fInt("changeApprovalType").picks(),
		fStr("changeInfoField1", 8000), fStr("changeInfoField2", 8000), fStr("changeInfoField3", 8000),
		fStr("changeInfoField4", 8000), fStr("changeInfoField5", 8000),
		fInt("companyID").req().ref("Company").hook(),
		fInt("companyLocationID").ref("CompanyLocation"),
		fInt("completedByResourceID").ro().ref("Resource"),
		fDate("completedDate").ro().hook(),
		fInt("configurationItemID").ref("ConfigurationItem"),
		fInt("contactID").ref("Contact").hook(),
		fInt("contractID").ref("Contract").hook(),
		fLong("contractServiceBundleID").ref("ContractServiceBundle"),
		fLong("contractServiceID").ref("ContractService").hook(),
		fDate("createDate").ro(),
		fInt("createdByContactID").ro().ref("Contact"),
		fInt("creatorResourceID").ro().ref("Resource"),
		fInt("creatorType").ro().picks(pv(1, "Resource"), pv(2, "Contact")),
		fInt("currentServiceThermometerRating").ro(),
		fStr("description", 8000).hook(),
		fDate("dueDateTime").hook(),
		fDec("estimatedHours"),
		fStr("externalID", 50).hook(),
		fInt("firstResponseAssignedResourceID").ro().ref("Resource"),
		fDate("firstResponseDateTime").ro(),
		fDate("firstResponseDueDateTime").ro(),
		fInt("firstResponseInitiatingResourceID").ro().ref("Resource"),
		fDec("hoursToBeScheduled"),
		fInt("impersonatorCreatorResourceID").ro().ref("Resource"),
		fBool("isAssignedToComanaged"),
		fInt("issueType").picks(issueTypes()...).hook(),
		fBool("isVisibleToComanaged"),
		fDate("lastActivityDate").ro().hook(),
		fInt("lastActivityPersonType").ro().picks(pv(1, "Resource"), pv(2, "Contact")),
		fInt("lastActivityResourceID").ro().ref("Resource"),
		fDate("lastCustomerNotificationDateTime").ro(),
		fDate("lastCustomerVisibleActivityDateTime").ro(),
		fDate("lastTrackedModificationDateTime").ro().hook(),
		fLong("monitorID"),
		fInt("monitorTypeID").picks(),
		fInt("opportunityID").ref("Opportunity"),
		fInt("organizationalLevelAssociationID").ref("OrganizationalLevelAssociation"),
		fInt("previousServiceThermometerRating").ro(),
		fInt("priority").req().picks(priorities()...).hook(),
		fInt("problemTicketId").ref("Ticket"),
		fInt("projectID").ref("Project"),
		fStr("purchaseOrderNumber", 50),
		fInt("queueID").picks(queues()...).hook(),
		fStr("resolution", 32000).hook(),
		fDate("resolutionPlanDateTime").ro(),
		fDate("resolutionPlanDueDateTime").ro(),
		fDate("resolvedDateTime").ro(),
		fDate("resolvedDueDateTime").ro(),
		fInt("rmaStatus").picks(),
		fInt("rmaType").picks(),
		fStr("rmmAlertID", 50),
		fBool("serviceLevelAgreementHasBeenMet").ro(),
		fInt("serviceLevelAgreementID").picks(),
		fDec("serviceLevelAgreementPausedNextEventHours").ro(),
		fInt("serviceThermometerTemperature").ro(),
		fInt("source").picks(sources()...).hook(),
		fInt("status").req().picks(statuses()...).hook(),
		fInt("subIssueType").picks(subIssueTypes()...).parentField("IssueType").hook(),
		fInt("ticketCategory").picks(categories()...).hook(),
		fStr("ticketNumber", 50).ro().hook(),
		fInt("ticketType").picks(ticketTypes()...).hook(),
		fStr("title", 255).req().hook(),
	}
}

func statuses() []picklistValue {
	return []picklistValue{
		pv(1, "New").dflt(), pv(5, "Complete").system(), pv(7, "Waiting Customer"),
		pv(8, "In Progress"), pv(10, "Escalated"), pv(11, "Legacy Hold").inactive(),
	}
}

func priorities() []picklistValue {
	return []picklistValue{pv(1, "High"), pv(2, "Medium").dflt(), pv(3, "Low"), pv(4, "Critical")}
}

func queues() []picklistValue {
	return []picklistValue{
		pv(5, "Client Portal"), pv(6, "Post Sale"), pv(8, "Monitoring Alert"),
		pv(29683325, "Security"), pv(29683326, "Service Desk"), pv(29683327, "Retired Queue").inactive(),
	}
}

func sources() []picklistValue {
	return []picklistValue{
		pv(-2, "Insourced"), pv(-1, "Client Portal"), pv(1, "Other"), pv(2, "Phone"),
		pv(4, "Email"), pv(5, "Web Portal"), pv(6, "In Person/Onsite"), pv(8, "Monitoring Alert"),
	}
}

func ticketTypes() []picklistValue {
	return []picklistValue{
		pv(1, "Service Request"), pv(2, "Incident"), pv(3, "Problem"), pv(4, "Change Request"), pv(5, "Alert"),
	}
}

func categories() []picklistValue {
	return []picklistValue{pv(3, "Standard").dflt(), pv(4, "Security Alert"), pv(5, "Legacy").inactive()}
}

func issueTypes() []picklistValue {
	return []picklistValue{
		pv(10, "Security Incident"), pv(11, "Account Security"), pv(12, "Data Loss"),
		pv(13, "Malware"), pv(14, "Retired Issue").inactive(),
	}
}

func subIssueTypes() []picklistValue {
	return []picklistValue{
		pv(100, "Suspicious Sign-in").under(11), pv(101, "MFA Failure").under(11),
		pv(102, "Excessive Download").under(12), pv(103, "Excessive Upload").under(12),
		pv(104, "Ransomware").under(13), pv(105, "Phishing").under(10), pv(106, "Other").under(10),
	}
}

func newTickets() *entity {
	e := newEntity("Tickets", "Ticket", 1001, ticketFields())
	e.canCreate, e.canUpdate = true, true
	e.rootPath, e.rootWrite, e.webhooks = true, true, true
	e.rules = ticketRules
	e.stamp = ticketStamp
	e.after = func(s *Sim, w *write) {
		changed := diff(w.ent, w.old, w.rec) // again: stamp set generated fields
		s.recordHistory(w, changed)
		s.ticketCallouts(w, changed)
	}
	return e
}

// ticketRules are Autotask's ticket business rules beyond the metadata.
func ticketRules(s *Sim, w *write) error {
	r := w.rec
	if w.changed["companyID"] {
		if co := s.entities["companies"].rows[asInt(r["companyID"])]; co != nil && co["isActive"] == false {
			return invalid("companyID %d refers to an inactive company", asInt(r["companyID"]))
		}
	}
	if err := ticketContactRule(s, w); err != nil {
		return err
	}
	if err := ticketContractRule(s, w); err != nil {
		return err
	}
	if (w.changed["assignedResourceID"] || w.changed["assignedResourceRoleID"]) &&
		(r["assignedResourceID"] == nil) != (r["assignedResourceRoleID"] == nil) {
		return invalid("When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID.")
	}
	if r["dueDateTime"] == nil {
		rule := categoryRules[asInt(r["ticketCategory"])]
		if rule.dueIn == 0 {
			label := "(none)"
			if p, ok := w.ent.field("ticketCategory").picklistEntry(r["ticketCategory"]); ok {
				label = p.Label
			}
			return invalid("dueDateTime is required: ticket category %s has no default due date", label)
		}
		r["dueDateTime"] = w.now.Add(rule.dueIn)
		w.changed["dueDateTime"] = true
	}
	return nil
}

func ticketContactRule(s *Sim, w *write) error {
	r := w.rec
	if r["contactID"] == nil || !(w.changed["contactID"] || w.changed["companyID"]) {
		return nil
	}
	contact := s.entities["contacts"].rows[asInt(r["contactID"])]
	if contact == nil {
		return nil // the reference check has already reported it
	}
	if !sameValue(contact["companyID"], r["companyID"]) {
		return invalid("contactID %d does not belong to companyID %d", asInt(r["contactID"]), asInt(r["companyID"]))
	}
	if w.changed["contactID"] && asInt(contact["isActive"]) == 0 {
		return invalid("contactID %d refers to an inactive contact", asInt(r["contactID"]))
	}
	return nil
}

// ticketContractRule: a ticket's contract must be an active contract of the
// ticket's own company. The message wording is ours; live Autotask refuses
// such a ticket with a 500 whose exact text is not recorded.
func ticketContractRule(s *Sim, w *write) error {
	r := w.rec
	if r["contractID"] == nil || !(w.changed["contractID"] || w.changed["companyID"]) {
		return nil
	}
	contract := s.entities["contracts"].rows[asInt(r["contractID"])]
	if contract == nil {
		return nil // the reference check has already reported it
	}
	if !sameValue(contract["companyID"], r["companyID"]) {
		return invalid("contractID %d does not belong to companyID %d", asInt(r["contractID"]), asInt(r["companyID"]))
	}
	if asInt(contract["status"]) != contractActive {
		return invalid("contractID %d refers to an inactive contract", asInt(r["contractID"]))
	}
	return nil
}

// ticketStamp fills the generated fields and the completion bookkeeping.
func ticketStamp(s *Sim, w *write) {
	r, now, who := w.rec, w.now, w.caller
	if w.old == nil {
		day := now.Format("20060102")
		s.ticketSeq[day]++
		r["ticketNumber"] = fmt.Sprintf("T%s.%04d", day, s.ticketSeq[day])
		r["createDate"], r["creatorResourceID"], r["creatorType"] = now, who, int64(personResource)
	}
	if w.old == nil || w.fieldEdit() {
		r["lastActivityDate"], r["lastTrackedModificationDateTime"] = now, s.trackedStamp(now)
		r["lastActivityResourceID"], r["lastActivityPersonType"] = who, int64(personResource)
	}
	if !w.changed["status"] {
		return
	}
	if asInt(r["status"]) == statusComplete {
		r["completedDate"], r["completedByResourceID"] = now, who
	} else if w.old != nil && asInt(w.old["status"]) == statusComplete {
		r["completedDate"], r["completedByResourceID"] = nil, nil
	}
}

// touchTicket records activity on a ticket without a field edit (a note).
func touchTicket(s *Sim, id, who int64, now time.Time) {
	if t := s.entities["tickets"].rows[id]; t != nil {
		t["lastActivityDate"], t["lastActivityResourceID"] = now, who
		t["lastActivityPersonType"] = int64(personResource)
	}
}

// trackedStamp returns the lastTrackedModificationDateTime for a change made
// at now: strictly later than every earlier one (by a millisecond if the
// clock has not moved), so a change feed paging by it with gte and
// dropping what it has seen never misses nor repeats a change.
func (s *Sim) trackedStamp(now time.Time) time.Time {
	if !now.After(s.lastTracked) {
		now = s.lastTracked.Add(time.Millisecond)
	}
	s.lastTracked = now
	return now
}

// asInt reads a stored integer; nil and other types read as 0.
func asInt(v any) int64 {
	n, _ := v.(int64)
	return n
}
