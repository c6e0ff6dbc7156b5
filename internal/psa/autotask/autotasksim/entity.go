package autotasksim

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// udfKey is the record key holding user-defined field values.
const udfKey = "userDefinedFields"

// record is one stored row keyed by canonical field name. Every field of the
// entity is present (nil when empty) so rendering never has to fill gaps.
type record map[string]any

// udfValue is one entry of a record's userDefinedFields array.
type udfValue struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// entity is one REST resource (Tickets, Companies, ...) with its metadata and
// rows. New entities (Contracts, TicketWebhooks) are added by writing a file
// that builds one of these and registering it in New; the router, query
// engine and validation are shared.
type entity struct {
	name     string // plural path segment, e.g. "Tickets"
	singular string // entityInformation name and referenceEntityType, e.g. "Ticket"
	fields   []field
	index    map[string]int // lower-case field name → position in fields

	canCreate, canUpdate, canDelete bool
	// noQuery marks create-only entities (ContractServiceAdjustments): no
	// query, no GET by id, no child list.
	noQuery bool
	// rootPath says /V1.0/{name} exists at all (else 404); rootWrite says it
	// accepts POST/PATCH/PUT (else 405). TicketNotes and Contacts are only
	// written through their parent's path.
	rootPath, rootWrite bool
	webhooks            bool

	rows   map[int64]record
	lastID int64

	// rules enforces business rules beyond the metadata and may fill
	// defaults; stamp sets generated fields after the id is assigned; after
	// runs once the row is stored (derived rows, history, webhook callouts);
	// deleted runs after a DELETE removed row r. All run under Sim.mu.
	rules   func(s *Sim, w *write) error
	stamp   func(s *Sim, w *write)
	after   func(s *Sim, w *write)
	deleted func(s *Sim, r record)
}

func newEntity(name, singular string, firstID int64, fields []field) *entity {
	e := &entity{
		name:     name,
		singular: singular,
		fields:   fields,
		index:    make(map[string]int, len(fields)),
		rows:     make(map[int64]record),
		lastID:   firstID - 1,
	}
	for i, f := range fields {
		e.index[strings.ToLower(f.Name)] = i
	}
	return e
}

// field looks a field up by name, case-insensitively.
func (e *entity) field(name string) *field {
	i, ok := e.index[strings.ToLower(name)]
	if !ok {
		return nil
	}
	return &e.fields[i]
}

// blank returns a record with every field present and nil.
func (e *entity) blank() record {
	r := make(record, len(e.fields)+1)
	for _, f := range e.fields {
		r[f.Name] = nil
	}
	r[udfKey] = []udfValue{}
	return r
}

// insert stores a seed row without validation.
func (e *entity) insert(id int64, values record) {
	r := e.blank()
	for k, v := range values {
		r[k] = v
	}
	r["id"] = id
	e.rows[id] = r
	e.lastID = max(e.lastID, id)
}

// sortedIDs returns the ids of all rows in ascending order.
func (e *entity) sortedIDs() []int64 {
	ids := make([]int64, 0, len(e.rows))
	for id := range e.rows {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func clone(r record) record {
	c := make(record, len(r))
	for k, v := range r {
		c[k] = v
	}
	if u, ok := r[udfKey].([]udfValue); ok {
		c[udfKey] = append([]udfValue{}, u...)
	}
	return c
}

// rendered is a record ready for JSON in metadata order (id first, as
// Autotask does), optionally limited to IncludeFields.
type rendered struct {
	keys []string
	vals []any
}

func (e *entity) render(r record, include []string) rendered {
	var out rendered
	add := func(k string) {
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, wireValue(r[k]))
	}
	if include != nil {
		for _, k := range include {
			add(k)
		}
		return out
	}
	for _, f := range e.fields {
		add(f.Name)
	}
	add(udfKey)
	return out
}

// MarshalJSON writes the keys in order.
func (r rendered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(r.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// info is the entityInformation document.
func (e *entity) info() map[string]any {
	access := func(ok bool) string {
		if ok {
			return "All"
		}
		return "None"
	}
	return map[string]any{"info": map[string]any{
		"name":                    e.singular,
		"canCreate":               e.canCreate,
		"canDelete":               e.canDelete,
		"canQuery":                !e.noQuery,
		"canUpdate":               e.canUpdate,
		"userAccessForCreate":     access(e.canCreate),
		"userAccessForDelete":     access(e.canDelete),
		"userAccessForQuery":      access(!e.noQuery),
		"userAccessForUpdate":     access(e.canUpdate),
		"hasUserDefinedFields":    true,
		"supportsWebhookCallouts": e.webhooks,
	}}
}
