// Package crashtest holds the kill -9 crash test and the PSA fault test.
// Both build the ticketbridge binary, run `ticketbridge sim <psa>` and
// `ticketbridge serve` as separate processes, send alerts as a source
// would (each batch again until it is answered 202), and finally check
// what the simulator holds (read from its state endpoint, outside the
// PSA's API and budget) that every accepted alert is in exactly one
// ticket or note (or was recorded as skipped) and that no group has two
// open tickets.
//
// They are slow, so plain `go test ./...` skips them: set
// TICKETBRIDGE_CRASHTEST=1, or run scripts/crashtest. Sizes come from
// TICKETBRIDGE_CRASHTEST_ALERTS (default 10000) and
// TICKETBRIDGE_CRASHTEST_KILLS (default 20); the PSA from
// TICKETBRIDGE_CRASHTEST_PSA, any driver's name (default the first of the
// driver list). Both tests run on every driver.
package crashtest
