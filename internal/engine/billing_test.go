package engine

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// contractPSA is a fakePSA with contracts: services on contracts, their
// units, and every adjustment posted.
type contractPSA struct {
	*fakePSA
	services map[string][]psa.ContractService // by contract id
	units    map[string]float64               // by contract service id
	catalog  []psa.Service                    // what Services lists
}

func newContractPSA(clock func() time.Time) *contractPSA {
	return &contractPSA{fakePSA: newFakePSA(clock), services: map[string][]psa.ContractService{}, units: map[string]float64{},
		catalog: []psa.Service{{ID: "S1", Name: "Seats", UnitPrice: 4, UnitCost: 1.5}}}
}

func (c *contractPSA) Contracts(context.Context, string) ([]psa.Contract, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return nil, c.call("Contracts")
}

func (c *contractPSA) Services(context.Context) ([]psa.Service, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.catalog), c.call("Services")
}

func (c *contractPSA) ContractServices(_ context.Context, contractID string) ([]psa.ContractService, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.services[contractID]), c.call("ContractServices")
}

func (c *contractPSA) AddContractService(_ context.Context, contractID, serviceID string, price, cost float64) (psa.ContractService, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("AddContractService"); err != nil {
		return psa.ContractService{}, err
	}
	cs := psa.ContractService{ID: "cs-" + contractID, ContractID: contractID, ServiceID: serviceID, UnitPrice: price, UnitCost: cost}
	c.services[contractID] = append(c.services[contractID], cs)
	return cs, nil
}

func (c *contractPSA) ContractServiceUnits(_ context.Context, _, csID string, _ time.Time) (float64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.units[csID], c.call("ContractServiceUnits")
}

func (c *contractPSA) AdjustContractService(_ context.Context, a psa.Adjustment) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("AdjustContractService"); err != nil {
		return err
	}
	c.units[a.ContractServiceID] += a.UnitChange
	return nil
}

// billingSettings bill org-42 and org-43 on contracts C42 and C43 from
// the 25th of each month (t0 is the 21st).
func billingSettings() integration.Settings {
	s := testSettings()
	s.Contracts = integration.Contracts{
		BillableUsers: integration.BillableUsers{Enabled: true, DayOfMonth: 25, TimeZone: "UTC", DefaultService: integration.Pick{Name: "Seats", ID: "S1"}, UnitPrice: 3},
		Map: []integration.ContractMap{
			{Organization: "org-42", Contract: integration.Pick{Name: "Acme MSA", ID: "C42"}, AddService: true},
			{Organization: "org-43", Contract: integration.Pick{Name: "Globex MSA", ID: "C43"}, AddService: true},
		},
	}
	return s
}

// billStep is one check of the biller, after moving the clocks and
// storing counts; audits are the "organization action" lines it adds.
type billStep struct {
	days      int           // business clock forward, in days
	wall      time.Duration // wall clock forward
	counts    map[string]int
	apply     bool  // store the settings again: a new version
	failWith  error // AdjustContractService answers this from this step on (nil: normally)
	wantErr   bool
	audits    []string
	wantUnits map[string]float64 // by contract service, after the step
}

func TestBillerSchedule(t *testing.T) {
	t.Parallel()
	errPSA := &psa.Error{Class: psa.Retryable, Message: "503"}
	const pace = 3 * time.Second
	tests := []struct {
		name  string
		steps []billStep
	}{
		{"before the day of month nothing is synced", []billStep{
			{counts: map[string]int{"org-42": 12}},
			{days: 3, wall: pace},
		}},
		{"on the day each reported organization is synced once a month", []billStep{
			{days: 4, counts: map[string]int{"org-42": 12}, audits: []string{"org-42 service_added", "org-42 adjusted"}, wantUnits: map[string]float64{"cs-C42": 12}},
			{wall: pace, counts: map[string]int{"org-42": 15}},
			{days: 1, wall: pace},
		}},
		{"the next month syncs the change", []billStep{
			{days: 4, counts: map[string]int{"org-42": 12}, audits: []string{"org-42 service_added", "org-42 adjusted"}},
			{days: 30, wall: pace, counts: map[string]int{"org-42": 15}, audits: []string{"org-42 adjusted"}, wantUnits: map[string]float64{"cs-C42": 15}},
			{days: 31, wall: pace, audits: []string{"org-42 unchanged"}, wantUnits: map[string]float64{"cs-C42": 15}},
		}},
		{"a count that arrives late is synced when it does", []billStep{
			{days: 4, counts: map[string]int{"org-42": 12}, audits: []string{"org-42 service_added", "org-42 adjusted"}},
			{wall: pace, counts: map[string]int{"org-43": 4}, audits: []string{"org-43 service_added", "org-43 adjusted"}, wantUnits: map[string]float64{"cs-C42": 12, "cs-C43": 4}},
		}},
		{"checks are paced by the wall clock", []billStep{
			{days: 4},
			{counts: map[string]int{"org-42": 12}},
			{wall: pace, audits: []string{"org-42 service_added", "org-42 adjusted"}},
		}},
		{"a new settings version is checked at once", []billStep{
			{days: 4},
			{counts: map[string]int{"org-42": 12}, apply: true, audits: []string{"org-42 service_added", "org-42 adjusted"}},
		}},
		{"a failure waits a minute, then the month is tried again", []billStep{
			{days: 4, counts: map[string]int{"org-42": 12}, failWith: errPSA, wantErr: true, audits: []string{"org-42 service_added", "org-42 failed"}},
			{wall: pace, failWith: nil},
			{wall: time.Minute, audits: []string{"org-42 adjusted"}, wantUnits: map[string]float64{"cs-C42": 12}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c *contractPSA
			h := newHarness(t, billingSettings(), func(clock func() time.Time) psa.Connector {
				c = newContractPSA(clock)
				return c
			})
			seen := 0
			for i, step := range tt.steps {
				h.advance(time.Duration(step.days) * 24 * time.Hour)
				h.advanceWall(step.wall)
				for org, n := range step.counts {
					h.must(h.st.PutBillableCount(h.ctx, store.BillableCount{TenantID: store.DefaultTenant, Organization: org, Count: n, AsOf: h.clock()}))
				}
				if step.apply {
					h.apply(billingSettings())
				}
				c.failWith("AdjustContractService", step.failWith)
				if err := h.w.biller.sync(h.ctx); (err != nil) != step.wantErr {
					t.Fatalf("step %d: sync err = %v, want error %v", i, err, step.wantErr)
				}
				got := h.audits()
				if diff := cmp.Diff(step.audits, got[seen:], cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("step %d: audits added (-want +got):\n%s", i, diff)
				}
				seen = len(got)
				for cs, want := range step.wantUnits {
					if u := c.units[cs]; u != want {
						t.Errorf("step %d: units of %s = %v, want %v", i, cs, u, want)
					}
				}
			}
		})
	}
}

// audits lists the integration's billing audit as "organization action",
// oldest first.
func (h *harness) audits() []string {
	h.t.Helper()
	as, err := h.st.BillingAudits(h.ctx, h.it.ID, 1000)
	h.must(err)
	slices.SortFunc(as, func(a, b store.BillingAudit) int { return int(a.ID - b.ID) })
	var out []string
	for _, a := range as {
		out = append(out, a.Organization+" "+a.Action)
	}
	return out
}

// TestBillerPeriodCursor: the month synced is stored per organization,
// so a new biller (a restart, another replica) does not sync it again.
func TestBillerPeriodCursor(t *testing.T) {
	t.Parallel()
	var c *contractPSA
	h := newHarness(t, billingSettings(), func(clock func() time.Time) psa.Connector {
		c = newContractPSA(clock)
		return c
	})
	h.advance(4 * 24 * time.Hour)
	h.must(h.st.PutBillableCount(h.ctx, store.BillableCount{TenantID: store.DefaultTenant, Organization: "org-42", Count: 12, AsOf: h.clock()}))
	h.must(h.w.biller.sync(h.ctx))
	if got, err := h.st.Cursor(h.ctx, h.it.ID, cursorBillingPeriod+"org-42"); err != nil || got != "2026-11" {
		t.Fatalf("period cursor = %q, %v; want 2026-11", got, err)
	}
	calls := c.total()
	fresh := &biller{books: h.w.books}
	fresh.load(h.w.snap.Load())
	h.must(fresh.sync(h.ctx))
	if n := c.total() - calls; n != 0 {
		t.Errorf("a new biller made %d PSA calls for a month already synced, want 0", n)
	}
	if n := len(h.audits()); n != 2 {
		t.Errorf("%d audits, want the first sync's 2: %q", n, h.audits())
	}
}

// TestBillingPrices: a line that adds the service takes the price and
// cost the settings leave unset from the PSA's service; overrides win,
// an explicit 0 among them; a service already on the contract keeps its
// line's figures (0 sends nothing), and the service is read only when a
// line needs it.
func TestBillingPrices(t *testing.T) {
	t.Parallel()
	zero, five := 0.0, 5.0
	tests := []struct {
		name                string
		mutate              func(*integration.Contracts, *contractPSA)
		wantPrice, wantCost float64
		wantServicesRead    int
	}{
		{"nothing set: the service's price and cost", func(*integration.Contracts, *contractPSA) {}, 4, 1.5, 1},
		{"the integration's price wins", func(c *integration.Contracts, _ *contractPSA) { c.BillableUsers.UnitPrice = 3 }, 3, 1.5, 1},
		{"the organization's price wins, 0 too", func(c *integration.Contracts, _ *contractPSA) {
			c.BillableUsers.UnitPrice, c.Map[0].UnitPrice, c.Map[0].UnitCost = 3, &zero, &five
		}, 0, 5, 0},
		{"a service already on the contract keeps its line's", func(_ *integration.Contracts, f *contractPSA) {
			f.services["C42"] = []psa.ContractService{{ID: "cs-C42", ContractID: "C42", ServiceID: "S1", UnitPrice: 9}}
		}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newContractPSA(time.Now)
			f.catalog = append([]psa.Service{{ID: "S0", Name: "Other", UnitPrice: 1}}, f.catalog...)
			s := billingSettings()
			s.Contracts.BillableUsers.UnitPrice = 0
			s.Contracts.Map = s.Contracts.Map[:1]
			tt.mutate(&s.Contracts, f)
			lines, err := BillingPreview(context.Background(), f, s, []store.BillableCount{{Organization: "org-42", Count: 3}}, time.Now())
			if err != nil || len(lines) != 1 {
				t.Fatalf("preview = %+v, %v; want one line", lines, err)
			}
			if l := lines[0]; l.UnitPrice != tt.wantPrice || l.UnitCost != tt.wantCost {
				t.Errorf("price, cost = %v, %v; want %v, %v", l.UnitPrice, l.UnitCost, tt.wantPrice, tt.wantCost)
			}
			if n := f.count("Services"); n != tt.wantServicesRead {
				t.Errorf("services read %d times, want %d", n, tt.wantServicesRead)
			}
		})
	}
}
