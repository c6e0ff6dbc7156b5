package sqlite_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	sqliteModule = "modernc.org/sqlite"
	libcModule   = "modernc.org/libc"
)

// TestLibcMatchesSqliteRequirement catches a drift of modernc.org/libc away
// from the version modernc.org/sqlite was generated against: the driver is
// transpiled C calling into libc, and a newer libc than its go.mod names
// fails in obscure ways rather than at build time.
func TestLibcMatchesSqliteRequirement(t *testing.T) {
	t.Parallel()
	linked := linkedVersions(t)
	sqliteV, libcV := linked[sqliteModule], linked[libcModule]
	if sqliteV == "" || libcV == "" {
		t.Fatalf("no versions for %s and %s in %v", sqliteModule, libcModule, linked)
	}
	want := requirementOf(t, sqliteModule, sqliteV, libcModule)
	if libcV != want {
		t.Errorf("%s is %s, but %s@%s requires %s: hold libc at the driver's version",
			libcModule, libcV, sqliteModule, sqliteV, want)
	}
}

// linkedVersions returns the module versions of the build. A test binary's
// build info carries no dependency list (checked with Go 1.26: Deps is
// empty), so when it is missing the versions come from the main module's
// go.mod instead, which since Go 1.17 lists every module the build uses at
// the version it selects.
func linkedVersions(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			out[d.Path] = d.Version
		}
	}
	if out[sqliteModule] != "" && out[libcModule] != "" {
		return out
	}
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("replace")) && bytes.Contains(data, []byte("modernc.org/")) {
		t.Fatal("go.mod may replace a modernc.org module; teach this test to read replace directives")
	}
	return requirements(data)
}

// moduleRoot walks up from the package directory to the main go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// requirementOf reads the version of dep that module@version's own go.mod
// requires, from the module cache the build used.
func requirementOf(t *testing.T, module, version, dep string) string {
	t.Helper()
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		b, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			t.Fatalf("go env GOMODCACHE: %v", err)
		}
		cache = strings.TrimSpace(string(b))
	}
	// Module paths with upper-case letters would need the cache's !-escaping;
	// modernc.org/sqlite has none.
	path := filepath.Join(cache, "cache", "download", filepath.FromSlash(module), "@v", version+".mod")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s's go.mod: %v", module, err)
	}
	v := requirements(data)[dep]
	if v == "" {
		t.Fatalf("%s@%s requires no %s", module, version, dep)
	}
	return v
}

// requirements maps each required module of a go.mod to its version; a
// small reader of the require lines is enough for this check.
func requirements(gomod []byte) map[string]string {
	out := map[string]string{}
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "require" && len(f) >= 2 && f[1] == "(":
			inBlock = true
		case inBlock && f[0] == ")":
			inBlock = false
		case inBlock && len(f) == 2:
			out[f[0]] = f[1]
		case f[0] == "require" && len(f) == 3:
			out[f[1]] = f[2]
		}
	}
	return out
}

func TestRequirements(t *testing.T) {
	t.Parallel()
	gomod := []byte(`module x

require a.example/one v1.0.0

require (
	b.example/two v2.1.0 // indirect
	// c.example/gone v0.0.1
)
`)
	want := map[string]string{"a.example/one": "v1.0.0", "b.example/two": "v2.1.0"}
	if diff := cmp.Diff(want, requirements(gomod)); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
}
