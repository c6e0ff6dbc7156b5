// Package migrate reads the numbered schema migrations a store engine
// embeds (migrations/NNNN_name.sql) and checks the set: numbered 1, 2, 3 …
// without gaps or duplicates, every name of one form, no empty file. Both
// engines load through it, so a misnumbered file fails the same way on
// SQLite and PostgreSQL, at start-up, before anything is applied.
//
// Only reading is shared. The SQL bodies stay per dialect, and applying
// them (one transaction each, the version table, PostgreSQL's advisory
// lock) stays with each engine, where its SQL is visible.
package migrate

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int    // the NNNN prefix
	Name    string // file name without .sql, e.g. 0001_init; recorded in the version table
	SQL     string
}

// ErrInvalid is wrapped by Load's error when the files do not form a
// valid set; the error lists every problem found.
var ErrInvalid = errors.New("invalid migrations")

// fileName is NNNN_name.sql: at least four digits, then lower-case words
// joined by underscores.
var fileName = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$`)

// Load reads the .sql files at the root of fsys (other files and
// directories are ignored) and returns them ordered by version. It fails
// on a name not of the form NNNN_name.sql, two files with one version, a
// gap in the numbering (which must start at 1), an empty file, or no
// migrations at all. A gap is refused because an engine records versions
// as it applies them: a file numbered into a gap later would be applied
// out of order on databases that are already past it.
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []Migration
	var problems []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := version(name)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		if strings.TrimSpace(string(body)) == "" {
			problems = append(problems, fmt.Errorf("%s: file is empty", name))
			continue
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), strings.Compare(a.Name, b.Name))
	})
	problems = append(problems, checkSequence(out)...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}
	return out, nil
}

// version returns the number a file name starts with, or what is wrong
// with the name.
func version(name string) (int, error) {
	match := fileName.FindStringSubmatch(name)
	if match == nil {
		return 0, fmt.Errorf("%s: name must be NNNN_name.sql (four or more digits, lower-case words joined by _)", name)
	}
	v, err := strconv.Atoi(match[1])
	if err != nil {
		return 0, fmt.Errorf("%s: version %s is out of range", name, match[1])
	}
	return v, nil
}

// checkSequence reports duplicates and gaps in sorted migrations, and an
// empty set.
func checkSequence(ms []Migration) []error {
	if len(ms) == 0 {
		return []error{errors.New("no migrations: add migrations/0001_name.sql")}
	}
	var problems []error
	want := 1
	for i, m := range ms {
		switch {
		case i > 0 && m.Version == ms[i-1].Version:
			problems = append(problems, fmt.Errorf("%s and %s share version %d", ms[i-1].Name, m.Name, m.Version))
			continue
		case m.Version != want:
			problems = append(problems, fmt.Errorf("%s: expected version %d next (versions start at 1 and have no gaps)", m.Name, want))
		}
		want = m.Version + 1
	}
	return problems
}
