package source

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.json
var builtinFiles embed.FS

// Builtins holds the compiled built-in mappings by name. It is built once
// by LoadBuiltins and only read after.
type Builtins struct {
	byName map[string]*Compiled
}

// LoadBuiltins compiles every embedded mapping; an error is a bug in a
// shipped file, and a test keeps it from shipping.
func LoadBuiltins() (*Builtins, error) {
	entries, err := builtinFiles.ReadDir("builtin")
	if err != nil {
		return nil, fmt.Errorf("read built-in mappings: %w", err)
	}
	b := &Builtins{byName: make(map[string]*Compiled, len(entries))}
	for _, e := range entries {
		raw, err := builtinFiles.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read built-in mapping %s: %w", e.Name(), err)
		}
		c, err := ParseMapping(raw)
		if err != nil {
			return nil, fmt.Errorf("built-in mapping %s: %w", e.Name(), err)
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); c.m.Name != want {
			return nil, fmt.Errorf("built-in mapping %s: name %q, want %q", e.Name(), c.m.Name, want)
		}
		b.byName[c.m.Name] = c
	}
	return b, nil
}

// MustLoadBuiltins is LoadBuiltins for callers that cannot go on without
// them; the embedded files are checked by tests, so it does not panic in
// a shipped binary.
func MustLoadBuiltins() *Builtins {
	b, err := LoadBuiltins()
	if err != nil {
		panic(err)
	}
	return b
}

// Get returns the built-in mapping of a format.
func (b *Builtins) Get(name string) (*Compiled, bool) {
	c, ok := b.byName[name]
	return c, ok
}

// Names lists the formats a source may name: canonical, then every
// built-in mapping, sorted.
func (b *Builtins) Names() []string {
	names := make([]string, 0, len(b.byName)+1)
	for n := range b.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return append([]string{Canonical}, names...)
}
