// Package extract reduces Halo's OpenAPI document to what the spec test
// checks requests against, and reads that extract back.
package extract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Operations are the calls the connector makes, as the document names
// them (servers: /api).
var Operations = []string{
	"GET /AuthInfo", "GET /Agent/me",
	"GET /Tickets", "GET /Tickets/{id}", "POST /Tickets",
	"GET /Actions", "POST /Actions",
	"GET /Client", "GET /Users", "GET /TopLevel",
	"GET /Status", "GET /TicketType", "GET /Priority", "GET /Outcome", "GET /Team", "GET /Category",
	"GET /ClientContract", "GET /ClientContract/{id}", "GET /Item",
	"GET /RecurringInvoice", "POST /RecurringInvoice", "POST /RecurringInvoice/updatelines",
}

// Extract is the committed reduction of the document.
type Extract struct {
	// Source is the document's SHA-256.
	Source     string               `json:"source"`
	Operations map[string]Operation `json:"operations"`
	// Schemas maps a body schema to its properties' JSON types (integer,
	// number, string, boolean, array, object).
	Schemas map[string]map[string]string `json:"schemas"`
}

// Operation is one method on one path.
type Operation struct {
	// Query maps a parameter name to its declared type.
	Query map[string]string `json:"query"`
	// Path lists the path parameters with their types.
	Path map[string]string `json:"path,omitempty"`
	// Body is the request body: "array:<Schema>" or "<Schema>", "" for none.
	Body string `json:"body,omitempty"`
}

type document struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Parameters []struct {
		Name   string `json:"name"`
		In     string `json:"in"`
		Schema schema `json:"schema"`
	} `json:"parameters"`
	RequestBody struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type schema struct {
	Type       string            `json:"type"`
	Ref        string            `json:"$ref"`
	Items      *schema           `json:"items"`
	Properties map[string]schema `json:"properties"`
	AllOf      []schema          `json:"allOf"`
}

// Build reduces the document raw (whose SHA-256 is sum).
func Build(raw []byte, sum string) (Extract, error) {
	var doc document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Extract{}, err
	}
	x := Extract{Source: sum, Operations: map[string]Operation{}, Schemas: map[string]map[string]string{}}
	for _, key := range Operations {
		method, path, _ := strings.Cut(key, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			return Extract{}, fmt.Errorf("the document has no %s", key)
		}
		o := Operation{Query: map[string]string{}}
		for _, p := range op.Parameters {
			switch p.In {
			case "query":
				o.Query[p.Name] = p.Schema.Type
			case "path":
				if o.Path == nil {
					o.Path = map[string]string{}
				}
				o.Path[p.Name] = p.Schema.Type
			}
		}
		if c, ok := op.RequestBody.Content["application/json"]; ok {
			name, array := refName(c.Schema)
			if name == "" {
				return Extract{}, fmt.Errorf("%s: body schema without a $ref", key)
			}
			o.Body = name
			if array {
				o.Body = "array:" + name
			}
			x.Schemas[name] = properties(doc.Components.Schemas[name])
		}
		x.Operations[key] = o
	}
	return x, nil
}

// refName names the schema s refers to, directly or as array items.
func refName(s schema) (string, bool) {
	if s.Type == "array" && s.Items != nil {
		name, _ := refName(*s.Items)
		return name, true
	}
	return strings.TrimPrefix(s.Ref, "#/components/schemas/"), false
}

func properties(s schema) map[string]string {
	out := map[string]string{}
	for name, p := range s.Properties {
		out[name] = jsonType(p)
	}
	for _, part := range s.AllOf {
		for name, t := range properties(part) {
			out[name] = t
		}
	}
	return out
}

func jsonType(p schema) string {
	switch {
	case p.Ref != "" || len(p.AllOf) > 0:
		return "object"
	case p.Type == "":
		return "object"
	}
	return p.Type
}

// Find returns the operation matching method and an API path below /api
// (case-insensitive, {param} segments matching any value), and its key.
func (x Extract) Find(method, path string) (string, Operation, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	keys := make([]string, 0, len(x.Operations))
	for k := range x.Operations {
		keys = append(keys, k)
	}
	slices.Sort(keys) // literal segments sort before {param} ones
	for _, key := range keys {
		m, p, _ := strings.Cut(key, " ")
		if !strings.EqualFold(m, method) {
			continue
		}
		want := strings.Split(strings.Trim(p, "/"), "/")
		if len(want) == len(segs) && matches(want, segs) {
			return key, x.Operations[key], true
		}
	}
	return "", Operation{}, false
}

func matches(want, got []string) bool {
	for i, w := range want {
		if !strings.HasPrefix(w, "{") && !strings.EqualFold(w, got[i]) {
			return false
		}
	}
	return true
}
