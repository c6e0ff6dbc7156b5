package autotask

import (
	"context"
	"maps"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// picklistSources maps each entity's picklist fields (lower-cased Autotask
// names) onto the shared psa field names.
var picklistSources = []struct {
	entity string
	fields map[string]string
}{
	{entity: "Tickets", fields: map[string]string{
		"status":         psa.FieldStatus,
		"priority":       psa.FieldPriority,
		"queueid":        psa.FieldQueue,
		"ticketcategory": psa.FieldCategory,
		"tickettype":     psa.FieldType,
		"source":         psa.FieldSource,
		"issuetype":      psa.FieldIssueType,
		"subissuetype":   psa.FieldSubIssueType,
	}},
	{entity: "TicketNotes", fields: map[string]string{
		"notetype": psa.FieldNoteType,
	}},
	{entity: "Companies", fields: map[string]string{
		"companytype":     psa.FieldCompanyType,
		"classification":  psa.FieldClassification,
		"marketsegmentid": psa.FieldMarketSegment,
	}},
}

// fieldInfo is one entry of entityInformation/fields.
type fieldInfo struct {
	Name           string `json:"name"`
	IsPickList     bool   `json:"isPickList"`
	PicklistValues []struct {
		Value       flexString `json:"value"`
		Label       string     `json:"label"`
		IsActive    *flexBool  `json:"isActive"`
		ParentValue flexString `json:"parentValue"`
	} `json:"picklistValues"`
}

// Test checks the credentials with the cheapest authenticated call.
func (c *Connector) Test(ctx context.Context) error {
	return c.call(ctx, http.MethodGet, "V1.0/ThresholdInformation", "threshold.get", nil, nil)
}

// Picklists reads the ticket, note and company picklists, reusing them for
// a few minutes. The returned map is a copy; its slices are shared and must
// not be modified.
func (c *Connector) Picklists(ctx context.Context) (psa.Picklists, error) {
	c.pickMu.Lock()
	defer c.pickMu.Unlock()
	if c.picks != nil && c.now().Before(c.pickExp) {
		return maps.Clone(c.picks), nil
	}
	out := psa.Picklists{}
	for _, src := range picklistSources {
		var resp struct {
			Fields []fieldInfo `json:"fields"`
		}
		path := "V1.0/" + src.entity + "/entityInformation/fields"
		if err := c.call(ctx, http.MethodGet, path, strings.ToLower(src.entity)+".fields", nil, &resp); err != nil {
			return nil, err
		}
		for _, f := range resp.Fields {
			if name, ok := src.fields[strings.ToLower(f.Name)]; ok {
				out[name] = picklistValues(f)
			}
		}
	}
	c.picks, c.pickExp = out, c.now().Add(picklistTTL)
	return maps.Clone(out), nil
}

func picklistValues(f fieldInfo) []psa.Value {
	vals := make([]psa.Value, 0, len(f.PicklistValues))
	for _, v := range f.PicklistValues {
		vals = append(vals, psa.Value{
			ID:     string(v.Value),
			Label:  v.Label,
			Active: v.IsActive == nil || bool(*v.IsActive), // absent means active
			Parent: string(v.ParentValue),
		})
	}
	return vals
}
