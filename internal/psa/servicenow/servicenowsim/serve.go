package servicenowsim

import (
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// tablePath matches /api/now[/v1|/v2]/table/{table}[/{sys_id}].
var tablePath = regexp.MustCompile(`^/api/now(?:/(v1|v2))?/table/([^/]+)(?:/([^/]+))?/?$`)

// ServeHTTP answers the Table API and the OAuth token endpoint.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth_token.do" {
		s.serveToken(w, r)
		return
	}
	m := tablePath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		fail(w, http.StatusBadRequest, "Requested URI does not represent any resource", "")
		return
	}
	user, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `BASIC realm="Service-now"`)
		fail(w, http.StatusUnauthorized, msgNotAuth, detailNotAuth)
		return
	}
	if !s.limit(w, user.UserName) {
		return
	}
	release, ok := s.gate.Acquire("")
	defer release()
	if !ok {
		fail(w, s.opt.SemaphoreStatus, "Too many concurrent transactions", "")
		return
	}
	if s.opt.Latency > 0 { // a transaction holds its place while it runs
		simkit.Sleep(r.Context(), s.opt.Latency)
	}
	if !acceptsJSON(r.Header.Get("Accept")) {
		fail(w, http.StatusNotAcceptable, "Requested response format is not supported", "Supported formats are application/json and application/xml")
		return
	}
	if hasBody(r) && !isJSON(r.Header.Get("Content-Type")) {
		fail(w, http.StatusUnsupportedMediaType, "Unsupported Media Type", "Supported request formats are application/json and application/xml")
		return
	}
	req := &request{r: r, w: w, user: user, version: m[1], table: m[2], id: m[3]}
	if _, ok := schemas[req.table]; !ok {
		fail(w, http.StatusBadRequest, msgInvalidTable+req.table, "")
		return
	}
	s.route(req)
}

// request is one Table API call being answered.
type request struct {
	r       *http.Request
	w       http.ResponseWriter
	user    User
	version string
	table   string
	id      string
}

func (s *Sim) route(q *request) {
	switch {
	case q.id == "" && q.r.Method == http.MethodGet:
		s.list(q)
	case q.id == "" && q.r.Method == http.MethodPost:
		s.create(q)
	case q.id == "":
		fail(q.w, http.StatusMethodNotAllowed, "Method not Supported", fmt.Sprintf("%s method not supported for API", q.r.Method))
	case q.r.Method == http.MethodGet:
		s.get(q)
	case q.r.Method == http.MethodPatch || q.r.Method == http.MethodPut:
		s.update(q)
	case q.r.Method == http.MethodDelete:
		s.remove(q)
	default:
		fail(q.w, http.StatusMethodNotAllowed, "Method not Supported", fmt.Sprintf("%s method not supported for API", q.r.Method))
	}
}

// limit applies the rate-limit rule to user, setting its headers on
// every answer; false when the request was refused with 429.
func (s *Sim) limit(w http.ResponseWriter, user string) bool {
	if s.opt.RateLimit <= 0 {
		return true
	}
	v := s.window.Take(user)
	hours := s.opt.Window.Hours()
	perHour := s.opt.RateLimit
	if hours > 0 && hours != 1 {
		perHour = int(float64(s.opt.RateLimit) / hours)
	}
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(perHour))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(v.Reset.Unix(), 10))
	w.Header().Set("X-RateLimit-Rule", s.ruleID)
	if v.OK {
		return true
	}
	w.Header().Set("Retry-After", simkit.RetryAfter(v.Wait))
	fail(w, http.StatusTooManyRequests, msgRateLimit,
		fmt.Sprintf("Rate limit of %d requests per hour for Table API exceeded", perHour))
	return false
}

// acceptsJSON reports whether an Accept header allows JSON.
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return false
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == "application/json" || mt == "application/*" || mt == "*/*") {
			return true
		}
	}
	return false
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func hasBody(r *http.Request) bool {
	return r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut
}
