package autotask

import (
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
)

// BudgetTimes implements psa.BudgetState.
func (c *Connector) BudgetTimes() []time.Time { return c.Budget().Times() }

// SeedBudget implements psa.BudgetState.
func (c *Connector) SeedBudget(times []time.Time) { c.Budget().Seed(times) }

// JournalBudget implements psa.BudgetJournal.
func (c *Connector) JournalBudget(journal func(runs []psa.BudgetRun) error, claimFor time.Duration) {
	b := c.Budget()
	b.SetJournal(journal, psahttp.ClaimSize(b.Limit()), claimFor)
}
