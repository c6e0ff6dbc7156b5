package servicenowsim

// column describes one field of a table: a reference to another table, a
// choice list, a journal field, a date-time.
type column struct {
	ref     string // referenced table
	choice  bool
	journal bool
}

// schema is what the simulator knows of a table. Fields a body names that
// the schema lacks are ignored, as ServiceNow ignores them.
type schema struct {
	display string // the field a reference shows as its display value
	prefix  string // number prefix of task tables ("INC")
	cols    map[string]column
}

// sysCols are the fields every table has.
var sysCols = []string{"sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count"}

func cols(plain []string, extra map[string]column) map[string]column {
	out := map[string]column{}
	for _, c := range append(append([]string(nil), sysCols...), plain...) {
		out[c] = column{}
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// taskCols are the incident's and the case's shared fields.
func taskCols(company, contact string) map[string]column {
	return cols([]string{
		"number", "short_description", "description", "correlation_id", "correlation_display", "close_notes",
		"active", "opened_at", "resolved_at", "closed_at", "reopen_count", "due_date",
	}, map[string]column{
		company: {ref: "core_company"}, contact: {ref: "sys_user"},
		"assignment_group": {ref: "sys_user_group"}, "assigned_to": {ref: "sys_user"},
		"opened_by": {ref: "sys_user"}, "resolved_by": {ref: "sys_user"}, "closed_by": {ref: "sys_user"},
		"state": {choice: true}, "incident_state": {choice: true}, "impact": {choice: true}, "urgency": {choice: true},
		"priority": {choice: true}, "category": {choice: true}, "subcategory": {choice: true},
		"contact_type": {choice: true}, "close_code": {choice: true}, "hold_reason": {choice: true},
		"comments": {journal: true}, "work_notes": {journal: true},
	})
}

// TableIncident and TableCase are the ticket tables.
const (
	TableIncident = "incident"
	TableCase     = "sn_customerservice_case"
)

// schemas are the tables the simulator serves.
var schemas = map[string]schema{
	TableIncident: {display: "number", prefix: "INC", cols: taskCols("company", "caller_id")},
	TableCase:     {display: "number", prefix: "CS", cols: taskCols("account", "contact")},
	"sys_user": {display: "name", cols: cols([]string{"user_name", "first_name", "last_name", "name", "email", "phone", "mobile_phone", "active", "roles"},
		map[string]column{"company": {ref: "core_company"}})},
	"core_company":      {display: "name", cols: cols([]string{"name", "customer", "vendor", "manufacturer", "phone", "city", "country"}, nil)},
	"sys_user_group":    {display: "name", cols: cols([]string{"name", "active", "description"}, nil)},
	"sys_user_grmember": {cols: cols(nil, map[string]column{"group": {ref: "sys_user_group"}, "user": {ref: "sys_user"}})},
	"sys_choice":        {display: "label", cols: cols([]string{"name", "element", "value", "label", "sequence", "inactive", "language", "dependent_value"}, nil)},
	"sys_journal_field": {display: "value", cols: cols([]string{"element_id", "name", "element", "value"}, nil)},
	"sys_audit":         {cols: cols([]string{"tablename", "documentkey", "fieldname", "oldvalue", "newvalue", "user", "record_checkpoint"}, nil)},
	"ast_contract": {display: "number", cols: cols([]string{"number", "short_description", "contract_model", "starts", "ends", "state", "active"},
		map[string]column{"vendor": {ref: "core_company"}, "company": {ref: "core_company"}})},
	"cmdb_ci_service": {display: "name", cols: cols([]string{"name", "operational_status"}, nil)},
}

// isTask reports whether table is a ticket table with the state model.
func isTask(table string) bool { return table == TableIncident || table == TableCase }
