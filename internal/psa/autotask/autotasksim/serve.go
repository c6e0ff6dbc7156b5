package autotasksim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// rootPrefix is the REST root; Autotask matches path segments
// case-insensitively, so clients mix ATServicesRest and atservicesrest.
const rootPrefix = "atservicesrest"

// call is one authenticated request on its way through the router.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	caller int64    // resource id of the acting user
	segs   []string // lower-case path segments after V1.0
}

// ServeHTTP answers one request as Autotask's REST API would.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.Path)
	if len(segs) < 2 || segs[0] != rootPrefix {
		pathNotFound(w)
		return
	}
	segs = segs[1:]
	switch {
	case len(segs) == 1 && segs[0] == "versioninformation":
		s.unauthenticated(w, r, func() { writeJSON(w, http.StatusOK, map[string]any{"apiVersions": []string{"1.0"}}) })
		return
	case segs[0] != "v1.0":
		pathNotFound(w)
		return
	case len(segs) == 2 && segs[1] == "zoneinformation":
		s.unauthenticated(w, r, func() { s.zoneInformation(w, r) })
		return
	}
	caller, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.serveCounted(&call{w: w, r: r, caller: caller, segs: segs[1:]})
}

// splitPath returns the lower-case, non-empty segments of p.
func splitPath(p string) []string {
	var out []string
	for _, seg := range strings.Split(strings.ToLower(p), "/") {
		if seg != "" {
			out = append(out, seg)
		}
	}
	return out
}

// unauthenticated serves the version and zone calls: GET only, not counted
// against the threshold and not thread-limited.
func (s *Sim) unauthenticated(w http.ResponseWriter, r *http.Request, serve func()) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w)
		return
	}
	simkit.Sleep(r.Context(), s.opts.Latency)
	serve()
}

func (s *Sim) zoneInformation(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.users[strings.ToLower(r.URL.Query().Get("user"))]; !ok {
		writeErrors(w, http.StatusInternalServerError, msgZone)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"zoneName": "Simulator",
		"url":      "http://" + r.Host + "/" + rootPrefix + "/",
		"webUrl":   "http://" + r.Host + "/",
		"ci":       1,
	})
}

// authenticate checks the three headers (Go canonicalises header names, so
// any spelling matches) and returns the acting resource id. The order of
// checks follows live behaviour: the user decides the zone first, then the
// secret, then the integration code.
func (s *Sim) authenticate(w http.ResponseWriter, r *http.Request) (int64, bool) {
	u, ok := s.users[strings.ToLower(r.Header.Get("UserName"))]
	if !ok {
		writeErrors(w, http.StatusInternalServerError, msgZone)
		return 0, false
	}
	if !simkit.EqualSecret(r.Header.Get("Secret"), u.Secret) {
		w.WriteHeader(http.StatusUnauthorized)
		return 0, false
	}
	if !simkit.EqualSecret(r.Header.Get("ApiIntegrationCode"), s.opts.IntegrationCode) {
		writeErrors(w, http.StatusInternalServerError, msgBadCode)
		return 0, false
	}
	caller := int64(u.ResourceID)
	if imp := r.Header.Get("ImpersonationResourceId"); imp != "" {
		id, ok := s.resourceID(imp)
		if !ok {
			writeErrors(w, http.StatusInternalServerError, "ImpersonationResourceId is not a valid resource.")
			return 0, false
		}
		caller = id
	}
	return caller, true
}

func (s *Sim) resourceID(text string) (int64, bool) {
	var id int64
	if _, err := fmt.Sscan(text, &id); err != nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.entities["resources"].rows[id]
	return id, ok
}

// serveCounted applies the request threshold and the thread gate, then
// routes. A thread-refused request still counts: it reached the API.
func (s *Sim) serveCounted(c *call) {
	v := s.requests.Take(database)
	if !v.OK {
		s.writeThrottled(c.w, http.StatusTooManyRequests, fmt.Sprintf(
			"API request threshold of %d requests per hour has been exceeded; requests are refused until usage drops.",
			s.opts.HourlyLimit))
		return
	}
	key := s.opts.IntegrationCode + "|" + s.endpointKey(c.segs)
	release, ok := s.threads.Acquire(key)
	if !ok {
		s.writeThrottled(c.w, s.opts.ThreadLimitStatus, fmt.Sprintf(msgThreadLimit, s.opts.ThreadLimit))
		return
	}
	defer release()
	delay := s.opts.Latency
	if s.opts.ThrottleLatency {
		delay += usageDelay(v.Count, s.opts.HourlyLimit, s.opts.Window)
	}
	simkit.Sleep(c.r.Context(), delay)
	s.route(c)
}

// endpointKey names the object endpoint a request is thread-limited on: the
// child entity for parent/child paths, else the first segment.
func (s *Sim) endpointKey(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	if len(segs) >= 3 {
		if ch, ok := s.children[segs[0]+"/"+segs[2]]; ok {
			return ch.entity
		}
	}
	return segs[0]
}
