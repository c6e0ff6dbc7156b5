package rules

import (
	"sort"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// markerPrefix starts the last line of every body we write.
const markerPrefix = "ticketbridge alert "

// AlertMarker is the last line of every ticket description and note
// ticketbridge writes for an alert. After a crash the engine searches a
// ticket's notes for it to learn whether the note was already added.
func AlertMarker(alertKey string) string { return markerPrefix + alertKey }

// HasAlertMarker reports whether body holds the marker of alertKey as a
// whole line. Prefer it to strings.Contains: the marker of "src/1" is a
// substring of the marker of "src/10". Surrounding spaces and CR are
// ignored, since a PSA may reformat line ends.
func HasAlertMarker(body, alertKey string) bool {
	marker := AlertMarker(alertKey)
	for line := range strings.Lines(body) {
		if strings.TrimSpace(line) == marker {
			return true
		}
	}
	return false
}

// TicketBody renders the description of a new ticket for the alert: the
// ticket.description template when set (falling back to the standard body
// if it fails), else the standard body; always ending with the marker.
func (r *Ruleset) TicketBody(a alert.Alert, alertKey string) string {
	var reasons []string
	return r.ticketBody(a, templateData(a), r.withMarker(standardBody(a), alertKey), alertKey, &reasons)
}

// NoteBody renders the body of the note added for the alert to an open
// ticket, ending with the marker.
func (r *Ruleset) NoteBody(a alert.Alert, alertKey string) string { return r.noteBody(a, alertKey) }

func (r *Ruleset) noteBody(a alert.Alert, alertKey string) string {
	return r.withMarker(standardBody(a), alertKey)
}

// ticketBody renders the description template, or returns body (the
// standard body with its marker) when there is none or it fails.
func (r *Ruleset) ticketBody(a alert.Alert, data integration.TemplateData, body, alertKey string, reasons *[]string) string {
	if r.description == nil {
		return body
	}
	out, err := integration.ExecuteTemplate(r.description, data)
	if err != nil || out == "" {
		why := "rendered empty"
		if err != nil {
			why = "failed: " + err.Error()
		}
		*reasons = append(*reasons, "description template "+why+"; used the standard body")
		return body
	}
	return r.withMarker(neutralizeMarkers(out), alertKey)
}

// withMarker cuts body so that body, a blank line and the marker fit in
// the description limit: the marker line must survive any truncation.
func (r *Ruleset) withMarker(body, alertKey string) string {
	marker := AlertMarker(oneLine(alertKey))
	room := r.limits.Description - len([]rune(marker)) - 2
	return integration.Truncate(strings.TrimSpace(body), max(room, 0)) + "\n\n" + marker
}

// standardBody lists the alert in a stable order; empty fields are left out.
func standardBody(a alert.Alert) string {
	var b strings.Builder
	b.WriteString(a.Title)
	if a.Description != "" {
		b.WriteString("\n" + a.Description)
	}
	b.WriteString("\n\n")
	line := func(label, v string) {
		if v != "" {
			b.WriteString(label + ": " + oneLine(v) + "\n")
		}
	}
	line("Type", a.Type)
	line("Severity", string(a.Severity))
	line("Organization", orgText(a.Organization))
	line("User", userText(a.User))
	if a.Device != nil {
		line("Device", a.Device.Name)
	}
	line("Rule", ruleText(a.Rule))
	if !a.OccurredAt.IsZero() {
		line("Occurred at", a.OccurredAt.UTC().Format(time.RFC3339))
	}
	line("Link", a.URL)
	writeAttributes(&b, a.Attributes)
	return neutralizeMarkers(strings.ToValidUTF8(b.String(), "\uFFFD"))
}

func writeAttributes(b *strings.Builder, attrs map[string]string) {
	if len(attrs) == 0 {
		return
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("Attributes:\n")
	for _, k := range keys {
		b.WriteString("  " + oneLine(k) + ": " + oneLine(attrs[k]) + "\n")
	}
}

func orgText(o alert.Organization) string {
	switch {
	case o.ID != "" && o.Name != "":
		return o.Name + " (" + o.ID + ")"
	case o.ID != "":
		return o.ID
	}
	return o.Name
}

func userText(u *alert.User) string {
	switch {
	case u == nil:
		return ""
	case u.Name != "" && u.Email != "":
		return u.Name + " <" + u.Email + ">"
	case u.Email != "":
		return u.Email
	}
	return u.Name
}

func ruleText(r *alert.Rule) string {
	if r == nil {
		return ""
	}
	parts := make([]string, 0, 3)
	for _, p := range []string{string(r.Kind), r.ID} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if r.Name != "" {
		parts = append(parts, "("+r.Name+")")
	}
	return strings.Join(parts, " ")
}

// neutralizeMarkers breaks any marker phrase inside alert text, so an
// alert cannot plant another alert's marker on a ticket and make crash
// recovery believe that alert's note was already added.
func neutralizeMarkers(s string) string {
	return strings.ReplaceAll(s, markerPrefix, "ticketbridge-alert ")
}

// templateData flattens an alert for templates; see integration.TemplateData.
func templateData(a alert.Alert) integration.TemplateData {
	d := integration.TemplateData{
		ID: a.ID, Kind: string(a.Kind), Type: a.Type, Severity: string(a.Severity), Status: string(a.Status),
		Title: a.Title, Description: a.Description, OrgID: a.Organization.ID, OrgName: a.Organization.Name,
		URL: a.URL, OccurredAt: a.OccurredAt, Attributes: a.Attributes,
	}
	if d.Kind == "" {
		d.Kind = string(alert.KindIssue)
	}
	if d.Status == "" {
		d.Status = string(alert.StatusOpen)
	}
	if a.User != nil {
		d.UserEmail, d.UserName = a.User.Email, a.User.Name
	}
	if a.Device != nil {
		d.Device = a.Device.Name
	}
	if a.Rule != nil {
		d.RuleKind, d.RuleID, d.RuleName = string(a.Rule.Kind), a.Rule.ID, a.Rule.Name
	}
	d.UserOrDevice = firstNonBlank(d.UserEmail, d.UserName, d.Device, "unknown user")
	return d
}

func firstNonBlank(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
