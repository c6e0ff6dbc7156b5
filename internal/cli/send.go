package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func runSend(ctx context.Context, args []string, iox IO) error {
	fs := newFlags("send", "[-f alerts.json] [--url URL]", iox)
	file := fs.String("f", "-", "alert JSON (object, array or NDJSON); - for stdin")
	url := fs.String("url", "http://127.0.0.1:8080", "ticketbridge base URL")
	tokenFile := fs.String("token-file", "", "file holding the source token (default: env TICKETBRIDGE_SOURCE_TOKEN)")
	if err := parse(fs, args); err != nil {
		return err
	}
	token, err := sourceToken(*tokenFile, iox.Getenv)
	if err != nil {
		return err
	}
	body, err := readInput(*file, iox.In)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(*url, "/")+"/api/v1/alerts", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("send alerts: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(iox.Out, "%s\n%s\n", resp.Status, bytes.TrimSpace(answer))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("not accepted: %s", resp.Status)
	}
	return nil
}

func sourceToken(file string, getenv Env) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read token file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if t := getenv("TICKETBRIDGE_SOURCE_TOKEN"); t != "" {
		return t, nil
	}
	return "", errors.New("no source token: set TICKETBRIDGE_SOURCE_TOKEN or --token-file")
}

func readInput(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}
