package ingest

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// maxCachedDecoders bounds the decoder cache like maxCachedTokens.
const maxCachedDecoders = 1024

// decoderCache keeps each source's compiled format, so a mapped source
// pays for parsing its settings and templates once, not per request. The
// key holds the settings themselves: a source whose settings changed gets
// a new decoder as soon as its token is looked up again.
type decoderCache struct {
	mu sync.RWMutex
	m  map[string]*decoder
}

// decoder is a source's compiled format and, when its requests are
// signed, the opened signing secret.
type decoder struct {
	*source.Decoder
	signingSecret string
}

// canonical reports whether a source speaks the ingest contract as is,
// the path that must stay as fast as it was.
func canonical(src store.Source) bool {
	return (src.Format == "" || src.Format == source.Canonical) && (len(src.Settings) == 0 || string(src.Settings) == "{}")
}

func (h *Handler) decoder(src store.Source) (*decoder, error) {
	key := src.TenantID + "\x00" + src.ID + "\x00" + src.Format + "\x00" + string(src.Settings)
	c := &h.decoders
	c.mu.RLock()
	d, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return d, nil
	}
	dec, err := h.cfg.Formats.NewDecoder(src.Format, src.Settings)
	if err != nil {
		return nil, err
	}
	d = &decoder{Decoder: dec}
	if sig := dec.Signature(); sig != nil {
		if h.cfg.Decrypt == nil {
			return nil, errors.New("the source's requests are signed but no keyring opens its secret")
		}
		if d.signingSecret, err = h.cfg.Decrypt(sig.SecretEncrypted); err != nil {
			return nil, fmt.Errorf("open the signing secret: %w", err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedDecoders {
		c.m = make(map[string]*decoder)
	}
	c.m[key] = d
	return d, nil
}

// verify checks a signed source's request, answering 401 itself. The
// reason goes to the log, never the secret nor the expected signature.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request, src store.Source, d *decoder, body []byte) bool {
	if d.signingSecret == "" {
		return true
	}
	if err := d.Signature().Verify(d.signingSecret, r.Header, body, h.cfg.Now()); err != nil {
		h.log.Warn("refused a request's signature", "tenant", src.TenantID, "source", src.ID, "err", err)
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeProblem(w, http.StatusUnauthorized, "bad-signature", "Unauthorized",
			"the request's signature did not verify: "+err.Error(), nil)
		return false
	}
	return true
}
