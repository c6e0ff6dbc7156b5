package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Ingest's limits per request: alerts in one array, and the body size a
// server keeps by default (--max-body-bytes).
const (
	maxAlertsPerRequest = 1000
	defaultMaxBodyBytes = 1 << 20
)

func runSend(ctx context.Context, args []string, iox IO) error {
	fs := newFlags("send", "[-f alerts.json] [--url URL]", iox)
	file := fs.String("f", "-", "alert JSON (object, array or NDJSON); - for stdin")
	url := fs.String("url", "http://127.0.0.1:8080", "ticketbridge base URL")
	tokenFile := fs.String("token-file", "", "file holding the source token (default: env TICKETBRIDGE_SOURCE_TOKEN)")
	maxBody := fs.Int("max-body-bytes", defaultMaxBodyBytes, "largest request the server takes (its --max-body-bytes): bigger inputs go in several requests")
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
	alerts, err := splitAlerts(body)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	batches, err := batch(alerts, maxAlertsPerRequest, *maxBody)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	endpoint := strings.TrimSuffix(*url, "/") + "/api/v1/alerts"
	sent := 0
	for i, b := range batches {
		status, answer, err := post(ctx, client, endpoint, token, b.body)
		if err != nil {
			return fmt.Errorf("send alerts %d-%d: %w", sent+1, sent+b.n, err)
		}
		if len(batches) == 1 {
			fmt.Fprintf(iox.Out, "%s\n%s\n", status.Status, answer)
		}
		if status.StatusCode != http.StatusAccepted {
			if len(batches) > 1 {
				fmt.Fprintf(iox.Out, "%s\n%s\n", status.Status, answer)
			}
			return fmt.Errorf("alerts %d-%d not accepted (%s); the %d before them were", sent+1, sent+b.n, status.Status, sent)
		}
		sent += b.n
		if len(batches) > 1 {
			fmt.Fprintf(iox.Err, "sent %d of %d alerts (request %d of %d)\n", sent, len(alerts), i+1, len(batches))
		}
	}
	if len(batches) > 1 {
		fmt.Fprintf(iox.Out, "%d alerts accepted in %d requests\n", sent, len(batches))
	}
	return nil
}

func post(ctx context.Context, client *http.Client, endpoint, token string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, bytes.TrimSpace(answer), nil
}

// splitAlerts reads an object, an array of objects or NDJSON into one
// raw JSON object per alert.
func splitAlerts(body []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, errors.New("no alerts: the input is empty")
	}
	var out []json.RawMessage
	if trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &out); err != nil {
			return nil, fmt.Errorf("not a JSON array of alerts: %w", err)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var m json.RawMessage
			if err := dec.Decode(&m); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("alert %d: not JSON: %w", len(out)+1, err)
			}
			out = append(out, m)
		}
	}
	for i, m := range out {
		if t := bytes.TrimSpace(m); len(t) == 0 || t[0] != '{' {
			return nil, fmt.Errorf("alert %d: want a JSON object", i+1)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no alerts: the array is empty")
	}
	return out, nil
}

// request is one batch of alerts as a JSON array body.
type request struct {
	body []byte
	n    int
}

// batch packs alerts into arrays of at most maxN alerts and maxBytes
// bytes, in order.
func batch(alerts []json.RawMessage, maxN, maxBytes int) ([]request, error) {
	var out []request
	cur := &bytes.Buffer{}
	n := 0
	flush := func() {
		if n > 0 {
			cur.WriteByte(']')
			out = append(out, request{body: cur.Bytes(), n: n})
			cur, n = &bytes.Buffer{}, 0
		}
	}
	for i, a := range alerts {
		if len(a)+2 > maxBytes {
			return nil, fmt.Errorf("alert %d is %d bytes, more than one request may carry (%d)", i+1, len(a), maxBytes)
		}
		if n == maxN || cur.Len()+1+len(a)+1 > maxBytes {
			flush()
		}
		if n == 0 {
			cur.WriteByte('[')
		} else {
			cur.WriteByte(',')
		}
		cur.Write(a)
		n++
	}
	flush()
	return out, nil
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
