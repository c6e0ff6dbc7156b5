package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Drift resolves stored settings by their names again against what the
// PSA holds now, and returns a problem for every name the PSA no longer
// backs: a picklist value, company, contact, contract or service renamed,
// deactivated or deleted since apply, each with the nearest valid names.
// The stored settings are not changed. It is apply's resolution, so what
// drift reports is what the next apply would refuse.
func Drift(s Settings, c Catalog) ([]Problem, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("copy settings: %w", err)
	}
	var fresh Settings // a deep copy: Resolve writes through the maps' slices
	if err := json.Unmarshal(raw, &fresh); err != nil {
		return nil, fmt.Errorf("copy settings: %w", err)
	}
	err = Resolve(&fresh, c)
	var ve *ValidationError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &ve):
		return ve.Problems, nil
	}
	return nil, err
}

// Drift reconciliation's schedule (sync.reconcile_every).
const (
	DefaultReconcileEvery = 6 * time.Hour
	MinReconcileEvery     = 5 * time.Minute
)

// ReconcileInterval is sync.reconcile_every as a duration: 0 when off.
func (s Sync) ReconcileInterval() time.Duration {
	v := strings.TrimSpace(s.ReconcileEvery)
	switch {
	case v == "":
		return DefaultReconcileEvery
	case strings.EqualFold(v, "off"):
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < MinReconcileEvery {
		return DefaultReconcileEvery // Validate refuses these
	}
	return d
}

func validateReconcileEvery(ps *problems, s *Sync) {
	v := strings.TrimSpace(s.ReconcileEvery)
	if v == "" || strings.EqualFold(v, "off") {
		return
	}
	if d, err := time.ParseDuration(v); err != nil || d < MinReconcileEvery {
		ps.add("sync.reconcile_every", "%q is not a duration of at least %s: set one like \"6h\", or \"off\" (default %s)", s.ReconcileEvery, MinReconcileEvery, DefaultReconcileEvery)
	}
}
