// Package rules decides what happens to an alert under one integration's
// settings: skip it (and why), or which company, contact, ticket fields,
// group key, subject and note it gets. Pure functions: no I/O, no clock.
package rules

import (
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// SkipCode names why an alert creates no ticket. Codes are stable: the
// engine stores them and backfill re-evaluates alerts skipped as too old.
type SkipCode string

// Skip codes.
const (
	SkipIntegrationDisabled SkipCode = "integration_disabled"
	SkipExcludedType        SkipCode = "excluded_type"
	SkipTooOld              SkipCode = "too_old"
	SkipOrgDisabled         SkipCode = "organization_disabled"
	SkipIgnoredCompany      SkipCode = "ignored_company"
	SkipNotOpen             SkipCode = "not_open" // arrived already resolved/ignored
	// SkipSourceNotRouted: routing.sources does not name the alert's source.
	SkipSourceNotRouted SkipCode = "source_not_routed"
	// SkipOrgNotRouted: the organization is neither mapped nor
	// auto-matched, and routing.organizations is mapped.
	SkipOrgNotRouted SkipCode = "organization_not_routed"
)

// Skip is a decision not to deliver, with a reason a person can read.
type Skip struct {
	Code   SkipCode
	Reason string // e.g. "excluded by type: Too Many Logins"
}

// Input is everything a decision depends on besides the settings.
type Input struct {
	// Companies are the PSA companies eligible for auto-match: those
	// Ruleset.CompanyFilter names, already filtered by type and
	// classification (ignored ones may be included and are removed by the
	// rules).
	Companies []psa.Company
	// Since is the resolved sync.since; alerts that occurred before it are
	// skipped as too old. Zero means no limit.
	Since time.Time
	// Source names the alert's source, for routing.sources.
	Source string
	// ClaimedBy names another integration of the tenant, with a routing
	// section, that maps the organization (enabled) and takes alerts of
	// source, "" for none; nil claims nothing. An organization
	// mapped elsewhere is not this integration's to match or catch.
	ClaimedBy func(org alert.Organization, source string) string
}

// Decision is the outcome for one alert under one integration.
type Decision struct {
	Skip *Skip

	CompanyID   string
	CompanyName string
	// Contact says how to find the contact at delivery time (a PSA lookup
	// the rules cannot do): by email first, then FallbackID.
	Contact ContactPlan

	// GroupKey identifies the group within (integration, company). Two
	// alerts with equal keys share one open ticket. For group_by none it is
	// unique per alert.
	GroupKey string

	Ticket psa.NewTicket // everything but ContactID and ExternalRef
	Note   psa.NewNote

	// Reasons are the decisions taken, in order, for the timeline:
	// "company Acme Corp: mapped organization org-42", "override by alert
	// type Too Many Downloads: issue type Security Incident", ...
	Reasons []string
}

// ContactPlan is the contact lookup order when attach_contacts is on.
type ContactPlan struct {
	Attach       bool   // false: create the ticket with no contact
	Email        string // the alert's user email; "" skips the lookup
	FallbackID   string // mapped contact, else the catch-all contact
	FallbackName string // that contact as the settings name it, for timelines
	// CompanyDefault asks for the company's first active contact when
	// neither the email nor a fallback gives one (a mapped company with no
	// mapped contact).
	CompanyDefault bool
}
