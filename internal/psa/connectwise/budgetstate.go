package connectwise

import "time"

// BudgetTimes implements psa.BudgetState.
func (c *Connector) BudgetTimes() []time.Time { return c.Budget().Times() }

// SeedBudget implements psa.BudgetState.
func (c *Connector) SeedBudget(times []time.Time) { c.Budget().Seed(times) }
