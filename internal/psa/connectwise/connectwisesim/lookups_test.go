package connectwisesim_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// TestSeededLookups pins the seed the connector, the demo and the README
// rely on.
func TestSeededLookups(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	names := func(path string) []string {
		var out []string
		for _, r := range c.list(path) {
			out = append(out, itoa(int(r["id"].(float64)))+" "+r["name"].(string))
		}
		return out
	}
	tests := []struct {
		path string
		want []string
	}{
		{"company/companies", []string{"250 Default Account", "251 Acme Corp", "252 Globex Corporation", "253 Initech", "254 Umbrella Prospect", "255 Old Corp"}},
		{"company/companies/251/sites", []string{"1001 Main"}},
		{"company/companies/types", []string{"1 Client", "2 Prospect", "3 Vendor"}},
		{"company/companies/statuses", []string{"1 Active", "2 Inactive"}},
		{"service/boards?conditions=inactiveFlag=false", []string{"1 Security", "2 Service Desk", "3 Monitoring Alert"}},
		{"service/boards/1/statuses", []string{"11 New", "12 In Progress", "13 Waiting Customer", "14 Completed", "15 Closed", "16 Escalated"}},
		{"service/boards/3/statuses", []string{"31 New", "32 In Progress", "33 Waiting Customer", "34 Completed", "35 Closed"}},
		{"service/boards/2/types", []string{"201 Security Incident", "202 Account Security", "203 Data Loss", "204 Malware"}},
		{"service/boards/1/subtypes", []string{"111 Suspicious Sign-in", "112 MFA Failure", "113 Excessive Download", "114 Excessive Upload", "115 Ransomware", "116 Phishing", "117 Other"}},
		{"service/boards/1/items", []string{"121 Endpoint", "122 User Account", "123 Mailbox"}},
		{"service/boards/1/teams", []string{"71 Tier 1"}},
		{"service/priorities", []string{"4 Priority 1 - Critical", "7 Priority 4 - Low", "8 Priority 3 - Medium", "15 Priority 2 - High"}},
		{"service/sources", []string{"1 Phone", "2 Email", "6 Monitoring Alert"}},
		{"finance/agreements", []string{"500 Acme MDR", "501 Globex MDR"}},
		{"finance/agreements/types", []string{"1 Managed Security"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(tt.path)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.path, diff)
		}
	}
	closed := c.list("service/boards/2/statuses?conditions=" + urlq("closedStatus=true") + "&fields=id,closedStatus,defaultFlag")
	if diff := cmp.Diff([]map[string]any{{"id": 24.0, "closedStatus": true, "defaultFlag": false}, {"id": 25.0, "closedStatus": true, "defaultFlag": false}}, closed); diff != "" {
		t.Errorf("closed statuses (-want +got):\n%s", diff)
	}
	sub := c.list("service/boards/1/subtypes?conditions=id=111")[0]
	if diff := cmp.Diff([]any{102.0}, sub["typeAssociationIds"]); diff != "" {
		t.Errorf("typeAssociationIds (-want +got):\n%s", diff)
	}
	assoc := c.list("service/boards/1/typeSubTypeItemAssociations?conditions=" + urlq(`type/name="Malware"`) + "&fields=type/id,subType/id,item/id")
	want := []map[string]any{{"type": map[string]any{"id": 104.0}}, {"type": map[string]any{"id": 104.0}, "subType": map[string]any{"id": 115.0}},
		{"type": map[string]any{"id": 104.0}, "subType": map[string]any{"id": 115.0}, "item": map[string]any{"id": 121.0}}}
	if diff := cmp.Diff(want, assoc); diff != "" {
		t.Errorf("associations (-want +got):\n%s", diff)
	}
	jane := c.list("company/contacts?conditions=id=31")[0]
	if get(jane, "company/identifier") != "AcmeCorp" || jane["firstName"] != "Jane" || len(jane["communicationItems"].([]any)) != 2 {
		t.Errorf("contact 31 = %v", jane)
	}
}
