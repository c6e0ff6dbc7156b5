package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// statusStep maps our alert statuses to the PSA's ticket statuses and
// back, for issues and incidents apart, and turns on the PSA's webhook
// where it has one.
var statusStep = wizardStep{
	key: "status", title: "Status sync",
	load: loadStatus,
	read: readStatus,
}

// statusPage is what the status sync form shows.
type statusPage struct {
	Title                           string
	Enabled, AutoResolve, Untouched bool
	Webhooks                        bool
	WebhooksLacks, UntouchedLacks   string
	PollInterval, PublicURL         string
	DefaultPoll, MinPoll            string
	Kinds                           []statusKind
	Ours                            []string
	// StatusesNote says why the PSA's statuses are not offered (then
	// they are typed).
	StatusesNote string
}

// statusKind is one of the two maps, issues or incidents.
type statusKind struct {
	Key, Title string
	Fields     []statusField
	// FromPSA are further PSA statuses mapped back, then one blank row.
	FromPSA []fromPSARow
}

// statusField is one PSA status pick; with no Options it is typed.
type statusField struct {
	ID, Label, Value string
	Required         bool
	Options          []statusOption
}

type statusOption struct {
	Name     string
	Selected bool
}

type fromPSARow struct {
	Index int
	PSA   statusField
	To    string
}

func loadStatus(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
	st := d.Settings.StatusSync
	page := statusPage{
		Title: c.psaTitle(*d), Enabled: st.Enabled, AutoResolve: st.AutoResolve, Untouched: st.OnlyUntouched,
		Webhooks: st.Webhooks, PublicURL: st.PublicURL, PollInterval: st.PollInterval,
		DefaultPoll: integration.DefaultPollInterval, MinPoll: integration.MinPollInterval.String(),
		Ours: integration.AlertStatuses,
	}
	if page.PollInterval == "" {
		page.PollInterval = integration.DefaultPollInterval // the starting value; see keepDefault
	}
	page.WebhooksLacks, _ = c.lacks(*d, "status_sync.webhooks")
	page.UntouchedLacks, _ = c.lacks(*d, "status_sync.only_untouched")
	statuses, err := c.psaStatuses(r, sess, d)
	if err != nil {
		if unauthorized(err) {
			return page, err
		}
		page.StatusesNote = "The PSA's statuses could not be read (" + err.Error() + "): type their names as the PSA shows them."
	}
	for _, k := range []struct {
		key, title string
		m          integration.StatusMap
	}{{"issues", "Issues", st.Issues}, {"incidents", "Incidents", st.Incidents}} {
		page.Kinds = append(page.Kinds, newStatusKind(k.key, k.title, k.m, statuses))
	}
	return page, nil
}

func newStatusKind(key, title string, m integration.StatusMap, statuses []string) statusKind {
	k := statusKind{Key: key, Title: title}
	for _, ours := range integration.AlertStatuses {
		p, _ := m.Get(ours)
		k.Fields = append(k.Fields, statusField{
			ID: key + "_" + ours, Label: strings.ReplaceAll(ours, "_", " "), Value: p.String(),
			Required: ours != "ignored", Options: statusOptions(statuses, p.String()),
		})
	}
	for i, e := range append(slices.Clone(m.FromPSA), integration.PSAStatusTo{}) {
		id := fmt.Sprintf("%s_from_%d", key, i)
		k.FromPSA = append(k.FromPSA, fromPSARow{Index: i, To: e.To,
			PSA: statusField{ID: id + "_psa", Value: e.PSA.String(), Options: statusOptions(statuses, e.PSA.String())}})
	}
	return k
}

// statusOptions offers the PSA's statuses, and the one held when the PSA
// no longer lists it (so a page never silently changes it). None when
// the statuses are unknown: the field is typed.
func statusOptions(statuses []string, held string) []statusOption {
	if len(statuses) == 0 {
		return nil
	}
	out := make([]statusOption, 0, len(statuses)+1)
	found := false
	for _, s := range statuses {
		sel := strings.EqualFold(s, held)
		found = found || sel
		out = append(out, statusOption{Name: s, Selected: sel})
	}
	if held != "" && !found {
		out = append(out, statusOption{Name: held, Selected: true})
	}
	return out
}

// psaStatuses reads the active ticket statuses of the draft's PSA
// through the API's draft picklists route, which connects with the
// draft's connection (a stored integration's secrets are kept there).
// Where statuses belong to a board (their parent), those of the board
// ticket.queue names are offered, as the engine resolves them there.
func (c *Console) psaStatuses(r *http.Request, sess *session, d *draft) ([]string, error) {
	if err := d.needName(); err != nil {
		return nil, err
	}
	var out struct {
		Picklists map[string][]picklistEntry `json:"picklists"`
	}
	if err := c.call(r.Context(), sess, "POST", d.integrationPath("/picklists"), d.apiBody(), &out); err != nil {
		return nil, err
	}
	board := ""
	if q := d.Settings.Ticket.Queue; !q.IsZero() {
		for _, v := range out.Picklists["queue"] {
			if v.ID == q.ID || strings.EqualFold(v.Label, q.Name) {
				board = v.ID
				break
			}
		}
	}
	var names []string
	for _, v := range out.Picklists["status"] {
		onBoard := board == "" || v.Parent == "" || v.Parent == board
		if v.Active && onBoard && v.Label != "" && !slices.Contains(names, v.Label) {
			names = append(names, v.Label)
		}
	}
	return names, nil
}

// picklistEntry is one value of the API's picklists answer.
type picklistEntry struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Active bool   `json:"active"`
	Parent string `json:"parent"`
}

// readStatus takes the status sync form. Settings the PSA lacks are
// read only when the page showed them.
func readStatus(r *http.Request, d *draft) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("read the form: %w", err)
	}
	if !formShown(r, "has_status") {
		return nil
	}
	st := &d.Settings.StatusSync
	st.Enabled = formChecked(r, "status_enabled")
	st.AutoResolve = formChecked(r, "auto_resolve")
	if formShown(r, "has_untouched") {
		st.OnlyUntouched = formChecked(r, "only_untouched")
	}
	if formShown(r, "has_webhooks") {
		st.Webhooks = formChecked(r, "webhooks")
		st.PublicURL = formField(r, "public_url")
	}
	st.PollInterval = keepDefault(st.PollInterval, formField(r, "poll_interval"), integration.DefaultPollInterval)
	readStatusMap(r, "issues", &st.Issues)
	readStatusMap(r, "incidents", &st.Incidents)
	return nil
}

// readStatusMap reads one map; a from-PSA row without a PSA status is
// none. The API checks the rest (a missing or doubled status), naming
// the field, and the review shows it.
func readStatusMap(r *http.Request, key string, m *integration.StatusMap) {
	for _, f := range []struct {
		ours string
		p    *integration.Pick
	}{{"open", &m.Open}, {"in_progress", &m.InProgress}, {"resolved", &m.Resolved}, {"ignored", &m.Ignored}} {
		*f.p = pickNamed(*f.p, formField(r, key+"_"+f.ours))
	}
	old := m.FromPSA
	m.FromPSA = nil
	for i := range formRows(r, key+"_from_rows") {
		psa := formField(r, fmt.Sprintf("%s_from_%d_psa", key, i))
		to := formField(r, fmt.Sprintf("%s_from_%d_to", key, i))
		if psa == "" {
			continue
		}
		var held integration.Pick
		if i < len(old) {
			held = old[i].PSA
		}
		m.FromPSA = append(m.FromPSA, integration.PSAStatusTo{PSA: pickNamed(held, psa), To: to})
	}
}
