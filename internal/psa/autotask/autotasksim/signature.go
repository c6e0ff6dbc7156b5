package autotasksim

// Sign returns the X-Hook-Signature value the simulator sends with a
// callout body when the webhook's secret key is key. It is exported for
// tests that must sign as the simulator does (the conformance suite checks
// a real callout against it) rather than restate the algorithm.
func Sign(key string, body []byte) string { return sign([]byte(key), body) }
