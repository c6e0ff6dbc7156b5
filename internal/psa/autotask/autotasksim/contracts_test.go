package autotasksim_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

func where(conds ...map[string]any) map[string]any {
	list := make([]any, len(conds))
	for i, c := range conds {
		list[i] = c
	}
	return map[string]any{"filter": list}
}

func TestSeededContracts(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{Now: newClock().Now})
	active := c.call(http.MethodPost, "Contracts/query", where(cond("eq", "companyID", 175), cond("eq", "status", 1)), 200)
	if diff := cmp.Diff([]int{601}, ids(active)); diff != "" {
		t.Errorf("Acme's active contracts (-want +got):\n%s", diff)
	}
	all := c.call(http.MethodPost, "Contracts/query", where(cond("in", "companyID", []int{175, 176, 177})), 200)
	if diff := cmp.Diff([]int{601, 602, 603, 604}, ids(all)); diff != "" {
		t.Errorf("contracts (-want +got):\n%s", diff)
	}
	svc := c.item("Services/501")
	if svc["name"] != "SaaS Alerts User" || svc["unitPrice"] != 3.0 || svc["unitCost"] != 1.5 {
		t.Errorf("service 501 = %v", svc)
	}
	lines := c.call(http.MethodGet, "Contracts/604/Services", nil, 200)["items"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["serviceID"] != 502.0 {
		t.Fatalf("Initech's contract services = %v", lines)
	}
	csID := int(lines[0].(map[string]any)["id"].(float64))
	if got := unitsOn(t, c, 604, csID, "2026-11-21"); got != 10 {
		t.Errorf("Initech units today = %v, want 10", got)
	}
}

// unitsOn returns the units of the ContractServiceUnits row covering day
// (inclusive bounds), -1 when no row does.
func unitsOn(t *testing.T, c *client, contract, cs int, day string) float64 {
	t.Helper()
	day += "T00:00:00"
	q := where(cond("eq", "contractID", contract), cond("eq", "contractServiceID", cs),
		cond("lte", "startDate", day), cond("gte", "endDate", day))
	items := c.call(http.MethodPost, "ContractServiceUnits/query", q, 200)["items"].([]any)
	switch len(items) {
	case 0:
		return -1
	case 1:
		return items[0].(map[string]any)["units"].(float64)
	}
	t.Fatalf("%d unit rows cover %s", len(items), day)
	return 0
}

func TestContractServiceAdd(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{Now: newClock().Now})
	id := c.create("Contracts/601/Services", map[string]any{"serviceID": 501, "unitPrice": 2.75})
	got := c.item("Contracts/601/Services/" + itoa(id))
	if got["contractID"] != 601.0 || got["unitPrice"] != 2.75 || got["unitCost"] != 1.5 {
		t.Errorf("contract service %v: want contract 601, price 2.75 and the catalogue cost 1.5", got)
	}
	queried := c.call(http.MethodPost, "ContractServices/query", where(cond("eq", "contractID", 601)), 200)
	if diff := cmp.Diff([]int{id}, ids(queried)); diff != "" {
		t.Errorf("ContractServices query (-want +got):\n%s", diff)
	}
	if u := unitsOn(t, c, 601, id, "2026-11-21"); u != 0 {
		t.Errorf("a new contract service has %v units, want 0", u)
	}
	c.wantError(http.MethodPost, "Contracts/601/Services", map[string]any{"serviceID": 501}, 500, "already on contract 601")
	c.wantError(http.MethodPost, "Contracts/604/Services", map[string]any{"contractID": 604, "serviceID": 502}, 500, "already on contract 604")
	c.wantError(http.MethodPost, "Contracts/601/Services", map[string]any{"serviceID": 999}, 500, "no Service with id 999")
	c.wantError(http.MethodPost, "ContractServices", map[string]any{"contractID": 601, "serviceID": 502}, 405, "")
}

func TestAdjustmentsChangeUnitsFromEffectiveDate(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{Now: newClock().Now})
	cs := c.create("Contracts/601/Services", map[string]any{"serviceID": 501})
	adjust := func(path string, change int, date string, status int, want string) {
		body := map[string]any{"contractID": 601, "contractServiceID": cs, "unitChange": change, "effectiveDate": date + "T00:00:00"}
		if status == 200 {
			c.create(path, body)
			return
		}
		c.wantError(http.MethodPost, path, body, status, want)
	}
	adjust("ContractServiceAdjustments", 25, "2026-12-01", 200, "")
	adjust("Contracts/601/ServiceAdjustments", -5, "2027-02-15", 200, "")
	tests := []struct {
		day  string
		want float64
	}{
		{"2026-11-30", 0}, {"2026-12-01", 25}, {"2027-02-14", 25}, {"2027-02-15", 20}, {"2028-06-01", 20},
	}
	for _, tt := range tests {
		if got := unitsOn(t, c, 601, cs, tt.day); got != tt.want {
			t.Errorf("units on %s = %v, want %v", tt.day, got, tt.want)
		}
	}
	adjust("ContractServiceAdjustments", -21, "2026-12-15", 500, "with -1 units from 2027-02-15")
	adjust("ContractServiceAdjustments", -30, "2027-03-01", 500, "with -10 units")
	adjust("ContractServiceAdjustments", 1, "2035-01-01", 500, "must be within the contract's dates")
	c.wantError(http.MethodPost, "ContractServiceAdjustments", map[string]any{
		"contractID": 602, "contractServiceID": cs, "unitChange": 1, "effectiveDate": "2027-01-01",
	}, 500, "does not exist on contract 602")
	byService := c.create("ContractServiceAdjustments", map[string]any{
		"contractID": 601, "serviceID": 501, "unitChange": 3, "effectiveDate": "2027-02-15", "adjustedUnitPrice": 2.5,
	})
	if byService <= 0 || unitsOn(t, c, 601, cs, "2027-03-01") != 23 {
		t.Errorf("adjustment by serviceID: units on 2027-03-01 = %v, want 23", unitsOn(t, c, 601, cs, "2027-03-01"))
	}
	c.wantError(http.MethodPost, "ContractServiceAdjustments/query", allRows, 405, "")
	c.wantError(http.MethodGet, "ContractServiceAdjustments/1", nil, 405, "")
}

func TestTicketContractRules(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	with := func(contract int) map[string]any {
		b := ticket("contract")
		b["contractID"] = contract
		return b
	}
	id := c.create("Tickets", with(601))
	if got := c.item("Tickets/" + itoa(id))["contractID"]; got != 601.0 {
		t.Errorf("contractID = %v", got)
	}
	tests := []struct {
		name     string
		contract int
		want     string
	}{
		{"contract of another company", 602, "contractID 602 does not belong to companyID 175"},
		{"inactive contract", 603, "contractID 603 refers to an inactive contract"},
		{"missing contract", 4242, "contractID: no Contract with id 4242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.wantError(http.MethodPost, "Tickets", with(tt.contract), 500, tt.want)
			c.wantError(http.MethodPatch, "Tickets", map[string]any{"id": id, "contractID": tt.contract}, 500, tt.want)
		})
	}
	c.wantError(http.MethodPatch, "Tickets", map[string]any{"id": id, "companyID": 176}, 500, "does not belong")
}
