package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestSendSplitsIntoRequests: a file over ingest's limits (1,000 alerts,
// the body size) goes in several requests, in order, none over a limit,
// with progress; every alert is sent once.
func TestSendSplitsIntoRequests(t *testing.T) {
	t.Parallel()
	const maxBody = 64 << 10
	var mu sync.Mutex
	var got []string
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var alerts []struct{ ID string }
		if len(body) > maxBody || json.Unmarshal(body, &alerts) != nil || len(alerts) > 1000 || r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		requests++
		for _, a := range alerts {
			got = append(got, a.ID)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	var ndjson strings.Builder
	for i := range 2500 {
		fmt.Fprintf(&ndjson, `{"id":"a%d","type":"X","severity":"low","title":"t","organization":{"id":"o"},"occurred_at":"2026-12-01T00:00:00Z"}`+"\n", i)
	}
	file := filepath.Join(t.TempDir(), "alerts.ndjson")
	write(t, file, ndjson.String())
	code, out, stderr := run(t, map[string]string{"TICKETBRIDGE_SOURCE_TOKEN": "tok"}, "", "send", "-f", file, "--url", srv.URL, "--max-body-bytes", fmt.Sprint(maxBody))
	if code != 0 || !strings.Contains(out, "2500 alerts accepted in") || !strings.Contains(stderr, "sent 2500 of 2500 alerts") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if len(got) != 2500 || requests < 3 {
		t.Fatalf("server got %d alerts in %d requests; want 2500 in at least 3", len(got), requests)
	}
	for i, id := range got {
		if id != fmt.Sprintf("a%d", i) {
			t.Fatalf("alert %d is %s: out of order or repeated", i, id)
		}
	}
}

// TestSendRefusesBadInput names what is wrong before anything is sent.
func TestSendRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "the input is empty"},
		{"[]", "the array is empty"},
		{`{"id":"a"}` + "\n" + `{"id":`, "alert 2: not JSON"},
		{`[{"id":"a"}, 3]`, "alert 2: want a JSON object"},
		{`{"id":"` + strings.Repeat("x", 2000) + `"}`, "alert 1 is 2009 bytes"},
	} {
		code, _, stderr := run(t, map[string]string{"TICKETBRIDGE_SOURCE_TOKEN": "tok"}, tc.in, "send", "--url", "http://127.0.0.1:1", "--max-body-bytes", "1024")
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("input %.40q: exit %d, stderr %q; want an error saying %q", tc.in, code, stderr, tc.want)
		}
	}
}
