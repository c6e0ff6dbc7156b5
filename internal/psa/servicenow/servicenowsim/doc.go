// Package servicenowsim is an http.Handler speaking ServiceNow's Table API
// the way the notes in psa-apis/servicenow.md describe it: every value a
// string, reference fields as {link,value} objects, sysparm_* parameters
// (fields, display values on output and input, limit/offset with
// X-Total-Count and Link), encoded queries, generated sys_ids and INC
// numbers, the incident state model and its side effects, journal fields
// kept in sys_journal_field, field history in sys_audit, the resolve data
// policy's 403, Basic and OAuth (password and refresh_token grants)
// authentication, the 401/406/415 shapes and per-user hourly rate-limit
// rules with their X-RateLimit-* headers.
//
// Where the notes mark a behaviour unverified the simulator has an option
// rather than a guess: case-insensitive string equality, resolved
// incidents staying active, the hold reason required for On Hold, the
// read-only closed incident, strict choice values, and an invalid query
// returning no rows.
package servicenowsim
