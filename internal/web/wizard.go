package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// draft is the Connect a PSA wizard's work in progress. Credentials live
// here, in memory, between steps, so no page ever has to carry them back:
// a credential field left blank keeps the value entered before.
type draft struct {
	Name, PSA, URL, Username, YAML string
	creds                          map[string]string
	// Planned is set once a plan was shown; Save needs it.
	Planned bool
}

// credentialNames are the secret fields the form offers, in its order.
var credentialNames = []string{
	integration.CredSecret, integration.CredIntegrationCode, integration.CredAPIToken,
	integration.CredClientID, integration.CredClientSecret, integration.CredPrivateKey, integration.CredRefreshToken,
}

// wizardPage is what the wizard's form shows.
type wizardPage struct {
	Draft       draft
	PSAs        []string
	Credentials []credentialField
	Tested      bool
	Problem     string
}

type credentialField struct {
	Name, Label string
	Kept        bool // a value is held from an earlier step (never shown)
}

func (c *Console) wizardForm(w http.ResponseWriter, r *http.Request, sess *session) {
	d, _ := sess.getDraft()
	if psa := r.URL.Query().Get("psa"); psa != "" {
		d.PSA = psa
	}
	c.renderWizard(w, sess, http.StatusOK, d, false, "")
}

func (c *Console) renderWizard(w http.ResponseWriter, sess *session, status int, d draft, tested bool, problem string) {
	page := wizardPage{Draft: d, PSAs: c.cfg.PSAs, Tested: tested, Problem: problem}
	for _, n := range credentialNames {
		page.Credentials = append(page.Credentials, credentialField{Name: n, Label: strings.ReplaceAll(n, "_", " "), Kept: d.creds[n] != ""})
	}
	c.render(w, status, "wizard", sess, page)
}

// wizardStep takes the form and runs Test connection or Plan through the
// API's own routes.
func (c *Console) wizardStep(w http.ResponseWriter, r *http.Request, sess *session) {
	d := c.draftFromForm(r, sess)
	sess.setDraft(&d)
	body, err := d.apiBody()
	if err != nil {
		c.renderWizard(w, sess, http.StatusUnprocessableEntity, d, false, err.Error())
		return
	}
	path := "/api/v1/integrations/" + url.PathEscape(d.Name)
	switch r.PostFormValue("action") {
	case "test":
		if err := c.call(r.Context(), sess, "POST", path+"/test", body, nil); err != nil {
			c.wizardProblem(w, r, sess, d, "test connection", err)
			return
		}
		c.renderWizard(w, sess, http.StatusOK, d, true, "")
	case "plan":
		var plan planView
		if err := c.call(r.Context(), sess, "PUT", path+"?dry_run=1", body, &plan); err != nil {
			c.wizardProblem(w, r, sess, d, "plan", err)
			return
		}
		planned := d
		planned.Planned = true
		sess.setDraft(&planned)
		c.render(w, http.StatusOK, "plan", sess, plan)
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
	}
}

// wizardProblem shows the API's refusal (a PSA error, a settings
// problem) on the form; anything else is an error page.
func (c *Console) wizardProblem(w http.ResponseWriter, r *http.Request, sess *session, d draft, what string, err error) {
	if p, ok := err.(*problem); ok && p.Status != http.StatusUnauthorized {
		c.renderWizard(w, sess, http.StatusUnprocessableEntity, d, false, p.Error())
		return
	}
	c.fail(w, r, sess, what, err)
}

// wizardSave writes the planned integration through the API.
func (c *Console) wizardSave(w http.ResponseWriter, r *http.Request, sess *session) {
	d, ok := sess.getDraft()
	if !ok || !d.Planned {
		http.Redirect(w, r, "/integrations/new", http.StatusSeeOther)
		return
	}
	body, err := d.apiBody()
	if err != nil {
		c.renderWizard(w, sess, http.StatusUnprocessableEntity, d, false, err.Error())
		return
	}
	var plan planView
	if err := c.call(r.Context(), sess, "PUT", "/api/v1/integrations/"+url.PathEscape(d.Name), body, &plan); err != nil {
		c.wizardProblem(w, r, sess, d, "save", err)
		return
	}
	sess.setDraft(nil)
	http.Redirect(w, r, "/integrations/"+url.PathEscape(d.Name), http.StatusSeeOther)
}

// planView is the API's answer to an integration write.
type planView struct {
	Name     string   `json:"name"`
	Created  bool     `json:"created"`
	Changes  []string `json:"changes"`
	Effects  []string `json:"effects"`
	Warnings []string `json:"warnings"`
	Applied  bool     `json:"applied"`
}

func (c *Console) draftFromForm(r *http.Request, sess *session) draft {
	d := draft{creds: map[string]string{}}
	if old, ok := sess.getDraft(); ok {
		maps.Copy(d.creds, old.creds)
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	d.Name, d.PSA, d.URL, d.Username = f("name"), f("psa"), f("url"), f("username")
	d.YAML = r.PostFormValue("settings")
	for _, n := range credentialNames {
		if v := r.PostFormValue("cred_" + n); v != "" {
			d.creds[n] = v
		}
	}
	return d
}

// apiBody is the draft as the integration write routes read it: the
// settings document and the credentials beside it.
func (d draft) apiBody() (map[string]any, error) {
	if d.Name == "" || d.PSA == "" {
		return nil, fmt.Errorf("give the integration a name and choose its PSA")
	}
	var s integration.Settings
	if strings.TrimSpace(d.YAML) != "" {
		docs, err := integration.Decode(strings.NewReader(d.YAML))
		if err != nil {
			return nil, err
		}
		if len(docs) != 1 {
			return nil, fmt.Errorf("settings: write one integration, not %d", len(docs))
		}
		s = docs[0]
	}
	s.Name, s.PSA = d.Name, d.PSA
	if d.URL != "" {
		s.Connection.URL = d.URL
	}
	if d.Username != "" {
		s.Connection.Username = d.Username
	}
	settings, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	creds := maps.Clone(d.creds)
	if creds == nil {
		creds = map[string]string{}
	}
	return map[string]any{"settings": json.RawMessage(settings), "credentials": creds}, nil
}
