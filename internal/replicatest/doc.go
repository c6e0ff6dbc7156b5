// Package replicatest holds the multi-replica end-to-end test and the
// PostgreSQL ingest benchmarks. Both build the ticketbridge binary and run
// several `ticketbridge serve` processes on one PostgreSQL schema, so that
// the SIGKILL in the failover test is a real one; the PSA simulators (the
// default driver's) run in the test process behind a call log, so the
// test can count every request ticketbridge made and every refusal the
// simulator answered.
//
// The failover test sends alerts round-robin to three replicas, kills the
// replica holding the most integrations with SIGKILL while alerts still
// arrive, and checks that every alert is in exactly one ticket or note of
// every integration, that the dead replica's integrations were taken over
// within 10 seconds, and that no integration's request budget was
// exceeded.
//
// Everything here needs TICKETBRIDGE_TEST_DATABASE_URL (each run uses its
// own schema) and skips without it. The failover test runs a CI-sized
// version by default; TICKETBRIDGE_REPLICATEST=1 runs the long one.
// scripts/replicatest runs the long test and the benchmarks.
package replicatest
