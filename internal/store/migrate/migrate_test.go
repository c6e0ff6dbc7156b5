package migrate

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func files(names ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for _, n := range names {
		m[n] = &fstest.MapFile{Data: []byte("CREATE TABLE t (" + n + " INT);")}
	}
	return m
}

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fsys     fstest.MapFS
		want     []string // names in order, when valid
		wantErrs []string // substrings of the error, when invalid
	}{
		{name: "ordered by number, not by listing", fsys: files("0003_status_billing.sql", "0001_init.sql", "0002_leases.sql"),
			want: []string{"0001_init", "0002_leases", "0003_status_billing"}},
		{name: "numbers past 9999", fsys: files("00001_a.sql", "00002_b.sql"), want: []string{"00001_a", "00002_b"}},
		{name: "other files and directories ignored", fsys: fstest.MapFS{
			"0001_init.sql": {Data: []byte("SELECT 1;")}, "README.md": {Data: []byte("x")}, "old/0002_x.sql": {Data: []byte("SELECT 2;")},
		}, want: []string{"0001_init"}},

		{name: "none", fsys: fstest.MapFS{"README.md": {Data: []byte("x")}}, wantErrs: []string{"no migrations"}},
		{name: "gap", fsys: files("0001_init.sql", "0003_later.sql"), wantErrs: []string{"0003_later: expected version 2"}},
		{name: "not starting at 1", fsys: files("0002_leases.sql"), wantErrs: []string{"0002_leases: expected version 1"}},
		{name: "version 0", fsys: files("0000_zero.sql", "0001_init.sql"), wantErrs: []string{"0000_zero: expected version 1"}},
		{name: "duplicate", fsys: files("0001_init.sql", "0002_a.sql", "0002_b.sql"), wantErrs: []string{"0002_a and 0002_b share version 2"}},
		{name: "duplicate spelled differently", fsys: files("0001_init.sql", "0002_a.sql", "00002_a.sql"), wantErrs: []string{"share version 2"}},
		{name: "too few digits", fsys: files("0001_init.sql", "2_leases.sql"), wantErrs: []string{"2_leases.sql: name must be NNNN_name.sql"}},
		{name: "dash instead of underscore", fsys: files("0001-init.sql"), wantErrs: []string{"0001-init.sql: name must be"}},
		{name: "no name", fsys: files("0001_.sql"), wantErrs: []string{"0001_.sql: name must be"}},
		{name: "upper case", fsys: files("0001_Init.sql"), wantErrs: []string{"0001_Init.sql: name must be"}},
		{name: "no number", fsys: files("init.sql"), wantErrs: []string{"init.sql: name must be"}},
		{name: "space in the name", fsys: files("0001_in it.sql"), wantErrs: []string{"name must be"}},
		{name: "number out of range", fsys: files("99999999999999999999_x.sql"), wantErrs: []string{"out of range"}},
		{name: "empty file", fsys: fstest.MapFS{"0001_init.sql": {Data: []byte(" \n\t")}}, wantErrs: []string{"0001_init.sql: file is empty"}},
		{name: "every problem reported", fsys: files("0001_init.sql", "0001_again.sql", "0004_late.sql", "x.sql"),
			wantErrs: []string{"x.sql: name must be", "0001_again and 0001_init share version 1", "0004_late: expected version 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, err := Load(tt.fsys)
			if tt.wantErrs != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Load = %v, %v; want ErrInvalid", names(ms), err)
				}
				for _, want := range tt.wantErrs {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(ms)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			for i, m := range ms {
				if m.Version != i+1 || m.SQL != string(tt.fsys[m.Name+".sql"].Data) {
					t.Errorf("migration %d = %+v", i, m)
				}
			}
		})
	}
}

func TestLoadReadFailure(t *testing.T) {
	t.Parallel()
	_, err := Load(failingFS{})
	if err == nil || errors.Is(err, ErrInvalid) {
		t.Fatalf("Load = %v, want a read error that is not ErrInvalid", err)
	}
}

// failingFS lists one migration it cannot open.
type failingFS struct{}

func (failingFS) Open(name string) (fs.File, error) {
	if name == "." {
		return fstest.MapFS{"0001_init.sql": {}}.Open(".")
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
}

func names(ms []Migration) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}
