package engine

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Callback signature headers. The signature is HMAC-SHA256 over
// "<timestamp>.<body>" so a receiver can reject replays of old bodies.
const (
	HeaderTimestamp = "X-Ticketbridge-Timestamp"
	HeaderSignature = "X-Ticketbridge-Signature"
)

// CallbackBody is what a source's callback URL receives for each status
// change of one of its alerts.
type CallbackBody struct {
	Source   string       `json:"source"`
	AlertID  string       `json:"alert_id"`
	Status   alert.Status `json:"status"`
	Previous alert.Status `json:"previous_status"`
	Origin   string       `json:"origin"`
	At       time.Time    `json:"at"`
}

// SignCallback returns the signature header value for a body sent at ts.
func SignCallback(key []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// queueCallback records a status change for the alert's source, when the
// source has a callback URL, in the caller's transaction.
func queueCallback(ctx context.Context, q store.Queries, a store.StoredAlert, from, to alert.Status, origin string, now time.Time) error {
	src, err := q.SourceByID(ctx, a.TenantID, a.SourceID)
	if err != nil || src.CallbackURL == "" {
		return nil //nolint:nilerr // a source without a callback gets none
	}
	body, err := json.Marshal(CallbackBody{Source: a.SourceID, AlertID: a.Alert.ID, Status: to, Previous: from, Origin: origin, At: now.UTC()})
	if err != nil {
		return err
	}
	_, err = q.InsertCallback(ctx, store.Callback{
		TenantID: a.TenantID, SourceID: a.SourceID, AlertSeq: a.Seq, Payload: body,
		State: store.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	})
	return err
}

// runCallbacks sends due callbacks until ctx ends.
func (e *Engine) runCallbacks(ctx context.Context) {
	for {
		n, err := e.sendCallbacks(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Error("send callbacks", "err", err)
		}
		wait := e.cfg.Rescan
		if n > 0 {
			wait = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.callbackWake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (e *Engine) sendCallbacks(ctx context.Context) (int, error) {
	tenants, err := e.tenants(ctx)
	if err != nil {
		return 0, err
	}
	var due []store.Callback
	for _, t := range tenants {
		ds, err := e.cfg.Store.DueCallbacks(ctx, t, e.cfg.Now(), 100)
		if err != nil {
			return 0, err
		}
		due = append(due, ds...)
	}
	for _, c := range due {
		if err := e.sendCallback(ctx, c); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

func (e *Engine) sendCallback(ctx context.Context, c store.Callback) error {
	src, err := e.cfg.Store.SourceByID(ctx, c.TenantID, c.SourceID)
	if err != nil {
		return fmt.Errorf("source %s: %w", c.SourceID, err)
	}
	now := e.cfg.Now()
	c.Attempts++
	c.UpdatedAt = now
	if err := e.postCallback(ctx, src, c); err != nil {
		c.LastError = err.Error()
		if c.Attempts >= e.cfg.MaxAttempts {
			c.State = store.DeliveryFailed // dead-lettered: visible, retryable by a person
		} else {
			c.NextAttemptAt = now.Add(backoffFor(e.cfg.RetryBase, e.cfg.RetryMax, c.Attempts))
		}
		e.log.Warn("callback failed", "source", c.SourceID, "attempt", c.Attempts, "err", err)
	} else {
		c.State, c.LastError, c.CompletedAt = store.DeliveryDone, "", &now
	}
	return e.cfg.Store.UpdateCallback(ctx, c)
}

func (e *Engine) postCallback(ctx context.Context, src store.Source, c store.Callback) error {
	if e.cfg.CallbackKey == nil {
		return fmt.Errorf("no callback signing key configured")
	}
	ts := e.cfg.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, src.CallbackURL, bytes.NewReader(c.Payload))
	if err != nil {
		return fmt.Errorf("build callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, SignCallback([]byte(e.cfg.CallbackKey(src.ID).Reveal()), ts, c.Payload))
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("post callback: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("callback answered %s", resp.Status)
	}
	return nil
}
