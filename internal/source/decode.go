package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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
	d := &doc{root: gjson.ParseBytes(body), rootVals: map[string]string{}}
	out := make([]alert.Alert, 0, len(items))
	var errs []alert.FieldError
	for i, item := range items {
		d.item = item
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
type doc struct {
	item, root gjson.Result
	rootVals   map[string]string
}

// Get returns the value at path as text ("" when absent); templates call
// it as {{.Get "path"}}.
func (d *doc) Get(path string) string {
	p, ok := strings.CutPrefix(path, RootPrefix)
	if !ok {
		return text(d.item.Get(path))
	}
	v, ok := d.rootVals[p]
	if !ok {
		v = text(d.root.Get(p))
		d.rootVals[p] = v
	}
	return v
}

func text(r gjson.Result) string {
	if !r.Exists() || r.Type == gjson.Null {
		return ""
	}
	return strings.TrimSpace(r.String())
}

// templateFuncs are the helpers a field template may use besides .Get.
var templateFuncs = template.FuncMap{
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"trim":  strings.TrimSpace,
	"match": matchGroup,
}

// matchGroup returns the first group of pattern in s (the whole match when
// it has no group), or "" when it does not match or does not compile: a
// template must not fail on a body it was not written for.
func matchGroup(pattern, s string) string {
	re, err := regexp.Compile(pattern)
	if err != nil {
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
