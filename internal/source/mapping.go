// Package source turns what a security product really sends into canonical
// alerts. A source has a format; every format but "canonical" is a Mapping:
// data, not code, naming for each canonical field the JSON paths to read
// (github.com/tidwall/gjson syntax), a constant, or a small template, plus
// severity and status value maps and an id rule with a content-hash
// fallback. The built-in mappings are JSON files embedded from builtin/;
// a user adjusts one or writes a new one in the same shape. It does no I/O.
package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/template"
)

// Canonical is the format of senders that already speak the ingest
// contract; it has no mapping.
const Canonical = "canonical"

// RootPrefix starts a path read from the whole body instead of the item:
// an envelope's fields (SaaS Alerts' customer, Alertmanager's externalURL)
// apply to every alert inside it.
const RootPrefix = "^"

// Mapping is one format as data: where each canonical field comes from.
type Mapping struct {
	// Name is the format's name, as a source's format names it.
	Name string `json:"name"`
	// Title says which product and payload the mapping reads.
	Title string `json:"title,omitempty"`
	// Verified is false when the product's payload is not publicly
	// documented and the field paths are placeholders to adjust against a
	// captured sample.
	Verified bool `json:"verified"`
	// Note tells what is known and what to check.
	Note string `json:"note,omitempty"`
	// Items is the path of the array holding one element per alert
	// (Alertmanager "alerts"); empty means the body is one item, or a
	// JSON array of items.
	Items string `json:"items,omitempty"`
	// ItemsOptional accepts a body without the Items array as one item
	// or an array of items (a sender that posts bare events as well as
	// envelopes).
	ItemsOptional bool `json:"items_optional,omitempty"`
	// IDPrefix starts every alert id, so ids of different formats never
	// meet; the hash fallback uses it too.
	IDPrefix string `json:"id_prefix,omitempty"`
	// Fields maps a canonical field name (see FieldNames) to its rule.
	Fields map[string]Field `json:"fields"`
	// Attributes maps an attribute name to the path of its value.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Field is where one canonical field's value comes from: the first
// non-empty of Paths, else Template, else Value; then Map translates it
// (keys compared case-insensitively) and Default stands in when nothing
// matched.
type Field struct {
	Paths    []string          `json:"paths,omitempty"`
	Template string            `json:"template,omitempty"`
	Value    string            `json:"value,omitempty"`
	Map      map[string]string `json:"map,omitempty"`
	Default  string            `json:"default,omitempty"`
}

// FieldNames lists every canonical field a mapping may fill.
var FieldNames = []string{
	"id", "kind", "organization.id", "organization.name", "type", "rule.kind", "rule.id", "rule.name",
	"severity", "status", "title", "description", "user.email", "user.name", "device.name",
	"occurred_at", "url",
}

// ErrInvalidMapping marks a mapping that cannot be compiled.
var ErrInvalidMapping = errors.New("invalid mapping")

// ParseMapping decodes a mapping strictly (an unknown key is an error: a
// typo must not silently map nothing) and compiles it.
func ParseMapping(b []byte) (*Compiled, error) {
	var m Mapping
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMapping, err)
	}
	return Compile(m)
}

// Compile checks a mapping and prepares its templates.
func Compile(m Mapping) (*Compiled, error) {
	var problems []string
	if m.Name == "" || m.Name == Canonical {
		problems = append(problems, "name: required, and not \"canonical\"")
	}
	known := make(map[string]bool, len(FieldNames))
	for _, n := range FieldNames {
		known[n] = true
	}
	c := &Compiled{m: m, templates: map[string]*template.Template{}, maps: map[string]map[string]string{}, patterns: &patterns{}}
	for _, name := range sortedKeys(m.Fields) {
		f := m.Fields[name]
		if !known[name] {
			problems = append(problems, fmt.Sprintf("fields.%s: not a canonical field (one of %s)", name, strings.Join(FieldNames, ", ")))
			continue
		}
		for _, p := range f.Paths {
			if strings.TrimPrefix(p, RootPrefix) == "" {
				problems = append(problems, fmt.Sprintf("fields.%s: empty path", name))
			}
		}
		if len(f.Paths) == 0 && f.Template == "" && f.Value == "" && f.Default == "" {
			problems = append(problems, fmt.Sprintf("fields.%s: names no paths, template, value or default", name))
		}
		problems = append(problems, checkValues(name, f)...)
		if f.Template != "" {
			t, err := template.New(name).Option("missingkey=zero").Funcs(c.templateFuncs()).Parse(f.Template)
			if err != nil {
				problems = append(problems, fmt.Sprintf("fields.%s: template: %v", name, err))
			}
			c.templates[name] = t
		}
		if len(f.Map) > 0 {
			lower := make(map[string]string, len(f.Map))
			for k, v := range f.Map {
				lower[strings.ToLower(strings.TrimSpace(k))] = v
			}
			c.maps[name] = lower
		}
	}
	for name, p := range m.Attributes {
		if strings.TrimPrefix(p, RootPrefix) == "" {
			problems = append(problems, fmt.Sprintf("attributes.%s: empty path", name))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w %q: %s", ErrInvalidMapping, m.Name, strings.Join(problems, "; "))
	}
	return c, nil
}

// Compiled is a checked mapping, safe for concurrent use.
type Compiled struct {
	m         Mapping
	templates map[string]*template.Template
	maps      map[string]map[string]string
	patterns  *patterns
}

// Mapping returns the mapping as written.
func (c *Compiled) Mapping() Mapping { return c.m }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// enumFields are the canonical fields with a closed set of values; a
// mapping's constants, map values and default for them must be in it.
var enumFields = map[string][]string{
	"kind":      {"issue", "incident"},
	"severity":  {"critical", "high", "medium", "low", "info"},
	"status":    {"open", "in_progress", "resolved", "ignored"},
	"rule.kind": {"respond", "ioc", "other"},
}

func checkValues(name string, f Field) []string {
	valid, ok := enumFields[name]
	if !ok {
		return nil
	}
	var problems []string
	check := func(where, v string) {
		if v != "" && !slices.Contains(valid, v) {
			problems = append(problems, fmt.Sprintf("fields.%s.%s: %q is not one of %s", name, where, v, strings.Join(valid, ", ")))
		}
	}
	check("value", f.Value)
	check("default", f.Default)
	for _, k := range sortedKeys(f.Map) {
		check("map."+k, f.Map[k])
	}
	return problems
}
