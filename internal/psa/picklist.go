package psa

import "strings"

// Picklist field names shared by every connector. A connector maps its own
// fields onto these (a queue, a board or a team → FieldQueue, ...).
const (
	FieldStatus         = "status"
	FieldPriority       = "priority"
	FieldQueue          = "queue"
	FieldCategory       = "category"
	FieldType           = "type"
	FieldSource         = "source"
	FieldIssueType      = "issue_type"
	FieldSubIssueType   = "sub_issue_type"
	FieldNoteType       = "note_type"
	FieldCompanyType    = "company_type"
	FieldClassification = "classification"
	FieldMarketSegment  = "market_segment"
)

// Value is one picklist entry.
type Value struct {
	ID     string
	Label  string
	Active bool
	// Parent is the id of the parent value (sub-issue type → issue type).
	Parent string
}

// Picklists maps a field name (Field*) to its values.
type Picklists map[string][]Value

// Lookup finds the active value of field whose label equals name
// (case-insensitive) among those under parent ("" for any).
func (p Picklists) Lookup(field, name, parent string) (Value, bool) {
	for _, v := range p[field] {
		if !v.Active || (parent != "" && v.Parent != parent) {
			continue
		}
		if strings.EqualFold(v.Label, name) {
			return v, true
		}
	}
	return Value{}, false
}

// Label returns the label of the value with id in field, or id itself.
func (p Picklists) Label(field, id string) string {
	for _, v := range p[field] {
		if v.ID == id {
			return v.Label
		}
	}
	return id
}
