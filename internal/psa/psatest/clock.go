package psatest

import (
	"sync"
	"time"
)

// Clock is a simulator clock that follows the wall clock shifted by an
// offset that Advance moves forward. A frozen clock would also let the
// suite put changes on either side of a cursor, but a simulator's
// throttle windows and a connector's "today" keep working on a clock that
// runs; and since the offset only grows, the simulator's time never goes
// back.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall clock plus the offset.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock d forward; a negative d is ignored.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
