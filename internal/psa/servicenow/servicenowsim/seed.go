package servicenowsim

import (
	"strconv"
	"strings"
)

// The seed tenant's users who sign in.
const (
	// APIUserName is the integration user (roles itil and
	// snc_platform_rest_api_access).
	APIUserName = "ticketbridge.integration"
	// TechnicianName is a fulfiller who works tickets in the UI.
	TechnicianName = "beth.anglin"
)

// seed fills the instance with the demo's story: companies, contacts,
// assignment groups, choice lists, a contract and a business service.
func (s *Sim) seed() {
	sys := User{UserName: "system"}
	co := map[string]string{}
	for _, c := range []struct {
		name, customer, vendor string
	}{
		{"Default Account", "true", "false"}, {"Acme Corp", "true", "false"}, {"Globex Corporation", "true", "false"},
		{"Initech", "true", "false"}, {"Umbrella Prospect", "false", "false"},
	} {
		rec := s.append("core_company", record{"name": c.name, "customer": c.customer, "vendor": c.vendor, "manufacturer": "false",
			"phone": "", "city": "", "country": ""}, sys)
		co[c.name] = rec["sys_id"]
	}
	people := []struct {
		user, first, last, email, company, active, roles string
	}{
		{APIUserName, "ticketbridge", "Integration", "", "", "true", "itil,snc_platform_rest_api_access"},
		{TechnicianName, "Beth", "Anglin", "beth.anglin@msp.example", "", "true", "itil"},
		{"default.contact", "Default", "Contact", "default.contact@msp.example", "Default Account", "true", ""},
		{"jane.doe", "Jane", "Doe", "jane@acme.example", "Acme Corp", "true", ""},
		{"acme.helpdesk", "Acme", "Helpdesk", "helpdesk@acme.example", "Acme Corp", "true", ""},
		{"former.employee", "Former", "Employee", "former@acme.example", "Acme Corp", "false", ""},
		{"hank.scorpio", "Hank", "Scorpio", "hank@globex.example", "Globex Corporation", "true", ""},
		{"bill.lumbergh", "Bill", "Lumbergh", "bill@initech.example", "Initech", "true", ""},
	}
	for _, p := range people {
		rec := s.append("sys_user", record{"user_name": p.user, "first_name": p.first, "last_name": p.last,
			"name": p.first + " " + p.last, "email": p.email, "company": co[p.company], "active": p.active,
			"roles": p.roles, "phone": "", "mobile_phone": ""}, sys)
		if p.roles != "" {
			s.users[p.user] = &User{SysID: rec["sys_id"], UserName: p.user, Password: seedSecret("password "+p.user, 12), Name: rec["name"],
				Email: p.email, Roles: strings.Split(p.roles, ","), APIKey: seedSecret("api key "+p.user, 16)}
		}
	}
	groups := map[string]string{}
	for _, g := range []string{"Security", "Service Desk", "Network", "Hardware"} {
		groups[g] = s.append("sys_user_group", record{"name": g, "active": "true", "description": ""}, sys)["sys_id"]
	}
	tech := s.users[TechnicianName].SysID
	for _, g := range []string{"Security", "Service Desk"} {
		s.append("sys_user_grmember", record{"group": groups[g], "user": tech}, sys)
	}
	for _, table := range []string{TableIncident, TableCase} {
		for element, choices := range seedChoices(table) {
			for i, c := range choices {
				value, rest, _ := strings.Cut(c, "|")
				label, dep, _ := strings.Cut(rest, "|")
				s.append("sys_choice", record{"name": table, "element": element, "value": value, "label": label,
					"sequence": strconv.Itoa(i * 10), "inactive": "false", "language": "en", "dependent_value": dep}, sys)
			}
		}
	}
	s.append("ast_contract", record{"number": "CNTR0001001", "short_description": "Acme MDR", "company": co["Acme Corp"],
		"vendor": co["Default Account"], "contract_model": "", "starts": "2026-01-01", "ends": "2030-12-31", "state": "active", "active": "true"}, sys)
	s.append("cmdb_ci_service", record{"name": "Managed Detection and Response", "operational_status": "1"}, sys)
}

// seedChoices are the choice lists of a ticket table, each entry
// "value|label[|dependent_value]".
func seedChoices(table string) map[string][]string {
	states := []string{"1|New", "2|In Progress", "3|On Hold", "6|Resolved", "7|Closed", "8|Canceled"}
	if table == TableCase {
		states = []string{"1|New", "10|Open", "18|Awaiting Info", "6|Resolved", "3|Closed", "7|Cancelled"}
	}
	return map[string][]string{
		"state":       states,
		"hold_reason": {"1|Awaiting Caller", "3|Awaiting Problem", "4|Awaiting Vendor", "5|Awaiting Change"},
		"impact":      {"1|1 - High", "2|2 - Medium", "3|3 - Low"},
		"urgency":     {"1|1 - High", "2|2 - Medium", "3|3 - Low"},
		"priority":    {"1|1 - Critical", "2|2 - High", "3|3 - Moderate", "4|4 - Low", "5|5 - Planning"},
		"category": {"inquiry|Inquiry / Help", "software|Software", "hardware|Hardware", "network|Network", "database|Database",
			"security|Security Incident", "data_loss|Data Loss", "account_security|Account Security", "malware|Malware"},
		"subcategory": {"email|Email|software", "os|Operating System|software", "dns|DNS|network", "vpn|VPN|network",
			"disk|Disk|hardware", "other|Other|security", "phishing|Phishing|security",
			"excessive_download|Excessive Download|data_loss", "excessive_upload|Excessive Upload|data_loss",
			"suspicious_sign_in|Suspicious Sign-in|account_security", "mfa|MFA Failures|account_security",
			"ransomware|Ransomware|malware", "trojan|Trojan|malware"},
		"contact_type": {"email|Email", "phone|Phone", "self-service|Self-service", "walk-in|Walk-in", "chat|Chat",
			"virtual_agent|Virtual Agent", "monitoring|Monitoring Alert"},
		"close_code": {"Solved (Permanently)|Solved (Permanently)", "Solved (Work Around)|Solved (Work Around)",
			"Solved Remotely (Permanently)|Solved Remotely (Permanently)", "Solved Remotely (Work Around)|Solved Remotely (Work Around)",
			"Not Solved (Not Reproducible)|Not Solved (Not Reproducible)", "Not Solved (Too Costly)|Not Solved (Too Costly)",
			"Closed/Resolved by Caller|Closed/Resolved by Caller"},
	}
}
