package autotask_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

func TestContractsAndServices(t *testing.T) {
	t.Parallel()
	env := newEnv(t, autotasksim.Options{Now: newClock().Now})
	ctx := t.Context()
	contracts, err := env.api.Contracts(ctx, "175")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]psa.Contract{{ID: "601", CompanyID: "175", Name: "Acme Managed Services", Active: true}}, contracts); diff != "" {
		t.Errorf("Acme's contracts (-want +got):\n%s", diff)
	}
	services, err := env.api.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) != 2 || services[0] != (psa.Service{ID: "501", Name: "SaaS Alerts User", UnitPrice: 3, UnitCost: 1.5}) {
		t.Errorf("services = %+v", services)
	}
	lines, err := env.api.ContractServices(ctx, "604")
	if err != nil || len(lines) != 1 || lines[0].ServiceID != "502" {
		t.Fatalf("Initech's contract services = %+v, %v", lines, err)
	}
	units, err := env.api.ContractServiceUnits(ctx, "604", lines[0].ID, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	if err != nil || units != 10 {
		t.Errorf("Initech units = %v, %v; want 10", units, err)
	}
	if _, err := env.api.Contracts(ctx, "Acme"); psa.ClassOf(err) != psa.Permanent {
		t.Errorf("non-numeric company: err = %v, want permanent", err)
	}
}

func TestContractServiceUnitsFollowAdjustments(t *testing.T) {
	t.Parallel()
	env := newEnv(t, autotasksim.Options{Now: newClock().Now})
	ctx := t.Context()
	cs, err := env.api.AddContractService(ctx, "601", "501", 2.75, 1.25)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.api.AddContractService(ctx, "601", "501", 3, 1.5); psa.ClassOf(err) != psa.Permanent {
		t.Fatalf("duplicate service: err = %v, want permanent", err)
	}
	// Midnight of 1 December in UTC+10 is still 30 November in UTC: the
	// date must be sent as the calendar date, without zone conversion.
	sydney := time.FixedZone("UTC+10", 10*3600)
	adj := psa.Adjustment{
		ContractID: "601", ContractServiceID: cs.ID, ServiceID: "501", UnitChange: 25,
		EffectiveDate: time.Date(2026, 12, 1, 0, 0, 0, 0, sydney),
	}
	mustDo(t, env.api.AdjustContractService(ctx, adj))
	tests := []struct {
		at   time.Time
		want float64
	}{
		{time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), 0},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, sydney), 25},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), 25},
		{time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 0}, // after the contract: no row
	}
	for _, tt := range tests {
		got, err := env.api.ContractServiceUnits(ctx, "601", cs.ID, tt.at)
		if err != nil || got != tt.want {
			t.Errorf("units at %v = %v, %v; want %v", tt.at, got, err, tt.want)
		}
	}
	for name, a := range map[string]psa.Adjustment{
		"negative units": {ContractID: "601", ContractServiceID: cs.ID, UnitChange: -26, EffectiveDate: adj.EffectiveDate},
		"fractional":     {ContractID: "601", ContractServiceID: cs.ID, UnitChange: 0.5, EffectiveDate: adj.EffectiveDate},
	} {
		if err := env.api.AdjustContractService(ctx, a); psa.ClassOf(err) != psa.Permanent {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
	}
	lines, err := env.api.ContractServices(ctx, "601")
	want := []psa.ContractService{{ID: cs.ID, ContractID: "601", ServiceID: "501", UnitPrice: 2.75, UnitCost: 1.25}}
	if diff := cmp.Diff(want, lines); err != nil || diff != "" {
		t.Errorf("contract services (-want +got):\n%s%v", diff, err)
	}
}

func TestCreateTicketWithContract(t *testing.T) {
	t.Parallel()
	env := newEnv(t, autotasksim.Options{})
	tests := []struct {
		name, contract string
		ok             bool
	}{
		{"company's active contract", "601", true},
		{"another company's contract", "602", false},
		{"inactive contract", "603", false},
	}
	for _, tt := range tests {
		tk, err := env.api.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "175", ContractID: tt.contract, Title: tt.name, Status: "1", Priority: "2"})
		if tt.ok != (err == nil) || (!tt.ok && psa.ClassOf(err) != psa.Permanent) {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		if tt.ok {
			got := env.raw(t, env.sim.Users()[0], http.MethodGet, "Tickets/"+tk.ID, nil)["item"].(map[string]any)["contractID"]
			if got != 601.0 {
				t.Errorf("%s: stored contractID %v", tt.name, got)
			}
		}
	}
}
