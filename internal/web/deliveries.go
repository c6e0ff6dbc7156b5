package web

import (
	"net/http"
	"strconv"
	"time"
)

// delivery is a delivery as the API shows it.
type delivery struct {
	ID            int64     `json:"id"`
	Integration   string    `json:"integration"`
	AlertSeq      int64     `json:"alert_seq"`
	Kind          string    `json:"kind"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// deliveries lists the failed deliveries with the PSA's last error.
func (c *Console) deliveries(w http.ResponseWriter, r *http.Request, sess *session) {
	var list struct {
		Deliveries []delivery `json:"deliveries"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/deliveries?state=failed", nil, &list); err != nil {
		c.fail(w, r, sess, "list deliveries", err)
		return
	}
	q := r.URL.Query()
	c.render(w, http.StatusOK, "deliveries", sess, map[string]any{
		"Deliveries": list.Deliveries, "Retried": q.Get("retried"), "RetriedAll": q.Get("retried_all"),
	})
}

// retry puts one failed delivery back through the API's retry route.
func (c *Console) retry(w http.ResponseWriter, r *http.Request, sess *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	if err := c.call(r.Context(), sess, "POST", "/api/v1/deliveries/"+strconv.FormatInt(id, 10)+"/retry", nil, nil); err != nil {
		c.fail(w, r, sess, "retry delivery", err)
		return
	}
	http.Redirect(w, r, "/deliveries?retried="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// retryAll puts every failed delivery back through the API's bulk retry
// and shows how many it put back.
func (c *Console) retryAll(w http.ResponseWriter, r *http.Request, sess *session) {
	var out struct {
		Retried int `json:"retried"`
	}
	if err := c.call(r.Context(), sess, "POST", "/api/v1/deliveries/retry", nil, &out); err != nil {
		c.fail(w, r, sess, "retry deliveries", err)
		return
	}
	http.Redirect(w, r, "/deliveries?retried_all="+strconv.Itoa(out.Retried), http.StatusSeeOther)
}
