package connectwise_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestContractsAreAgreementsInForce(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	ctx := context.Background()
	m := sim.Members()[0]
	c := simConnector(t, srv, sim, m)
	today := time.Now().UTC()
	for _, a := range []map[string]any{
		{"name": "Acme Cancelled", "cancelledFlag": true},
		{"name": "Acme Expired", "endDate": today.AddDate(0, 0, -2).Format(time.RFC3339), "noEndingDateFlag": false},
		{"name": "Acme Next Year", "startDate": today.AddDate(1, 0, 0).Format(time.RFC3339)},
		{"name": "Acme Inactive", "agreementStatus": "Inactive"},
		{"name": "Acme Ends Tomorrow", "endDate": today.AddDate(0, 0, 1).Format(time.RFC3339), "noEndingDateFlag": false},
	} {
		a["type"], a["company"], a["contact"] = map[string]any{"id": 1}, map[string]any{"id": 251}, map[string]any{"id": 31}
		raw(t, srv, sim, m, http.MethodPost, "finance/agreements", a, http.StatusCreated)
	}
	got, err := c.Contracts(ctx, "251")
	if err != nil {
		t.Fatalf("Contracts: %v", err)
	}
	want := []psa.Contract{
		{ID: "500", CompanyID: "251", Name: "Acme MDR", Active: true},
		{ID: "506", CompanyID: "251", Name: "Acme Ends Tomorrow", Active: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Contracts(Acme) (-want +got):\n%s", diff)
	}
	if got, err := c.Contracts(ctx, "253"); err != nil || len(got) != 0 {
		t.Errorf("Contracts(Initech) = %v, %v; want none", got, err)
	}
	services, err := c.Services(ctx)
	if err != nil {
		t.Fatalf("Services: %v", err)
	}
	wantServices := []psa.Service{
		{ID: "700", Name: "MDR-USER", UnitPrice: 12.5, UnitCost: 4},
		{ID: "701", Name: "EDR-DEVICE", UnitPrice: 6, UnitCost: 2},
	}
	if diff := cmp.Diff(wantServices, services); diff != "" {
		t.Errorf("Services (-want +got):\n%s", diff)
	}
}

func TestAgreementAdditionUnits(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	ctx := context.Background()
	m := sim.Members()[0]
	c := simConnector(t, srv, sim, m)
	seeded, err := c.ContractServices(ctx, "500")
	if err != nil {
		t.Fatalf("ContractServices: %v", err)
	}
	if diff := cmp.Diff([]psa.ContractService{{ID: "600", ContractID: "500", ServiceID: "700", UnitPrice: 12.5, UnitCost: 4}}, seeded); diff != "" {
		t.Fatalf("seeded additions (-want +got):\n%s", diff)
	}
	cs, err := c.AddContractService(ctx, "500", "701", 7, 3)
	if err != nil {
		t.Fatalf("AddContractService: %v", err)
	}
	if cs.ContractID != "500" || cs.ServiceID != "701" || cs.UnitPrice != 7 || cs.UnitCost != 3 || cs.ID == "" {
		t.Fatalf("added %+v", cs)
	}
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	units := func(at time.Time) float64 {
		t.Helper()
		u, err := c.ContractServiceUnits(ctx, "500", cs.ID, at)
		if err != nil {
			t.Fatalf("ContractServiceUnits: %v", err)
		}
		return u
	}
	adjust := func(change float64) error {
		return c.AdjustContractService(ctx, psa.Adjustment{
			ContractID: "500", ContractServiceID: cs.ID, ServiceID: "701", EffectiveDate: today, UnitChange: change,
		})
	}
	if u := units(today); u != 0 {
		t.Fatalf("units after adding = %v, want 0", u)
	}
	steps := []struct {
		name   string
		change float64
		want   float64
	}{
		{"add four", 4, 4},
		{"remove one", -1, 3},
		{"no change", 0, 3},
	}
	for _, s := range steps {
		if err := adjust(s.change); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if u := units(today); u != s.want {
			t.Fatalf("%s: units = %v, want %v", s.name, u, s.want)
		}
	}
	var pe *psa.Error
	if err := adjust(-10); !errors.As(err, &pe) || pe.Class != psa.Permanent {
		t.Errorf("adjust below zero: %v, want a permanent error", err)
	}
	stored := raw(t, srv, sim, m, http.MethodGet, "finance/agreements/500/additions/"+cs.ID, nil, http.StatusOK)
	if field(stored, "quantity") != 3.0 || field(stored, "effectiveDate") != today.Format("2006-01-02T15:04:05Z") ||
		field(stored, "billCustomer") != "Billable" || field(stored, "unitPrice") != 7.0 {
		t.Errorf("stored addition: %v", stored)
	}
	// No dated history: before the first units the addition did not apply.
	if u := units(today.AddDate(0, 0, -1)); u != 0 {
		t.Errorf("units the day before = %v, want 0", u)
	}
	if _, err := c.ContractServiceUnits(ctx, "501", cs.ID, today); !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("addition under another agreement: %v, want psa.ErrNotFound", err)
	}
	// A price change travels with an adjustment.
	if err := c.AdjustContractService(ctx, psa.Adjustment{ContractID: "500", ContractServiceID: cs.ID, EffectiveDate: today, UnitChange: 1, UnitPrice: 8}); err != nil {
		t.Fatalf("adjust with price: %v", err)
	}
	stored = raw(t, srv, sim, m, http.MethodGet, "finance/agreements/500/additions/"+cs.ID, nil, http.StatusOK)
	if field(stored, "quantity") != 4.0 || field(stored, "unitPrice") != 8.0 || field(stored, "unitCost") != 3.0 {
		t.Errorf("after price change: %v", stored)
	}
}

func TestConcurrentAdjustmentsAddUp(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	ctx := context.Background()
	c := simConnector(t, srv, sim, sim.Members()[0])
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.AdjustContractService(ctx, psa.Adjustment{ContractID: "501", ContractServiceID: "601", UnitChange: 1})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("adjust: %v", err)
		}
	}
	if u, err := c.ContractServiceUnits(ctx, "501", "601", time.Now()); err != nil || u != 40+n {
		t.Errorf("units = %v, %v; want %d", u, err, 40+n)
	}
}

func TestTicketCarriesAgreement(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	ctx := context.Background()
	m := sim.Members()[0]
	c := simConnector(t, srv, sim, m)
	nt := securityTicket("contract-1")
	nt.ContractID = "500"
	tk, err := c.CreateTicket(ctx, nt)
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	if tk.ContractID != "500" {
		t.Errorf("created ticket contract = %q, want 500", tk.ContractID)
	}
	stored := raw(t, srv, sim, m, http.MethodGet, "service/tickets/"+tk.ID, nil, http.StatusOK)
	if field(stored, "agreement", "id") != 500.0 {
		t.Errorf("stored agreement = %v", field(stored, "agreement"))
	}
	plain, err := c.CreateTicket(ctx, securityTicket("contract-2"))
	if err != nil || plain.ContractID != "" {
		t.Errorf("ticket without contract: %+v, %v", plain, err)
	}
	// An agreement of another company is refused by ConnectWise.
	wrong := securityTicket("contract-3")
	wrong.ContractID = "501"
	if _, err := c.CreateTicket(ctx, wrong); err == nil {
		t.Errorf("ticket with Globex's agreement for Acme: no error")
	}
}
