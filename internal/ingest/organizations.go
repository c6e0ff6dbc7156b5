package ingest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// maxKnownOrganizations bounds the set of organizations a replica knows
// are recorded; past it the set starts over, which costs one upsert per
// organization and nothing else.
const maxKnownOrganizations = 16384

// orgBook records the organizations alerts name as organization records,
// in the commit that stores the alerts. A replica remembers what it has
// recorded (after the commit, by tenant, key and name), so a commit that
// names only known organizations sends no statement at all: ingest pays
// for an organization the first time a replica sees it, and when its
// name changes, not per alert or per commit.
type orgBook struct {
	mu    sync.Mutex
	known map[string]string // tenant + NUL + key -> name
}

func orgBookKey(tenant, key string) string { return tenant + "\x00" + key }

// unknown lists, once each, the organizations of the batch this replica
// has not recorded with their current name.
func (b *orgBook) unknown(jobs []*job, now time.Time) []store.Organization {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []store.Organization
	seen := map[string]bool{}
	for _, j := range jobs {
		for i := range j.alerts {
			o := j.alerts[i].Organization
			k := orgBookKey(j.src.TenantID, o.Key())
			if name, ok := b.known[k]; seen[k] || o.Key() == "" || (ok && (o.Name == "" || o.Name == name)) {
				continue
			}
			seen[k] = true
			out = append(out, store.Organization{
				TenantID: j.src.TenantID, Key: o.Key(), ID: o.ID, Name: o.Name,
				Origin: store.OriginSourcePrefix + j.src.ID, CreatedAt: now, UpdatedAt: now,
			})
		}
	}
	return out
}

// save records orgs inside the commit's transaction.
func (b *orgBook) save(ctx context.Context, q store.Queries, orgs []store.Organization) error {
	if len(orgs) == 0 {
		return nil
	}
	if err := q.UpsertOrganizations(ctx, orgs); err != nil {
		return fmt.Errorf("record organizations: %w", err)
	}
	return nil
}

// remember marks orgs recorded, once their transaction committed.
func (b *orgBook) remember(orgs []store.Organization) {
	if len(orgs) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.known == nil || len(b.known)+len(orgs) > maxKnownOrganizations {
		b.known = make(map[string]string, len(orgs))
	}
	for _, o := range orgs {
		b.known[orgBookKey(o.TenantID, o.Key)] = o.Name
	}
}
