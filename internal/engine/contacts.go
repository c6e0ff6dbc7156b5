package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// contactCache remembers contact lookups by email, found or not, for a
// while: under a storm one user's alerts would otherwise spend a PSA call
// each on the same answer.
type contactCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]contactEntry
}

type contactEntry struct {
	contact psa.Contact
	found   bool
	at      time.Time
}

func (c *contactCache) byEmail(ctx context.Context, conn psa.Connector, companyID, email string, now time.Time) (psa.Contact, error) {
	key := contactKey(companyID, email)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		if !e.found {
			return psa.Contact{}, psa.ErrNotFound
		}
		return e.contact, nil
	}
	contact, err := conn.ContactByEmail(ctx, companyID, email)
	if err != nil && !errors.Is(err, psa.ErrNotFound) {
		return contact, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]contactEntry{}
	}
	c.entries[key] = contactEntry{contact: contact, found: err == nil, at: now}
	c.mu.Unlock()
	return contact, err
}

func contactKey(companyID, email string) string {
	return companyID + "\x00" + strings.ToLower(strings.TrimSpace(email))
}

// has reports whether a fresh answer for the email is cached.
func (c *contactCache) has(companyID, email string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[contactKey(companyID, email)]
	return ok && now.Sub(e.at) < c.ttl
}

// fill caches a batch lookup: every asked email as having no contact,
// then the contacts found (the first for an address, as ContactByEmail
// would answer).
func (c *contactCache) fill(companyID string, asked []string, found []psa.Contact, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]contactEntry{}
	}
	for _, email := range asked {
		c.entries[contactKey(companyID, email)] = contactEntry{at: now}
	}
	for _, ct := range found {
		if key := contactKey(companyID, ct.Email); !c.entries[key].found {
			c.entries[key] = contactEntry{contact: ct, found: true, at: now}
		}
	}
}
