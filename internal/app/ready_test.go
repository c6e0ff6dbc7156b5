package app_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
)

// TestReadyzNeedsAWritableStore: /readyz answers 503 while the data folder
// is read-only, so a load balancer stops sending alerts that ingest would
// refuse, and ready again once it is writable. The folder is made 0500;
// tests may run as root, whom that does not stop, so a directory also
// takes the place of the file the readiness probe writes beside the
// database, which stops root as well.
func TestReadyzNeedsAWritableStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := config.Config{DataDir: dir, MaxBodyBytes: 1 << 20}
	a, err := app.New(t.Context(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	readyz := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code
	}
	blocker := cfg.SQLitePath() + "-probe"
	steps := []struct {
		name string
		do   func() error
		want int
	}{
		{"writable", func() error { return nil }, http.StatusOK},
		{"read_only_folder", func() error {
			if err := os.Mkdir(blocker, 0o700); err != nil {
				return err
			}
			return os.Chmod(dir, 0o500)
		}, http.StatusServiceUnavailable},
		{"writable_again", func() error {
			if err := os.Chmod(dir, 0o700); err != nil {
				return err
			}
			return os.Remove(blocker)
		}, http.StatusOK},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := readyz(); got != st.want {
			t.Errorf("%s: /readyz = %d, want %d", st.name, got, st.want)
		}
	}
	if _, err := os.Stat(blocker); !os.IsNotExist(err) {
		t.Errorf("the probe left %s behind (stat: %v)", filepath.Base(blocker), err)
	}
}
