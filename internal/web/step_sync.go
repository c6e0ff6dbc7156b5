package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// syncStep says which alerts become tickets (since when, which types
// not) and whether later alerts update the tickets.
var syncStep = wizardStep{
	key: "sync", title: "Sync",
	load: loadSync,
	read: readSync,
}

// sinceChoices are the starting points the form offers; "date" reads
// the date field and "keep" keeps a value written another way (YAML, a
// duration, a full time).
var sinceChoices = []string{"now", "7d", "30d"}

// syncPage is what the sync form shows.
type syncPage struct {
	Since, SinceDate, Keep string
	Update                 bool
	Exclude                string
	Reconcile, DefaultRec  string
	MinReconcile           string
	// SeenTypes are the alert types received so far, as a hint.
	SeenTypes []string
}

func loadSync(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
	s := d.Settings.Sync
	page := syncPage{
		Update: s.Update, Exclude: strings.Join(s.ExcludeTypes, "\n"), Reconcile: s.ReconcileEvery,
		DefaultRec: shortDuration(integration.DefaultReconcileEvery), MinReconcile: shortDuration(integration.MinReconcileEvery),
	}
	if page.Reconcile == "" {
		page.Reconcile = page.DefaultRec // the starting value; see keepDefault
	}
	page.Since, page.SinceDate, page.Keep = sinceForm(s.Since)
	types, err := c.seenAlertTypes(r, sess)
	if unauthorized(err) {
		return page, err
	}
	page.SeenTypes = types // a hint only: none when the list fails
	return page, nil
}

// sinceForm splits sync.since into the form's choice, date and kept
// value.
func sinceForm(since string) (choice, date, keep string) {
	v := strings.TrimSpace(since)
	switch {
	case v == "" || strings.EqualFold(v, "now"):
		return "now", "", ""
	case slices.Contains(sinceChoices, v):
		return v, "", ""
	}
	if _, err := time.Parse(time.DateOnly, v); err == nil {
		return "date", v, ""
	}
	return "keep", "", v
}

// seenAlertTypes lists the types of the newest alerts, one page of the
// alert list: cheap, and enough for a hint.
func (c *Console) seenAlertTypes(r *http.Request, sess *session) ([]string, error) {
	var out struct {
		Alerts []struct {
			Type string `json:"type"`
		} `json:"alerts"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/alerts?limit=500", nil, &out); err != nil {
		return nil, err
	}
	var types []string
	for _, a := range out.Alerts {
		if a.Type != "" && !slices.Contains(types, a.Type) {
			types = append(types, a.Type)
		}
	}
	slices.Sort(types)
	return types, nil
}

func readSync(r *http.Request, d *draft) error {
	s := &d.Settings.Sync
	switch choice := formField(r, "since"); choice {
	case "keep":
	case "date":
		date := formField(r, "since_date")
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return fmt.Errorf("since: choose a date, or another starting point")
		}
		s.Since = date
	case "now":
		// "" is now too (the default): keep whichever is held.
		if choice, _, _ := sinceForm(s.Since); choice != "now" {
			s.Since = "now"
		}
	default:
		if !slices.Contains(sinceChoices, choice) {
			return fmt.Errorf("since: choose now, 7 days, 30 days or a date")
		}
		s.Since = choice
	}
	s.Update = formChecked(r, "update")
	s.ExcludeTypes = nil
	for line := range strings.Lines(r.PostFormValue("exclude_types")) {
		if t := strings.TrimSpace(line); t != "" && !slices.Contains(s.ExcludeTypes, t) {
			s.ExcludeTypes = append(s.ExcludeTypes, t)
		}
	}
	s.ReconcileEvery = keepDefault(s.ReconcileEvery, formField(r, "reconcile_every"), shortDuration(integration.DefaultReconcileEvery))
	return nil
}

// shortDuration writes whole hours and minutes as people do: "6h", not
// "6h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
