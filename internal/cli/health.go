package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// runHealth asks a running serve whether it is ready, for container
// health checks and scripts that have no HTTP client of their own.
func runHealth(ctx context.Context, args []string, iox IO) error {
	fs := newFlags("health", "[--addr HOST:PORT] [--live]", iox)
	def := "127.0.0.1:8080"
	if v := iox.Getenv("TICKETBRIDGE_ADDR"); v != "" {
		def = v
	}
	addr := fs.String("addr", def, "serve's listen address (env TICKETBRIDGE_ADDR)")
	live := fs.Bool("live", false, "ask only whether the process answers (/healthz), not whether it can write (/readyz)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := parse(fs, args); err != nil {
		return err
	}
	path := "/readyz"
	if *live {
		path = "/healthz"
	}
	host := *addr
	// A wildcard listen address is reached on loopback.
	if h, port, ok := strings.Cut(host, ":"); ok && (h == "" || h == "0.0.0.0" || h == "[::]") {
		host = "127.0.0.1:" + port
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+path, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: ticketbridge at %s does not answer: %w", host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answers %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(iox.Out, "%s", body)
	return nil
}
