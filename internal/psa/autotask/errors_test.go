package autotask

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestClassifyBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   psa.Class
		ok     bool
	}{
		{name: "missing required field", status: 500, body: `{"errors":["Field title is required."]}`, want: psa.Permanent, ok: true},
		{name: "bad picklist value", status: 500, body: `{"errors":["Field priority: 999999 is not a valid picklist value."]}`, want: psa.Permanent, ok: true},
		{name: "resource without role", status: 500, body: `{"errors":["When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID."]}`, want: psa.Permanent, ok: true},
		{name: "missing reference", status: 500, body: `{"errors":["Field ticketID: no Ticket with id 9 exists."]}`, want: psa.Permanent, ok: true},
		{name: "unknown user", status: 500, body: `{"errors":["Zone information could not be determined"]}`, want: psa.Permanent, ok: true},
		{name: "bad integration code", status: 500, body: `{"errors":["IntegrationCode is invalid."]}`, want: psa.Permanent, ok: true},
		{name: "paging without body", status: 500, body: `{"errors":["Value cannot be null. Parameter name: filters"]}`, want: psa.Permanent, ok: true},
		{name: "thread limit as 429", status: 429, body: `{"errors":["Thread Threshold Exceeded"]}`, want: psa.RateLimited, ok: true},
		{name: "thread limit as 500", status: 500, body: `{"errors":["... Thread Threshold Exceeded ... Itgenatr005"]}`, want: psa.RateLimited, ok: true},
		{name: "wrong secret", status: 401, body: ``, want: psa.Permanent, ok: true},
		{name: "forbidden", status: 403, body: `{"errors":["no access"]}`, want: psa.Permanent, ok: true},
		{name: "plain 500", status: 500, body: `{"errors":["An unexpected error has occurred."]}`, ok: false},
		{name: "500 without body", status: 500, body: ``, ok: false},
		{name: "500 html", status: 500, body: `<html>required</html>`, ok: false},
		{name: "503 with rule words", status: 503, body: `{"errors":["service must restart"]}`, ok: false},
		{name: "429 plain", status: 429, body: `{"errors":["rate limit"]}`, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := classifyBody(tt.status, []byte(tt.body))
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("classifyBody = %s, %v; want %s, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
	}{
		{name: "strings", body: `{"errors":["one","two"]}`, want: "one; two"},
		{name: "objects", body: `{"errors":[{"message":"bad field","field":"title"}]}`, want: "bad field"},
		{name: "message", body: `{"message":"An error has occurred."}`, want: "An error has occurred."},
		{name: "empty", body: ``, want: ""},
		{name: "not json", body: `<html>oops</html>`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errorText([]byte(tt.body)); got != tt.want {
				t.Errorf("errorText = %q, want %q", got, tt.want)
			}
		})
	}
}
