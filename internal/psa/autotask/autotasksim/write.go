package autotasksim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody bounds request bodies; Autotask's own limit is not documented.
const maxBody = 10 << 20

// write is one create or update in progress.
type write struct {
	ent     *entity
	rec     record // the row as it will be stored
	old     record // nil on create
	changed map[string]bool
	caller  int64
	now     time.Time
}

// fieldEdit reports whether a writable field changed (what moves
// lastTrackedModificationDateTime).
func (w *write) fieldEdit() bool {
	for name := range w.changed {
		if f := w.ent.field(name); f != nil && !f.IsReadOnly {
			return true
		}
	}
	return false
}

// readBody reads the request body, bounded.
func readBody(c *call) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		return nil, invalid("The request body could not be read: %v", err)
	}
	return b, nil
}

// decodeObject parses a JSON object keeping numbers exact. Live Autotask's
// answer to malformed JSON is not recorded anywhere we could find; 500 with
// an errors array is a guess consistent with its other input failures.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, invalid("The request body is not a valid JSON object.")
	}
	return m, nil
}

// input is a decoded write body mapped onto an entity's fields.
type input struct {
	id     any            // the body's id (updates), nil when absent
	values map[string]any // canonical writable field → stored value
	udfs   []udfValue     // nil when the body has no userDefinedFields
}

// parseInput maps body keys case-insensitively onto fields. Unknown keys
// and read-only fields are ignored, as .NET model binding does.
func parseInput(e *entity, body map[string]any) (*input, error) {
	in := &input{values: map[string]any{}}
	for k, v := range body {
		if strings.EqualFold(k, udfKey) {
			u, err := parseUDFs(v)
			if err != nil {
				return nil, err
			}
			in.udfs = u
			continue
		}
		f := e.field(k)
		if f == nil {
			continue
		}
		if f.Name == "id" {
			in.id = v
			continue
		}
		if f.IsReadOnly {
			continue
		}
		val, err := coerce(f, v)
		if err != nil {
			return nil, invalid("Invalid value for field %s: %v", f.Name, err)
		}
		in.values[f.Name] = val
	}
	return in, nil
}

// parseUDFs reads [{"name":..,"value":..}]. No UDF definitions are seeded,
// so any name is kept (a real tenant rejects names it does not define).
func parseUDFs(v any) ([]udfValue, error) {
	list, ok := v.([]any)
	if v != nil && !ok {
		return nil, invalid("userDefinedFields must be an array of {name, value}")
	}
	out := []udfValue{}
	for _, item := range list {
		m, ok := item.(map[string]any)
		name, _ := lookupKey(m, "name").(string)
		if !ok || name == "" {
			return nil, invalid("userDefinedFields entries need a name")
		}
		val := lookupKey(m, "value")
		if n, ok := val.(json.Number); ok {
			val = n.String()
		}
		out = append(out, udfValue{Name: name, Value: val})
	}
	return out, nil
}

// lookupKey returns m's value for key, matching the key case-insensitively.
func lookupKey(m map[string]any, key string) any {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// mergeUDFs applies sent values over stored ones by name.
func mergeUDFs(stored, sent []udfValue) []udfValue {
	out := append([]udfValue{}, stored...)
	for _, u := range sent {
		found := false
		for i := range out {
			if strings.EqualFold(out[i].Name, u.Name) {
				out[i].Value, found = u.Value, true
			}
		}
		if !found {
			out = append(out, u)
		}
	}
	return out
}

// diff lists fields whose value differs between old (nil on create) and rec.
func diff(e *entity, old, rec record) map[string]bool {
	changed := map[string]bool{}
	for _, f := range e.fields {
		var before any
		if old != nil {
			before = old[f.Name]
		}
		if !sameValue(before, rec[f.Name]) {
			changed[f.Name] = true
		}
	}
	return changed
}

// validate applies the metadata: required fields, then for changed fields
// length, picklist membership and activity, parent picklists and
// references. Unchanged values are not re-checked, so a ticket whose status
// was later deactivated can still be edited.
func (s *Sim) validate(w *write) error {
	for i := range w.ent.fields {
		f := &w.ent.fields[i]
		if f.IsRequired && !f.IsReadOnly && w.rec[f.Name] == nil {
			return invalid("Missing Required Field: %s", f.Name)
		}
	}
	for i := range w.ent.fields {
		f := &w.ent.fields[i]
		if err := s.validateField(w, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sim) validateField(w *write, f *field) error {
	v := w.rec[f.Name]
	parentChanged := f.PicklistParentValueField != "" && w.changed[w.ent.field(f.PicklistParentValueField).Name]
	if v == nil || !(w.changed[f.Name] || parentChanged) {
		return nil
	}
	if str, ok := v.(string); ok && f.Length > 0 && utf8.RuneCountInString(str) > f.Length {
		return invalid("Field %s exceeds its maximum length of %d characters (got %d).", f.Name, f.Length, utf8.RuneCountInString(str))
	}
	if f.IsPickList {
		if err := checkPick(w, f, v); err != nil {
			return err
		}
	}
	if f.IsReference && w.changed[f.Name] {
		if ref := s.entityByType(f.ReferenceEntityType); ref != nil && ref.rows[asInt(v)] == nil {
			return invalid("Field %s: no %s with id %s exists.", f.Name, f.ReferenceEntityType, formatValue(v))
		}
	}
	return nil
}

func checkPick(w *write, f *field, v any) error {
	p, ok := f.picklistEntry(v)
	switch {
	case !ok:
		return invalid("Field %s: %s is not a valid picklist value.", f.Name, formatValue(v))
	case !p.IsActive && w.changed[f.Name]:
		return invalid("Field %s: picklist value %s (%s) is inactive.", f.Name, p.Value, p.Label)
	case f.PicklistParentValueField == "":
		return nil
	}
	pf := w.ent.field(f.PicklistParentValueField)
	if parent := formatValue(w.rec[pf.Name]); parent != p.ParentValue {
		return invalid("Field %s: value %s (%s) does not belong to %s %s.", f.Name, p.Value, p.Label, pf.Name, orNone(parent))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
