package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// maxWebhookBody bounds a PSA callout; real ones are a few KB.
const maxWebhookBody = 1 << 20

// WebhookHandler receives PSA ticket webhooks at /hooks/{integration}. It
// verifies the signature over the exact bytes, drops redelivered callouts
// (ticket id + sequence seen before) and hands the change to the
// integration's worker. A callout lost here (we were down) is picked up by
// the poller, which stays the safety net.
func (e *Engine) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		status, msg := e.receiveWebhook(r)
		if status != http.StatusOK {
			if status != http.StatusUnauthorized && status != http.StatusBadRequest {
				// Refused with its body unread: closing the connection
				// spares reading up to 256 KiB of a forged megabyte, which
				// the server would otherwise do to keep it alive.
				rw.Header().Set("Connection", "close")
			}
			// As every API error: RFC 9457 problem details.
			rw.Header().Set("Content-Type", "application/problem+json")
			rw.WriteHeader(status)
			_ = json.NewEncoder(rw).Encode(map[string]any{
				"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": msg,
			})
			return
		}
		rw.WriteHeader(http.StatusOK)
	})
}

func (e *Engine) receiveWebhook(r *http.Request) (int, string) {
	name, tenant := r.PathValue("integration"), r.PathValue("tenant")
	if tenant == "" {
		tenant = store.DefaultTenant
	}
	w := e.workerByName(tenant, name)
	if w == nil {
		if _, err := e.cfg.Store.IntegrationByName(r.Context(), tenant, name); err == nil {
			// Another replica works this integration: ask the PSA to try
			// again (it may reach that one); the poller covers it anyway.
			return http.StatusServiceUnavailable, "integration is worked by another replica"
		}
		return http.StatusNotFound, "no such integration"
	}
	hooks, ok := w.currentConn().(psa.TicketWebhooks)
	if !ok || e.cfg.WebhookKey == nil {
		return http.StatusNotFound, "webhooks are not enabled for this integration"
	}
	rej := w.status.rejected
	if !rej.allow() {
		rej.record(w.log, false)
		return http.StatusTooManyRequests, "too many webhooks with a bad signature"
	}
	// Read into one buffer of the declared size (bounded): grown from
	// 512 bytes, a forged megabyte cost a dozen allocations and copies.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), maxWebhookBody)+bytes.MinRead))
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, maxWebhookBody))
	body := buf.Bytes()
	if err != nil {
		return http.StatusRequestEntityTooLarge, "body too large"
	}
	ev, err := hooks.ParseTicketWebhook(body, r.Header.Get(hooks.SignatureHeader()), e.cfg.WebhookKey(hookName(w.tenant, w.name)))
	if errors.Is(err, psa.ErrBadSignature) {
		rej.record(w.log, true)
		return http.StatusUnauthorized, "signature does not verify"
	}
	if err != nil {
		return http.StatusBadRequest, "malformed callout"
	}
	if ev.Action == "Deactivated" || ev.Action == "deactivated" {
		e.log.Error("the PSA deactivated our webhook; the poller keeps status in sync until it is registered again", "integration", w.name)
		return http.StatusOK, ""
	}
	key := "hook:" + ev.TicketID + "#" + strconv.FormatInt(ev.Sequence, 10)
	if err := e.cfg.Store.MarkSeen(r.Context(), w.id, key, e.cfg.Now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return http.StatusOK, "" // a redelivery: already handled
		}
		return http.StatusServiceUnavailable, "try again"
	}
	w.status.enqueue(ev)
	return http.StatusOK, ""
}

func (e *Engine) workerByName(tenant, name string) *worker {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range e.workers {
		if w.tenant == tenant && w.name == name {
			return w
		}
	}
	return nil
}

// enqueue hands an event to the worker goroutine, which alone changes
// links; when the queue is full the event is dropped and the poller finds
// the change instead.
func (s *statusSync) enqueue(ev psa.WebhookEvent) {
	select {
	case s.events <- ev:
		s.nudge()
	default:
		s.log.Warn("webhook queue full; the poller will pick the change up", "psa_ticket", ev.TicketID)
	}
}

// drainEvents applies queued webhook events.
func (s *statusSync) drainEvents(ctx context.Context) (int, error) {
	n := 0
	for {
		select {
		case ev := <-s.events:
			n++
			if err := s.applyEvent(ctx, ev); err != nil {
				return n, err
			}
		default:
			return n, nil
		}
	}
}

// applyEvent reads the ticket the event names: one call per callout buys
// the PSA's own word on whether the status is a closed one, whatever the
// callout's field formats.
func (s *statusSync) applyEvent(ctx context.Context, ev psa.WebhookEvent) error {
	if _, err := s.cfg.Store.TicketLinkByPSAID(ctx, s.id, ev.TicketID); isNotFound(err) {
		return nil // not one of ours: spend no call on it
	}
	t, err := s.snap.conn.Ticket(ctx, ev.TicketID)
	if err != nil {
		return fmt.Errorf("read ticket %s after webhook: %w", ev.TicketID, err)
	}
	if err := s.applyPSAStatus(ctx, t.ID, t.Status, s.snap.isClosed(t), "webhook"); err != nil {
		return fmt.Errorf("apply webhook for ticket %s: %w", ev.TicketID, err)
	}
	return nil
}

// registerWebhook registers the integration's webhook once per settings
// version when status_sync.webhooks is on.
func (s *statusSync) registerWebhook(ctx context.Context) {
	ss := s.snap.settings.StatusSync
	if !ss.Enabled || !ss.Webhooks || s.webhookVersion == s.snap.version || s.cfg.WebhookKey == nil {
		return
	}
	hooks, ok := s.snap.conn.(psa.TicketWebhooks)
	if !ok {
		return
	}
	base := trimSlash(ss.PublicURL) + HookPath(s.tenant, s.name)
	id, err := hooks.RegisterTicketWebhook(ctx, base, base+"/deactivated", s.cfg.WebhookKey(hookName(s.tenant, s.name)))
	if err != nil {
		s.log.Error("register webhook; polling only until it succeeds", "err", err)
		return
	}
	s.webhookVersion = s.snap.version
	s.log.Info("webhook registered", "webhook_id", id, "url", base)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// WebhookSignatureHeader returns the header the tenant's integration's PSA
// signs its webhooks in, and false when this replica does not work the
// integration or its PSA sends none.
func (e *Engine) WebhookSignatureHeader(tenant, integration string) (string, bool) {
	w := e.workerByName(tenant, integration)
	if w == nil {
		return "", false
	}
	hooks, ok := w.currentConn().(psa.TicketWebhooks)
	if !ok {
		return "", false
	}
	return hooks.SignatureHeader(), true
}
