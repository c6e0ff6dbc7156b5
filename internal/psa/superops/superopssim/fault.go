package superopssim

import "strings"

// SuperOps' application error codes (the notes' §6).
const (
	CodeForbidden          = "forbidden"
	CodeRateLimit          = "rate_limit_exceeded"
	CodeTypeValidation     = "type_validation_failed"
	CodeMandatory          = "mandatory_validation_failed"
	CodeValueLength        = "value_length_exceeds_limit"
	CodeReferredValue      = "referred_value_does_not_exist"
	CodeDependent          = "dependent_validation_failed"
	CodeUnique             = "unique_validation_failed"
	CodeEntityDoesNotExist = "entity_does_not_exist"
)

// Fault is a business error: HTTP 200 with an errors entry whose
// extensions.clientError names the code and the attributes at fault.
type Fault struct {
	Code       string
	Attributes []string
	// Index is the failing element of a bulk input, -1 for none.
	Index int
}

func (f *Fault) Error() string {
	if len(f.Attributes) == 0 {
		return f.Code
	}
	return f.Code + ": " + strings.Join(f.Attributes, ", ")
}

// wire is the clientError entry.
func (f *Fault) wire() map[string]any {
	param := map[string]any{}
	if len(f.Attributes) > 0 {
		param["attributes"] = f.Attributes
	}
	if f.Index >= 0 {
		param["index"] = f.Index
	}
	return map[string]any{"code": f.Code, "param": param}
}

func fault(code string, attrs ...string) *Fault {
	return &Fault{Code: code, Attributes: attrs, Index: -1}
}
