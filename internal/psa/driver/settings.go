package driver

import (
	"fmt"
	"regexp"
	"strings"
)

// topName matches the settings' top-level name line.
var topName = regexp.MustCompile(`(?m)^name: .*$`)

// FillSettings completes a simulator's settings file for p: the
// integration's name, connection.url (apiURL, the address the connector
// is given) and the budget keys p sets. The file must hold a top-level
// `name:` and a `connection:` section without those keys, which is how
// every driver writes its demo and bench settings.
func FillSettings(yaml, apiURL string, p SettingsParams) string {
	if p.Name != "" {
		yaml = topName.ReplaceAllLiteralString(yaml, "name: "+p.Name)
	}
	var conn strings.Builder
	conn.WriteString("connection:\n")
	if apiURL != "" {
		fmt.Fprintf(&conn, "  url: %s\n", apiURL)
	}
	if p.RequestsPerHour > 0 {
		fmt.Fprintf(&conn, "  requests_per_hour: %d\n", p.RequestsPerHour)
	}
	if p.BudgetWindow > 0 {
		fmt.Fprintf(&conn, "  budget_window: %s\n", p.BudgetWindow)
	}
	if p.MaxConcurrent > 0 {
		fmt.Fprintf(&conn, "  max_concurrent: %d\n", p.MaxConcurrent)
	}
	return strings.Replace(yaml, "\nconnection:\n", "\n"+conn.String(), 1)
}
