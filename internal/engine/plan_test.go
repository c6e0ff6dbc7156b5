package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

func storedIntegration(t *testing.T, s integration.Settings) store.Integration {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return store.Integration{ID: 1, Name: s.Name, Settings: b}
}

func planSettings() integration.Settings {
	return integration.Settings{
		Name: "it", PSA: "autotask",
		Sync: integration.Sync{SinceTime: "2026-11-14T00:00:00Z"},
		Companies: integration.Companies{
			CatchAll:  integration.CatchAll{Company: integration.Pick{Name: "Default Account", ID: "174"}},
			AutoMatch: true,
			Filter:    integration.CompanyFilter{Types: []integration.Pick{{Name: "Customer", ID: "1"}}},
		},
		Ticket: integration.Ticket{
			GroupBy:        integration.GroupNone,
			ClosedStatuses: []integration.Pick{{Name: "Waiting Customer", ID: "7"}},
		},
	}
}

func TestNewPlan(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(storedIntegration(t, planSettings()), integration.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC); !p.Since.Equal(want) {
		t.Errorf("Since = %v, want %v", p.Since, want)
	}
	for _, tt := range []struct {
		ticket psa.Ticket
		closed bool
	}{
		{psa.Ticket{Status: "1"}, false},
		{psa.Ticket{Status: "7"}, true},               // a closed_statuses entry
		{psa.Ticket{Status: "5", Closed: true}, true}, // the PSA says so
	} {
		if got := p.Closed(tt.ticket); got != tt.closed {
			t.Errorf("Closed(%+v) = %v, want %v", tt.ticket, got, tt.closed)
		}
	}

	bad := planSettings()
	bad.Sync.SinceTime = "last tuesday"
	if _, err := NewPlan(storedIntegration(t, bad), integration.Limits{}); err == nil || !strings.Contains(err.Error(), "sync.since_time") {
		t.Errorf("unparsable since_time: err = %v, want one naming sync.since_time", err)
	}
	if _, err := NewPlan(store.Integration{Name: "broken", Settings: []byte("{")}, integration.Limits{}); err == nil {
		t.Error("undecodable settings: no error")
	}
}

// listerFunc records the filter it was asked with.
type listerFunc func(psa.CompanyFilter) ([]psa.Company, error)

func (f listerFunc) Companies(_ context.Context, cf psa.CompanyFilter) ([]psa.Company, error) {
	return f(cf)
}

func TestPlanCompanies(t *testing.T) {
	t.Parallel()
	errPSA := errors.New("psa down")
	tests := []struct {
		name      string
		autoMatch bool
		answer    error
		wantAsked *psa.CompanyFilter // nil: the PSA must not be asked
		wantErr   error
	}{
		{"auto-match off asks nothing", false, nil, nil, nil},
		{"auto-match lists the filter's types", true, nil, &psa.CompanyFilter{Types: []string{"1"}}, nil},
		{"a failed list is an error, not an empty list", true, errPSA, &psa.CompanyFilter{Types: []string{"1"}}, errPSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := planSettings()
			s.Companies.AutoMatch = tt.autoMatch
			p, err := NewPlan(storedIntegration(t, s), integration.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var asked *psa.CompanyFilter
			_, err = p.Companies(context.Background(), listerFunc(func(f psa.CompanyFilter) ([]psa.Company, error) {
				asked = &f
				return []psa.Company{{ID: "175", Name: "Acme Corp"}}, tt.answer
			}))
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantAsked, asked); diff != "" {
				t.Errorf("filter asked (-want +got):\n%s", diff)
			}
		})
	}
}

// finder is a PSA's contacts by company, for ChooseContact.
type finder struct {
	contacts map[string][]psa.Contact
	err      error // returned by every call when set
}

func (f finder) ContactByEmail(_ context.Context, companyID, email string) (psa.Contact, error) {
	if f.err != nil {
		return psa.Contact{}, f.err
	}
	for _, c := range f.contacts[companyID] {
		if strings.EqualFold(c.Email, email) {
			return c, nil
		}
	}
	return psa.Contact{}, psa.ErrNotFound
}

func (f finder) Contacts(_ context.Context, companyID string) ([]psa.Contact, error) {
	return f.contacts[companyID], f.err
}

func TestChooseContact(t *testing.T) {
	t.Parallel()
	psaContacts := finder{contacts: map[string][]psa.Contact{
		"175": {{ID: "31", FirstName: "Jane", LastName: "Doe", Email: "jane@acme.example"}, {ID: "32", FirstName: "Acme", LastName: "Helpdesk"}},
		"177": nil,
	}}
	tests := []struct {
		name string
		f    finder
		plan rules.ContactPlan
		want ContactChoice
	}{
		{"attach_contacts off", psaContacts, rules.ContactPlan{Email: "jane@acme.example"}, ContactChoice{Source: ContactOff}},
		{"found by email", psaContacts, rules.ContactPlan{Attach: true, Email: "JANE@acme.example", FallbackID: "32"},
			ContactChoice{ID: "31", Name: "Jane Doe", Source: ContactByEmail}},
		{"unknown email: the fallback, by its settings name", psaContacts,
			rules.ContactPlan{Attach: true, Email: "nobody@acme.example", FallbackID: "32", FallbackName: "helpdesk@acme.example"},
			ContactChoice{ID: "32", Name: "helpdesk@acme.example", Source: ContactFallback}},
		{"fallback without a name", psaContacts, rules.ContactPlan{Attach: true, FallbackID: "32"},
			ContactChoice{ID: "32", Name: "id 32", Source: ContactFallback}},
		{"no fallback: the company's first contact", psaContacts, rules.ContactPlan{Attach: true, Email: "nobody@acme.example", CompanyDefault: true},
			ContactChoice{ID: "31", Name: "Jane Doe", Source: ContactCompanyFirst}},
		{"nothing to fall back on", psaContacts, rules.ContactPlan{Attach: true, Email: "nobody@acme.example"}, ContactChoice{Source: ContactNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ChooseContact(context.Background(), tt.f, rules.Decision{CompanyID: "175", Contact: tt.plan})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("choice (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("a company without contacts", func(t *testing.T) {
		t.Parallel()
		got, err := ChooseContact(context.Background(), psaContacts, rules.Decision{CompanyID: "177", Contact: rules.ContactPlan{Attach: true, CompanyDefault: true}})
		if err != nil || got != (ContactChoice{Source: ContactNone}) {
			t.Errorf("= %+v, %v; want none", got, err)
		}
	})
	t.Run("a failed lookup is an error, not a fallback", func(t *testing.T) {
		t.Parallel()
		errPSA := &psa.Error{Class: psa.Retryable, Message: "503"}
		_, err := ChooseContact(context.Background(), finder{err: errPSA}, rules.Decision{CompanyID: "175", Contact: rules.ContactPlan{Attach: true, Email: "jane@acme.example", FallbackID: "32"}})
		if !errors.Is(err, errPSA) {
			t.Errorf("err = %v, want the PSA's error", err)
		}
	})
}
