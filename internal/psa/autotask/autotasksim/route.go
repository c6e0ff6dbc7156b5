package autotasksim

import (
	"net/http"
	"strconv"
)

// route dispatches an authenticated request by its segments after V1.0.
func (s *Sim) route(c *call) {
	segs := c.segs
	if len(segs) == 0 {
		pathNotFound(c.w)
		return
	}
	switch {
	case len(segs) == 1 && segs[0] == "thresholdinformation":
		if allow(c, http.MethodGet) {
			writeJSON(c.w, http.StatusOK, map[string]int{
				"externalRequestThreshold":     s.opts.HourlyLimit,
				"requestThresholdTimeframe":    60,
				"currentTimeframeRequestCount": s.requests.Count(database),
			})
		}
		return
	case len(segs) == 1 && segs[0] == "version":
		if allow(c, http.MethodGet) {
			writeJSON(c.w, http.StatusOK, map[string]string{
				"majorVersion": "2026", "minorVersion": "1", "build": "0", "customerType": "Simulator",
			})
		}
		return
	}
	e := s.entities[segs[0]]
	if e == nil {
		pathNotFound(c.w)
		return
	}
	if len(segs) >= 3 {
		if ch, ok := s.children[segs[0]+"/"+segs[2]]; ok {
			if pid, err := strconv.ParseInt(segs[1], 10, 64); err == nil {
				s.routeEntity(c, s.entities[ch.entity], segs[3:], &parentRef{field: ch.parentField, id: pid})
				return
			}
		}
	}
	s.routeEntity(c, e, segs[1:], nil)
}

// parentRef is the parent of a /{Parent}/{id}/{Child} request.
type parentRef struct {
	field string
	id    int64
}

// allow answers 405 unless the request uses one of methods.
func allow(c *call, methods ...string) bool {
	for _, m := range methods {
		if c.r.Method == m {
			return true
		}
	}
	methodNotAllowed(c.w)
	return false
}

// routeEntity serves the paths under one entity (or parent/child prefix).
func (s *Sim) routeEntity(c *call, e *entity, rest []string, parent *parentRef) {
	switch {
	case len(rest) == 0:
		s.routeCollection(c, e, parent)
	case rest[0] == "entityinformation":
		s.routeInfo(c, e, rest[1:])
	case rest[0] == "query" && parent == nil:
		if e.noQuery {
			methodNotAllowed(c.w)
			return
		}
		s.routeQuery(c, e, rest[1:])
	case len(rest) == 1:
		s.routeItem(c, e, rest[0], parent)
	default:
		pathNotFound(c.w)
	}
}

// routeCollection serves /{Entity} (create and update) and the
// parent/child list path, which also answers GET.
func (s *Sim) routeCollection(c *call, e *entity, parent *parentRef) {
	if parent == nil && !e.rootPath {
		pathNotFound(c.w)
		return
	}
	methods := []string{}
	if parent != nil && !e.noQuery {
		methods = append(methods, http.MethodGet)
	}
	if parent != nil || e.rootWrite {
		if e.canCreate {
			methods = append(methods, http.MethodPost)
		}
		if e.canUpdate {
			methods = append(methods, http.MethodPatch, http.MethodPut)
		}
	}
	if !allow(c, methods...) {
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		s.listChildren(c, e, parent)
	case http.MethodPost:
		s.create(c, e, parent)
	default:
		s.update(c, e, parent, c.r.Method == http.MethodPut)
	}
}

// routeItem serves /{Entity}/{id}: GET, and DELETE where allowed.
func (s *Sim) routeItem(c *call, e *entity, seg string, parent *parentRef) {
	id, err := strconv.ParseInt(seg, 10, 64)
	if err != nil {
		pathNotFound(c.w)
		return
	}
	var methods []string
	if !e.noQuery {
		methods = append(methods, http.MethodGet)
	}
	if e.canDelete {
		methods = append(methods, http.MethodDelete)
	}
	if !allow(c, methods...) {
		return
	}
	if c.r.Method == http.MethodDelete {
		s.deleteItem(c, e, id, parent)
		return
	}
	s.getItem(c, e, id, parent)
}

func (s *Sim) routeInfo(c *call, e *entity, rest []string) {
	if len(rest) > 1 {
		pathNotFound(c.w)
		return
	}
	if !allow(c, http.MethodGet) {
		return
	}
	switch {
	case len(rest) == 0:
		writeJSON(c.w, http.StatusOK, e.info())
	case rest[0] == "fields":
		writeJSON(c.w, http.StatusOK, map[string]any{"fields": e.fields})
	case rest[0] == "userdefinedfields":
		// No UDF definitions are seeded; values sent on writes are kept as
		// given (see parseInput).
		writeJSON(c.w, http.StatusOK, map[string]any{"fields": []any{}})
	default:
		pathNotFound(c.w)
	}
}

// routeQuery serves /query, /query/count and /query/next.
func (s *Sim) routeQuery(c *call, e *entity, rest []string) {
	if len(rest) > 1 {
		pathNotFound(c.w)
		return
	}
	if !allow(c, http.MethodGet, http.MethodPost) {
		return
	}
	switch {
	case len(rest) == 0:
		s.query(c, e, false)
	case rest[0] == "count":
		s.count(c, e)
	case rest[0] == "next":
		s.query(c, e, true)
	default:
		pathNotFound(c.w)
	}
}

func (s *Sim) getItem(c *call, e *entity, id int64, parent *parentRef) {
	s.mu.Lock()
	r := e.rows[id]
	if r != nil && parent != nil && asInt(r[parent.field]) != parent.id {
		r = nil
	}
	var out rendered
	if r != nil {
		out = e.render(r, nil)
	}
	s.mu.Unlock()
	if r == nil {
		writeErr(c.w, notFound("%s with id %d was not found.", e.singular, id))
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"item": out})
}
