package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestRotateAndRevokeSource: rotate answers a new token once and moves
// the source to its hash, telling the app the old one is gone; revoke
// leaves no token; another tenant's admin and a source token get 404
// and 403, and change nothing.
func TestRotateAndRevokeSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var forgotten []string
	h := f.handler(httpapi.Config{OnSourceChanged: func(hash string) { forgotten = append(forgotten, hash) }})
	ctx := context.Background()

	if w := do(h, "POST", "/api/v1/sources/src-a/rotate", otherAdmin, ""); w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("another tenant rotates: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w := do(h, "POST", "/api/v1/sources/src-a/revoke", tokenA, ""); w.Code != http.StatusForbidden {
		t.Errorf("a source token revokes: %d", w.Code)
	}
	if _, err := f.st.SourceByTokenHash(ctx, ingest.HashToken(tokenA)); err != nil {
		t.Fatalf("refused calls changed the token: %v", err)
	}

	w := do(h, "POST", "/api/v1/sources/src-a/rotate", adminToken, "")
	var got struct{ ID, Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK || got.ID != "src-a" || got.Token == "" {
		t.Fatalf("rotate: %d %s", w.Code, w.Body)
	}
	if _, err := f.st.SourceByTokenHash(ctx, ingest.HashToken(tokenA)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old token after rotate: %v, want not found", err)
	}
	if src, err := f.st.SourceByTokenHash(ctx, ingest.HashToken(got.Token)); err != nil || src.ID != "src-a" {
		t.Errorf("new token: %+v %v", src, err)
	}
	if len(forgotten) != 1 || forgotten[0] != ingest.HashToken(tokenA) {
		t.Errorf("the app was told to forget %v, want the old token's hash", forgotten)
	}
	if w := do(h, "POST", "/api/v1/sources/src-a/revoke", adminToken, ""); w.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	if _, err := f.st.SourceByTokenHash(ctx, ingest.HashToken(got.Token)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token after revoke: %v, want not found", err)
	}
	if w := do(h, "POST", "/api/v1/sources/nope/revoke", adminToken, ""); w.Code != http.StatusNotFound {
		t.Errorf("revoke an unknown source: %d", w.Code)
	}
}
