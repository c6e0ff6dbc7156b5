package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// Options are what a source adds to its format's mapping.
type Options struct {
	// DefaultOrganization is the organization of an alert whose body
	// names none: many products send per customer and never say which.
	DefaultOrganization alert.Organization
	// OrganizationFrom, when set, is the path of the organization id and
	// wins over the mapping's own organization.id rule.
	OrganizationFrom string
	// Now is the time of an alert whose body carries none (the receive
	// time); nil means time.Now.
	Now func() time.Time
}

// hashPrefix marks an id made from the content, when the product sent none.
const hashPrefix = "h-"

// Decode reads a body of the mapping's format into canonical alerts,
// normalized and validated. Every problem is returned at once as an
// *alert.ValidationError naming the canonical field and where the mapping
// reads it, so the sender or the mapping's author sees what to fix.
func (c *Compiled) Decode(body []byte, opt Options) ([]alert.Alert, error) {
	items, err := c.items(body)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	received := now().UTC()
	d := newDoc(body)
	out := make([]alert.Alert, 0, len(items))
	var errs []alert.FieldError
	for i, item := range items {
		d.setItem(item)
		a, fe := c.alert(d, opt, received)
		for _, e := range fe {
			e.Index = i
			errs = append(errs, e)
		}
		if len(fe) == 0 {
			out = append(out, a)
		}
	}
	if len(errs) > 0 {
		return nil, &alert.ValidationError{Fields: errs}
	}
	return out, nil
}

// items returns one gjson value per alert of the body.
func (c *Compiled) items(body []byte) ([]gjson.Result, error) {
	if !utf8.Valid(body) || !gjson.ValidBytes(body) {
		return nil, bodyErr(fmt.Sprintf("is not valid JSON (format %s)", c.m.Name))
	}
	root := gjson.ParseBytes(body)
	list := root
	if c.m.Items != "" {
		list = root.Get(c.m.Items)
		if !list.IsArray() && c.m.ItemsOptional {
			list = root
		} else if !list.IsArray() {
			return nil, bodyErr(fmt.Sprintf("has no array at %q (format %s): send the product's payload as it comes", c.m.Items, c.m.Name))
		}
	}
	var items []gjson.Result
	if list.IsArray() {
		items = list.Array()
	} else if list.IsObject() {
		items = []gjson.Result{list}
	} else {
		return nil, bodyErr(fmt.Sprintf("must be a JSON object or array (format %s)", c.m.Name))
	}
	switch {
	case len(items) == 0:
		return nil, bodyErr("holds no alerts")
	case len(items) > alert.MaxBatch:
		return nil, bodyErr(fmt.Sprintf("holds %d alerts; at most %d per request", len(items), alert.MaxBatch))
	}
	return items, nil
}

func bodyErr(reason string) error {
	return &alert.ValidationError{Fields: []alert.FieldError{{Field: "body", Reason: reason}}}
}

// doc is what paths and templates read: the item, and the whole body
// through RootPrefix. Values of the whole body are kept once read: they
// are the same for every item, and reading one walks the whole body, so
// reading it per item would make a body of n items cost n².
//
// The item is walked once for its top-level keys, and a path starting
// with a plain key reads on from that key's value: a mapping reads twenty
// paths or so, and each gjson path walks the object from its start, so
// the item's head was scanned twenty times. Values of the item are kept
// until the next item: mappings read one path for several fields (a title
// and a type) and templates read their paths again. JSON inside a string
// is parsed once per item too.
type doc struct {
	item, root gjson.Result
	rootVals   map[string]string
	itemVals   map[string]string
	top        map[string]gjson.Result
	topBuilt   bool
	fromStr    map[string]gjson.Result
}

func newDoc(body []byte) *doc {
	return &doc{root: gjson.ParseBytes(body), rootVals: map[string]string{}, itemVals: map[string]string{},
		top: map[string]gjson.Result{}, fromStr: map[string]gjson.Result{}}
}

// setItem moves the doc to the next item and forgets the last one's values.
func (d *doc) setItem(item gjson.Result) {
	d.item = item
	clear(d.itemVals)
	clear(d.top)
	clear(d.fromStr)
	d.topBuilt = false
}

// Get returns the value at path as text ("" when absent); templates call
// it as {{.Get "path"}}.
func (d *doc) Get(path string) string {
	if p, ok := strings.CutPrefix(path, RootPrefix); ok {
		v, ok := d.rootVals[p]
		if !ok {
			v = text(d.root.Get(p))
			d.rootVals[p] = v
		}
		return v
	}
	if v, ok := d.itemVals[path]; ok {
		return v
	}
	v := text(d.lookup(path))
	d.itemVals[path] = v
	return v
}

// pathSyntax are the characters that make a path's first component more
// than a plain key (wildcards, queries, modifiers, escapes, multipaths).
const pathSyntax = "*?#@\\!=<>%()[]{}\"'"

// lookup reads path in the item, through the top-level index when the
// path starts with a plain key.
func (d *doc) lookup(path string) gjson.Result {
	i := strings.IndexAny(path, ".|")
	first, rest := path, ""
	if i >= 0 {
		first, rest = path[:i], path[i+1:]
	}
	if first == "" || strings.ContainsAny(first, pathSyntax) || !plainRest(path, i) || !d.item.IsObject() {
		return d.item.Get(path)
	}
	if !d.topBuilt {
		d.item.ForEach(func(k, v gjson.Result) bool {
			if _, dup := d.top[k.Str]; !dup { // gjson reads the first of a repeated key
				d.top[k.Str] = v
			}
			return true
		})
		d.topBuilt = true
	}
	v, ok := d.top[first]
	if !ok || rest == "" {
		return v
	}
	if inner, ok := strings.CutPrefix(rest, fromStr); ok {
		// JSON sent inside a string (TrendAI's data): unescape and
		// parse it once per item, not once per path.
		parsed, ok := d.fromStr[first]
		if !ok {
			parsed = v.Get(strings.TrimSuffix(fromStr, "|"))
			d.fromStr[first] = parsed
		}
		return parsed.Get(inner)
	}
	return v.Get(rest)
}

// plainRest reports whether the rest of path after its first separator at
// i reads the same as a path of its own. gjson gives a path's start
// meanings it has nowhere else ("..x" JSON lines, "!x" a literal, "@x" a
// modifier, "[" and "{" multipaths), so the rest must start with a plain
// key or an index ("#" too), or be the @fromstr step after a pipe.
func plainRest(path string, i int) bool {
	if i < 0 {
		return true
	}
	rest := path[i+1:]
	if rest == "" {
		return false
	}
	switch c := rest[0]; {
	case c == '@':
		return path[i] == '|' && strings.HasPrefix(rest, fromStr)
	case c == '#', c == '_', c == '-', c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	}
	return false
}

// fromStr starts the rest of a path that reads JSON held in a string.
const fromStr = "@fromstr|"

func text(r gjson.Result) string {
	if !r.Exists() || r.Type == gjson.Null {
		return ""
	}
	return strings.TrimSpace(r.String())
}

// templateFuncs are the helpers a field template may use besides .Get;
// match reads the mapping's own pattern cache.
func (c *Compiled) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"trim":  strings.TrimSpace,
		"match": c.patterns.matchGroup,
	}
}

// maxPatterns bounds a mapping's pattern cache: a template's patterns are
// written in it, so a handful, but one built from the body's values would
// otherwise grow it with every request.
const maxPatterns = 64

// patterns keeps the regular expressions a mapping's templates match
// with, compiled once: compiling one per item was a tenth of a Huntress
// body's decode.
type patterns struct {
	mu sync.Mutex
	re map[string]*regexp.Regexp // nil value: does not compile
}

func (p *patterns) compile(pattern string) *regexp.Regexp {
	p.mu.Lock()
	defer p.mu.Unlock()
	if re, ok := p.re[pattern]; ok {
		return re
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		re = nil
	}
	if p.re == nil {
		p.re = map[string]*regexp.Regexp{}
	}
	if len(p.re) < maxPatterns {
		p.re[pattern] = re
	}
	return re
}

// matchGroup returns the first group of pattern in s (the whole match when
// it has no group), or "" when it does not match or does not compile: a
// template must not fail on a body it was not written for.
func (p *patterns) matchGroup(pattern, s string) string {
	re := p.compile(pattern)
	if re == nil {
		return ""
	}
	m := re.FindStringSubmatch(s)
	switch {
	case m == nil:
		return ""
	case len(m) > 1:
		return m[1]
	default:
		return m[0]
	}
}

// value evaluates one canonical field's rule on the item.
func (c *Compiled) value(name string, d *doc) (string, error) {
	f, ok := c.m.Fields[name]
	if !ok {
		return "", nil
	}
	v := ""
	for _, p := range f.Paths {
		if v = d.Get(p); v != "" {
			break
		}
	}
	if v == "" && f.Template != "" {
		var b strings.Builder
		if err := c.templates[name].Execute(&b, d); err != nil {
			return "", fmt.Errorf("template: %w", err)
		}
		v = strings.TrimSpace(b.String())
	}
	if v == "" {
		v = f.Value
	}
	if m := c.maps[name]; m != nil && v != "" {
		if mapped, ok := m[strings.ToLower(v)]; ok {
			return mapped, nil
		}
		if f.Default != "" {
			return f.Default, nil
		}
	}
	if v == "" {
		v = f.Default
	}
	return v, nil
}

// where says where the mapping reads a field, for error messages.
func (c *Compiled) where(name string) string {
	f, ok := c.m.Fields[name]
	switch {
	case !ok:
		return fmt.Sprintf("format %s has no rule for it", c.m.Name)
	case len(f.Paths) > 0:
		return fmt.Sprintf("format %s reads it from %s", c.m.Name, strings.Join(f.Paths, ", "))
	default:
		return fmt.Sprintf("format %s computes it", c.m.Name)
	}
}

// itemHash is the id of an item its product gave no id: the same content
// gives the same id, so a re-sent notification stays one alert.
func itemHash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hashPrefix + hex.EncodeToString(sum[:16])
}

// parseTime reads RFC 3339 (with or without fractions) or Unix seconds.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 {
		sec := int64(n)
		return time.Unix(sec, int64((n-float64(sec))*1e9)).UTC(), true
	}
	return time.Time{}, false
}
