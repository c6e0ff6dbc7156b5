package integration

import (
	"fmt"
	"time"
)

// Defaults and limits of status_sync and contracts.billable_users.
const (
	DefaultPollInterval = "60s"
	// MinPollInterval keeps the poller from eating the PSA's request
	// budget, which ticket delivery shares.
	MinPollInterval   = 5 * time.Second
	DefaultTimeZone   = "UTC"
	DefaultDayOfMonth = 1
	// MaxDayOfMonth is the last day every month has, so the sync day
	// never falls out of a short month.
	MaxDayOfMonth = 28
)

// AlertStatuses lists our statuses a status map covers, in map order. It
// mirrors alert.Statuses; integration does not import alert so the
// settings schema stays free of the alert model.
var AlertStatuses = []string{"open", "in_progress", "resolved", "ignored"}

// applyStatusDefaults fills status_sync defaults only when status sync is
// on, so an integration that does not use it exports no status_sync
// section.
func applyStatusDefaults(st *StatusSync) {
	if st.Enabled {
		setDefault(&st.PollInterval, DefaultPollInterval)
	}
}

// applyContractDefaults fills billable_users defaults only when the sync
// is on, for the same reason.
func applyContractDefaults(c *Contracts) {
	b := &c.BillableUsers
	if !b.Enabled {
		return
	}
	setDefault(&b.TimeZone, DefaultTimeZone)
	if b.DayOfMonth == 0 {
		b.DayOfMonth = DefaultDayOfMonth
	}
}

// Interval is the poll interval: PollInterval parsed, or the default when
// it is empty. Validate rejects what does not parse, so an error here
// means the settings skipped validation.
func (st StatusSync) Interval() (time.Duration, error) {
	v := st.PollInterval
	if v == "" {
		v = DefaultPollInterval
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("status_sync.poll_interval: %w", err)
	}
	return d, nil
}

// Location is the time zone the sync day is counted in: TimeZone loaded,
// or UTC when it is empty.
func (b BillableUsers) Location() (*time.Location, error) {
	if b.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("contracts.billable_users.time_zone: %w", err)
	}
	return loc, nil
}

// Map returns the status map for alerts of kind ("incident" or anything
// else, which is an issue: alerts default to issues).
func (st StatusSync) Map(kind string) StatusMap {
	if kind == "incident" {
		return st.Incidents
	}
	return st.Issues
}

// Get returns the pick for one of AlertStatuses; ok is false for an
// unknown status.
func (m StatusMap) Get(status string) (p Pick, ok bool) {
	switch status {
	case "open":
		return m.Open, true
	case "in_progress":
		return m.InProgress, true
	case "resolved":
		return m.Resolved, true
	case "ignored":
		return m.Ignored, true
	}
	return Pick{}, false
}

// picks lists the four status picks with their keys, in map order.
func (m *StatusMap) picks() []struct {
	key string
	p   *Pick
} {
	return []struct {
		key string
		p   *Pick
	}{{"open", &m.Open}, {"in_progress", &m.InProgress}, {"resolved", &m.Resolved}, {"ignored", &m.Ignored}}
}
