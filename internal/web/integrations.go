package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

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

// overviewRow is one integration on the overview.
type overviewRow struct {
	integrationInfo
	Health  *Health
	Pending string
	Failed  string
}

// countCap is how many deliveries the overview counts before it says
// "N+": the API lists them a page at a time and has no count route yet.
const countCap = 1000

func (c *Console) integrations(w http.ResponseWriter, r *http.Request, sess *session) {
	var list struct {
		Integrations []integrationInfo `json:"integrations"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/integrations", nil, &list); err != nil {
		c.fail(w, r, sess, "list integrations", err)
		return
	}
	health := map[string]Health{}
	if c.cfg.Health != nil {
		for _, h := range c.cfg.Health(sess.tenant) {
			health[h.Integration] = h
		}
	}
	rows := make([]overviewRow, len(list.Integrations))
	for i, it := range list.Integrations {
		rows[i].integrationInfo = it
		if h, ok := health[it.Name]; ok {
			rows[i].Health = &h
		}
		var err error
		if rows[i].Pending, err = c.countDeliveries(r, sess, it.Name, "pending"); err == nil {
			rows[i].Failed, err = c.countDeliveries(r, sess, it.Name, "failed")
		}
		if err != nil {
			c.fail(w, r, sess, "count deliveries", err)
			return
		}
	}
	c.render(w, http.StatusOK, "integrations", sess, rows)
}

func (c *Console) countDeliveries(r *http.Request, sess *session, name, state string) (string, error) {
	var list struct {
		Deliveries []json.RawMessage `json:"deliveries"`
	}
	q := url.Values{"integration": {name}, "state": {state}, "limit": {fmt.Sprint(countCap)}}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/deliveries?"+q.Encode(), nil, &list); err != nil {
		return "", err
	}
	if len(list.Deliveries) >= countCap {
		return fmt.Sprintf("%d+", countCap), nil
	}
	return fmt.Sprint(len(list.Deliveries)), nil
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
