package connectwise

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var _ psa.TicketWebhooks = (*Connector)(nil)

// SignatureHeaderName is the header ConnectWise signs callouts in.
const SignatureHeaderName = "x-content-signature"

// Callback registration values. Level Owner delivers every ticket of the
// tenant; objectId is required by the API but means nothing at that
// level, so it is 1.
const (
	callbackType        = "ticket"
	callbackLevel       = "Owner"
	callbackObjectID    = 1
	callbackDescription = "ticketbridge ticket status sync"
	maxCallbackURL      = 1000
)

type callbackWire struct {
	ID           int64  `json:"id"`
	URL          string `json:"url"`
	Type         string `json:"type"`
	Level        string `json:"level"`
	InactiveFlag bool   `json:"inactiveFlag"`
}

// RegisterTicketWebhook makes ConnectWise call url when any ticket
// changes (system/callbacks, type ticket, level Owner). A callback already
// registered for exactly url is patched back to active and to these
// settings instead of adding a second; with several, the oldest is used.
// isSelfSuppressedFlag keeps the changes ticketbridge makes from coming
// back as callouts (the poller still sees them).
//
// ConnectWise has no deactivation notice, so deactivationURL is unused.
// It signs callouts with a key it chooses, published at the key_url each
// callout names, so key is unused too: ParseTicketWebhook verifies with
// the key fetched from key_url. The key cannot be fetched here, as the
// key_url's id is only known from a callout.
func (c *Connector) RegisterTicketWebhook(ctx context.Context, target, deactivationURL string, key secret.Secret) (string, error) {
	if err := checkCallbackURL(target); err != nil {
		return "", err
	}
	existing, err := c.callbacksFor(ctx, target)
	if err != nil {
		return "", err
	}
	if len(existing) == 0 {
		var created callbackWire
		body := map[string]any{
			"url": target, "objectId": callbackObjectID, "type": callbackType, "level": callbackLevel,
			"description": callbackDescription, "inactiveFlag": false, "isSoapCallbackFlag": false, "isSelfSuppressedFlag": true,
		}
		if _, err := c.call(ctx, http.MethodPost, "system/callbacks", "callbacks.create", body, &created); err != nil {
			return "", err
		}
		if created.ID == 0 {
			return "", &psa.Error{Class: psa.Permanent, Message: "callbacks.create: answer has no id"}
		}
		return itoa(created.ID), nil
	}
	id := existing[0].ID
	ops := []patchOp{
		{Op: "replace", Path: "inactiveFlag", Value: false},
		{Op: "replace", Path: "type", Value: callbackType},
		{Op: "replace", Path: "level", Value: callbackLevel},
		{Op: "replace", Path: "objectId", Value: callbackObjectID},
		{Op: "replace", Path: "isSelfSuppressedFlag", Value: true},
	}
	path := fmt.Sprintf("system/callbacks/%d", id)
	if _, err := c.call(ctx, http.MethodPatch, path, "callbacks.update", ops, nil); err != nil {
		return "", notFound(err, "callback "+itoa(id))
	}
	return itoa(id), nil
}

// callbacksFor lists the callbacks registered for exactly target, oldest
// first. The url condition is checked again here, as a peer may compare
// loosely.
func (c *Connector) callbacksFor(ctx context.Context, target string) ([]callbackWire, error) {
	q := url.Values{"conditions": {eqString("url", target)}, "orderBy": {"id asc"}}
	rows, err := collect[callbackWire](ctx, c, "system/callbacks", q, "callbacks.list")
	if err != nil {
		return nil, err
	}
	rows = slices.DeleteFunc(rows, func(r callbackWire) bool { return r.URL != target || r.ID == 0 })
	slices.SortFunc(rows, func(a, b callbackWire) int { return cmp.Compare(a.ID, b.ID) })
	return rows, nil
}

func checkCallbackURL(target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || utf8.RuneCountInString(target) > maxCallbackURL {
		return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("webhook url must be an absolute http(s) URL of at most %d characters", maxCallbackURL)}
	}
	return nil
}

// SignatureHeader returns "x-content-signature".
func (c *Connector) SignatureHeader() string { return SignatureHeaderName }

// ParseTicketWebhook verifies and decodes a ticket callout. The signature
// is base64(HMAC-SHA256(key = SHA-256(signing key), message = the exact
// body)), compared in constant time. The signing key is ConnectWise's,
// fetched from the callout's Metadata.key_url, which is trusted only on
// the configured ConnectWise host (a forged body cannot point us at a key
// of its own), and cached per key_url; key is not used (see
// RegisterTicketWebhook). Since the method has no context, a fetch runs on
// a background context bounded by keyFetchTimeout. A body that does not
// verify, or names no trusted key_url, is psa.ErrBadSignature; a key that
// cannot be fetched is a retryable error.
//
// ConnectWise callouts carry no sequence number. Sequence is derived: the
// entity's _info.lastUpdated in unix seconds times 1e9, plus an FNV hash of
// the Entity string modulo 1e9. A redelivered callout (same entity) gets
// the same number and is deduplicated; two changes within one second
// (ConnectWise keeps whole seconds) still get different numbers, ordered
// by second though not within it.
func (c *Connector) ParseTicketWebhook(body []byte, signature string, _ secret.Secret) (psa.WebhookEvent, error) {
	var w calloutWire
	if err := json.Unmarshal(body, &w); err != nil {
		return psa.WebhookEvent{}, psa.ErrBadSignature // nothing to verify against
	}
	keyURL, ok := c.trustedKeyURL(w.Metadata.KeyURL)
	if !ok {
		return psa.WebhookEvent{}, psa.ErrBadSignature
	}
	ctx, cancel := context.WithTimeout(context.Background(), keyFetchTimeout)
	defer cancel()
	if err := c.verifyCallout(ctx, keyURL, body, signature); err != nil {
		return psa.WebhookEvent{}, err
	}
	return decodeCallout(w)
}

// calloutWire is a ConnectWise callout.
type calloutWire struct {
	MemberID string          `json:"MemberId"`
	Action   string          `json:"Action"`
	Type     string          `json:"Type"`
	ID       json.RawMessage `json:"ID"`
	Entity   string          `json:"Entity"`
	Metadata struct {
		KeyURL string `json:"key_url"`
	} `json:"Metadata"`
}

// calloutActions maps ConnectWise's actions to the port's.
var calloutActions = map[string]string{"added": "create", "updated": "update", "deleted": "delete"}

// decodeCallout turns a verified callout into an event.
func decodeCallout(w calloutWire) (psa.WebhookEvent, error) {
	action, ok := calloutActions[strings.ToLower(w.Action)]
	if !ok {
		return psa.WebhookEvent{}, fmt.Errorf("connectwise webhook: unknown action %q", cut(w.Action, 40))
	}
	if !strings.EqualFold(w.Type, callbackType) {
		return psa.WebhookEvent{}, fmt.Errorf("connectwise webhook: type %q is not a ticket", cut(w.Type, 40))
	}
	var entity struct {
		ID     int64 `json:"id"`
		Status *ref  `json:"status"`
		Info   info  `json:"_info"`
	}
	if err := json.Unmarshal([]byte(w.Entity), &entity); err != nil && action != "delete" {
		return psa.WebhookEvent{}, fmt.Errorf("connectwise webhook: entity is not a ticket object: %w", err)
	}
	id, err := calloutID(w.ID, entity.ID)
	if err != nil {
		return psa.WebhookEvent{}, err
	}
	at := entity.Info.time("lastUpdated")
	return psa.WebhookEvent{
		TicketID: itoa(id), Action: action, Status: idOf(entity.Status),
		Sequence: sequence(at, w.Entity), At: at, PersonID: w.MemberID,
	}, nil
}

// calloutID reads the callout's ID (a number, or a numeric string), which
// must agree with the entity's id when the entity names one.
func calloutID(raw json.RawMessage, entityID int64) (int64, error) {
	text := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("connectwise webhook: ID %q is not a ticket id", cut(text, 40))
	}
	if entityID != 0 && entityID != id {
		return 0, fmt.Errorf("connectwise webhook: ID %d and entity id %d differ", id, entityID)
	}
	return id, nil
}

// sequence derives a callout's dedupe sequence; see ParseTicketWebhook.
func sequence(at time.Time, entity string) int64 {
	h := fnv.New64a()
	h.Write([]byte(entity))
	low := int64(h.Sum64() % 1e9)
	if at.IsZero() {
		return low
	}
	return at.Unix()*1e9 + low
}
