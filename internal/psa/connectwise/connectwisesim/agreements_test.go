package connectwisesim_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

func TestAgreementAdditions(t *testing.T) {
	t.Parallel()
	clock := newClock()
	_, c := start(t, connectwisesim.Options{Now: clock.Now})
	acme := c.list("finance/agreements?conditions=" + urlq(`company/id=251 and agreementStatus="Active"`))
	if len(acme) != 1 || acme[0]["id"] != 500.0 || get(acme[0], "type/name") != "Managed Security" {
		t.Fatalf("Acme agreements: %v", acme)
	}
	adds := c.list("finance/agreements/500/additions")
	if len(adds) != 1 || adds[0]["id"] != 600.0 || adds[0]["quantity"] != 25.0 || get(adds[0], "product/identifier") != "MDR-USER" ||
		adds[0]["extPrice"] != 312.5 {
		t.Fatalf("additions of 500: %v", adds)
	}
	got := c.object(http.MethodPatch, "finance/agreements/500/additions/600", replace("quantity", 7), 200)
	if got["quantity"] != 7.0 || got["extPrice"] != 87.5 || got["extCost"] != 28.0 || get(got, "_info/updatedBy") != "ticketbridge" {
		t.Errorf("patched addition: %v", got)
	}
	if q := c.object(http.MethodGet, "finance/agreements/500/additions/600", nil, 200)["quantity"]; q != 7.0 {
		t.Errorf("quantity read back %v", q)
	}
	c.failure(http.MethodGet, "finance/agreements/501/additions/600", nil, 404)
	c.failure(http.MethodPatch, "finance/agreements/500/additions/600", replace("quantity", -1), 400)
	c.failure(http.MethodPatch, "finance/agreements/500/additions/600", replace("quantity", "seven"), 400)

	created := c.object(http.MethodPost, "finance/agreements/501/additions", map[string]any{
		"product": map[string]any{"identifier": "EDR-DEVICE"}, "quantity": 5, "billCustomer": "Billable", "effectiveDate": "2026-06-01T00:00:00Z",
	}, 201)
	if created["agreementId"] != 501.0 || created["unitPrice"] != 6.0 || created["extPrice"] != 30.0 || created["effectiveDate"] != "2026-06-01T00:00:00Z" {
		t.Errorf("created addition: %v", created)
	}
	e := c.failure(http.MethodPost, "finance/agreements/501/additions", map[string]any{"quantity": 1}, 400)
	var fields []string
	for _, fe := range e.Errors {
		fields = append(fields, fe.Field)
	}
	if diff := cmp.Diff([]string{"product", "billCustomer"}, fields); diff != "" {
		t.Errorf("addition errors (-want +got):\n%s", diff)
	}
	c.failure(http.MethodPost, "finance/agreements/999/additions", map[string]any{"product": ref(700), "billCustomer": "Billable"}, 404)
}

func TestCreateAgreement(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	got := c.object(http.MethodPost, "finance/agreements", map[string]any{
		"name": "Initech MDR", "type": ref(1), "company": ref(253), "contact": ref(34),
	}, 201)
	if got["id"] != 502.0 || got["agreementStatus"] != "Active" || got["noEndingDateFlag"] != true {
		t.Errorf("created agreement: %v", got)
	}
	e := c.failure(http.MethodPost, "finance/agreements", map[string]any{
		"name": "Wrong contact", "type": ref(1), "company": ref(253), "contact": ref(31),
	}, 400)
	if len(e.Errors) != 1 || e.Errors[0].Field != "contact" || e.Errors[0].Resource != "agreement" {
		t.Errorf("contact of another company: %+v", e)
	}
	got = c.object(http.MethodPatch, "finance/agreements/502", replace("cancelledFlag", true), 200)
	if got["agreementStatus"] != "Cancelled" {
		t.Errorf("cancelled agreement status %v", got["agreementStatus"])
	}
	if active := c.list("finance/agreements?conditions=" + urlq("cancelledFlag=false")); len(active) != 2 {
		t.Errorf("active agreements: %d", len(active))
	}
}
