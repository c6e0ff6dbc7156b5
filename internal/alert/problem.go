package alert

import (
	"fmt"
	"strings"
)

// FieldError names one bad field of one alert in a request body.
// Index is the alert's position in the body (0 for a single object).
type FieldError struct {
	Index  int    `json:"index"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e FieldError) Error() string {
	return fmt.Sprintf("alert %d: %s: %s", e.Index, e.Field, e.Reason)
}

// ValidationError collects every bad field in a request body, so a sender
// can fix them all at once instead of one per round trip.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid alerts: " + strings.Join(parts, "; ")
}
