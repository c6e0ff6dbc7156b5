// Package spec holds what the Syncro spec check needs of Syncro's
// OpenAPI document: every operation's method, path, parameters and
// request body schema (names and JSON types), extracted into a compact
// file that is committed under testdata, since the 440 KB document lives
// outside the repository. Check holds one recorded request to it.
package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Extract is the compact form of the document.
type Extract struct {
	Source     Source      `json:"source"`
	Server     string      `json:"server"`
	Auth       Auth        `json:"auth"`
	Operations []Operation `json:"operations"`
}

// Source identifies the document the extract was made from.
type Source struct {
	Title   string `json:"title"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Paths   int    `json:"paths"`
}

// Auth is the document's security scheme.
type Auth struct {
	In     string `json:"in"`
	Name   string `json:"name"`
	Scheme string `json:"scheme"`
}

// Operation is one method on one path.
type Operation struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Params map[string]Schema `json:"params,omitempty"` // by name; In says where
	Body   *Schema           `json:"body,omitempty"`
}

// Schema is the part of a JSON schema the check reads.
type Schema struct {
	In         string            `json:"in,omitempty"`
	Type       string            `json:"type,omitempty"`
	Format     string            `json:"format,omitempty"`
	Items      *Schema           `json:"items,omitempty"`
	Properties map[string]Schema `json:"properties,omitempty"`
}

// raw is the part of an OpenAPI 3 document Make reads.
type raw struct {
	Info struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Paths      map[string]map[string]rawOp `json:"paths"`
	Components struct {
		RequestBodies   map[string]rawBody `json:"requestBodies"`
		SecuritySchemes map[string]Auth    `json:"securitySchemes"`
	} `json:"components"`
}

type rawOp struct {
	Parameters []struct {
		Name   string `json:"name"`
		In     string `json:"in"`
		Schema Schema `json:"schema"`
	} `json:"parameters"`
	RequestBody *rawBody `json:"requestBody"`
}

type rawBody struct {
	Ref     string `json:"$ref"`
	Content map[string]struct {
		Schema Schema `json:"schema"`
	} `json:"content"`
}

// Make extracts the operations of an OpenAPI document.
func Make(doc []byte) (Extract, error) {
	var d raw
	if err := json.Unmarshal(doc, &d); err != nil {
		return Extract{}, fmt.Errorf("spec: %w", err)
	}
	sum := sha256.Sum256(doc)
	x := Extract{Source: Source{Title: d.Info.Title, Version: d.Info.Version, SHA256: hex.EncodeToString(sum[:]), Paths: len(d.Paths)}}
	if len(d.Servers) > 0 {
		x.Server = d.Servers[0].URL
	}
	x.Auth = d.Components.SecuritySchemes["bearerAuth"]
	for path, ops := range d.Paths {
		for method, op := range ops {
			o := Operation{Method: strings.ToUpper(method), Path: "/" + strings.TrimPrefix(path, "/"), Params: map[string]Schema{}}
			for _, p := range op.Parameters {
				s := p.Schema.trim()
				s.In = p.In
				o.Params[p.Name] = s
			}
			if b := op.RequestBody; b != nil {
				if name, ok := strings.CutPrefix(b.Ref, "#/components/requestBodies/"); ok {
					rb := d.Components.RequestBodies[name]
					b = &rb
				}
				if c, ok := b.Content["application/json"]; ok {
					s := c.Schema.trim()
					o.Body = &s
				}
			}
			if len(o.Params) == 0 {
				o.Params = nil // as the extract's JSON reads back
			}
			x.Operations = append(x.Operations, o)
		}
	}
	sort.Slice(x.Operations, func(i, j int) bool {
		a, b := x.Operations[i], x.Operations[j]
		return a.Path+" "+a.Method < b.Path+" "+b.Method
	})
	return x, nil
}

// trim keeps type, format, items and properties.
func (s Schema) trim() Schema {
	out := Schema{Type: s.Type, Format: s.Format}
	if s.Items != nil {
		it := s.Items.trim()
		out.Items = &it
	}
	if len(s.Properties) > 0 {
		out.Properties = map[string]Schema{}
		for k, v := range s.Properties {
			out.Properties[k] = v.trim()
		}
	}
	return out
}

// Request is one request as a client sent it, below the API root.
type Request struct {
	Method string
	Path   string // below /api/v1, e.g. /tickets/5001
	Query  url.Values
	Body   []byte
	Auth   string // the Authorization header
}

// Find returns the operation that serves method and path: literal
// segments first, then {param} segments, which must fit their type.
func (x Extract) Find(method, path string) (Operation, bool) {
	var best Operation
	bestLiteral := -1
	for _, o := range x.Operations {
		if o.Method != method {
			continue
		}
		if n, ok := o.match(path); ok && n > bestLiteral {
			best, bestLiteral = o, n
		}
	}
	return best, bestLiteral >= 0
}

// match reports whether path fits the operation's template, and how many
// literal segments matched.
func (o Operation) match(path string) (int, bool) {
	want := strings.Split(strings.Trim(o.Path, "/"), "/")
	got := strings.Split(strings.Trim(path, "/"), "/")
	if len(want) != len(got) {
		return 0, false
	}
	literal := 0
	for i, w := range want {
		name, isParam := strings.CutPrefix(w, "{")
		if !isParam {
			if w != got[i] {
				return 0, false
			}
			literal++
			continue
		}
		if !fitsText(o.Params[strings.TrimSuffix(name, "}")], got[i]) {
			return 0, false
		}
	}
	return literal, true
}

// Check holds a request to the extract: a documented operation, only
// documented query parameters with values of their type, only documented
// body fields with values of their JSON type, and the documented
// Authorization header.
func (x Extract) Check(r Request) []string {
	o, ok := x.Find(r.Method, r.Path)
	if !ok {
		return []string{fmt.Sprintf("%s %s: no such operation in the spec", r.Method, r.Path)}
	}
	var probs []string
	add := func(format string, a ...any) {
		probs = append(probs, fmt.Sprintf("%s %s (spec %s): ", r.Method, r.Path, o.Path)+fmt.Sprintf(format, a...))
	}
	if x.Auth.In == "header" && (!strings.HasPrefix(r.Auth, "Bearer ") || x.Auth.Scheme != "bearer") {
		add("Authorization %q is not the spec's %s scheme", redact(r.Auth), x.Auth.Scheme)
	}
	for name, values := range r.Query {
		p, ok := o.Params[name]
		if !ok || p.In != "query" {
			add("query parameter %q is not in the spec", name)
			continue
		}
		for _, v := range values {
			if !fitsText(p, v) {
				add("query parameter %s=%q is not of type %s %s", name, v, p.Type, p.Format)
			}
		}
	}
	if len(r.Body) == 0 {
		return probs
	}
	if o.Body == nil {
		add("sends a body, the spec has none")
		return probs
	}
	var body any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		add("body is not JSON: %v", err)
		return probs
	}
	for _, p := range fitsJSON(*o.Body, body, "body") {
		add("%s", p)
	}
	return probs
}

func redact(auth string) string {
	if len(auth) > 7 {
		return auth[:7] + "…"
	}
	return auth
}

// fitsText reports whether a text value (a path or query value) fits the
// schema's type.
func fitsText(s Schema, v string) bool {
	switch s.Type {
	case "integer":
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	case "number":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return v == "true" || v == "false"
	case "array":
		return s.Items == nil || fitsText(*s.Items, v)
	}
	return true
}

// fitsJSON lists where a decoded JSON value does not fit the schema.
func fitsJSON(s Schema, v any, at string) []string {
	bad := func() []string { return []string{fmt.Sprintf("%s is %T, the spec says %s", at, v, s.Type)} }
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		if len(s.Properties) == 0 {
			return nil // a free-form object, such as properties{}
		}
		var out []string
		for k, fv := range m {
			ps, ok := s.Properties[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s is not in the spec", at, k))
				continue
			}
			out = append(out, fitsJSON(ps, fv, at+"."+k)...)
		}
		return out
	case "array":
		list, ok := v.([]any)
		if !ok {
			return bad()
		}
		var out []string
		for i, item := range list {
			if s.Items != nil {
				out = append(out, fitsJSON(*s.Items, item, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		return out
	case "string":
		if _, ok := v.(string); !ok {
			return bad()
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			return bad()
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return bad()
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad()
		}
	}
	return nil
}
