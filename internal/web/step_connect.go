package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// connectStep is the wizard's first screen: name, PSA, the connection
// keys that PSA reads, and Test connection.
var connectStep = wizardStep{
	key: "connect", title: "Connection",
	load: func(c *Console, _ *http.Request, _ *session, d *draft) (any, error) {
		return c.connectFields(*d), nil
	},
	read: readConnection,
	act: func(c *Console, r *http.Request, sess *session, d *draft, action string) (string, error) {
		if action != "test" {
			return "", fmt.Errorf("unknown action %q", action)
		}
		if err := d.needName(); err != nil {
			return "", err
		}
		if err := c.call(r.Context(), sess, "POST", d.integrationPath("/test"), d.apiBody(), nil); err != nil {
			return "", err
		}
		d.Tested = true
		return "", nil // the page says so from d.Tested
	},
}

// connectPage is what the connection form shows.
type connectPage struct {
	PSAs []string
	// Profile is the chosen PSA's title and URL rule; nil before one is
	// chosen.
	Title                   string
	URLRequired             bool
	URLExample, URLDiscover string
	Fields                  []connectionField
	RequestsPerHour         string
	MaxConcurrent           string
}

// connectionField is one connection key of the chosen PSA.
type connectionField struct {
	Name, Label, Hint, Value string
	Required, Secret         bool
	// Kept says a secret is held: typed earlier, or stored with the
	// integration being edited. Its value is never shown.
	Kept bool
}

// plainConnection are the connection keys that are not secrets, by the
// form field that carries them.
var plainConnection = map[string]func(*integration.Connection) *string{
	"username":   func(c *integration.Connection) *string { return &c.Username },
	"company":    func(c *integration.Connection) *string { return &c.Company },
	"public_key": func(c *integration.Connection) *string { return &c.PublicKey },
	"member_id":  func(c *integration.Connection) *string { return &c.MemberID },
	"tenant":     func(c *integration.Connection) *string { return &c.Tenant },
	"subdomain":  func(c *integration.Connection) *string { return &c.Subdomain },
	"region":     func(c *integration.Connection) *string { return &c.Region },
	"table":      func(c *integration.Connection) *string { return &c.Table },
}

func (c *Console) connectFields(d draft) connectPage {
	page := connectPage{PSAs: c.cfg.PSAs}
	conn := d.Settings.Connection
	if conn.RequestsPerHour > 0 {
		page.RequestsPerHour = strconv.Itoa(conn.RequestsPerHour)
	}
	if conn.MaxConcurrent > 0 {
		page.MaxConcurrent = strconv.Itoa(conn.MaxConcurrent)
	}
	p, ok := c.cfg.Profiles.Lookup(d.Settings.PSA)
	if !ok {
		return page
	}
	page.Title, page.URLRequired, page.URLExample, page.URLDiscover = p.Title, p.URL.Required, p.URL.Example, p.URL.Discovers
	secrets := conn.SecretRefs()
	for _, k := range p.Connection {
		name := strings.TrimPrefix(k.Path, "connection.")
		f := connectionField{Name: name, Label: strings.ReplaceAll(name, "_", " "), Hint: k.Hint, Required: k.Required}
		if get, ok := plainConnection[name]; ok {
			f.Value = *get(&conn)
		} else if ref, ok := secrets[name]; ok {
			f.Secret, f.Kept = true, d.creds[name] != "" || ref.Stored
		} else {
			continue // a key this console does not know yet: apply still takes it
		}
		page.Fields = append(page.Fields, f)
	}
	return page
}

// readConnection takes the connection form. A secret field left blank
// keeps what is held; the PSA's connection keys only are read.
func readConnection(r *http.Request, d *draft) error {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	if d.Editing == "" {
		name, psa := f("name"), f("psa")
		if psa != d.Settings.PSA {
			// Another PSA reads other keys: none of the old ones carry over.
			d.Settings.Connection = integration.Connection{}
			clear(d.creds)
		}
		d.Settings.Name, d.Settings.PSA = name, psa
	}
	conn := &d.Settings.Connection
	conn.URL = f("url")
	for name, get := range plainConnection {
		if _, sent := r.PostForm[name]; sent {
			*get(conn) = f(name)
		}
	}
	var problems []string
	for form, dst := range map[string]*int{"requests_per_hour": &conn.RequestsPerHour, "max_concurrent": &conn.MaxConcurrent} {
		*dst = 0
		if v := f(form); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				problems = append(problems, fmt.Sprintf("%s: write a whole number above 0, or leave it blank for the PSA's default", strings.ReplaceAll(form, "_", " ")))
				continue
			}
			*dst = n
		}
	}
	for name, ref := range conn.SecretRefs() {
		if v := r.PostFormValue("cred_" + name); v != "" {
			d.creds[name] = v
			*ref = integration.SecretRef{}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}
