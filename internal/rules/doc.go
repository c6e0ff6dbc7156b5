// Decide runs these checks in order; the first that fails becomes the
// Decision's Skip (with a stable SkipCode) and its reason is also the last
// entry of Reasons:
//
//  1. the integration is disabled (SkipIntegrationDisabled);
//     then routing.sources, when set, does not name Input.Source
//     (SkipSourceNotRouted);
//  2. the alert type is in sync.exclude_types, case-insensitive
//     (SkipExcludedType, "excluded by type: Too Many Logins");
//  3. the alert occurred before Input.Since (SkipTooOld, "too old:
//     occurred 2026-11-01T00:00:00Z, before sync.since 2026-11-14T00:00:00Z");
//  4. the alert arrived already resolved or ignored (SkipNotOpen): Decide
//     routes new alerts; later status changes are the engine's status sync;
//  5. the organization is mapped with enabled: false (SkipOrgDisabled,
//     "organization disabled: org-9");
//  6. the organization is not mapped here but another integration of the
//     tenant maps it for the alert's source (Input.ClaimedBy;
//     SkipOrgNotRouted, "organization org-42 not routed here: integration
//     psa-b maps it").
//
// Company. A companies.map entry whose organization equals the alert's
// organization id or name (case-insensitive) gives the company; else, with
// companies.auto_match, the Input company whose name equals the
// organization name (case-insensitive, trimmed) and is not in
// companies.ignore; else the catch-all company, unless
// routing.organizations is mapped: then the alert is skipped
// (SkipOrgNotRouted, "organization org-77 (Contoso) not routed here: ..."),
// so a tenant with several PSAs sends an organization only to the one
// that maps it.
//
// Contact. With companies.attach_contacts the ContactPlan looks the
// contact up by the alert user's email, then falls back to the mapped
// contact, or for the catch-all company to the catch-all contact; a mapped
// or matched company without a mapped contact asks for the company's
// default contact (CompanyDefault). Without attach_contacts the ticket has
// no contact.
//
// Ticket fields. The ticket defaults (category, type, status, queue,
// source, issue type, sub-issue type) apply, with the priority mapped from
// the alert severity. The first override that matches, looking at alert
// type (case-insensitive), then respond rule (rule kind respond, by rule id
// or name), then IOC rule (rule kind ioc), sets its fields over the
// defaults; an override that changes the issue type without naming a
// sub-issue type clears the default sub-issue type, which belongs to the
// default issue type. The title is the rendered subject (at most 255
// runes), the description TicketBody (at most 8,000 runes). DueAt is left
// to the engine (ticket.due_in); ids come from the resolved Picks.
//
// Contract. With contracts.attach_to_tickets, a ticket whose company came
// from companies.map gets the contract of the contracts.map entry for the
// same organization (Ticket.ContractID, reason "contract Acme Managed
// Services attached"); other tickets get none (reason "no contract: the
// organization has none in contracts.map"). ContractFor answers the same
// question for one organization key.
//
// Status. StatusMapper maps our statuses to PSA status ids and back, per
// alert kind, for the engine's status sync; Decide does not use it.
//
// Group key, within (integration, company), lowercase and trimmed:
// group_by none is "alert:"+alertKey (kept verbatim: alert ids are case
// sensitive); user is "user:"+email, falling back to "user:"+user name,
// "device:"+device name and finally "alert:"+alertKey; user_alert is the
// user part plus "|type:"+alert type; subject is "subject:"+the rendered
// subject. For the catch-all company the key is prefixed with
// "org:"+organization key, because the catch-all collects many customers
// and one ticket must never mix two of them.
//
// Notes on an open ticket get the rendered notes.title (at most 250 runes),
// NoteBody, the notes.type id and notes.visibility.
//
// Templates are text/template with missingkey=error over a flat
// integration.TemplateData, with upper, lower, default and truncate. A
// template that fails (or renders empty) never loses the alert: the alert
// title is used instead and a reason says why.
//
// Bodies are plain text in a stable order (title, description, type,
// severity, organization, user, device, rule, occurred at in RFC 3339 UTC,
// link, attributes by key) and end with AlertMarker(alertKey), the line the
// engine searches a ticket's notes for after a crash (HasAlertMarker
// matches it as a whole line). The marker phrase is broken inside alert
// text so an alert cannot plant another alert's marker.
package rules
