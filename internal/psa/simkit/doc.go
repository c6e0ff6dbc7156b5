// Package simkit is what the PSA simulators share: a rolling-window request
// limiter keyed by client, a concurrency gate that refuses the excess at
// once, page arithmetic for numbered, offset and id-cursor paging, RFC 8288
// Link headers, credential helpers and a context-aware sleep.
//
// It holds mechanisms only. What a PSA answers (status codes, error
// bodies, which header names a limit, how pages are spelled on the wire)
// stays in each simulator, because that is exactly where PSAs differ and
// what the simulators exist to reproduce. Fault injection is not here
// either: internal/psa/simfault wraps any simulator from the outside.
package simkit
