package autotasksim

import "strconv"

// field is one entry of an entity's entityInformation/fields document. The
// JSON shape is Autotask's FieldInformationModel; the same table drives
// validation, so what a client reads is exactly what the simulator enforces.
type field struct {
	Name                     string          `json:"name"`
	DataType                 string          `json:"dataType"`
	Length                   int             `json:"length"`
	IsRequired               bool            `json:"isRequired"`
	IsReadOnly               bool            `json:"isReadOnly"`
	IsQueryable              bool            `json:"isQueryable"`
	IsReference              bool            `json:"isReference"`
	ReferenceEntityType      string          `json:"referenceEntityType"`
	IsPickList               bool            `json:"isPickList"`
	PicklistValues           []picklistValue `json:"picklistValues"`
	PicklistParentValueField string          `json:"picklistParentValueField"`
	IsSupportedWebhookField  bool            `json:"isSupportedWebhookField"`

	// def is applied on create when the caller sends nothing for the field.
	def any
}

// picklistValue is Autotask's PickListValue. Values are strings on the wire
// even though the field itself is an integer.
type picklistValue struct {
	Value          string `json:"value"`
	Label          string `json:"label"`
	IsDefaultValue bool   `json:"isDefaultValue"`
	SortOrder      int    `json:"sortOrder"`
	ParentValue    string `json:"parentValue"`
	IsActive       bool   `json:"isActive"`
	IsSystem       bool   `json:"isSystem"`
}

// Data types as Autotask spells them in entityInformation/fields.
const (
	typeInteger  = "integer"
	typeLong     = "long"
	typeString   = "string"
	typeDateTime = "datetime"
	typeDecimal  = "decimal"
	typeBoolean  = "boolean"
)

// The helpers below keep the seed tables one line per field.

func fInt(name string) field  { return field{Name: name, DataType: typeInteger, IsQueryable: true} }
func fLong(name string) field { return field{Name: name, DataType: typeLong, IsQueryable: true} }
func fDate(name string) field { return field{Name: name, DataType: typeDateTime, IsQueryable: true} }
func fDec(name string) field  { return field{Name: name, DataType: typeDecimal, IsQueryable: true} }
func fBool(name string) field { return field{Name: name, DataType: typeBoolean, IsQueryable: true} }

func fStr(name string, length int) field {
	return field{Name: name, DataType: typeString, Length: length, IsQueryable: true}
}

func (f field) req() field { f.IsRequired = true; return f }
func (f field) ro() field  { f.IsReadOnly = true; return f }
func (f field) hook() field {
	f.IsSupportedWebhookField = true
	return f
}

func (f field) withDefault(v any) field { f.def = v; return f }

func (f field) ref(entity string) field {
	f.IsReference = true
	f.ReferenceEntityType = entity
	return f
}

// picks turns f into a picklist; sort order follows argument order.
func (f field) picks(values ...picklistValue) field {
	f.IsPickList = true
	f.PicklistValues = make([]picklistValue, len(values))
	for i, v := range values {
		v.SortOrder = i + 1
		f.PicklistValues[i] = v
	}
	return f
}

// parentField names the picklist whose value each entry's parentValue refers
// to, spelled as Autotask does (PascalCase, e.g. "IssueType").
func (f field) parentField(name string) field { f.PicklistParentValueField = name; return f }

func pv(value int, label string) picklistValue {
	return picklistValue{Value: strconv.Itoa(value), Label: label, IsActive: true}
}

func (p picklistValue) dflt() picklistValue     { p.IsDefaultValue = true; return p }
func (p picklistValue) inactive() picklistValue { p.IsActive = false; return p }
func (p picklistValue) system() picklistValue   { p.IsSystem = true; return p }
func (p picklistValue) under(parent int) picklistValue {
	p.ParentValue = strconv.Itoa(parent)
	return p
}

// picklistEntry finds the entry whose value matches v.
func (f *field) picklistEntry(v any) (picklistValue, bool) {
	s := formatValue(v)
	for _, p := range f.PicklistValues {
		if p.Value == s {
			return p, true
		}
	}
	return picklistValue{}, false
}

// defaultPick returns the picklist's default value as the field's type.
func (f *field) defaultPick() (any, bool) {
	for _, p := range f.PicklistValues {
		if p.IsDefaultValue && p.IsActive {
			n, err := strconv.ParseInt(p.Value, 10, 64)
			return n, err == nil
		}
	}
	return nil, false
}
