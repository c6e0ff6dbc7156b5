package autotask

import "time"

// BudgetTimes implements psa.BudgetState.
func (c *Connector) BudgetTimes() []time.Time { return c.Budget().Times() }

// SeedBudget implements psa.BudgetState.
func (c *Connector) SeedBudget(times []time.Time) { c.Budget().Seed(times) }

// JournalBudget implements psa.BudgetJournal, claiming a twentieth of the
// limit at a time: one write per that many requests.
func (c *Connector) JournalBudget(journal func(times []time.Time) error, claimFor time.Duration) {
	b := c.Budget()
	b.SetJournal(journal, b.Limit()/20, claimFor)
}
