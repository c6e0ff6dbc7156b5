package autotasksim

import (
	"crypto/rand"
	"fmt"
	"net/url"
)

// Ticket webhooks: the registration (TicketWebhooks), its field rows
// (/TicketWebhooks/{id}/Fields) and its excluded resources
// (/TicketWebhooks/{id}/ExcludedResources). A webhook is ready (isReady)
// once it is active and has at least one field row; only ready webhooks
// get callouts. Callouts are built in callout.go and sent in deliver.go.

// hookField is a ticket field a webhook can subscribe to, by the fieldID
// TicketWebhookFields uses (ids as listed by a live tenant's
// TicketWebhookFields/entityInformation/fields; a subset of its ~70).
type hookField struct {
	id   int64
	name string // the Tickets field
}

var ticketHookFields = []hookField{
	{1, "companyID"}, {2, "title"}, {3, "contactID"}, {4, "description"}, {5, "status"},
	{6, "priority"}, {7, "source"}, {11, "assignedResourceID"}, {12, "dueDateTime"},
	{14, "queueID"}, {16, "contractID"}, {17, "assignedResourceRoleID"}, {18, "issueType"},
	{19, "subIssueType"}, {21, "ticketCategory"}, {22, "ticketType"}, {30, "contractServiceID"},
	{31, "externalID"}, {41, "completedDate"}, {49, "lastActivityDate"},
	{52, "lastTrackedModificationDateTime"}, {56, "resolution"}, {85, "ticketNumber"},
}

// hookFieldByID maps a fieldID to its Tickets field name.
func hookFieldByID(id int64) (string, bool) {
	for _, h := range ticketHookFields {
		if h.id == id {
			return h.name, true
		}
	}
	return "", false
}

func hookFieldPicks() []picklistValue {
	out := make([]picklistValue, len(ticketHookFields))
	for i, h := range ticketHookFields {
		out[i] = pv(int(h.id), pascal(h.name))
	}
	return out
}

func webhookFields() []field {
	return []field{
		fLong("id").ro(),
		fStr("deactivationUrl", 500).req(),
		fBool("isActive").req(),
		fBool("isReady").ro(),
		fBool("isSubscribedToCreateEvents").withDefault(false),
		fBool("isSubscribedToDeleteEvents").withDefault(false),
		fBool("isSubscribedToUpdateEvents").withDefault(false),
		fStr("name", 50).req(),
		fStr("notificationEmailAddress", 150),
		fInt("ownerResourceID").ref("Resource"),
		fStr("secretKey", 64).req(),
		fBool("sendThresholdExceededNotification").req(),
		fStr("webhookGUID", 36).ro(),
		fStr("webhookUrl", 500).req(),
	}
}

func newTicketWebhooks() *entity {
	e := newEntity("TicketWebhooks", "TicketWebhook", 1, webhookFields())
	e.canCreate, e.canUpdate, e.canDelete = true, true, true
	e.rootPath, e.rootWrite = true, true
	e.rules = func(_ *Sim, w *write) error {
		for _, k := range []string{"webhookUrl", "deactivationUrl"} {
			if err := checkCalloutURL(k, w.rec[k]); err != nil {
				return err
			}
		}
		return nil
	}
	e.stamp = func(_ *Sim, w *write) {
		if w.old == nil {
			w.rec["webhookGUID"] = newGUID()
		}
	}
	e.after = func(s *Sim, w *write) { s.refreshReady(asInt(w.rec["id"])) }
	e.deleted = func(s *Sim, r record) {
		id := asInt(r["id"])
		for _, child := range []string{"ticketwebhookfields", "ticketwebhookexcludedresources"} {
			rows := s.entities[child].rows
			for cid, c := range rows {
				if asInt(c["webhookID"]) == id {
					delete(rows, cid)
				}
			}
		}
	}
	return e
}

// checkCalloutURL accepts absolute http(s) URLs. Live Autotask presumably
// insists on https; the simulator allows http so loopback receivers work.
func checkCalloutURL(name string, v any) error {
	s, _ := v.(string)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("%s must be an absolute http or https URL.", name)
	}
	return nil
}

func newTicketWebhookFields() *entity {
	e := newEntity("TicketWebhookFields", "TicketWebhookField", 1, []field{
		fLong("id").ro(),
		fInt("fieldID").req().picks(hookFieldPicks()...),
		fBool("isDisplayAlwaysField").withDefault(false),
		fBool("isSubscribedField").withDefault(false),
		fInt("webhookID").req().ref("TicketWebhook"),
	})
	e.canCreate, e.canUpdate, e.canDelete, e.rootPath = true, true, true, true
	e.rules = uniqueUnderWebhook("fieldID", "Field %d is already on webhook %d.")
	e.after = func(s *Sim, w *write) { s.refreshReady(asInt(w.rec["webhookID"])) }
	e.deleted = func(s *Sim, r record) { s.refreshReady(asInt(r["webhookID"])) }
	return e
}

func newTicketWebhookExcludedResources() *entity {
	e := newEntity("TicketWebhookExcludedResources", "TicketWebhookExcludedResource", 1, []field{
		fLong("id").ro(),
		fInt("resourceID").req().ref("Resource"),
		fInt("webhookID").req().ref("TicketWebhook"),
	})
	e.canCreate, e.canDelete, e.rootPath = true, true, true
	e.rules = uniqueUnderWebhook("resourceID", "Resource %d is already excluded from webhook %d.")
	return e
}

// uniqueUnderWebhook refuses a second row with the same value of key under
// one webhook (the wording is ours).
func uniqueUnderWebhook(key, msg string) func(*Sim, *write) error {
	return func(_ *Sim, w *write) error {
		for id, r := range w.ent.rows {
			if id != asInt(w.rec["id"]) && sameValue(r["webhookID"], w.rec["webhookID"]) && sameValue(r[key], w.rec[key]) {
				return invalid(msg, asInt(w.rec[key]), asInt(w.rec["webhookID"]))
			}
		}
		return nil
	}
}

// refreshReady recomputes a webhook's isReady: active with a field row.
func (s *Sim) refreshReady(webhookID int64) {
	hook := s.entities["ticketwebhooks"].rows[webhookID]
	if hook == nil {
		return
	}
	ready := false
	if hook["isActive"] == true {
		for _, f := range s.entities["ticketwebhookfields"].rows {
			if asInt(f["webhookID"]) == webhookID {
				ready = true
				break
			}
		}
	}
	hook["isReady"] = ready
}

// newGUID returns a random version 4 UUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
