package servicenow

import (
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

func TestProfileChecksCredentialsAndTable(t *testing.T) {
	t.Parallel()
	env := integration.SecretRef{Env: "X"}
	tests := []struct {
		name string
		conn integration.Connection
		want string // a path with a problem, "" for none
	}{
		{"basic", integration.Connection{Username: "u", Secret: env}, ""},
		{"password grant", integration.Connection{Username: "u", Secret: env, ClientID: env, ClientSecret: env}, ""},
		{"refresh grant", integration.Connection{ClientID: env, ClientSecret: env, RefreshToken: env}, ""},
		{"case table", integration.Connection{Username: "u", Secret: env, Table: "sn_customerservice_case"}, ""},
		{"nothing", integration.Connection{}, "connection.username"},
		{"client without secret", integration.Connection{ClientID: env, RefreshToken: env}, "connection.client_secret"},
		{"client without a grant", integration.Connection{ClientID: env, ClientSecret: env}, "connection.refresh_token"},
		{"secret without client", integration.Connection{Username: "u", Secret: env, ClientSecret: env}, "connection.client_id"},
		{"unknown table", integration.Connection{Username: "u", Secret: env, Table: "problem"}, "connection.table"},
	}
	for _, tt := range tests {
		got := check(&integration.Settings{Connection: tt.conn})
		var paths []string
		for _, p := range got {
			paths = append(paths, p.Path)
		}
		if (tt.want == "") != (len(got) == 0) || (tt.want != "" && !strings.Contains(strings.Join(paths, " "), tt.want)) {
			t.Errorf("%s: problems %v, want one at %q", tt.name, got, tt.want)
		}
	}
}
