package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Change is one difference between stored and new settings, shown before
// apply writes anything.
type Change struct {
	Op   byte // '+' added, '-' removed, '~' changed
	Path string
	Old  string
	New  string
}

// String renders the change like a diff line:
// "+ companies.map[org-42].company: Acme Corp",
// "~ ticket.queue: Monitoring Alert → Security". A changed secret renders
// as "~ connection.secret: (changed)".
func (c Change) String() string {
	switch {
	case c.Op == '+':
		return "+ " + c.Path + ": " + c.New
	case c.Op == '-':
		return "- " + c.Path + ": " + c.Old
	case c.Old == "":
		return "~ " + c.Path + ": " + c.New
	}
	return "~ " + c.Path + ": " + c.Old + " → " + c.New
}

// Plan compares the stored settings (nil when the integration is new)
// with the new ones and returns the changes in schema order. List entries
// are matched by value and map entries by organization, so reordering a
// list is not a change. Secrets render as "(set)" / "(changed)" or as
// their env/file reference, never as values. Both sides should have had
// ApplyDefaults, so a default does not show as a change.
func Plan(old *Settings, next Settings) []Change {
	if old == nil {
		old = &Settings{}
	}
	ol, nl := flatten(old), flatten(&next)
	oldBy, newBy := index(ol), index(nl)
	var out []Change
	for _, key := range mergeOrder(ol, nl) {
		o, inOld := oldBy[key]
		n, inNew := newBy[key]
		switch {
		case !inOld:
			out = append(out, Change{Op: '+', Path: n.path, New: n.show})
		case !inNew:
			out = append(out, Change{Op: '-', Path: o.path, Old: o.show})
		case o.cmp != n.cmp:
			out = append(out, changed(o, n))
		}
	}
	return out
}

func changed(o, n leaf) Change {
	c := Change{Op: '~', Path: n.path, Old: o.show, New: n.show}
	if n.secret && o.show == n.show {
		c.Old, c.New = "", "(changed)" // same kind of source, new value
	}
	return c
}

func index(ls []leaf) map[string]leaf {
	m := make(map[string]leaf, len(ls))
	for _, l := range ls {
		m[l.key] = l
	}
	return m
}

// mergeOrder lists every key once: the new settings' order, with each
// removed key placed right after the key that preceded it in the old ones.
func mergeOrder(ol, nl []leaf) []string {
	order := make([]string, 0, len(nl)+len(ol))
	pos := make(map[string]bool, len(nl))
	for _, l := range nl {
		order = append(order, l.key)
		pos[l.key] = true
	}
	prev := ""
	for _, l := range ol {
		if !pos[l.key] {
			at := 0
			if prev != "" {
				at = slices.Index(order, prev) + 1
			}
			order = slices.Insert(order, at, l.key)
			pos[l.key] = true
		}
		prev = l.key
	}
	return order
}

// leaf is one value of flattened settings: key identifies it across
// versions, path is what a person reads, show is the rendered value and
// cmp what is compared (a secret's hash, never shown).
type leaf struct {
	key, path, show, cmp string
	secret               bool
}

type flattener struct {
	out  []leaf
	keys map[string]int
}

func (f *flattener) add(key, path, show, cmp string, secret bool) {
	key = strings.ToLower(key)
	if n := f.keys[key]; n > 0 { // a duplicate (invalid settings) stays visible
		f.keys[key] = n + 1
		key = fmt.Sprintf("%s#%d", key, n+1)
	} else {
		f.keys[key] = 1
	}
	f.out = append(f.out, leaf{key: key, path: path, show: show, cmp: cmp, secret: secret})
}

func (f *flattener) str(path, v string) {
	if v == "" {
		return
	}
	show := v
	if strings.ContainsAny(v, "\n\r\t") {
		show = strconv.Quote(v)
	}
	f.add(path, path, show, v, false)
}

func (f *flattener) pick(path string, p Pick) { f.str(path, p.String()) }

func (f *flattener) boolean(path string, v bool) {
	f.add(path, path, strconv.FormatBool(v), strconv.FormatBool(v), false)
}

func (f *flattener) optBool(path string, v *bool) {
	if v != nil {
		f.boolean(path, *v)
	}
}

func (f *flattener) num(path string, v int) {
	if v != 0 {
		f.str(path, strconv.Itoa(v))
	}
}

// list adds each entry keyed by its value, so entries match across
// versions however they move; the path shows the entry's own index.
func (f *flattener) list(path string, vs []string) {
	for i, v := range vs {
		key := path + "\x00" + strings.ToLower(strings.TrimSpace(v))
		f.add(key, fmt.Sprintf("%s[%d]", path, i), v, v, false)
	}
}

func (f *flattener) secretRef(path string, r SecretRef) {
	switch {
	case r.Value != "":
		sum := sha256.Sum256([]byte(r.Value))
		f.add(path, path, "(set)", "value:"+hex.EncodeToString(sum[:]), true)
	case r.Env != "":
		f.add(path, path, "env "+r.Env, "env:"+r.Env, true)
	case r.File != "":
		f.add(path, path, "file "+r.File, "file:"+r.File, true)
	case r.Stored:
		f.add(path, path, "(stored)", "stored", true)
	}
}
