package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// withContracts is minimal() with org-42 and org-7 mapped and a valid
// contracts section syncing org-42's user count.
func withContracts() Settings {
	s := minimal()
	s.Companies.Map = []Mapping{
		{Organization: "org-42", Company: Pick{Name: "Acme Corp"}},
		{Organization: "org-7", Company: Pick{Name: "Globex Corporation"}},
		{Organization: "org-99", Enabled: ptr(false)},
	}
	s.Contracts = Contracts{
		AttachToTickets: true,
		BillableUsers:   BillableUsers{Enabled: true, DefaultService: Pick{Name: "SaaS Alerts User"}},
		Map: []ContractMap{
			{Organization: "org-42", Contract: Pick{Name: "Acme Managed Services"}, AddService: true},
			{Organization: "org-7", Contract: Pick{Name: "Globex Security Bundle"}},
		},
	}
	applyDefaults(&s)
	return s
}

func TestValidateContracts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Contracts)
		want   []Problem
	}{
		{"complete settings are valid", func(*Contracts) {}, nil},
		{"billable users without contract mapping", func(c *Contracts) { c.AttachToTickets = false }, []Problem{
			{"contracts.billable_users.enabled", "needs contracts.attach_to_tickets: true: contract mapping for tickets must be on to sync user counts (or set billable_users.enabled: false)"},
		}},
		{"no default service", func(c *Contracts) { c.BillableUsers.DefaultService = Pick{} }, []Problem{
			{"contracts.billable_users.default_service", "required when billable_users.enabled is true: set the contract service whose units follow the user count"},
		}},
		{"day of month out of range", func(c *Contracts) { c.BillableUsers.DayOfMonth = 31 }, []Problem{
			{"contracts.billable_users.day_of_month", "31 is not a day from 1 to 28: set the day of the month user counts are synced (every month has days 1 to 28)"},
		}},
		{"negative day of month", func(c *Contracts) { c.BillableUsers.DayOfMonth = -1 }, []Problem{
			{"contracts.billable_users.day_of_month", "-1 is not a day from 1 to 28: set the day of the month user counts are synced (every month has days 1 to 28)"},
		}},
		{"day 28 is fine", func(c *Contracts) { c.BillableUsers.DayOfMonth = 28 }, nil},
		{"unknown time zone", func(c *Contracts) { c.BillableUsers.TimeZone = "Europe/Berln" }, []Problem{
			{"contracts.billable_users.time_zone", `unknown time zone "Europe/Berln": set an IANA name like "UTC" or "America/New_York"`},
		}},
		{"time zone with spaces", func(c *Contracts) { c.BillableUsers.TimeZone = " UTC" }, []Problem{
			{"contracts.billable_users.time_zone", `unknown time zone " UTC": set an IANA name like "UTC" or "America/New_York"`},
		}},
		{"IANA time zone", func(c *Contracts) { c.BillableUsers.TimeZone = "Europe/Berlin" }, nil},
		{"negative default price and cost", func(c *Contracts) { c.BillableUsers.UnitPrice, c.BillableUsers.UnitCost = -1, -0.5 }, []Problem{
			{"contracts.billable_users.unit_price", "-1 must not be negative: set the price per user, or 0 to use the service's price"},
			{"contracts.billable_users.unit_cost", "-0.5 must not be negative: set the cost per user, or 0 to use the service's cost"},
		}},
		{"negative override", func(c *Contracts) { c.Map[0].UnitPrice, c.Map[0].UnitCost = ptr(-2.0), ptr(0.0) }, []Problem{
			{"contracts.map[org-42].unit_price", "-2 must not be negative: set the price per user for this organization, or remove it to use the default"},
		}},
		{"organization not in companies.map", func(c *Contracts) {
			c.Map = append(c.Map, ContractMap{Organization: "org-5", Contract: Pick{Name: "Initech Basic"}})
		}, []Problem{
			{"contracts.map[org-5].organization", `"org-5" is not in companies.map: a contract belongs to a company: map the organization to its company under companies.map first`},
		}},
		{"organization mapped to no company", func(c *Contracts) {
			c.Map = append(c.Map, ContractMap{Organization: "ORG-99", Contract: Pick{Name: "Trial"}})
		}, []Problem{
			{"contracts.map[ORG-99].organization", "companies.map[org-99] maps no company: set its company (a contract belongs to a company), or remove this entry"},
		}},
		{"entry without organization or contract", func(c *Contracts) { c.Map = append(c.Map, ContractMap{}) }, []Problem{
			{"contracts.map[2].organization", "required: set the organization id (or its name, when the source sends no id) whose tickets get this contract"},
			{"contracts.map[2].contract", "required: set the name of one of the company's active contracts"},
		}},
		{"organization twice", func(c *Contracts) {
			c.Map = append(c.Map, ContractMap{Organization: "Org-42", Contract: Pick{Name: "Acme Legacy Support"}})
		}, []Problem{
			{"contracts.map[Org-42].organization", `"Org-42" is mapped twice (entries 1 and 3): keep one contract per organization`},
		}},
		{"add_service without billable users", func(c *Contracts) {
			c.BillableUsers = BillableUsers{}
		}, []Problem{
			{"contracts.map[org-42].add_service", "needs contracts.billable_users.enabled: true: add_service syncs the user count onto the contract (or remove add_service)"},
		}},
		{"contracts on tickets only", func(c *Contracts) {
			c.BillableUsers, c.Map[0].AddService = BillableUsers{}, false
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := withContracts()
			tt.mutate(&s.Contracts)
			if diff := cmp.Diff(tt.want, problemsOf(t, validate(s))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContractDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   BillableUsers
		want BillableUsers
	}{
		{"enabled gets day 1 in UTC", BillableUsers{Enabled: true}, BillableUsers{Enabled: true, DayOfMonth: 1, TimeZone: "UTC"}},
		{"set values are kept", BillableUsers{Enabled: true, DayOfMonth: 15, TimeZone: "Europe/Berlin"},
			BillableUsers{Enabled: true, DayOfMonth: 15, TimeZone: "Europe/Berlin"}},
		{"disabled stays empty", BillableUsers{}, BillableUsers{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Settings{Contracts: Contracts{BillableUsers: tt.in}}
			applyDefaults(&s)
			applyDefaults(&s)
			if diff := cmp.Diff(tt.want, s.Contracts.BillableUsers); diff != "" {
				t.Errorf("billable_users (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBillableUsersLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{{"", "UTC", false}, {"America/New_York", "America/New_York", false}, {"Mars/Olympus", "", true}}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			loc, err := BillableUsers{TimeZone: tt.in}.Location()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Location(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && loc.String() != tt.want {
				t.Errorf("Location(%q) = %v, want %s", tt.in, loc, tt.want)
			}
		})
	}
	// The sync day is a calendar day in the zone: midnight in New York is
	// 05:00 UTC in winter.
	loc, _ := BillableUsers{TimeZone: "America/New_York"}.Location()
	if got := time.Date(2026, 12, 1, 0, 0, 0, 0, loc).UTC().Hour(); got != 5 {
		t.Errorf("midnight New York = %02d:00 UTC, want 05:00", got)
	}
}

func TestResolveContracts(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	if err := Resolve(&s, testCatalog()); err != nil {
		t.Fatalf("Resolve(example) = %v", err)
	}
	c := s.Contracts
	got := map[string]string{
		"default_service": c.BillableUsers.DefaultService.ID,
		"org-42":          c.Map[0].Contract.ID, "org-7": c.Map[1].Contract.ID, "Initech": c.Map[2].Contract.ID,
	}
	want := map[string]string{"default_service": "601", "org-42": "501", "org-7": "502", "Initech": "503"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved contract ids (-want +got):\n%s", diff)
	}
}

func TestResolveContractProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(*Contracts)
		catalog func(*Catalog)
		want    []Problem
	}{
		{"contract of another company", func(c *Contracts) { c.Map[0].Contract = Pick{Name: "Globex Security Bundle"} }, nil, []Problem{
			{"contracts.map[org-42].contract", `"Globex Security Bundle" is not an active contract of Acme Corp (it belongs to Globex Corporation): its active contracts are "Acme Managed Services"`},
		}},
		{"contract typo", func(c *Contracts) { c.Map[0].Contract = Pick{Name: "acme managed service"} }, nil, []Problem{
			{"contracts.map[org-42].contract", `"acme managed service" is not an active contract of Acme Corp: did you mean "Acme Managed Services"?`},
		}},
		{"inactive contract", func(c *Contracts) { c.Map[0].Contract = Pick{Name: "Acme Legacy Support"} }, nil, []Problem{
			{"contracts.map[org-42].contract", `"Acme Legacy Support" is not an active contract of Acme Corp (it is inactive): its active contracts are "Acme Managed Services"`},
		}},
		{"company without contracts", func(c *Contracts) {}, func(cat *Catalog) { delete(cat.Contracts, "102") }, []Problem{
			{"contracts.map[org-7].contract", `"Globex Security Bundle" is not an active contract of Globex Corporation: it has no active contract: add one in the PSA, or remove this entry`},
		}},
		{"unknown default service", func(c *Contracts) { c.BillableUsers.DefaultService = Pick{Name: "SaaS Alert User"} }, nil, []Problem{
			{"contracts.billable_users.default_service", `unknown service "SaaS Alert User": did you mean "SaaS Alerts User"?`},
		}},
		{"default service already on a contract that syncs", func(c *Contracts) {
			c.BillableUsers.DefaultService = Pick{Name: "Managed Endpoint"}
			c.Map[2].AddService = true
		}, nil, []Problem{
			{"contracts.map[Initech]", `"Managed Endpoint" is already on contract "Initech Basic": remove add_service or choose another default service (or take the service off the contract in the PSA)`},
		}},
		{"default service on a mapped contract that does not sync", func(c *Contracts) {
			c.BillableUsers.DefaultService = Pick{Name: "Managed Endpoint"}
		}, nil, []Problem{
			{"contracts.map[Initech]", `"Managed Endpoint" is already on contract "Initech Basic": choose another default service (or take the service off the contract in the PSA)`},
		}},
		{"default service that ticketbridge added is ours", func(c *Contracts) {
			c.Map[0].Contract = Pick{Name: "Acme Managed Services"}
		}, func(cat *Catalog) {
			cat.ContractServices["501"] = []psa.ContractService{{ID: "702", ContractID: "501", ServiceID: "601"}}
			cat.OwnContractServices = map[string]bool{"702": true}
		}, nil},
		{"default service put on by hand", func(c *Contracts) {}, func(cat *Catalog) {
			cat.ContractServices["501"] = []psa.ContractService{{ID: "702", ContractID: "501", ServiceID: "601"}}
		}, []Problem{
			{"contracts.map[org-42]", `"SaaS Alerts User" is already on contract "Acme Managed Services": remove add_service or choose another default service (or take the service off the contract in the PSA)`},
		}},
		{"unmapped organization is left to Validate", func(c *Contracts) {
			c.Map = append(c.Map, ContractMap{Organization: "org-5", Contract: Pick{Name: "Nope"}})
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := loadExample(t)
			tt.mutate(&s.Contracts)
			c := testCatalog()
			if tt.catalog != nil {
				tt.catalog(&c)
			}
			if diff := cmp.Diff(tt.want, problemsOf(t, Resolve(&s, c))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveContractKeepsStoredIDs(t *testing.T) {
	t.Parallel()
	s := withContracts()
	if err := Resolve(&s, testCatalog()); err != nil {
		t.Fatal(err)
	}
	// Stored settings carry both; resolving them again changes nothing.
	again := s
	if err := Resolve(&again, testCatalog()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Contracts, again.Contracts); diff != "" {
		t.Errorf("re-resolve (-first +second):\n%s", diff)
	}
	if s.Contracts.Map[0].Contract != (Pick{"Acme Managed Services", "501"}) {
		t.Errorf("org-42 contract = %+v", s.Contracts.Map[0].Contract)
	}
}

func TestPlanContracts(t *testing.T) {
	t.Parallel()
	old, next := loadExample(t), loadExample(t)
	next.Contracts.BillableUsers.DayOfMonth = 15
	next.Contracts.Map = []ContractMap{next.Contracts.Map[2], next.Contracts.Map[0]} // org-7 removed, rest reordered
	next.Contracts.Map[0].UnitCost = ptr(0.0)
	next.Contracts.Map[1].AddService = false
	got := renderChanges(Plan(&old, next))
	want := []string{
		"~ contracts.billable_users.day_of_month: 1 → 15",
		"+ contracts.map[Initech].unit_cost: 0",
		"- contracts.map[org-42].add_service: true",
		"- contracts.map[org-7].contract: Globex Security Bundle",
		"- contracts.map[org-7].add_service: true",
		"- contracts.map[org-7].unit_price: 3.75",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestPlanNewContracts(t *testing.T) {
	t.Parallel()
	got := renderChanges(Plan(nil, withContracts()))
	var tail []string
	for _, c := range got {
		if strings.HasPrefix(c[2:], "contracts.") {
			tail = append(tail, c)
		}
	}
	want := []string{
		"~ contracts.attach_to_tickets: false → true", // as for sync.update, a new plan compares against zero settings
		"~ contracts.billable_users.enabled: false → true",
		"+ contracts.billable_users.day_of_month: 1",
		"+ contracts.billable_users.time_zone: UTC",
		"+ contracts.billable_users.default_service: SaaS Alerts User",
		"+ contracts.map[org-42].contract: Acme Managed Services",
		"+ contracts.map[org-42].add_service: true",
		"+ contracts.map[org-7].contract: Globex Security Bundle",
	}
	if diff := cmp.Diff(want, tail); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
