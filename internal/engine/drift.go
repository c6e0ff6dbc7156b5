package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// CursorDrift holds an integration's last drift report as JSON:
// reconcile writes it, apply clears it (the settings apply resolved are
// backed by the PSA again).
const CursorDrift = "drift"

// DriftReport is what the last reconcile of an integration found: the
// settings the PSA no longer backs. While it has findings the
// integration's deliveries wait rather than fail one by one.
type DriftReport struct {
	CheckedAt time.Time      `json:"checked_at"`
	Findings  []DriftFinding `json:"findings"`
	// LinksEnded counts the tickets held as open that the PSA had closed
	// or deleted, whose links reconcile ended.
	LinksEnded int `json:"links_ended,omitempty"`
}

// DriftFinding is one setting, by its path, and what the PSA holds now
// (with the nearest valid names).
type DriftFinding struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	// Kind and Value are what the setting held when apply resolved it
	// (see integration.DriftValue): only deliveries carrying that value
	// wait. Empty for settings no ticket field stands for, whose drift
	// holds every delivery.
	Kind  string `json:"kind,omitempty"`
	Value string `json:"value,omitempty"`
}

// cursorStore reads and writes cursors; store.Queries is one.
type cursorStore interface {
	Cursor(ctx context.Context, integrationID int64, name string) (string, error)
	SetCursor(ctx context.Context, integrationID int64, name, value string) error
}

// ReadDrift returns the integration's last drift report (zero when none).
func ReadDrift(ctx context.Context, st cursorStore, integrationID int64) (DriftReport, error) {
	var r DriftReport
	raw, err := st.Cursor(ctx, integrationID, CursorDrift)
	if isNotFound(err) || (err == nil && raw == "") {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("read drift report: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("decode drift report: %w", err)
	}
	return r, nil
}

// SaveDrift stores the integration's drift report; ClearDrift empties it.
func SaveDrift(ctx context.Context, st cursorStore, integrationID int64, r DriftReport) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode drift report: %w", err)
	}
	return st.SetCursor(ctx, integrationID, CursorDrift, string(raw))
}

// ClearDrift forgets the integration's drift findings.
func ClearDrift(ctx context.Context, st cursorStore, integrationID int64) error {
	return st.SetCursor(ctx, integrationID, CursorDrift, "")
}

// Summary is the findings in one line, for timelines and logs.
func (r DriftReport) Summary() string {
	parts := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		parts[i] = f.Path + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// StatusPolledUpTo is the time the integration's status poll has read
// PSA changes up to; false when it has not polled yet.
func StatusPolledUpTo(ctx context.Context, st cursorStore, integrationID int64) (time.Time, bool, error) {
	raw, err := st.Cursor(ctx, integrationID, cursorStatusPoll)
	if isNotFound(err) || (err == nil && raw == "") {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read status poll cursor: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("parse status poll cursor: %w", err)
	}
	return t, true, nil
}
