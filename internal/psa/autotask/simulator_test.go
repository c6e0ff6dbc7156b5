package autotask

import "testing"

func TestCallKind(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, want string }{
		{"POST", "/atservicesrest/V1.0/Tickets", "ticket.create"},
		{"PATCH", "/atservicesrest/V1.0/Tickets", "ticket.update"},
		{"GET", "/atservicesrest/V1.0/Tickets/12", "ticket.get"},
		{"POST", "/atservicesrest/V1.0/Tickets/query", "ticket.query"},
		{"GET", "/atservicesrest/V1.0/Tickets/query/next", "ticket.query"},
		{"POST", "/atservicesrest/V1.0/Tickets/12/Notes", "note.create"},
		{"GET", "/atservicesrest/V1.0/Tickets/12/Notes", "note.list"},
		{"POST", "/atservicesrest/V1.0/Contacts/query", "contact.query"},
		{"GET", "/atservicesrest/V1.0/Companies/entityInformation/fields", "company.fields"},
		{"GET", "/atservicesrest/versionInformation", "other"},
	}
	for _, tt := range tests {
		if got := callKind(tt.method, tt.path); got != tt.want {
			t.Errorf("callKind(%s %s) = %s, want %s", tt.method, tt.path, got, tt.want)
		}
	}
}
