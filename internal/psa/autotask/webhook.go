package autotask

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

var _ psa.TicketWebhooks = (*Connector)(nil)

// Webhook registration values.
const (
	webhookName     = "ticketbridge"
	statusFieldID   = 5  // TicketWebhookFields fieldID of Tickets.status
	maxWebhookKey   = 64 // TicketWebhooks.secretKey length
	maxWebhookURL   = 500
	signaturePrefix = "sha1="
)

// SignatureHeaderName is the header Autotask signs callouts in.
const SignatureHeaderName = "X-Hook-Signature"

type webhookWire struct {
	ID         flexString `json:"id"`
	WebhookURL string     `json:"webhookUrl"`
}

type webhookChildWire struct {
	ID           flexString `json:"id"`
	FieldID      flexString `json:"fieldID"`
	ResourceID   flexString `json:"resourceID"`
	IsSubscribed flexBool   `json:"isSubscribedField"`
}

// RegisterTicketWebhook makes Autotask call url when a ticket's status
// changes. A webhook already pointing at url is updated (reactivated, new
// key) instead of duplicated. Our own API user is excluded so the statuses
// ticketbridge pushes do not come back as callouts; the poller still sees
// them, so the engine must tolerate its own changes there anyway.
func (c *Connector) RegisterTicketWebhook(ctx context.Context, url, deactivationURL string, key secret.Secret) (string, error) {
	if err := checkWebhookArgs(url, deactivationURL, key); err != nil {
		return "", err
	}
	self, err := c.selfResourceID(ctx)
	if err != nil {
		return "", err
	}
	id, err := c.upsertWebhook(ctx, url, deactivationURL, key)
	if err != nil {
		return "", scrubKey(err, key)
	}
	// Exclusion first, field last: the field row makes the webhook ready.
	if err := c.ensureExcluded(ctx, id, self); err != nil {
		return "", err
	}
	if err := c.ensureStatusField(ctx, id); err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

func checkWebhookArgs(url, deactivationURL string, key secret.Secret) error {
	var msgs []string
	for _, u := range []struct{ name, val string }{{"webhook url", url}, {"deactivation url", deactivationURL}} {
		if err := checkRoot(u.val); err != nil || len(u.val) > maxWebhookURL {
			msgs = append(msgs, fmt.Sprintf("%s must be an absolute http(s) URL of at most %d characters", u.name, maxWebhookURL))
		}
	}
	if n := utf8.RuneCountInString(key.Reveal()); n == 0 || n > maxWebhookKey {
		msgs = append(msgs, fmt.Sprintf("webhook key must be 1 to %d characters", maxWebhookKey))
	}
	if len(msgs) > 0 {
		return &psa.Error{Class: psa.Permanent, Message: strings.Join(msgs, "; ")}
	}
	return nil
}

// upsertWebhook updates the webhook registered for url or creates one.
func (c *Connector) upsertWebhook(ctx context.Context, url, deactivationURL string, key secret.Secret) (int64, error) {
	rows, err := queryAll[webhookWire](ctx, c, "TicketWebhooks", "webhooks.query",
		[]filter{{Op: "eq", Field: "webhookUrl", Value: url}})
	if err != nil {
		return 0, err
	}
	body := map[string]any{
		"webhookUrl": url, "deactivationUrl": deactivationURL, "isActive": true,
		"secretKey": key.Reveal(), "isSubscribedToUpdateEvents": true,
	}
	for _, r := range rows {
		if r.WebhookURL != url { // the query compares case-insensitively
			continue
		}
		id, err := parseID("webhook", string(r.ID))
		if err != nil {
			return 0, err
		}
		body["id"] = id
		return id, c.call(ctx, http.MethodPatch, "V1.0/TicketWebhooks", "webhooks.update", body, nil)
	}
	body["name"] = webhookName
	body["sendThresholdExceededNotification"] = false
	body["isSubscribedToCreateEvents"] = false
	body["isSubscribedToDeleteEvents"] = false
	var res itemResult
	if err := c.call(ctx, http.MethodPost, "V1.0/TicketWebhooks", "webhooks.create", body, &res); err != nil {
		return 0, err
	}
	return parseID("webhook", string(res.ItemID))
}

func (c *Connector) webhookChildren(ctx context.Context, id int64, child string) ([]webhookChildWire, error) {
	path := fmt.Sprintf("V1.0/TicketWebhooks/%d/%s", id, child)
	return collect[webhookChildWire](ctx, c, http.MethodGet, path, "webhooks."+strings.ToLower(child), nil)
}

func (c *Connector) ensureExcluded(ctx context.Context, id int64, self string) error {
	rows, err := c.webhookChildren(ctx, id, "ExcludedResources")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if string(r.ResourceID) == self {
			return nil
		}
	}
	rid, err := parseID("resource", self)
	if err != nil {
		return err
	}
	path := fmt.Sprintf("V1.0/TicketWebhooks/%d/ExcludedResources", id)
	return c.call(ctx, http.MethodPost, path, "webhooks.exclude", map[string]any{"webhookID": id, "resourceID": rid}, nil)
}

func (c *Connector) ensureStatusField(ctx context.Context, id int64) error {
	rows, err := c.webhookChildren(ctx, id, "Fields")
	if err != nil {
		return err
	}
	path := fmt.Sprintf("V1.0/TicketWebhooks/%d/Fields", id)
	body := map[string]any{"webhookID": id, "fieldID": statusFieldID, "isSubscribedField": true}
	for _, r := range rows {
		if string(r.FieldID) != strconv.Itoa(statusFieldID) {
			continue
		}
		if r.IsSubscribed {
			return nil
		}
		fid, err := parseID("webhook field", string(r.ID))
		if err != nil {
			return err
		}
		body["id"] = fid
		return c.call(ctx, http.MethodPatch, path, "webhooks.field", body, nil)
	}
	body["isDisplayAlwaysField"] = false
	return c.call(ctx, http.MethodPost, path, "webhooks.field", body, nil)
}

// scrubKey removes the webhook key from an error message, should the PSA
// ever echo the request body back.
func scrubKey(err error, key secret.Secret) error {
	var pe *psa.Error
	if k := key.Reveal(); k != "" && errors.As(err, &pe) {
		pe.Message = strings.ReplaceAll(pe.Message, k, "[redacted]")
	}
	return err
}

// SignatureHeader returns "X-Hook-Signature".
func (c *Connector) SignatureHeader() string { return SignatureHeaderName }

// ParseTicketWebhook verifies and decodes a ticket callout. The signature
// is "sha1=" + base64(HMAC-SHA1(key, body)), compared in constant time over
// the exact bytes received. If that fails, the body is re-encoded with
// Autotask's .NET escaping and checked once more: that helps only when
// something between Autotask and us re-encoded the JSON, and it cannot be
// used to forge, since the MAC still has to match bytes whose decoded
// content is the content we act on.
func (c *Connector) ParseTicketWebhook(body []byte, signature string, key secret.Secret) (psa.WebhookEvent, error) {
	return ParseTicketWebhook(body, signature, key)
}

// ParseTicketWebhook is the method of the same name, usable without a
// Connector (the webhook receiver needs no API credentials).
func ParseTicketWebhook(body []byte, signature string, key secret.Secret) (psa.WebhookEvent, error) {
	if !verifySignature(body, signature, key) {
		return psa.WebhookEvent{}, psa.ErrBadSignature
	}
	return decodeCallout(body)
}

// maxReencodedCallout is the largest body whose signature is also checked
// over the .NET-escaped re-encoding.
const maxReencodedCallout = 64 << 10

func verifySignature(body []byte, signature string, key secret.Secret) bool {
	sig := strings.TrimSpace(signature)
	if key.IsZero() || len(sig) < len(signaturePrefix) || !strings.EqualFold(sig[:len(signaturePrefix)], signaturePrefix) {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(sig[len(signaturePrefix):])
	if err != nil {
		return false
	}
	if hmac.Equal(got, mac(key, body)) {
		return true
	}
	// Re-encoding is the fallback for a callout re-serialised in transit;
	// real callouts are a few KB, so a large body that did not verify as
	// sent is refused for the price of one HMAC, not a re-tokenised copy.
	if len(body) > maxReencodedCallout {
		return false
	}
	escaped, err := netEscaped(body)
	return err == nil && hmac.Equal(got, mac(key, escaped))
}

func mac(key secret.Secret, body []byte) []byte {
	m := hmac.New(sha1.New, []byte(key.Reveal()))
	m.Write(body)
	return m.Sum(nil)
}

// calloutWire is Autotask's PascalCase callout; Go matches the keys
// case-insensitively.
type calloutWire struct {
	Action         string                     `json:"Action"`
	EntityType     string                     `json:"EntityType"`
	ID             flexString                 `json:"Id"`
	Fields         map[string]json.RawMessage `json:"Fields"`
	EventTime      string                     `json:"EventTime"`
	SequenceNumber flexString                 `json:"SequenceNumber"`
	PersonID       flexString                 `json:"PersonID"`
}

// decodeCallout turns a verified body into an event. A Deactivated notice
// names the webhook, not a ticket, so its TicketID is empty.
func decodeCallout(body []byte) (psa.WebhookEvent, error) {
	var w calloutWire
	if err := json.Unmarshal(body, &w); err != nil {
		return psa.WebhookEvent{}, fmt.Errorf("autotask webhook: decode: %w", err)
	}
	ev := psa.WebhookEvent{Action: strings.ToLower(w.Action), PersonID: string(w.PersonID), At: parseEventTime(w.EventTime)}
	if w.SequenceNumber != "" {
		n, err := strconv.ParseInt(string(w.SequenceNumber), 10, 64)
		if err != nil {
			return psa.WebhookEvent{}, fmt.Errorf("autotask webhook: sequence number %q is not an integer", w.SequenceNumber)
		}
		ev.Sequence = n
	}
	switch ev.Action {
	case "deactivated":
		return ev, nil
	case "create", "update", "delete":
	default:
		return psa.WebhookEvent{}, fmt.Errorf("autotask webhook: unknown action %q", cut(w.Action, 40))
	}
	if !strings.EqualFold(w.EntityType, "Ticket") {
		return psa.WebhookEvent{}, fmt.Errorf("autotask webhook: entity %q is not a ticket", cut(w.EntityType, 40))
	}
	if _, err := parseID("ticket", string(w.ID)); err != nil {
		return psa.WebhookEvent{}, fmt.Errorf("autotask webhook: %w", err)
	}
	ev.TicketID = string(w.ID)
	status, err := fieldValue(w.Fields, "Status")
	if err != nil {
		return psa.WebhookEvent{}, fmt.Errorf("autotask webhook: status: %w", err)
	}
	ev.Status = status
	return ev, nil
}

// fieldValue reads a number or string field by case-insensitive name; ""
// when absent or null.
func fieldValue(fields map[string]json.RawMessage, name string) (string, error) {
	for k, raw := range fields {
		if strings.EqualFold(k, name) {
			var v flexString
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", errors.New("not a number or string")
			}
			return strings.TrimSpace(string(v)), nil
		}
	}
	return "", nil
}

// eventTimes are the EventTime layouts accepted; the format is not
// documented, so zone-less (UTC, as the REST API writes) and zoned forms
// both pass.
var eventTimes = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"01/02/2006 15:04:05",
}

// parseEventTime reads EventTime; an unknown format gives the zero time
// rather than losing the event, whose status matters more than its time.
func parseEventTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range eventTimes {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
