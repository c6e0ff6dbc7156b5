package rules

import (
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// StatusMapper maps between our alert statuses and PSA status ids for one
// integration, from resolved status_sync settings (Picks with ids). Issues
// and incidents have separate maps; an alert of any other kind is an issue.
// A disabled status sync maps nothing. The zero value maps nothing; a
// StatusMapper is safe for concurrent use.
type StatusMapper struct {
	to   map[alert.Kind]map[alert.Status]string
	from map[alert.Kind]map[string]alert.Status
}

// NewStatusMapper compiles the status maps. An unset ignored status takes
// the resolved one (both mean "done"); that PSA status maps back as
// resolved. Where settings map one PSA status back twice (Validate forbids
// it), the first mapping wins: open, in_progress, resolved, ignored, then
// from_psa in order.
func NewStatusMapper(s integration.StatusSync) StatusMapper {
	m := StatusMapper{
		to:   map[alert.Kind]map[alert.Status]string{},
		from: map[alert.Kind]map[string]alert.Status{},
	}
	if !s.Enabled {
		return m
	}
	for _, k := range []alert.Kind{alert.KindIssue, alert.KindIncident} {
		m.to[k], m.from[k] = compileStatusMap(s.Map(string(k)))
	}
	return m
}

func compileStatusMap(sm integration.StatusMap) (map[alert.Status]string, map[string]alert.Status) {
	to := make(map[alert.Status]string, len(alert.Statuses))
	from := make(map[string]alert.Status, len(alert.Statuses)+len(sm.FromPSA))
	back := func(id string, st alert.Status) {
		if _, dup := from[id]; id != "" && !dup {
			from[id] = st
		}
	}
	for _, st := range alert.Statuses {
		p, _ := sm.Get(string(st))
		if p.ID == "" {
			continue
		}
		to[st] = p.ID
		back(p.ID, st)
	}
	if _, ok := to[alert.StatusIgnored]; !ok && to[alert.StatusResolved] != "" {
		to[alert.StatusIgnored] = to[alert.StatusResolved]
	}
	for _, e := range sm.FromPSA {
		if st := alert.Status(norm(e.To)); isStatus(st) {
			back(e.PSA.ID, st)
		}
	}
	return to, from
}

func isStatus(st alert.Status) bool {
	for _, s := range alert.Statuses {
		if s == st {
			return true
		}
	}
	return false
}

// kindOf maps an alert kind to a map key: incidents, else issues.
func kindOf(k alert.Kind) alert.Kind {
	if k == alert.KindIncident {
		return alert.KindIncident
	}
	return alert.KindIssue
}

// ToPSA returns the PSA status id an alert of kind in status st takes.
// ok is false when that status is not mapped (or status sync is off).
func (m StatusMapper) ToPSA(kind alert.Kind, st alert.Status) (psaStatusID string, ok bool) {
	id, ok := m.to[kindOf(kind)][st]
	return id, ok
}

// FromPSA returns our status for a PSA status id: the four mapped statuses
// map back, plus the from_psa entries. A PSA status in neither is
// ignored: ok is false.
func (m StatusMapper) FromPSA(kind alert.Kind, psaStatusID string) (alert.Status, bool) {
	st, ok := m.from[kindOf(kind)][psaStatusID]
	return st, ok
}
