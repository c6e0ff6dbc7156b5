package connectwisesim

import (
	"net/http"
)

// saveSpec describes how one writable resource turns input into a record.
type saveSpec struct {
	sc scope
	// build validates in and returns the new record without id and _info;
	// old is the stored record on updates, nil on create. Callers hold s.mu.
	build func(in *input, old obj) (obj, error)
	// after runs under s.mu once the record is stored (side effects).
	after func(rec, old obj)
}

// save serves POST (create, 201), PATCH (JSON-Patch on the record as read,
// 200) and PUT (replace, 200) for sp, answering with the full record. It
// returns the stored record, or nil when it answered an error.
func (s *Sim) save(c *call, sp saveSpec) obj {
	resource := s.tables[sp.sc.table].resource
	var body map[string]any
	var ops []patchOp
	var err error
	switch c.r.Method {
	case http.MethodPatch:
		ops, err = readPatch(c, resource)
	default:
		err = readJSON(c, resource, &body)
	}
	if err != nil {
		writeErr(c.w, err)
		return nil
	}
	s.mu.Lock()
	rec, err := s.store(c, sp, body, ops)
	var out any
	if err == nil {
		out = render(rec, c.base)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(c.w, err)
		return nil
	}
	status := http.StatusOK
	if c.r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	writeJSON(c.w, status, out)
	return rec
}

// store builds and stores the record; callers hold s.mu.
func (s *Sim) store(c *call, sp saveSpec, body map[string]any, ops []patchOp) (obj, error) {
	t := s.tables[sp.sc.table]
	var old obj
	if c.r.Method == http.MethodPost {
		if sp.sc.parent != "" && s.tables[sp.sc.parent].rows[c.ids[0]] == nil {
			return nil, notFound(s.tables[sp.sc.parent].display, c.ids[0])
		}
	} else {
		var err error
		if old, err = sp.sc.find(s, c); err != nil {
			return nil, err
		}
	}
	if ops != nil {
		body = wireForm(old)
		if err := applyPatch(body, ops); err != nil {
			return nil, err
		}
	}
	rec, err := sp.build(newInput(body, t.resource), old)
	if err != nil {
		return nil, err
	}
	now, who := s.now(), c.member.Identifier
	if old == nil {
		rec["id"] = t.nextID()
		rec["_info"] = info(now, who)
	} else {
		rec["id"] = old["id"]
		rec["_info"] = cloneObj(old["_info"].(obj))
		touch(rec, now, who)
	}
	t.insert(rec)
	if sp.after != nil {
		sp.after(rec, old)
	}
	return rec, nil
}

func cloneObj(o obj) obj {
	c := make(obj, len(o))
	for k, v := range o {
		c[k] = v
	}
	return c
}

// remove serves DELETE: 204 with no body. It returns the removed record.
func (s *Sim) remove(c *call, sc scope) obj {
	s.mu.Lock()
	o, err := sc.find(s, c)
	if err == nil {
		delete(s.tables[sc.table].rows, asInt(o["id"]))
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(c.w, err)
		return nil
	}
	c.w.WriteHeader(http.StatusNoContent)
	return o
}
