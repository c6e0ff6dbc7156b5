package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
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

// ContactFinder is what choosing a ticket's contact reads from the PSA;
// every psa.Connector is one.
type ContactFinder interface {
	ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error)
	Contacts(ctx context.Context, companyID string) ([]psa.Contact, error)
}

// ContactSource says how a ticket's contact was chosen.
type ContactSource string

// Contact sources, in the order ChooseContact tries them.
const (
	ContactOff          ContactSource = "off"           // attach_contacts is off
	ContactByEmail      ContactSource = "email"         // the alert user's email
	ContactFallback     ContactSource = "fallback"      // the mapped or catch-all contact
	ContactCompanyFirst ContactSource = "company_first" // the company's first contact
	ContactNone         ContactSource = "none"          // nothing found
)

// ContactChoice is the contact a new ticket gets and how it was chosen.
type ContactChoice struct {
	ID     string // "" for none
	Name   string // the PSA's name, or for a fallback the settings' name
	Source ContactSource
}

// ChooseContact follows a decision's contact plan against the PSA: the
// company's contact with the alert user's email, else the mapped or
// catch-all contact, else (for a company without a mapped contact) the
// company's first contact. The engine calls it when it creates a ticket;
// explain calls it to say which contact that ticket would get.
func ChooseContact(ctx context.Context, f ContactFinder, dec rules.Decision) (ContactChoice, error) {
	p := dec.Contact
	if !p.Attach {
		return ContactChoice{Source: ContactOff}, nil
	}
	if p.Email != "" {
		c, err := f.ContactByEmail(ctx, dec.CompanyID, p.Email)
		switch {
		case err == nil:
			return ContactChoice{ID: c.ID, Name: c.Name(), Source: ContactByEmail}, nil
		case !errors.Is(err, psa.ErrNotFound):
			return ContactChoice{}, fmt.Errorf("find contact by email: %w", err)
		}
	}
	if p.FallbackID != "" {
		return ContactChoice{ID: p.FallbackID, Name: cmp.Or(p.FallbackName, "id "+p.FallbackID), Source: ContactFallback}, nil
	}
	if p.CompanyDefault {
		cs, err := f.Contacts(ctx, dec.CompanyID)
		if err != nil {
			return ContactChoice{}, fmt.Errorf("list contacts of company %s: %w", dec.CompanyID, err)
		}
		if len(cs) > 0 {
			return ContactChoice{ID: cs[0].ID, Name: cs[0].Name(), Source: ContactCompanyFirst}, nil
		}
	}
	return ContactChoice{Source: ContactNone}, nil
}

// cachedContacts is the deliverer's ContactFinder: email lookups go through
// the contact cache (which a round fills in batches), so the shared
// ChooseContact costs the engine no more PSA calls than before.
type cachedContacts struct{ dl *deliverer }

func (c cachedContacts) ContactByEmail(ctx context.Context, companyID, email string) (psa.Contact, error) {
	return c.dl.contacts.byEmail(ctx, c.dl.snap.conn, companyID, email, c.dl.cfg.Now())
}

func (c cachedContacts) Contacts(ctx context.Context, companyID string) ([]psa.Contact, error) {
	return c.dl.snap.conn.Contacts(ctx, companyID)
}
