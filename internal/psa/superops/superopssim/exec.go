package superopssim

import (
	"bytes"
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"
)

// resolver computes a field that takes arguments (root operations and a
// few introspection fields) from its coerced arguments.
type resolver func(args map[string]any) (any, error)

// object is an output object: field name to value, where a value is a
// leaf, a JSON scalar's value, another object, a list, or a resolver.
type object map[string]any

// ordered is a response object that keeps the document's field order, as
// GraphQL servers answer.
type ordered struct {
	keys []string
	vals map[string]any
}

func (o *ordered) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// execution runs one validated operation over a root object.
type execution struct {
	doc  *ast.QueryDocument
	vars map[string]any
	errs []map[string]any
	// fault is set when a resolver hit a server fault: the whole answer
	// is then an HTTP 500.
	fault bool
}

// selectionSet resolves ss on obj, an object of type typeName.
func (e *execution) selectionSet(ss ast.SelectionSet, typeName string, obj object, path []any) *ordered {
	out := &ordered{vals: map[string]any{}}
	e.collect(ss, typeName, obj, path, out)
	return out
}

func (e *execution) collect(ss ast.SelectionSet, typeName string, obj object, path []any, out *ordered) {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if skipped(s.Directives, e.vars) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			out.set(key, e.field(s, typeName, obj, append(path[:len(path):len(path)], key)))
		case *ast.InlineFragment:
			if !skipped(s.Directives, e.vars) && (s.TypeCondition == "" || s.TypeCondition == typeName) {
				e.collect(s.SelectionSet, typeName, obj, path, out)
			}
		case *ast.FragmentSpread:
			def := e.doc.Fragments.ForName(s.Name)
			if def != nil && !skipped(s.Directives, e.vars) && def.TypeCondition == typeName {
				e.collect(def.SelectionSet, typeName, obj, path, out)
			}
		}
	}
}

// skipped applies @skip and @include.
func skipped(dirs ast.DirectiveList, vars map[string]any) bool {
	if d := dirs.ForName("skip"); d != nil && d.ArgumentMap(vars)["if"] == true {
		return true
	}
	if d := dirs.ForName("include"); d != nil && d.ArgumentMap(vars)["if"] == false {
		return true
	}
	return false
}

// field resolves one field; a business error nulls it and is reported.
func (e *execution) field(f *ast.Field, typeName string, obj object, path []any) any {
	if f.Name == "__typename" {
		return typeName
	}
	v := obj[f.Name]
	if fn, ok := v.(resolver); ok {
		var err error
		if v, err = fn(f.ArgumentMap(e.vars)); err != nil {
			e.fail(err, path)
			return nil
		}
	}
	return e.complete(f, f.Definition.Type, v, path)
}

// complete shapes v by the field's type and selection: leaves and JSON
// scalars as they are, objects through their selection, lists per item.
func (e *execution) complete(f *ast.Field, t *ast.Type, v any, path []any) any {
	if v == nil || len(f.SelectionSet) == 0 {
		return v
	}
	if t.Elem != nil {
		var out []any
		switch items := v.(type) {
		case []object:
			for i, it := range items {
				out = append(out, e.complete(f, t.Elem, it, append(path, i)))
			}
		case []any:
			for i, it := range items {
				out = append(out, e.complete(f, t.Elem, it, append(path, i)))
			}
		}
		if out == nil {
			out = []any{}
		}
		return out
	}
	obj, ok := v.(object)
	if !ok {
		return nil
	}
	return e.selectionSet(f.SelectionSet, t.Name(), obj, path)
}

// fail records a field's error in SuperOps' shape.
func (e *execution) fail(err error, path []any) {
	entry := map[string]any{"message": err.Error(), "path": path}
	e.fault = e.fault || err == errServer
	if f, ok := err.(*Fault); ok {
		entry["extensions"] = map[string]any{"clientError": []any{f.wire()}}
	}
	e.errs = append(e.errs, entry)
}
