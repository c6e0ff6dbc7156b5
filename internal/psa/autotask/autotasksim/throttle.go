package autotasksim

import "time"

// database is the request window's one key: Autotask counts every
// authenticated call of every integration against one threshold per
// database, and a Sim is one database.
const database = ""

// usageDelay is Autotask's usage-based latency for the count-th request:
// 0.5s past half the threshold, 1s past three quarters, scaled to window.
func usageDelay(count, limit int, window time.Duration) time.Duration {
	scale := float64(window) / float64(time.Hour)
	switch {
	case count*4 > limit*3:
		return time.Duration(float64(time.Second) * scale)
	case count*2 > limit:
		return time.Duration(float64(500*time.Millisecond) * scale)
	}
	return 0
}
