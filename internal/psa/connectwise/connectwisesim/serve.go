package connectwisesim

import (
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// call is one authenticated API request on its way through the router.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	member Member
	site   string  // scheme://host of the request
	base   string  // absolute API root, for links: site + /{codebase}apis/3.0
	ids    []int64 // the numeric path segments matched by the route
}

// ServeHTTP answers one request as ConnectWise's REST API would.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.Path)
	switch {
	case len(segs) == 3 && segs[0] == "login" && segs[1] == "companyinfo":
		s.unauthenticated(w, r, func() { s.companyInfo(w, path.Base(r.URL.Path)) })
		return
	case len(segs) == 4 && s.isCodebase(segs[0]) && segs[1] == "system" && segs[2] == "callbackkey" && segs[3] == "index.rails":
		s.unauthenticated(w, r, func() { s.callbackKey(w, r) })
		return
	case len(segs) < 3 || !s.isCodebase(segs[0]) || segs[1] != "apis" || segs[2] != "3.0":
		writeJSON(w, http.StatusNotFound, &apiError{Code: codeNotFound, Message: "The requested resource was not found."})
		return
	}
	s.serveAPI(w, r, segs)
}

// splitPath returns the lower-case, non-empty segments of p. ConnectWise
// matches API paths case-insensitively.
func splitPath(p string) []string {
	var out []string
	for _, seg := range strings.Split(strings.ToLower(p), "/") {
		if seg != "" {
			out = append(out, seg)
		}
	}
	return out
}

// isCodebase reports whether seg is the stable alias or the advertised
// codebase.
func (s *Sim) isCodebase(seg string) bool {
	return seg == strings.TrimSuffix(StableCodebase, "/") || seg == strings.ToLower(strings.TrimSuffix(s.opts.Codebase, "/"))
}

func siteOf(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// unauthenticated serves discovery and the callback key: GET only, not
// counted against the rate limit.
func (s *Sim) unauthenticated(w http.ResponseWriter, r *http.Request, serve func()) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w)
		return
	}
	simkit.Sleep(r.Context(), s.opts.Latency)
	serve()
}

// companyInfo answers codebase discovery: the tenant's details, or 200
// with body null for a company it does not know.
func (s *Sim) companyInfo(w http.ResponseWriter, company string) {
	if !strings.EqualFold(company, s.CompanyID()) {
		writeJSON(w, http.StatusOK, nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"CompanyName":   "Bridge MSP",
		"Codebase":      s.opts.Codebase,
		"VersionCode":   "v" + apiVersion,
		"VersionNumber": "v4.6.2025001",
		"CompanyID":     s.CompanyID(),
		"IsCloud":       true,
	})
}

// serveAPI authenticates, throttles and routes one API request.
func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request, segs []string) {
	h := w.Header()
	h.Set("api-current-version", apiVersion)
	h.Set("x-cw-request-id", fmt.Sprintf("tbsim-%08d", s.reqSeq.Add(1)))
	h.Set("x-server-name", "tbsim")
	m, err := s.authenticate(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	if v := s.limiter.Take(tenant); !v.OK {
		h.Set("Retry-After", simkit.RetryAfter(v.Wait))
		writeJSON(w, s.opts.ThrottleStatus, &apiError{Code: "TooManyRequests",
			Message: fmt.Sprintf("Request limit of %d requests per %s exceeded; retry later.", s.opts.RateLimit, s.opts.Window)})
		return
	}
	simkit.Sleep(r.Context(), s.opts.Latency)
	site := siteOf(r)
	c := &call{w: w, r: r, member: m, site: site, base: site + "/" + segs[0] + "/apis/3.0"}
	s.route(c, segs[3:])
}

// authenticate checks the clientId header, then Basic company+public:private.
// Messages never repeat what the caller sent.
func (s *Sim) authenticate(r *http.Request) (Member, error) {
	unauthorized := func(msg string) error {
		return &apiError{status: http.StatusUnauthorized, Code: codeUnauthorized, Message: msg}
	}
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get("clientId")), s.opts.ClientID) {
		return Member{}, unauthorized("A valid clientId header is required. Register your integration to obtain one.")
	}
	user, private, ok := simkit.BasicAuth(r)
	if !ok {
		return Member{}, unauthorized("Authorization header is missing or not Basic company+publicKey:privateKey.")
	}
	company, public, ok := strings.Cut(user, "+")
	m, known := s.members[memberKey(company, public)]
	if !ok || !known || !simkit.EqualSecret(private, m.PrivateKey) {
		return Member{}, unauthorized("Invalid credentials: the company, public key or private key is wrong.")
	}
	return m, nil
}

func methodNotAllowed(w http.ResponseWriter) {
	writeJSON(w, http.StatusMethodNotAllowed, &apiError{Code: "MethodNotAllowed", Message: "The requested method is not supported for this resource."})
}
