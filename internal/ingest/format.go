package ingest

import (
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
	m  map[string]*source.Decoder
}

// canonical reports whether a source speaks the ingest contract as is,
// the path that must stay as fast as it was.
func canonical(src store.Source) bool {
	return (src.Format == "" || src.Format == source.Canonical) && (len(src.Settings) == 0 || string(src.Settings) == "{}")
}

func (h *Handler) decoder(src store.Source) (*source.Decoder, error) {
	key := src.TenantID + "\x00" + src.ID + "\x00" + src.Format + "\x00" + string(src.Settings)
	c := &h.decoders
	c.mu.RLock()
	d, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := h.cfg.Formats.NewDecoder(src.Format, src.Settings)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedDecoders {
		c.m = make(map[string]*source.Decoder)
	}
	c.m[key] = d
	return d, nil
}
