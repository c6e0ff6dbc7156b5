package psatest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// contractCase carries the state the Contracts steps share.
type contractCase struct {
	s        *suite
	c        psa.Contracts
	contract psa.Contract
	service  psa.Service
	line     psa.ContractService
	day      time.Time // the date adjustments take effect
}

// testContracts walks the billing path: find the company's contract and
// the service, put the service on the contract, and keep its units.
func (s *suite) testContracts(t *testing.T) {
	cc := &contractCase{s: s, c: as[psa.Contracts](t, s, Contracts)}
	// A calendar date only, in the contract's term: the simulators' terms
	// run for years around now.
	now := time.Now()
	cc.day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"contracts of a company", cc.contracts},
		{"services", cc.services},
		{"add a service", cc.addService},
		{"units of a new service", cc.unitsOfNew},
		{"adjust and read back", cc.adjust},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.run) {
			return // later steps build on this one
		}
	}
}

func (cc *contractCase) contracts(t *testing.T) {
	co := cc.s.company(t, cc.s.f.CompanyName)
	other := cc.s.company(t, cc.s.f.OtherCompanyName)
	for _, company := range []psa.Company{co, other} {
		list, err := cc.c.Contracts(cc.s.ctx, company.ID)
		if err != nil {
			t.Fatalf("Contracts(%s): %v", company.ID, err)
		}
		for _, k := range list {
			if k.ID == "" || k.CompanyID != company.ID || !k.Active {
				t.Errorf("contract %+v listed for company %s: want active, with an id, of that company", k, company.ID)
			}
			if strings.EqualFold(k.Name, cc.s.f.Contract.Name) && company.ID == co.ID {
				cc.contract = k
			}
		}
	}
	if cc.contract.ID == "" {
		t.Fatalf("no active contract %q among those of %s", cc.s.f.Contract.Name, co.Name)
	}
	if list, _ := cc.c.Contracts(cc.s.ctx, other.ID); slices.ContainsFunc(list, func(k psa.Contract) bool { return k.ID == cc.contract.ID }) {
		t.Errorf("contract %s of %s listed for %s", cc.contract.ID, co.Name, other.Name)
	}
}

func (cc *contractCase) services(t *testing.T) {
	all, err := cc.c.Services(cc.s.ctx)
	if err != nil {
		t.Fatalf("Services: %v", err)
	}
	for _, sv := range all {
		if sv.ID == "" || sv.Name == "" {
			t.Errorf("service %+v: want an id and a name", sv)
		}
		if sv.Name == cc.s.f.Contract.ServiceName {
			cc.service = sv
		}
	}
	if cc.service.ID == "" {
		t.Fatalf("service %q not among %+v", cc.s.f.Contract.ServiceName, all)
	}
}

func (cc *contractCase) addService(t *testing.T) {
	before := cc.lines(t)
	if slices.ContainsFunc(before, func(l psa.ContractService) bool { return l.ServiceID == cc.service.ID }) {
		t.Fatalf("fixture: service %q is already on contract %q; name one that is not", cc.service.Name, cc.contract.Name)
	}
	// Prices of our own, so they cannot be mistaken for the catalogue's.
	price, cost := cc.service.UnitPrice+1.5, cc.service.UnitCost+0.75
	line, err := cc.c.AddContractService(cc.s.ctx, cc.contract.ID, cc.service.ID, price, cost)
	if err != nil {
		t.Fatalf("AddContractService: %v", err)
	}
	want := psa.ContractService{ID: line.ID, ContractID: cc.contract.ID, ServiceID: cc.service.ID, UnitPrice: price, UnitCost: cost}
	if diff := cmp.Diff(want, line); line.ID == "" || diff != "" {
		t.Fatalf("added contract service (-want +got):\n%s", diff)
	}
	cc.line = line
	after := cc.lines(t)
	if i := slices.IndexFunc(after, func(l psa.ContractService) bool { return l.ID == line.ID }); i < 0 {
		t.Errorf("contract service %s missing from ContractServices %+v", line.ID, after)
	} else if diff := cmp.Diff(line, after[i]); diff != "" {
		t.Errorf("contract service read back (-added +read):\n%s", diff)
	}
	if len(after) != len(before)+1 {
		t.Errorf("contract has %d services after adding one to %d", len(after), len(before))
	}
}

// lines lists the contract's services, each of which must name it.
func (cc *contractCase) lines(t *testing.T) []psa.ContractService {
	t.Helper()
	lines, err := cc.c.ContractServices(cc.s.ctx, cc.contract.ID)
	if err != nil {
		t.Fatalf("ContractServices(%s): %v", cc.contract.ID, err)
	}
	for _, l := range lines {
		if l.ID == "" || l.ContractID != cc.contract.ID || l.ServiceID == "" {
			t.Errorf("contract service %+v: want an id, a service and contract %s", l, cc.contract.ID)
		}
	}
	return lines
}

func (cc *contractCase) unitsOfNew(t *testing.T) {
	if got := cc.units(t, cc.day); got != 0 {
		t.Errorf("a service just added holds %v units, want 0", got)
	}
}

// adjust posts a rise and a fall on one date and reads the units on
// either side of it.
func (cc *contractCase) adjust(t *testing.T) {
	steps := []struct {
		change float64
		want   float64
	}{{3, 3}, {-1, 2}}
	for _, st := range steps {
		err := cc.c.AdjustContractService(cc.s.ctx, psa.Adjustment{
			ContractID: cc.contract.ID, ContractServiceID: cc.line.ID, ServiceID: cc.service.ID,
			EffectiveDate: cc.day, UnitChange: st.change,
		})
		if err != nil {
			t.Fatalf("AdjustContractService(%+v units): %v", st.change, err)
		}
		for _, at := range []time.Time{cc.day, cc.day.Add(36 * time.Hour)} {
			if got := cc.units(t, at); got != st.want {
				t.Errorf("after a change of %+v: %v units at %s, want %v", st.change, got, at.Format(time.DateOnly), st.want)
			}
		}
	}
	if got := cc.units(t, cc.day.AddDate(0, 0, -1)); got != 0 {
		t.Errorf("%v units the day before the first change, want 0", got)
	}
}

func (cc *contractCase) units(t *testing.T, at time.Time) float64 {
	t.Helper()
	u, err := cc.c.ContractServiceUnits(cc.s.ctx, cc.contract.ID, cc.line.ID, at)
	if err != nil {
		t.Fatalf("ContractServiceUnits(%s): %v", at.Format(time.DateOnly), err)
	}
	return u
}
