//go:build unix

package sqlite_test

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// TestFilesArePrivate: the database, its write-ahead log and its shared
// memory file are created 0600, like the key files, whatever the umask.
// Not parallel: the umask belongs to the whole process.
func TestFilesArePrivate(t *testing.T) {
	for _, umask := range []int{0o022, 0o000, 0o277} {
		t.Run(fmt.Sprintf("umask_%04o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			path := filepath.Join(t.TempDir(), "tb.db")
			s := openFile(t, path, sqlite.Options{})
			defer s.Close()
			if err := s.ProbeWrite(t.Context()); err != nil { // a commit: the WAL holds a frame
				t.Fatal(err)
			}
			for _, name := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(name)
				if err != nil {
					t.Fatal(err)
				}
				if mode := fi.Mode().Perm(); mode != 0o600 {
					t.Errorf("%s: mode %04o, want 0600", filepath.Base(name), mode)
				}
			}
		})
	}
}

// TestExistingFileKeepsItsMode: Open creates a private file but does not
// change the mode of one its owner made.
func TestExistingFileKeepsItsMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	s := openFile(t, path, sqlite.Options{})
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o640 {
		t.Errorf("mode %04o, want 0640 kept", mode)
	}
}

// TestProbeWriteFails: the probe answers an error when the data folder
// refuses a new file or the database refuses a write. Tests may run as
// root, whom neither a 0500 folder nor a 0400 file stops, so the folder
// case also puts a directory where the probe writes its file, and the
// database case turns on query_only, which refuses writes as a read-only
// file does.
func TestProbeWriteFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		breakIt func(t *testing.T, s *sqlite.Store, dir, path string)
		mend    func(t *testing.T, s *sqlite.Store, dir, path string)
	}{
		{"read_only_folder",
			func(t *testing.T, _ *sqlite.Store, dir, path string) {
				mustDo(t, os.Mkdir(path+"-probe", 0o700)) // what stops root
				mustDo(t, os.Chmod(dir, 0o500))           // what stops everyone else
			},
			func(t *testing.T, _ *sqlite.Store, dir, path string) {
				mustDo(t, os.Chmod(dir, 0o700))
				mustDo(t, os.Remove(path+"-probe"))
			}},
		{"read_only_database",
			func(t *testing.T, s *sqlite.Store, _, _ string) { mustDo(t, s.SetWriterQueryOnly(t.Context(), true)) },
			func(t *testing.T, s *sqlite.Store, _, _ string) { mustDo(t, s.SetWriterQueryOnly(t.Context(), false)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "tb.db")
			s := openFile(t, path, sqlite.Options{})
			defer s.Close()
			mustDo(t, s.ProbeWrite(t.Context()))
			tc.breakIt(t, s, dir, path)
			if err := s.ProbeWrite(t.Context()); err == nil {
				t.Error("ProbeWrite succeeded on a store that cannot write")
			}
			tc.mend(t, s, dir, path)
			if err := s.ProbeWrite(t.Context()); err != nil {
				t.Errorf("ProbeWrite after mending: %v", err)
			}
		})
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
