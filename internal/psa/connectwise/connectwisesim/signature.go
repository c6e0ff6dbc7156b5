package connectwisesim

// Sign returns the x-content-signature value the simulator sends with a
// callback body when it signs with signingKey. It is exported for tests
// that must sign as the simulator does (the conformance suite checks a
// real callout against it) rather than restate the algorithm.
func Sign(signingKey string, body []byte) string { return sign(signingKey, body) }
