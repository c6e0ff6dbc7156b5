package psahttp

import (
	"slices"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Budget is an exact sliding-window request budget: never more than Limit
// requests in any Window. A token bucket would let a burst through at the
// edge of two windows, which a PSA that counts a rolling hour (10,000 per
// 60 minutes, say) punishes by refusing everything until the hour drains, so the budget remembers the time of every request in the window.
// Memory follows what was spent, not what is allowed: the times sit in a
// ring that grows with use up to the limit and shrinks as the window
// drains, so a budget of 100 million that sends a thousand requests holds
// a thousand times (a ring sized to the limit up front cost 3.2 GB there).
// A time is held as its offset from the budget's creation: 8 bytes and no
// pointer, where a time.Time is 24 with one, so a ring of a busy hour's
// requests is a third the size and the garbage collector need not scan it.
//
// A Budget is safe for concurrent use and may be shared by several clients
// that draw on the same PSA allowance.
type Budget struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	base   time.Time // what ring offsets count from
	// ring holds the times of the n reservations still inside the window,
	// oldest at head. Reservations are numbered in the order they were
	// taken; the live ones are headSeq … headSeq+n-1, so a Slot finds its
	// entry by number, and a number below headSeq has left the window.
	ring    []time.Duration
	head    int
	n       int
	headSeq uint64

	// Write-ahead journal (see SetJournal): claimLeft slots may still be
	// spent until claimUntil without writing again.
	journal    Journal
	claimSize  int
	claimTTL   time.Duration
	claimLeft  int
	claimUntil time.Time
}

// minRing is the smallest ring a budget keeps once it has been used: small
// enough not to matter, large enough that a quiet budget does not
// reallocate on every request.
const minRing = 16

// Journal persists a budget's reservations, including slots claimed ahead
// of use, as runs per second (oldest first), so that another process
// taking over knows them. An error means the claim was not recorded, and
// the slots are not spent.
type Journal func(runs []psa.BudgetRun) error

// Slot is one reservation, to be finished when its call's answer arrives.
type Slot struct {
	b   *Budget
	seq uint64
}

// Finish re-stamps the reservation with the time the answer arrived. A PSA
// counts a request from when it reached it, which can be well after we
// sent it under load; counting our slot from the answer keeps our window
// behind theirs. Stamps only move later, so the ring may hold an entry
// newer than the ones after it: pruning then waits for it, which errs on
// the side of sending less.
func (s Slot) Finish() {
	b := s.b
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.seq < b.headSeq || s.seq-b.headSeq >= uint64(b.n) {
		return // already left the window, or replaced by Seed
	}
	idx := b.at(int(s.seq - b.headSeq))
	if now := b.off(b.now()); now > b.ring[idx] {
		b.ring[idx] = now
	}
}

// NewBudget returns a budget of limit requests per window. A limit below 1
// is raised to 1 (a budget that refuses everything would stall delivery
// silently); now is the clock, time.Now when nil.
func NewBudget(limit int, window time.Duration, now func() time.Time) *Budget {
	if limit < 1 {
		limit = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Budget{limit: limit, window: window, now: now, base: now()}
}

// off is t as a ring entry; timeOf is a ring entry as a time.
func (b *Budget) off(t time.Time) time.Duration    { return t.Sub(b.base) }
func (b *Budget) timeOf(d time.Duration) time.Time { return b.base.Add(d) }

// Reserve takes a slot now if one is free (ok true). Otherwise it returns
// how long until the oldest reservation leaves the window.
func (b *Budget) Reserve() (ok bool, wait time.Duration) {
	_, ok, wait = b.ReserveSlot()
	return ok, wait
}

// ClaimSize is how many slots a journaled budget of limit claims at once:
// a twentieth of the limit, so writes are rare next to requests, but at
// most 100, so a huge limit does not write (and hand over) a huge claim.
func ClaimSize(limit int) int {
	return min(max(1, limit/20), 100)
}

// SetJournal makes the budget write ahead: before spending a slot it has
// not claimed, it records the current reservations plus up to size more
// slots stamped ttl from now, and spends those until then without writing
// again. A process killed mid-claim has thus recorded every request it
// could have sent, at a time no earlier than it sent it; one that can no
// longer record (it lost its lease) can no longer spend.
func (b *Budget) SetJournal(j Journal, size int, ttl time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.journal, b.claimSize, b.claimTTL = j, max(1, size), ttl
	b.claimLeft, b.claimUntil = 0, time.Time{}
}

// ReserveSlot is Reserve returning the slot, so the caller can Finish it
// when the answer arrives.
func (b *Budget) ReserveSlot() (Slot, bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.prune(now)
	if b.n < b.limit && !b.claim(now) {
		return Slot{}, false, b.claimTTL
	}
	if b.n < b.limit {
		b.claimLeft--
		return Slot{b: b, seq: b.push(now)}, true, 0
	}
	return Slot{}, false, b.ring[b.head] + b.window - b.off(now)
}

// claim makes sure a claimed slot is left for a reservation at now,
// writing a new claim when needed. It holds the lock through the write:
// one write per claim size, and no slot is spent before it is recorded.
func (b *Budget) claim(now time.Time) bool {
	if b.journal == nil {
		b.claimLeft = 1 // nothing to record: every slot is its own claim
		return true
	}
	if b.claimLeft > 0 && now.Before(b.claimUntil) {
		return true
	}
	size, until := min(b.claimSize, b.limit-b.n), now.Add(b.claimTTL)
	if err := b.journal(appendRun(b.runs(), until.Unix(), size)); err != nil {
		b.claimLeft = 0
		return false
	}
	b.claimLeft, b.claimUntil = size, until
	return true
}

// Remaining returns how many requests may be sent now.
func (b *Budget) Remaining() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(b.now())
	return b.limit - b.n
}

// Used returns how many requests were sent within the current window.
func (b *Budget) Used() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(b.now())
	return b.n
}

// Limit returns the number of requests allowed per window.
func (b *Budget) Limit() int { return b.limit }

// Window returns the length of the sliding window.
func (b *Budget) Window() time.Duration { return b.window }

// prune drops reservations that have left the window: a request sent at t
// occupies its slot until exactly t+window. A ring left mostly empty is
// cut down, so memory follows the window's use.
func (b *Budget) prune(now time.Time) {
	for at := b.off(now); b.n > 0 && at-b.ring[b.head] >= b.window; {
		b.head = b.at(1)
		b.headSeq++
		b.n--
	}
	if len(b.ring) > minRing && b.n < len(b.ring)/4 {
		b.resize(max(minRing, 2*b.n))
	}
}

// push appends a reservation at t, growing the ring when it is full, and
// returns its number. Callers have checked n < limit.
func (b *Budget) push(t time.Time) uint64 {
	if b.n == len(b.ring) {
		b.resize(min(b.limit, max(minRing, 2*len(b.ring))))
	}
	b.ring[b.at(b.n)] = b.off(t)
	b.n++
	return b.headSeq + uint64(b.n-1)
}

// resize moves the live entries, oldest first, into a ring of size.
func (b *Budget) resize(size int) {
	ring := make([]time.Duration, size)
	for i := range b.n {
		ring[i] = b.ring[b.at(i)]
	}
	b.ring, b.head = ring, 0
}

// at is the ring index of the i-th live entry.
func (b *Budget) at(i int) int { return (b.head + i) % len(b.ring) }

// Times returns the times of the reservations still inside the window,
// oldest first, and the journal's claimed but unspent slots at the end of
// their claim, so the budget can be saved and handed to another process.
func (b *Budget) Times() []time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.prune(now)
	out := b.times()
	if b.journal != nil && now.Before(b.claimUntil) {
		for range b.claimLeft {
			out = append(out, b.claimUntil)
		}
	}
	return out
}

func (b *Budget) times() []time.Time {
	out := make([]time.Time, b.n)
	for i := range b.n {
		out[i] = b.timeOf(b.ring[b.at(i)])
	}
	return out
}

// runs is the live reservations as runs per second, oldest first: one
// pass over the ring, allocating per second rather than per reservation,
// since a claim is written every ClaimSize requests. A re-stamped entry
// out of order only starts another run.
func (b *Budget) runs() []psa.BudgetRun {
	var out []psa.BudgetRun
	for i := range b.n {
		out = appendRun(out, b.timeOf(b.ring[b.at(i)]).Unix(), 1)
	}
	return out
}

// appendRun adds count reservations at second sec, to the last run when
// it is the same second.
func appendRun(runs []psa.BudgetRun, sec int64, count int) []psa.BudgetRun {
	if k := len(runs) - 1; k >= 0 && runs[k].Unix == sec {
		runs[k].Count += count
		return runs
	}
	return append(runs, psa.BudgetRun{Unix: sec, Count: count})
}

// Seed adds reservations made elsewhere (by the replica that held an
// integration before this one), so that together they never exceed the
// limit. Times already outside the window are dropped; when there are more
// than the budget holds, the newest are kept, since they leave last.
func (b *Budget) Seed(times []time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.prune(now)
	all := b.times()
	for _, t := range times {
		if t.Add(b.window).After(now) {
			all = append(all, t)
		}
	}
	slices.SortFunc(all, func(x, y time.Time) int { return x.Compare(y) })
	if len(all) > b.limit {
		all = all[len(all)-b.limit:]
	}
	ring := make([]time.Duration, len(all))
	for i, t := range all {
		ring[i] = b.off(t)
	}
	// Renumbering past every number issued so far retires the slots held
	// before: finishing one of them changes nothing.
	b.headSeq += uint64(b.n)
	b.ring, b.head, b.n = ring, 0, len(all)
}
