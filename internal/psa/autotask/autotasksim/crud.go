package autotasksim

import (
	"net/http"
	"time"
)

// create serves POST /{Entity} and POST /{Parent}/{id}/{Child}.
func (s *Sim) create(c *call, e *entity, parent *parentRef) {
	body, err := readBody(c)
	if err == nil {
		var m map[string]any
		if m, err = decodeObject(body); err == nil {
			var id int64
			if id, err = s.createRecord(e, m, parent, c.caller); err == nil {
				writeJSON(c.w, http.StatusOK, map[string]int64{"itemId": id})
				return
			}
		}
	}
	writeErr(c.w, err)
}

// update serves PATCH (sparse) and PUT (full replace) with the id in the body.
func (s *Sim) update(c *call, e *entity, parent *parentRef, full bool) {
	body, err := readBody(c)
	if err == nil {
		var m map[string]any
		if m, err = decodeObject(body); err == nil {
			var id int64
			if id, err = s.updateRecord(e, m, parent, c.caller, full); err == nil {
				writeJSON(c.w, http.StatusOK, map[string]int64{"itemId": id})
				return
			}
		}
	}
	writeErr(c.w, err)
}

func (s *Sim) createRecord(e *entity, body map[string]any, parent *parentRef, caller int64) (int64, error) {
	in, err := parseInput(e, body)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := e.blank()
	for k, v := range in.values {
		rec[k] = v
	}
	if in.udfs != nil {
		rec[udfKey] = in.udfs
	}
	if err := applyParent(rec, parent); err != nil {
		return 0, err
	}
	applyDefaults(e, rec)
	w := &write{ent: e, rec: rec, caller: caller, now: s.now()}
	w.changed = diff(e, nil, rec)
	if err := s.check(w); err != nil {
		return 0, err
	}
	e.lastID++
	rec["id"] = e.lastID
	if e.stamp != nil {
		e.stamp(s, w)
	}
	e.rows[e.lastID] = rec
	if e.after != nil {
		e.after(s, w)
	}
	return e.lastID, nil
}

func (s *Sim) updateRecord(e *entity, body map[string]any, parent *parentRef, caller int64, full bool) (int64, error) {
	in, err := parseInput(e, body)
	if err != nil {
		return 0, err
	}
	if in.id == nil {
		return 0, invalid("Missing Required Field: id")
	}
	idv, err := coerceInt(in.id)
	if err != nil || idv == nil {
		return 0, invalid("Invalid value for field id.")
	}
	id := idv.(int64)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := e.rows[id]
	if old == nil || (parent != nil && asInt(old[parent.field]) != parent.id) {
		return 0, notFound("%s with id %d was not found.", e.singular, id)
	}
	rec := replaceValues(e, old, in, full)
	if err := applyParent(rec, parent); err != nil {
		return 0, err
	}
	w := &write{ent: e, rec: rec, old: old, caller: caller, now: s.now()}
	w.changed = diff(e, old, rec)
	if err := s.check(w); err != nil {
		return 0, err
	}
	if len(w.changed) == 0 {
		e.rows[id] = rec
		return id, nil
	}
	if e.stamp != nil {
		e.stamp(s, w)
	}
	e.rows[id] = rec
	if e.after != nil {
		e.after(s, w)
	}
	return id, nil
}

// replaceValues builds the updated row: PATCH changes only what was sent,
// PUT sets every writable field, omitted ones to null.
func replaceValues(e *entity, old record, in *input, full bool) record {
	rec := clone(old)
	if full {
		for _, f := range e.fields {
			if !f.IsReadOnly {
				rec[f.Name] = nil
			}
		}
		rec[udfKey] = []udfValue{}
	}
	for k, v := range in.values {
		rec[k] = v
	}
	if in.udfs != nil {
		rec[udfKey] = mergeUDFs(rec[udfKey].([]udfValue), in.udfs)
	}
	return rec
}

// applyParent fills the parent field from the path. A body naming another
// parent is refused (a guess; live behaviour is not recorded).
func applyParent(rec record, parent *parentRef) error {
	if parent == nil {
		return nil
	}
	if v := rec[parent.field]; v != nil && asInt(v) != parent.id {
		return invalid("Field %s (%d) does not match the parent id %d in the URL.", parent.field, asInt(v), parent.id)
	}
	rec[parent.field] = parent.id
	return nil
}

// applyDefaults fills create defaults for fields the caller left empty:
// explicit defaults and the default of optional picklists (a ticket without
// a category gets the default category, as in Autotask).
func applyDefaults(e *entity, rec record) {
	for i := range e.fields {
		f := &e.fields[i]
		if rec[f.Name] != nil || f.IsReadOnly {
			continue
		}
		if f.def != nil {
			rec[f.Name] = f.def
		} else if v, ok := f.defaultPick(); ok && f.IsPickList && !f.IsRequired {
			rec[f.Name] = v
		}
	}
}

// check runs metadata validation, then the entity's rules.
func (s *Sim) check(w *write) error {
	if err := s.validate(w); err != nil {
		return err
	}
	if w.ent.rules != nil {
		return w.ent.rules(s, w)
	}
	return nil
}

// deleteItem serves DELETE /{Entity}/{id} and the child form; only the few
// entities Autotask lets clients delete (webhooks and their rows) allow it.
func (s *Sim) deleteItem(c *call, e *entity, id int64, parent *parentRef) {
	s.mu.Lock()
	r := e.rows[id]
	if r != nil && parent != nil && asInt(r[parent.field]) != parent.id {
		r = nil
	}
	if r != nil {
		delete(e.rows, id)
		if e.deleted != nil {
			e.deleted(s, r)
		}
	}
	s.mu.Unlock()
	if r == nil {
		writeErr(c.w, notFound("%s with id %d was not found.", e.singular, id))
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]int64{"itemId": id})
}

// listChildren serves GET /{Parent}/{id}/{Child} as a query on the parent
// field, so paging works as it does for /query.
func (s *Sim) listChildren(c *call, e *entity, parent *parentRef) {
	q := &query{
		filter: []cond{{op: "eq", field: e.field(parent.field), values: []any{parent.id}}},
		max:    maxPage,
		search: `{"filter":[{"op":"eq","field":"` + parent.field + `","value":` + formatValue(parent.id) + `}]}`,
	}
	s.answerQuery(c, e, q, paging{PageSize: maxPage})
}

func (s *Sim) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }
