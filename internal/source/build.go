package source

import (
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// alert builds, normalizes and validates the canonical alert of one item.
func (c *Compiled) alert(d *doc, opt Options, received time.Time) (alert.Alert, []alert.FieldError) {
	var errs []alert.FieldError
	get := func(name string) string {
		v, err := c.value(name, d)
		if err != nil {
			errs = append(errs, alert.FieldError{Field: name, Reason: err.Error() + " (" + c.where(name) + ")"})
		}
		return v
	}
	a := alert.Alert{
		ID:          get("id"),
		Kind:        alert.Kind(get("kind")),
		Type:        get("type"),
		Severity:    alert.Severity(get("severity")),
		Status:      alert.Status(get("status")),
		Title:       get("title"),
		Description: get("description"),
		URL:         get("url"),
		Organization: alert.Organization{
			ID: get("organization.id"), Name: get("organization.name"),
		},
	}
	if a.ID == "" {
		a.ID = itemHash(d.item.Raw)
	}
	a.ID = c.m.IDPrefix + a.ID
	c.organization(&a, d, opt)
	// A rule kind alone (most mappings set "other") says nothing: the
	// alert has a rule only when the body names one.
	if kind, id, name := get("rule.kind"), get("rule.id"), get("rule.name"); id+name != "" {
		a.Rule = &alert.Rule{Kind: alert.RuleKind(kind), ID: id, Name: name}
	}
	a.User = user(get("user.email"), get("user.name"))
	if dev := get("device.name"); dev != "" {
		a.Device = &alert.Device{Name: dev}
	}
	a.OccurredAt = received
	if s := get("occurred_at"); s != "" {
		t, ok := parseTime(s)
		if !ok {
			errs = append(errs, alert.FieldError{Field: "occurred_at",
				Reason: "must be an RFC 3339 time or Unix seconds, got " + quote(s) + " (" + c.where("occurred_at") + ")"})
		}
		a.OccurredAt = t
	}
	a.Attributes = c.attributes(d)
	a.Normalize()
	for _, e := range a.Validate() {
		e.Reason += " (" + c.where(e.Field) + ")"
		errs = append(errs, e)
	}
	return a, errs
}

// organization applies the source's organization rules: its
// organization-from path first, then the mapping, then the default.
func (c *Compiled) organization(a *alert.Alert, d *doc, opt Options) {
	if opt.OrganizationFrom != "" {
		if id := d.Get(opt.OrganizationFrom); id != "" {
			a.Organization = alert.Organization{ID: id}
			return
		}
	}
	if a.Organization.ID == "" && a.Organization.Name == "" {
		a.Organization = opt.DefaultOrganization
	}
}

// user keeps an address in email only: products put account names such
// as DOMAIN\user where an email would go, and a contact is looked up by
// email, so a non-address there would only miss.
func user(email, name string) *alert.User {
	if email != "" && !strings.Contains(email, "@") {
		if name == "" {
			name = email
		}
		email = ""
	}
	if email == "" && name == "" {
		return nil
	}
	return &alert.User{Email: email, Name: name}
}

func (c *Compiled) attributes(d *doc) map[string]string {
	if len(c.m.Attributes) == 0 {
		return nil
	}
	attrs := make(map[string]string, len(c.m.Attributes))
	for name, p := range c.m.Attributes {
		if v := d.Get(p); v != "" {
			attrs[name] = truncate(v, alert.MaxAttributeLen)
		}
	}
	if len(attrs) == 0 {
		return nil
	}
	return attrs
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func quote(s string) string {
	if len(s) > 40 {
		s = truncate(s, 40) + "…"
	}
	return `"` + s + `"`
}
