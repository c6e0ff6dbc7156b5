package superopssim

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// PublishedSDL is the MSP API reference's schema as published, verbatim
// (see the notes' §11). The simulator serves it with the corrections
// applied; the connector's spec-check test validates against it as is.
//
//go:generate go run ./internal/specgen -from ../../../../../shared/psa-apis/specs/superops-schema.graphql -to schema/superops.graphql -sha256 e70b65ef69d7f1f8592bd5124e26b226dbcdb9e5b15e06104c17e127cbe02313
//go:embed schema/superops.graphql
var PublishedSDL string

// PublishedSHA256 is the published schema's digest, which the spec-check
// test holds the embedded copy to.
const PublishedSHA256 = "e70b65ef69d7f1f8592bd5124e26b226dbcdb9e5b15e06104c17e127cbe02313"

// corrections are where the published reference lags the live schema
// (the notes' §9): compound conditions, ticketType as a plain string and
// createTicketNote deprecated in favour of createNote.
var corrections = []struct{ old, new string }{
	{"input RuleConditionInput {\n  attribute: String\n  operator: String\n  value: JSON\n}",
		"input RuleConditionInput {\n  attribute: String\n  operator: String\n  value: JSON\n  joinOperator: String\n  operands: [RuleConditionInput!]\n}"},
	{"  ticketType: TicketType\n  requestType: String\n  source: TicketSource!",
		"  ticketType: String\n  requestType: String\n  source: TicketSource!"},
	{"  createTicketNote(input: CreateTicketNoteInput!): Note\n",
		"  createTicketNote(input: CreateTicketNoteInput!): Note @deprecated(reason: \"Use createNote\")\n"},
}

// CorrectedSDL returns the published schema with the corrections applied.
// It panics when one no longer applies: the embedded copy changed.
func CorrectedSDL() string {
	sdl := PublishedSDL
	for _, c := range corrections {
		if !strings.Contains(sdl, c.old) {
			panic(fmt.Sprintf("superopssim: schema correction no longer applies: %q", c.old))
		}
		sdl = strings.Replace(sdl, c.old, c.new, 1)
	}
	return sdl
}

var (
	schemaOnce sync.Once
	schema     *ast.Schema
)

// Schema returns the corrected schema, parsed once.
func Schema() *ast.Schema {
	schemaOnce.Do(func() {
		schema = gqlparser.MustLoadSchema(&ast.Source{Name: "superops.graphql", Input: CorrectedSDL()})
	})
	return schema
}

// Parse parses and validates a document against the corrected schema, as
// the simulator does before it runs one.
func Parse(doc string) (*ast.QueryDocument, gqlerror.List) {
	return gqlparser.LoadQueryWithRules(Schema(), doc, rules.NewDefaultRules())
}
