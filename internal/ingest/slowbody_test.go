package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
)

// openSlowBody starts a request whose headers promise a body that never
// comes in full: the client sends half of it and waits.
func openSlowBody(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := "[" + alertJSON("slow-1", "open") + "]"
	fmt.Fprintf(conn, "POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		tokenB, len(body), body[:len(body)/2])
	return conn
}

// TestSlowBodyDoesNotHoldOthersCommit: while one client trickles its body,
// another client's alert is committed and answered. The group window is an
// hour, so if the slow request counted as on its way, the commit would
// wait for it and this test would run into its deadline instead.
func TestSlowBodyDoesNotHoldOthersCommit(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := ingest.New(ingest.Config{Store: st, Now: func() time.Time { return testNow }, GroupWindow: time.Hour})
	srv := httptest.NewServer(h)
	defer srv.Close()
	slow := openSlowBody(t, srv.Listener.Addr().String())
	defer slow.Close() // before the server's Close, which waits for it

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/alerts", strings.NewReader("["+alertJSON("fast-1", "open")+"]"))
	req.Header.Set("Authorization", "Bearer "+tokenA)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the fast request did not complete while a slow body was open: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("fast request: %s, want 202", resp.Status)
	}
	if n := countAlerts(t, st); n != 1 {
		t.Errorf("%d alerts stored, want the fast one only", n)
	}
}

// TestSlowBodyIsCutOff: a body not sent within the body time-out is
// answered 408, the connection is closed and nothing is stored.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := ingest.New(ingest.Config{Store: st, Now: func() time.Time { return testNow }, BodyTimeout: 100 * time.Millisecond})
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn := openSlowBody(t, srv.Listener.Addr().String())
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
		t.Errorf("stalled body: %s (close %v), want 408 and the connection closed", resp.Status, resp.Close)
	}
	if n := countAlerts(t, st); n != 0 {
		t.Errorf("%d alerts stored, want none", n)
	}
}
