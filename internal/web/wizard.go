package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// draft is the setup wizard's work in progress: the settings being
// built, step by step, and the credentials typed for them. Credentials
// live here, in memory, between steps, so no page ever has to carry
// them back: a credential field left blank keeps the value entered
// before, and settings read from a stored integration keep its stored
// secrets.
type draft struct {
	Settings integration.Settings
	// Editing names the stored integration being changed; its name and
	// PSA are then fixed.
	Editing string
	creds   map[string]string
	// Tested is set once Test connection passed with the current
	// connection; Planned once the review showed a plan (Save needs it).
	Tested, Planned bool
	// Customers is the customer step's state beyond the settings.
	Customers customersState
}

// clone is a deep copy, so a step that edits the copy it was given
// never changes the draft another tab of the session is reading.
func (d draft) clone() draft {
	out := d
	out.creds = maps.Clone(d.creds)
	out.Customers = d.Customers.clone()
	if out.creds == nil {
		out.creds = map[string]string{}
	}
	// Secret values are never in Settings (they are in creds), so the
	// JSON form, which drops values, loses nothing.
	if b, err := json.Marshal(d.Settings); err == nil {
		var s integration.Settings
		if json.Unmarshal(b, &s) == nil {
			out.Settings = s
		}
	}
	return out
}

// wizardStep is one screen of the setup wizard. Steps read their part of
// the draft from the posted form; what they show beyond the draft (the
// PSA's picklists, its companies) they load through the API.
type wizardStep struct {
	key, title string
	// load returns what the step's page shows besides the draft; nil
	// shows the draft alone. An error is shown on the page.
	load func(c *Console, r *http.Request, sess *session, d *draft) (any, error)
	// read takes the posted form into the draft. An error is shown on
	// the form and the admin stays on the step.
	read func(r *http.Request, d *draft) error
	// act runs a step's own button (action=NAME, other than next, back
	// and go): it may change the draft and says what to show.
	act func(c *Console, r *http.Request, sess *session, d *draft, action string) (notice string, err error)
	// fragments name, by action, the part of the step's template an
	// htmx request for that action gets instead of the whole page (the
	// same data, so the part matches what the whole page would show).
	fragments map[string]string
}

// wizardSteps are the wizard's screens in order. The review step is
// last and saves.
var wizardSteps = []wizardStep{
	connectStep,
	customersStep,
	ticketStep,
	overridesStep,
	notesStep,
	contractsStep,
	statusStep,
	syncStep,
	yamlStep,
	reviewStep,
}

func stepIndex(key string) int {
	return slices.IndexFunc(wizardSteps, func(s wizardStep) bool { return s.key == key })
}

// stepPage is what every step's template gets.
type stepPage struct {
	Step    string
	Steps   []stepLink
	Draft   draft
	Editing bool
	// Prev and Next are the neighbouring steps' keys ("" at the ends).
	Prev, Next string
	Problem    string
	Notice     string
	// Data is what the step's load returned.
	Data any
}

type stepLink struct {
	Key, Title string
	Current    bool
}

// wizardURL is a step's address.
func wizardURL(key string) string { return "/setup/" + key }

// wizardStart begins a new draft, or returns to the new one under way.
// An edit under way is not resumed here: "Connect a PSA" asked for a new
// integration, and the stored one's Edit button starts its edit afresh.
func (c *Console) wizardStart(w http.ResponseWriter, r *http.Request, sess *session) {
	d, ok := sess.getDraft()
	if !ok || r.URL.Query().Get("fresh") == "1" || d.Editing != "" {
		d = draft{creds: map[string]string{}}
	}
	if psa := r.URL.Query().Get("psa"); psa != "" {
		d.Settings.PSA = psa
	}
	sess.setDraft(&d)
	c.renderStep(w, r, sess, wizardSteps[0], d, http.StatusOK, "", "")
}

// wizardEdit loads a stored integration into the wizard.
func (c *Console) wizardEdit(w http.ResponseWriter, r *http.Request, sess *session) {
	var it integrationInfo
	if err := c.call(r.Context(), sess, "GET", "/api/v1/integrations/"+url.PathEscape(r.PathValue("name")), nil, &it); err != nil {
		c.fail(w, r, sess, "read integration", err)
		return
	}
	d := draft{Editing: it.Name, creds: map[string]string{}}
	if err := json.Unmarshal(it.Settings, &d.Settings); err != nil {
		c.fail(w, r, sess, "decode settings", err)
		return
	}
	// Whatever a secret was read from when it was stored (a value, env or
	// file on apply's machine), the database holds it now: keep that one
	// unless a new value is typed.
	for _, ref := range d.Settings.Connection.SecretRefs() {
		if !ref.IsZero() {
			*ref = integration.SecretRef{Stored: true}
		}
	}
	sess.setDraft(&d)
	http.Redirect(w, r, wizardURL(wizardSteps[0].key), http.StatusSeeOther)
}

// wizardShow renders one step of the draft under way.
func (c *Console) wizardShow(w http.ResponseWriter, r *http.Request, sess *session) {
	i := stepIndex(r.PathValue("step"))
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	d, ok := sess.getDraft()
	if !ok {
		http.Redirect(w, r, "/integrations/new", http.StatusSeeOther)
		return
	}
	c.renderStep(w, r, sess, wizardSteps[i], d, http.StatusOK, "", "")
}

// wizardPost takes a step's form, then moves (next, back, go=STEP) or
// runs the step's own action.
func (c *Console) wizardPost(w http.ResponseWriter, r *http.Request, sess *session) {
	i := stepIndex(r.PathValue("step"))
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	step := wizardSteps[i]
	d, ok := sess.getDraft()
	if !ok {
		d = draft{creds: map[string]string{}}
	}
	d = d.clone()
	action := r.PostFormValue("action")
	if step.read != nil {
		before := d.Settings.Connection
		if err := step.read(r, &d); err != nil {
			sess.setDraft(&d)
			c.renderStep(w, r, sess, step, d, http.StatusUnprocessableEntity, err.Error(), "")
			return
		}
		if d.Settings.Connection != before {
			d.Tested = false
		}
	}
	// Any change may change the plan: Save needs the review shown again.
	d.Planned = false
	sess.setDraft(&d)
	target := ""
	switch {
	case action == "next" && i+1 < len(wizardSteps):
		target = wizardSteps[i+1].key
	case action == "back" && i > 0:
		target = wizardSteps[i-1].key
	case strings.HasPrefix(action, "go:") && stepIndex(strings.TrimPrefix(action, "go:")) >= 0:
		target = strings.TrimPrefix(action, "go:")
	case action == "" || action == "next" || action == "back":
		target = step.key
	}
	if target != "" {
		http.Redirect(w, r, wizardURL(target), http.StatusSeeOther)
		return
	}
	if step.act == nil {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	notice, err := step.act(c, r, sess, &d, action)
	sess.setDraft(&d)
	if err != nil {
		if p, ok := err.(*problem); ok && p.Status == http.StatusUnauthorized {
			c.fail(w, r, sess, step.title, err)
			return
		}
		c.renderStep(w, r, sess, step, d, http.StatusUnprocessableEntity, err.Error(), "")
		return
	}
	if part := step.fragments[action]; part != "" && r.Header.Get("HX-Request") == "true" {
		c.renderFragment(w, r, sess, step, d, part)
		return
	}
	c.renderStep(w, r, sess, step, d, http.StatusOK, "", notice)
}

func (c *Console) renderStep(w http.ResponseWriter, r *http.Request, sess *session, step wizardStep, d draft, status int, problemText, notice string) {
	page, status, ok := c.stepPage(w, r, sess, step, d, status, problemText, notice)
	if !ok {
		return
	}
	c.render(w, status, "step-"+step.key, sess, page)
}

// renderFragment answers an htmx request with one part of the step's
// page. A problem loading the page's data is not in the part: the part
// then offers what the draft holds, and the next whole page shows the
// problem.
func (c *Console) renderFragment(w http.ResponseWriter, r *http.Request, sess *session, step wizardStep, d draft, part string) {
	page, _, ok := c.stepPage(w, r, sess, step, d, http.StatusOK, "", "")
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := c.pages.byName["step-"+step.key].ExecuteTemplate(&buf, part, view{SignedIn: true, CSRF: sess.csrf, Data: page}); err != nil {
		c.cfg.Logger.Error("console: render fragment", "page", step.key, "part", part, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "HX-Request")
	_, _ = w.Write(buf.Bytes())
}

// stepPage gathers what a step shows; false when the session ended
// (the answer is written).
func (c *Console) stepPage(w http.ResponseWriter, r *http.Request, sess *session, step wizardStep, d draft, status int, problemText, notice string) (stepPage, int, bool) {
	i := stepIndex(step.key)
	page := stepPage{Step: step.key, Draft: d, Editing: d.Editing != "", Problem: problemText, Notice: notice}
	for _, s := range wizardSteps {
		page.Steps = append(page.Steps, stepLink{Key: s.key, Title: s.title, Current: s.key == step.key})
	}
	if i > 0 {
		page.Prev = wizardSteps[i-1].key
	}
	if i+1 < len(wizardSteps) {
		page.Next = wizardSteps[i+1].key
	}
	if step.load != nil {
		data, err := step.load(c, r, sess, &d)
		if p, ok := err.(*problem); ok && p.Status == http.StatusUnauthorized {
			c.fail(w, r, sess, step.title, err)
			return page, status, false
		}
		if err != nil && page.Problem == "" {
			page.Problem = err.Error()
			if status == http.StatusOK {
				status = http.StatusUnprocessableEntity
			}
		}
		page.Data = data
		// load may have learnt something worth keeping (a plan shown).
		sess.setDraft(&d)
		page.Draft = d
	}
	return page, status, true
}

// wizardSave writes the reviewed integration through the API.
func (c *Console) wizardSave(w http.ResponseWriter, r *http.Request, sess *session) {
	d, ok := sess.getDraft()
	if !ok || !d.Planned {
		http.Redirect(w, r, "/integrations/new", http.StatusSeeOther)
		return
	}
	var plan planView
	if err := c.call(r.Context(), sess, "PUT", "/api/v1/integrations/"+url.PathEscape(d.Settings.Name), d.apiBody(), &plan); err != nil {
		if p, ok := err.(*problem); ok && p.Status != http.StatusUnauthorized {
			c.renderStep(w, r, sess, reviewStep, d, http.StatusUnprocessableEntity, p.Error(), "")
			return
		}
		c.fail(w, r, sess, "save", err)
		return
	}
	sess.setDraft(nil)
	http.Redirect(w, r, "/integrations/"+url.PathEscape(d.Settings.Name), http.StatusSeeOther)
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

// apiBody is the draft as the integration routes read it (write, test,
// picklists, companies): the settings and the credentials beside them.
func (d draft) apiBody() map[string]any {
	creds := maps.Clone(d.creds)
	if creds == nil {
		creds = map[string]string{}
	}
	return map[string]any{"settings": d.Settings, "credentials": creds}
}

// needName is the check every step that calls the PSA makes first.
func (d draft) needName() error {
	if d.Settings.Name == "" || d.Settings.PSA == "" {
		return fmt.Errorf("give the integration a name and choose its PSA on the Connection step")
	}
	return nil
}

// integrationPath is the API path of the draft's integration.
func (d draft) integrationPath(suffix string) string {
	return "/api/v1/integrations/" + url.PathEscape(d.Settings.Name) + suffix
}
