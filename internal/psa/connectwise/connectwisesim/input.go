package connectwisesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// maxBody bounds request bodies.
const maxBody = 1 << 20

// readJSON decodes the request body into v; a body that is not JSON of
// the expected shape is a 400.
func readJSON(c *call, resource string, v any) error {
	b, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody))
	if err != nil {
		return badRequest("The request body could not be read.")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return badRequest("The %s in the request body could not be parsed: %s", resource, jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("expected %s, found a JSON %s.", te.Type, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d.", se.Offset)
	}
	return "invalid JSON."
}

// input is a decoded object being turned into a record. It collects every
// field error, since ConnectWise reports them all in one answer.
type input struct {
	m        map[string]any // keys lower-cased: property names are case-insensitive
	resource string
	errs     []fieldError
}

func newInput(m map[string]any, resource string) *input {
	in := &input{m: make(map[string]any, len(m)), resource: resource}
	for k, v := range m {
		in.m[strings.ToLower(k)] = v
	}
	return in
}

func (in *input) raw(name string) any { return in.m[strings.ToLower(name)] }

func (in *input) fail(code, name, format string, args ...any) {
	in.errs = append(in.errs, fieldError{Code: code, Message: fmt.Sprintf(format, args...), Resource: in.resource, Field: name})
}

func (in *input) missing(name string) {
	in.fail(codeMissing, name, "%s is required.", name)
}

// str reads a string field of at most maxLen characters (0: no limit).
func (in *input) str(name string, maxLen int, required bool) any {
	switch v := in.raw(name).(type) {
	case nil:
	case string:
		if v == "" {
			break
		}
		if maxLen > 0 && len([]rune(v)) > maxLen {
			in.fail(codeInvalidField, name, "%s cannot be longer than %d characters.", name, maxLen)
		}
		return v
	default:
		in.fail(codeInvalidField, name, "%s must be a string.", name)
		return nil
	}
	if required {
		in.missing(name)
	}
	return nil
}

func (in *input) boolean(name string, def bool) bool {
	switch v := in.raw(name).(type) {
	case nil:
		return def
	case bool:
		return v
	}
	in.fail(codeInvalidField, name, "%s must be true or false.", name)
	return def
}

// number reads a decimal field; nil when absent.
func (in *input) number(name string) any {
	switch v := in.raw(name).(type) {
	case nil:
		return nil
	case float64:
		return v
	}
	in.fail(codeInvalidField, name, "%s must be a number.", name)
	return nil
}

// integer reads a whole-number field; nil when absent.
func (in *input) integer(name string) any {
	v, ok := in.raw(name).(float64)
	switch {
	case in.raw(name) == nil:
		return nil
	case !ok || v != math.Trunc(v):
		in.fail(codeInvalidField, name, "%s must be a whole number.", name)
		return nil
	}
	return int64(v)
}

// date reads an ISO-8601 datetime; nil when absent.
func (in *input) date(name string) any {
	v := in.raw(name)
	if v == nil {
		return nil
	}
	if s, ok := v.(string); ok {
		for _, layout := range dateLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC().Truncate(time.Second)
			}
		}
	}
	in.fail(codeInvalidField, name, "%s must be an ISO-8601 datetime such as 2026-05-01T13:45:00Z.", name)
	return nil
}

// enum reads a string that must be one of allowed; def when absent.
func (in *input) enum(name string, allowed []string, def string) any {
	v := in.str(name, 0, false)
	if v == nil {
		if def == "" {
			return nil
		}
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(a, v.(string)) {
			return a
		}
	}
	in.fail(codeInvalidField, name, "%s must be one of %s.", name, strings.Join(allowed, ", "))
	return nil
}

// refSpec is a reference as a client sends it: by id, or by identifier or
// name.
type refSpec struct {
	id               int64
	identifier, name string
}

func (in *input) ref(name string) *refSpec {
	switch v := in.raw(name).(type) {
	case nil:
		return nil
	case map[string]any:
		r := newInput(v, in.resource)
		spec := &refSpec{}
		if id, ok := r.raw("id").(float64); ok {
			spec.id = int64(id)
		}
		spec.identifier, _ = r.raw("identifier").(string)
		spec.name, _ = r.raw("name").(string)
		if spec.id == 0 && spec.identifier == "" && spec.name == "" {
			return nil
		}
		return spec
	}
	in.fail(codeInvalidField, name, "%s must be a reference object such as {\"id\":1}.", name)
	return nil
}

// resolve finds the row a reference field names in t. It records a
// missing-field error when required and absent, and an invalid-field
// error when the row does not exist or fails allowed (with why).
func (in *input) resolve(name string, t *table, required bool, allowed func(obj) bool, why string) obj {
	spec := in.ref(name)
	if spec == nil {
		if required && in.raw(name) == nil {
			in.missing(name)
		}
		return nil
	}
	row := findRow(t, spec, allowed)
	switch {
	case row == nil:
		in.fail(codeInvalidField, name, "%s %s was not found.", t.display, spec)
	case allowed != nil && !allowed(row):
		in.fail(codeInvalidField, name, "%s %s %s.", t.display, spec, why)
		return nil
	}
	return row
}

func (r *refSpec) String() string {
	switch {
	case r.id != 0:
		return fmt.Sprintf("id %d", r.id)
	case r.identifier != "":
		return fmt.Sprintf("identifier %q", r.identifier)
	}
	return fmt.Sprintf("name %q", r.name)
}

// findRow looks a reference up by id, else identifier, else name. Names
// are only looked up among allowed rows: status "New" exists on every
// board, and a name means the one on the ticket's board.
func findRow(t *table, spec *refSpec, allowed func(obj) bool) obj {
	if spec.id != 0 {
		return t.rows[spec.id]
	}
	for _, o := range t.sorted() {
		if allowed != nil && !allowed(o) {
			continue
		}
		id, _ := o["identifier"].(string)
		name, _ := o["name"].(string)
		if t.refName != nil {
			name = t.refName(o)
		}
		if (spec.identifier != "" && strings.EqualFold(id, spec.identifier)) ||
			(spec.identifier == "" && strings.EqualFold(name, spec.name)) {
			return o
		}
	}
	return nil
}

// strings reads an array of distinct strings (integratorTags).
func (in *input) strings(name string) []string {
	list, ok := in.raw(name).([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
