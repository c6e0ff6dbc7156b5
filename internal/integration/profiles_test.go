package integration

import "testing"

// testProfiles are the real drivers' profiles, filled in by
// drivers_test.go (an external test package may import the drivers, which
// import this package; this one may not), so the tests here validate
// against what apply validates against, not a copy of it.
var testProfiles Profiles

// TestProfiles lets drivers_test.go fill testProfiles.
var TestProfiles = &testProfiles

// validate is Validate against the drivers' profiles, with the PSA's
// connection defaults applied first when it has a profile (the others are
// the test's to apply).
func validate(s Settings) error {
	if p, ok := testProfiles.Lookup(s.PSA); ok {
		p.ApplyDefaults(&s)
	}
	return Validate(s, testProfiles)
}

// TestConnectionKeyOrderIsComplete: every key has its place in the order
// problems are reported in.
func TestConnectionKeyOrderIsComplete(t *testing.T) {
	t.Parallel()
	if len(connectionKeyOrder) != len(connectionKeys) {
		t.Fatalf("%d keys in order, %d known", len(connectionKeyOrder), len(connectionKeys))
	}
	for _, k := range connectionKeyOrder {
		if connectionKeys[k] == nil {
			t.Errorf("%s has no set check", k)
		}
	}
}

// applyDefaults applies every default, the PSA's connection defaults
// included, as apply does.
func applyDefaults(s *Settings) {
	ApplyDefaults(s)
	if p, ok := testProfiles.Lookup(s.PSA); ok {
		p.ApplyDefaults(s)
	}
}
