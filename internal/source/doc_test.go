package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// TestDocGetMatchesGjson: the doc's index and caches are a shortcut, not
// a second path language: every path of every built-in mapping, and paths
// with the syntax the shortcut leaves to gjson, read the same value as
// gjson reads from the item, twice in a row and across items.
func TestDocGetMatchesGjson(t *testing.T) {
	extra := []string{
		"a", "a.b", "a|b", "a.", "a.0", "a.#", "a.#.b", "a|#", `a.#(b=="x").c`, "a|@reverse", "a|@fromstr|b",
		"a|@fromstr|b.c", "dup", `k\.dot`, "*", "a*", "@this", "missing.x", "0", "s|@fromstr|n", "s|@fromstr",
		`s|@fromstr|#(x=="|@fromstr|")`, "[a,dup]", "{a}",
	}
	items := []string{
		`{"a": {"b": "one", "c": 2}, "dup": 1, "dup": 2, "k.dot": "dotted", "s": "{\"n\": 5, \"x\": 1}"}`,
		`{"a": [{"b": "x", "c": "first"}, {"b": "y"}], "s": "not json"}`,
		`{"a": "{\"b\": {\"c\": \"inner\"}}"}`,
		`["not", "an", "object"]`,
	}
	builtins := MustLoadBuiltins()
	for _, name := range builtins.Names()[1:] {
		c, _ := builtins.Get(name)
		sample, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, string(sample))
		for _, f := range c.m.Fields {
			extra = append(extra, f.Paths...)
		}
		for _, p := range c.m.Attributes {
			extra = append(extra, strings.TrimPrefix(p, RootPrefix))
		}
	}
	d := newDoc([]byte(`{}`))
	for round := range 2 {
		for i, item := range items {
			r := gjson.Parse(item)
			d.setItem(r)
			for _, p := range extra {
				for range 2 {
					if got, want := d.Get(p), text(r.Get(p)); got != want {
						t.Errorf("round %d item %d path %q: %q, gjson %q", round, i, p, got, want)
					}
				}
			}
		}
	}
}

// FuzzDocGet holds the doc's shortcuts to gjson itself: for any valid
// JSON item and any path, the doc reads what gjson reads.
func FuzzDocGet(f *testing.F) {
	f.Add(`{"a": {"b": "one"}, "s": "{\"n\": 5}"}`, "a.b")
	f.Add(`{"a": {"b": "one"}, "s": "{\"n\": 5}"}`, "s|@fromstr|n")
	f.Add(`{"a": [{"b": 1}, {"b": 2}]}`, "a.#.b")
	f.Add(`{"dup": 1, "dup": 2}`, "dup")
	f.Add(`{"k.dot": 1}`, `k\.dot`)
	f.Fuzz(func(t *testing.T, item, path string) {
		if !gjson.Valid(item) || strings.HasPrefix(path, RootPrefix) { // ^ reads the body, by design
			return
		}
		r := gjson.Parse(item)
		d := newDoc([]byte(`{}`))
		d.setItem(r)
		for range 2 {
			if got, want := d.Get(path), text(r.Get(path)); got != want {
				t.Fatalf("item %s path %q: %q, gjson %q", item, path, got, want)
			}
		}
	})
}
