package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// maxCachedTokens bounds the token cache; past it the cache starts over,
// which costs one lookup per source and nothing else.
const maxCachedTokens = 4096

// tokenCache maps token hashes to the sources they authenticated, so a
// request does not pay a store lookup before its body is read. It is only
// a first check: every commit verifies, in its own transaction, that each
// of its sources still holds the token its requests came with (see
// verifySources), so a revoked or rotated token is refused at once, on
// every replica, at the price of one lookup per commit rather than one
// per request.
//
// A source's format and settings ride along and are not verified at
// commit, so an entry is read again after sourceCacheTTL: a format changed
// through another replica's API is in force everywhere within that time
// (this replica's own API drops the entry at once).
type tokenCache struct {
	mu sync.RWMutex
	m  map[string]cachedSource
}

// sourceCacheTTL bounds how long a cached source's format may be stale.
const sourceCacheTTL = 10 * time.Second

type cachedSource struct {
	src store.Source
	at  time.Time
}

func (c *tokenCache) get(hash string) (store.Source, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[hash]
	if !ok || time.Since(e.at) > sourceCacheTTL {
		return store.Source{}, false
	}
	return e.src, true
}

func (c *tokenCache) put(hash string, s store.Source) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[string]cachedSource)
	}
	c.m[hash] = cachedSource{src: s, at: time.Now()}
}

func (c *tokenCache) forget(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, hash)
}

// ForgetToken drops a token's cached source, so the next request reads
// the source again: its format or settings changed.
func (h *Handler) ForgetToken(hash string) { h.tokens.forget(hash) }

// errTokenRevoked answers a request whose source no longer holds the
// token it was authenticated with when its alerts came to be committed.
var errTokenRevoked = errors.New("the token is no longer valid")

// revokedError aborts a commit: the jobs at these indexes came with
// tokens their sources no longer hold. The commit answers them and runs
// again without them.
type revokedError struct{ jobs []int }

func (e *revokedError) Error() string {
	return fmt.Sprintf("%d request(s) came with a token that is no longer valid", len(e.jobs))
}

// verifySources checks, inside the commit's transaction, that each
// source of the batch still holds the token its requests were
// authenticated with: one lookup for all the batch's tokens.
func verifySources(ctx context.Context, q store.Queries, jobs []*job) error {
	var hashes []string
	seen := map[string]bool{}
	for _, j := range jobs {
		if !seen[j.src.TokenHash] {
			seen[j.src.TokenHash] = true
			hashes = append(hashes, j.src.TokenHash)
		}
	}
	holders, err := q.SourcesByTokenHashes(ctx, hashes)
	if err != nil {
		return fmt.Errorf("verify source token: %w", err)
	}
	holder := make(map[string]store.Source, len(holders))
	for _, s := range holders {
		holder[s.TokenHash] = s
	}
	var revoked []int
	for i, j := range jobs {
		cur, ok := holder[j.src.TokenHash]
		if !ok || cur.TenantID != j.src.TenantID || cur.ID != j.src.ID {
			revoked = append(revoked, i)
		}
	}
	if len(revoked) > 0 {
		return &revokedError{jobs: revoked}
	}
	return nil
}
