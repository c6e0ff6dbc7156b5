package superopssim

import "github.com/vektah/gqlparser/v2/ast"

// introspection answers __schema and __type from the parsed schema, as
// the live API does for valid credentials (the notes' §9).
type introspection struct {
	s     *ast.Schema
	types map[string]object
}

func newIntrospection(s *ast.Schema) *introspection {
	in := &introspection{s: s, types: map[string]object{}}
	for name := range s.Types {
		in.types[name] = object{"name": name}
	}
	for name, def := range s.Types {
		in.fill(in.types[name], def)
	}
	return in
}

func (in *introspection) schemaObject() object {
	var types []object
	for _, t := range in.types {
		types = append(types, t)
	}
	root := func(d *ast.Definition) any {
		if d == nil {
			return nil
		}
		return in.types[d.Name]
	}
	return object{
		"description": nil, "types": types,
		"queryType": root(in.s.Query), "mutationType": root(in.s.Mutation), "subscriptionType": root(in.s.Subscription),
		"directives": []object{},
	}
}

func (in *introspection) typeByName(args map[string]any) (any, error) {
	name, _ := args["name"].(string)
	if t, ok := in.types[name]; ok {
		return t, nil
	}
	return nil, nil
}

// fill completes a named type's introspection object.
func (in *introspection) fill(o object, d *ast.Definition) {
	o["kind"] = string(d.Kind)
	o["description"] = nilIfEmpty(d.Description)
	o["specifiedByURL"] = nil
	o["ofType"] = nil
	o["interfaces"] = in.named(d.Interfaces)
	o["possibleTypes"] = in.named(d.Types)
	var fields, inputs, enums []object
	for _, f := range d.Fields {
		if d.Kind == ast.InputObject {
			inputs = append(inputs, in.inputValue(f.Name, f.Description, f.Type, f.DefaultValue))
			continue
		}
		fields = append(fields, in.field(f))
	}
	for _, v := range d.EnumValues {
		enums = append(enums, object{"name": v.Name, "description": nilIfEmpty(v.Description), "isDeprecated": false, "deprecationReason": nil})
	}
	o["fields"] = resolver(func(map[string]any) (any, error) { return nilIfNone(fields), nil })
	o["inputFields"] = nilIfNone(inputs)
	o["enumValues"] = resolver(func(map[string]any) (any, error) { return nilIfNone(enums), nil })
}

func (in *introspection) field(f *ast.FieldDefinition) object {
	var args []object
	for _, a := range f.Arguments {
		args = append(args, in.inputValue(a.Name, a.Description, a.Type, a.DefaultValue))
	}
	reason := any(nil)
	deprecated := f.Directives.ForName("deprecated")
	if deprecated != nil {
		reason = "No longer supported"
		if r := deprecated.Arguments.ForName("reason"); r != nil {
			reason = r.Value.Raw
		}
	}
	return object{
		"name": f.Name, "description": nilIfEmpty(f.Description), "args": args, "type": in.ref(f.Type),
		"isDeprecated": deprecated != nil, "deprecationReason": reason,
	}
}

func (in *introspection) inputValue(name, desc string, t *ast.Type, def *ast.Value) object {
	o := object{"name": name, "description": nilIfEmpty(desc), "type": in.ref(t), "defaultValue": nil}
	if def != nil {
		o["defaultValue"] = def.String()
	}
	return o
}

// ref is a type reference: wrappers for non-null and list, else the named
// type's object.
func (in *introspection) ref(t *ast.Type) object {
	if t.NonNull {
		inner := *t
		inner.NonNull = false
		return object{"kind": "NON_NULL", "name": nil, "ofType": in.ref(&inner)}
	}
	if t.Elem != nil {
		return object{"kind": "LIST", "name": nil, "ofType": in.ref(t.Elem)}
	}
	return in.types[t.NamedType]
}

func (in *introspection) named(names []string) []object {
	var out []object
	for _, n := range names {
		out = append(out, in.types[n])
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nilIfNone(list []object) any {
	if list == nil {
		return nil
	}
	return list
}
