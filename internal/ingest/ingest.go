// Package ingest is the HTTP ingest of the canonical alert contract:
// POST /api/v1/alerts with a source's bearer token, a body of one alert,
// an array or NDJSON, a size limit, and all-or-nothing storage. It answers
// 202 only after the store committed the alerts, so an acknowledged alert
// survives a crash.
package ingest

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// DefaultMaxBodyBytes is the body limit when Config.MaxBodyBytes is zero:
// room for a full batch of typical alerts.
const DefaultMaxBodyBytes = 1 << 20

// DefaultBodyTimeout is how long a request may take to send its body when
// Config.BodyTimeout is zero: a megabyte over a slow link, not a
// connection held open by a client that trickles.
const DefaultBodyTimeout = 30 * time.Second

// Config holds the handler's collaborators.
type Config struct {
	Store        store.Store
	MaxBodyBytes int64 // default DefaultMaxBodyBytes
	Now          func() time.Time
	Logger       *slog.Logger
	// OnAccepted is called after commit with the seqs of the alerts that
	// were created or changed (the app nudges the engine). It must not block.
	OnAccepted func(tenant string, seqs []int64)
	// OnReceived is the metrics hook: the number of alerts accepted.
	OnReceived func(n int)
	// GroupWindow is the longest a request waits to share its transaction
	// (its fsync) with concurrent requests: default DefaultGroupWindow;
	// negative stores each request in a transaction of its own. A request
	// is answered only after the transaction holding it committed.
	GroupWindow time.Duration
	// GroupMaxAlerts caps the alerts of one shared transaction (default
	// DefaultGroupMaxAlerts); a larger request is committed on its own.
	GroupMaxAlerts int
	// BodyTimeout bounds reading one request's body (default
	// DefaultBodyTimeout); past it the request is answered 408.
	BodyTimeout time.Duration
	// Formats holds the built-in source formats; nil loads them.
	Formats *source.Builtins
	// Decrypt opens a secret sealed by the keyring (a source's signing
	// secret); nil refuses signed sources.
	Decrypt func(sealed string) (string, error)
}

// Handler serves POST /api/v1/alerts.
type Handler struct {
	cfg      Config
	log      *slog.Logger
	commit   *committer
	tokens   tokenCache
	decoders decoderCache
}

// New returns the ingest handler.
func New(cfg Config) *Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.GroupWindow == 0 {
		cfg.GroupWindow = DefaultGroupWindow
	}
	if cfg.GroupMaxAlerts <= 0 {
		cfg.GroupMaxAlerts = DefaultGroupMaxAlerts
	}
	if cfg.Formats == nil {
		cfg.Formats = source.MustLoadBuiltins()
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	return &Handler{
		cfg: cfg, log: cfg.Logger,
		commit: newCommitter(cfg.Store, cfg.Now, cfg.Logger, cfg.GroupWindow, cfg.GroupMaxAlerts),
	}
}

// ServeHTTP authenticates the source, decodes and validates every alert,
// stores them in one transaction and answers 202 with their ids.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeProblem(w, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed", "use POST", nil)
		return
	}
	src, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	// Counted once the body is in, so a gathering commit waits for this
	// request while it is decoded, but never for a client still sending:
	// one slow body must not hold every other client's commit.
	h.commit.arrive()
	submitted := false
	defer func() {
		if !submitted {
			h.commit.leave()
		}
	}()
	alerts, ok := h.decode(w, r, src, body)
	if !ok {
		return
	}
	submitted = true
	var raw *store.RawBody
	if src.FormatOrCanonical() != source.Canonical {
		raw = &store.RawBody{TenantID: src.TenantID, SourceID: src.ID, ReceivedAt: h.cfg.Now().UTC(), Kind: store.RawHTTP, Body: body}
	}
	accepted, err := h.persist(r.Context(), src, alerts, raw)
	if errors.Is(err, errTokenRevoked) {
		h.tokens.forget(src.TokenHash)
		unauthorized(w, "the token is not valid")
		return
	}
	if err != nil {
		h.log.Error("store alerts", "tenant", src.TenantID, "source", src.ID, "alerts", len(alerts), "err", err)
		w.Header().Set("Retry-After", "5")
		writeProblem(w, http.StatusServiceUnavailable, "unavailable", "Service unavailable",
			"the alerts could not be stored; nothing was kept, send them again", nil)
		return
	}
	writeJSON(w, http.StatusAccepted, "application/json", acceptedBody{Accepted: accepted})
	h.notify(src.TenantID, accepted)
}

// decode checks a signed source's signature and reads the body by the
// source's format, answering 401, 400 (or 500 for a stored format that no
// longer builds) itself.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, src store.Source, body []byte) ([]alert.Alert, bool) {
	var alerts []alert.Alert
	var err error
	if canonical(src) {
		alerts, err = alert.Decode(body)
	} else {
		dec, derr := h.decoder(src)
		if derr != nil {
			h.log.Error("build source format", "tenant", src.TenantID, "source", src.ID, "format", src.Format, "err", derr)
			writeProblem(w, http.StatusInternalServerError, "format-broken", "Source format broken",
				"the source's format settings do not build; fix them through the sources API", nil)
			return nil, false
		}
		if !h.verify(w, r, src, dec, body) {
			return nil, false
		}
		alerts, err = dec.Decode(body, h.cfg.Now)
	}
	if err != nil {
		writeInvalid(w, err)
		return nil, false
	}
	return alerts, true
}

// authenticate resolves the bearer token to its source, answering 401
// (or 503 when the store fails) itself.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	token := BearerToken(r)
	if token == "" {
		// For senders that cannot set a header (SaaS Alerts, some
		// webhook forms): POST /api/v1/alerts/{token}. The header wins
		// when both are sent.
		token = r.PathValue("token")
		if len(token) > maxTokenLen {
			token = ""
		}
	}
	if token == "" {
		unauthorized(w, "send the source's token as Authorization: Bearer <token>, or POST to /api/v1/alerts/<token>")
		return store.Source{}, false
	}
	hash := HashToken(token)
	if src, ok := h.tokens.get(hash); ok {
		return src, true
	}
	src, err := h.cfg.Store.SourceByTokenHash(r.Context(), hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		unauthorized(w, "the token is not valid")
		return store.Source{}, false
	case err != nil:
		h.log.Error("look up source token", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "unavailable", "Service unavailable", "try again later", nil)
		return store.Source{}, false
	}
	// The lookup is by hash already; comparing in constant time as well
	// keeps a store that matched loosely (case, prefix) from letting in a
	// token that is not exactly the one issued.
	if subtle.ConstantTimeCompare([]byte(src.TokenHash), []byte(hash)) != 1 {
		unauthorized(w, "the token is not valid")
		return store.Source{}, false
	}
	h.tokens.put(hash, src)
	return src, true
}

func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", "Bearer")
	writeProblem(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", detail, nil)
}

// readBody reads the whole body up to the limit, answering 413 past it.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		writeProblem(w, http.StatusUnsupportedMediaType, "unsupported-encoding", "Unsupported content encoding",
			"send the body uncompressed", nil)
		return nil, false
	}
	tooLarge := fmt.Sprintf("the body is larger than %d bytes; split the alerts into smaller batches", h.cfg.MaxBodyBytes)
	if r.ContentLength > h.cfg.MaxBodyBytes {
		writeProblem(w, http.StatusRequestEntityTooLarge, "body-too-large", "Body too large", tooLarge, nil)
		return nil, false
	}
	// A deadline on the connection, not a context: it is what ends a read
	// blocked on a client that stopped sending. The network keeps wall
	// time, whatever clock the rest of ingest is given.
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(h.cfg.BodyTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		h.log.Warn("set body read deadline", "err", err)
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes), r.ContentLength)
	var tooBig *http.MaxBytesError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &tooBig):
		writeProblem(w, http.StatusRequestEntityTooLarge, "body-too-large", "Body too large", tooLarge, nil)
		return nil, false
	case errors.As(err, &timeout) && timeout.Timeout():
		w.Header().Set("Connection", "close")
		writeProblem(w, http.StatusRequestTimeout, "body-timeout", "Body too slow",
			fmt.Sprintf("the body was not sent within %s; nothing was stored, send it again", h.cfg.BodyTimeout), nil)
		return nil, false
	case err != nil:
		writeProblem(w, http.StatusBadRequest, "unreadable-body", "Unreadable body", "the body could not be read", nil)
		return nil, false
	}
	return body, true
}

// writeInvalid answers 400 naming every bad field.
func writeInvalid(w http.ResponseWriter, err error) {
	var ve *alert.ValidationError
	if !errors.As(err, &ve) {
		ve = &alert.ValidationError{Fields: []alert.FieldError{{Field: "body", Reason: "could not be decoded"}}}
	}
	detail := fmt.Sprintf("%d problem(s) found; nothing was stored, fix them and send the whole body again", len(ve.Fields))
	writeProblem(w, http.StatusBadRequest, "invalid-alerts", "Invalid alerts", detail, ve.Fields)
}

// notify runs the hooks after commit.
func (h *Handler) notify(tenant string, accepted []acceptedAlert) {
	if h.cfg.OnAccepted != nil {
		var seqs []int64
		for _, a := range accepted {
			if a.changed {
				seqs = append(seqs, a.Seq)
			}
		}
		if len(seqs) > 0 {
			h.cfg.OnAccepted(tenant, seqs)
		}
	}
	if h.cfg.OnReceived != nil {
		h.cfg.OnReceived(len(accepted))
	}
}

// presizeMax bounds the buffer allocated on a client's word alone (its
// Content-Length), before any of the body has arrived.
const presizeMax = 256 << 10

// readAll reads r to its end into a buffer of the declared size (up to
// presizeMax) rather than one grown from 512 bytes: a batch of 100 alerts
// is about 60 KB, a dozen copies that way.
func readAll(r io.Reader, declared int64) ([]byte, error) {
	if declared <= 0 {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(declared, presizeMax)+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
