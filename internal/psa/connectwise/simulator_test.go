package connectwise

import "testing"

func TestCallKind(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, want string }{
		{"POST", "/v4_6_release/apis/3.0/service/tickets", "ticket.create"},
		{"PATCH", "/v4_6_release/apis/3.0/service/tickets/12", "ticket.update"},
		{"GET", "/v4_6_release/apis/3.0/service/tickets/12", "ticket.get"},
		{"GET", "/v4_6_release/apis/3.0/service/tickets", "ticket.query"},
		{"POST", "/v2025_1/apis/3.0/service/tickets/12/notes", "note.create"},
		{"GET", "/v4_6_release/apis/3.0/service/tickets/12/notes", "note.list"},
		{"GET", "/v4_6_release/apis/3.0/company/contacts", "contact.query"},
		{"GET", "/v4_6_release/apis/3.0/company/companies", "company.query"},
		{"GET", "/login/companyinfo/msptest", "other"},
	}
	for _, tt := range tests {
		if got := callKind(tt.method, tt.path); got != tt.want {
			t.Errorf("callKind(%s %s) = %s, want %s", tt.method, tt.path, got, tt.want)
		}
	}
}
