package integration

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// statusExamples are the stock PSA statuses each of ours usually maps
// to, for "required" messages.
var statusExamples = map[string]string{"open": "New", "in_progress": "In Progress", "resolved": "Complete"}

// FromPSAPath is the path of a from_psa entry in problems and plans, keyed
// by its PSA status so a reordered list does not look like a change.
func FromPSAPath(mapPath string, i int, e PSAStatusTo) string {
	if name := strings.TrimSpace(e.PSA.String()); name != "" {
		return mapPath + ".from_psa[" + name + "]"
	}
	return fmt.Sprintf("%s.from_psa[%d]", mapPath, i)
}

// validateStatusSync checks status_sync. The maps must be complete only
// when status sync is on (a disabled section may be half written); every
// value that is set is checked either way, as are the options that
// contradict each other. ignored is optional: when it is unset an ignored
// alert takes the resolved status in the PSA, since both mean "done".
func validateStatusSync(ps *problems, s *Settings) {
	st := &s.StatusSync
	for _, m := range []struct {
		path, kind string
		sm         *StatusMap
	}{{"status_sync.issues", "issues", &st.Issues}, {"status_sync.incidents", "incidents", &st.Incidents}} {
		if st.Enabled {
			requireStatuses(ps, m.path, m.kind, m.sm)
		}
		checkStatusMap(ps, m.path, m.sm)
	}
	if st.PollInterval != "" {
		d, err := time.ParseDuration(st.PollInterval)
		switch {
		case err != nil:
			ps.add("status_sync.poll_interval", "%q is not a duration: set one like \"60s\" or \"2m\" (at least %s)", st.PollInterval, MinPollInterval)
		case d < MinPollInterval:
			ps.add("status_sync.poll_interval", "%q is too short: set at least %s (default %s): polling shares the PSA's request budget with ticket delivery", st.PollInterval, MinPollInterval, DefaultPollInterval)
		}
	}
	validatePublicURL(ps, st)
	if st.AutoResolve && !s.Sync.Update {
		ps.add("status_sync.auto_resolve", "needs sync.update: true: auto-resolve writes to the PSA")
	}
	if st.OnlyUntouched && !st.AutoResolve {
		ps.add("status_sync.only_untouched", "needs status_sync.auto_resolve: true: it only narrows which tickets auto-resolve closes")
	}
}

const publicURLHint = `set ticketbridge's base URL as the PSA can reach it, e.g. "https://ticketbridge.msp.example"`

func validatePublicURL(ps *problems, st *StatusSync) {
	if strings.TrimSpace(st.PublicURL) == "" {
		if st.Webhooks {
			ps.add("status_sync.public_url", "required when status_sync.webhooks is true: "+publicURLHint)
		}
		return
	}
	u, err := url.Parse(st.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ps.add("status_sync.public_url", "%q is not an absolute http(s) URL: "+publicURLHint, st.PublicURL)
	}
}

// requireStatuses reports open, in_progress and resolved when unset.
func requireStatuses(ps *problems, path, kind string, m *StatusMap) {
	for _, f := range m.picks() {
		if f.key == "ignored" || !f.p.IsZero() {
			continue
		}
		ps.add(path+"."+f.key, "required when status_sync.enabled is true: set the PSA status for %s %s, e.g. %q",
			strings.ReplaceAll(f.key, "_", " "), kind, statusExamples[f.key])
	}
}

// checkStatusMap checks the from_psa entries and that no PSA status maps
// back to two of ours: the four statuses map back too, so a PSA status
// named twice would be ambiguous.
func checkStatusMap(ps *problems, path string, m *StatusMap) {
	seen := map[string]string{} // lowercased PSA status → the path that maps it back
	for _, f := range m.picks() {
		name := nameKey(f.p.String())
		if name == "" {
			continue
		}
		if first, dup := seen[name]; dup {
			hint := ""
			if f.key == "ignored" {
				hint = " (leave ignored unset to give ignored alerts the resolved status)"
			}
			ps.add(path+"."+f.key, "%q is also %s: map each of our statuses to its own PSA status, so a PSA status maps back to one of ours%s", f.p.String(), first, hint)
			continue
		}
		seen[name] = path + "." + f.key
	}
	for i, e := range m.FromPSA {
		checkFromPSA(ps, FromPSAPath(path, i, e), e, seen)
	}
}

func checkFromPSA(ps *problems, p string, e PSAStatusTo, seen map[string]string) {
	to := strings.TrimSpace(e.To)
	switch {
	case to == "":
		ps.add(p+".to", "required: set the status %q maps back to: open, in_progress, resolved or ignored", e.PSA.String())
	case !slices.Contains(AlertStatuses, to):
		ps.add(p+".to", "unknown status %q: set open, in_progress, resolved or ignored", e.To)
	}
	name := nameKey(e.PSA.String())
	if name == "" {
		ps.add(p+".psa", "empty: set the PSA status that maps back, or remove the entry")
		return
	}
	if first, dup := seen[name]; dup {
		ps.add(p, "%q already maps back through %s: remove this entry", e.PSA.String(), first)
		return
	}
	seen[name] = p
}

// nameKey is the comparison form of names: trimmed, lowercase.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
