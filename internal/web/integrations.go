package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// integrationInfo is one integration as GET /api/v1/integrations answers.
type integrationInfo struct {
	Name     string          `json:"name"`
	PSA      string          `json:"psa"`
	Version  int64           `json:"version"`
	Settings json.RawMessage `json:"settings"`
}

// overviewRow is one integration on the overview: its health, its
// request budget and its backlog.
type overviewRow struct {
	integrationInfo
	Health  *Health
	Budget  *Budget
	Backlog backlog
	// OldestAge is how long the oldest pending delivery has waited, ""
	// when none is pending.
	OldestAge string
}

// backlog is one integration's row of GET /api/v1/deliveries/backlog.
type backlog struct {
	Integration     string     `json:"integration"`
	Pending         int64      `json:"pending"`
	Failed          int64      `json:"failed"`
	OldestPendingAt *time.Time `json:"oldest_pending_at"`
}

func (c *Console) integrations(w http.ResponseWriter, r *http.Request, sess *session) {
	var list struct {
		Integrations []integrationInfo `json:"integrations"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/integrations", nil, &list); err != nil {
		c.fail(w, r, sess, "list integrations", err)
		return
	}
	// The API counts the backlog in one read of the pending and failed
	// rows, rather than the console listing deliveries to count them.
	var bl struct {
		Integrations []backlog `json:"integrations"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/deliveries/backlog", nil, &bl); err != nil {
		c.fail(w, r, sess, "count deliveries", err)
		return
	}
	backlogs := map[string]backlog{}
	for _, b := range bl.Integrations {
		backlogs[b.Integration] = b
	}
	health := map[string]Health{}
	if c.cfg.Health != nil {
		for _, h := range c.cfg.Health(sess.tenant) {
			health[h.Integration] = h
		}
	}
	now := c.cfg.Now()
	rows := make([]overviewRow, len(list.Integrations))
	for i, it := range list.Integrations {
		rows[i].integrationInfo, rows[i].Backlog = it, backlogs[it.Name]
		if h, ok := health[it.Name]; ok {
			rows[i].Health = &h
		}
		if c.cfg.Budget != nil {
			if b, ok := c.cfg.Budget(sess.tenant, it.Name); ok {
				rows[i].Budget = &b
			}
		}
		if at := rows[i].Backlog.OldestPendingAt; at != nil {
			rows[i].OldestAge = age(now.Sub(*at))
		}
	}
	c.render(w, http.StatusOK, "integrations", sess, rows)
}

// age says a duration as people read a wait: seconds, minutes, hours or
// days, whole.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d.Seconds()), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// integration shows one integration's settings as apply reads them. The
// API's answer holds no secret values; secrets show as "stored".
func (c *Console) integration(w http.ResponseWriter, r *http.Request, sess *session) {
	var it integrationInfo
	if err := c.call(r.Context(), sess, "GET", "/api/v1/integrations/"+url.PathEscape(r.PathValue("name")), nil, &it); err != nil {
		c.fail(w, r, sess, "read integration", err)
		return
	}
	var s integration.Settings
	if err := json.Unmarshal(it.Settings, &s); err != nil {
		c.fail(w, r, sess, "decode settings", err)
		return
	}
	doc, err := yaml.Marshal(s)
	if err != nil {
		c.fail(w, r, sess, "encode settings", err)
		return
	}
	c.render(w, http.StatusOK, "integration", sess, map[string]any{"Integration": it, "YAML": string(doc)})
}
