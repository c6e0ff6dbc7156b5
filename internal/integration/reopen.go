package integration

import (
	"strings"
	"time"
)

// ReopenWindow is ticket.reopen_within as a duration: 0 when off (unset,
// "off", or invalid, which Validate refuses).
func (t Ticket) ReopenWindow() time.Duration {
	v := strings.TrimSpace(t.ReopenWithin)
	if v == "" || strings.EqualFold(v, "off") {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

func validateReopen(ps *problems, t *Ticket) {
	v := strings.TrimSpace(t.ReopenWithin)
	if v == "" || strings.EqualFold(v, "off") {
		return
	}
	if d, err := time.ParseDuration(v); err != nil || d <= 0 {
		ps.add("ticket.reopen_within", "%q is not a positive duration: set one like \"24h\" (a group's ticket closed less than that long ago is reopened for its next alert), or \"off\"", t.ReopenWithin)
	}
	if t.GroupBy == GroupNone {
		ps.add("ticket.reopen_within", "has no effect with group_by none (every alert is its own group): remove it, or group alerts by user, user_alert or subject")
	}
}
