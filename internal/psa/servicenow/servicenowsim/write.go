package servicenowsim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// States of the incident and case state models.
var (
	// resolveStates need close_code and close_notes (the data policy).
	resolveStates = map[string][]string{TableIncident: {"6", "7"}, TableCase: {"6", "3"}}
	// closedStates make a record inactive and, for non-admins, read-only.
	closedStates = map[string][]string{TableIncident: {"7", "8"}, TableCase: {"3", "7"}}
	// adminStates may only be set by itil_admin or admin.
	adminStates = map[string]string{TableIncident: "7"}
)

func isIn(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// insert creates a record. Callers hold s.mu.
func (s *Sim) insert(table string, in map[string]string, u User) (record, *writeError) {
	if isTask(table) && !u.hasRole("itil", "sn_customerservice_agent") {
		return nil, &writeError{http.StatusForbidden, msgFailed, "ACL Exception Insert Failed due to security constraints"}
	}
	now := stamp(s.now())
	rec := record{}
	for f := range schemas[table].cols {
		rec[f] = ""
	}
	rec["sys_id"], rec["sys_created_on"], rec["sys_updated_on"] = s.newSysID(), now, now
	rec["sys_created_by"], rec["sys_updated_by"], rec["sys_mod_count"] = u.UserName, u.UserName, "0"
	if isTask(table) {
		prefix := schemas[table].prefix
		s.numbers[prefix]++
		rec["number"] = fmt.Sprintf("%s%07d", prefix, 10000+s.numbers[prefix])
		rec["state"], rec["impact"], rec["urgency"], rec["active"], rec["reopen_count"] = "1", "3", "3", "true", "0"
		rec["opened_at"], rec["opened_by"] = now, u.SysID
	}
	journal := s.apply(table, rec, in)
	if werr := s.taskRules(table, rec, record{}, u); werr != nil {
		return nil, werr
	}
	t := s.tables[table]
	t.rows = append(t.rows, rec)
	t.byID[rec["sys_id"]] = rec
	s.addJournal(table, rec, journal, u)
	return rec, nil
}

// apply copies writable known fields of in onto rec and returns the
// journal entries (comments, work_notes) it carried. sys_* fields are
// read-only and unknown fields ignored.
func (s *Sim) apply(table string, rec record, in map[string]string) map[string]string {
	journal := map[string]string{}
	for k, v := range in {
		col, ok := schemas[table].cols[k]
		switch {
		case !ok || strings.HasPrefix(k, "sys_") || k == "number" || k == "priority":
			// priority is computed from impact and urgency.
		case col.journal:
			if strings.TrimSpace(v) != "" {
				journal[k] = v
			}
		default:
			rec[k] = v
		}
	}
	return journal
}

// modify updates a record. Callers hold s.mu.
func (s *Sim) modify(table, id string, in map[string]string, u User) (record, *writeError) {
	rec := s.tables[table].byID[id]
	if rec == nil {
		return nil, &writeError{http.StatusNotFound, msgNoRecord, detailNoRecord}
	}
	if isTask(table) && !u.hasRole("itil", "sn_customerservice_agent") {
		return nil, &writeError{http.StatusForbidden, msgFailed, "ACL Exception Update Failed due to security constraints"}
	}
	if isTask(table) && !s.opt.WritableClosed && isIn(rec["state"], closedStates[table]) && !u.hasRole("itil_admin") {
		return nil, &writeError{http.StatusForbidden, msgFailed, "ACL Exception Update Failed due to security constraints"}
	}
	next := record{}
	for k, v := range rec {
		next[k] = v
	}
	journal := s.apply(table, next, in)
	// A caller's comment on an incident awaiting the caller puts it back
	// in progress.
	if table == TableIncident && journal["comments"] != "" && next["caller_id"] == u.SysID &&
		next["state"] == "3" && next["hold_reason"] == "1" && in["state"] == "" {
		next["state"], next["hold_reason"] = "2", ""
	}
	if werr := s.taskRules(table, next, rec, u); werr != nil {
		return nil, werr
	}
	changed := s.audit(table, rec, next, u)
	if !changed && len(journal) == 0 {
		return rec, nil
	}
	now := stamp(s.now())
	next["sys_updated_on"], next["sys_updated_by"] = now, u.UserName
	next["sys_mod_count"] = strconv.Itoa(atoi(rec["sys_mod_count"], 0) + 1)
	for k, v := range next {
		rec[k] = v
	}
	s.addJournal(table, rec, journal, u)
	return rec, nil
}

// taskRules applies the state model to a task record about to be
// written: computed priority, the mirrored incident_state, resolution and
// closure stamps, active, the data policies and the ACL on Closed.
func (s *Sim) taskRules(table string, rec, old record, u User) *writeError {
	if !isTask(table) {
		return nil
	}
	if s.opt.StrictChoices {
		for f, col := range schemas[table].cols {
			v := rec[f]
			if col.choice && v != "" && v != old[f] && s.hasChoices(table, f) &&
				s.choice(table, f, func(r record) bool { return r["value"] == v }) == nil {
				return &writeError{http.StatusBadRequest, msgFailed, fmt.Sprintf("Invalid choice value %q for field %s", v, f)}
			}
		}
	}
	impact, urgency := atoi(rec["impact"], 3), atoi(rec["urgency"], 3)
	rec["priority"] = strconv.Itoa(min(max(impact+urgency-1, 1), 5))
	state := rec["state"]
	if table == TableIncident {
		rec["incident_state"] = state
	}
	if state != old["state"] {
		if need := adminStates[table]; need != "" && state == need && !u.hasRole("itil_admin") {
			return &writeError{http.StatusForbidden, msgFailed, "ACL Exception Update Failed due to security constraints"}
		}
	}
	if isIn(state, resolveStates[table]) && (strings.TrimSpace(rec["close_code"]) == "" || strings.TrimSpace(rec["close_notes"]) == "") {
		return &writeError{http.StatusForbidden, msgFailed, detailPolicy}
	}
	if table == TableIncident && state == "3" && s.opt.RequireHoldReason && rec["hold_reason"] == "" {
		return &writeError{http.StatusForbidden, msgFailed, detailHold}
	}
	if state == old["state"] {
		return nil
	}
	now := stamp(s.now())
	if isIn(state, resolveStates[table]) && rec["resolved_at"] == "" {
		rec["resolved_at"], rec["resolved_by"] = now, u.SysID
	}
	if isIn(state, closedStates[table]) {
		rec["closed_at"], rec["closed_by"] = now, u.SysID
	}
	if !isIn(state, resolveStates[table]) && !isIn(state, closedStates[table]) {
		if isIn(old["state"], resolveStates[table]) {
			rec["reopen_count"] = strconv.Itoa(atoi(rec["reopen_count"], 0) + 1)
		}
		rec["resolved_at"], rec["resolved_by"], rec["closed_at"], rec["closed_by"] = "", "", "", ""
	}
	inactive := isIn(state, closedStates[table]) || (s.opt.ResolvedInactive && isIn(state, resolveStates[table]))
	rec["active"] = strconv.FormatBool(!inactive)
	if state != "3" {
		rec["hold_reason"] = ""
	}
	return nil
}

// audit records every changed field of a task in sys_audit and reports
// whether anything changed.
func (s *Sim) audit(table string, old, next record, u User) bool {
	changed := false
	checkpoint := strconv.Itoa(atoi(old["sys_mod_count"], 0) + 1)
	for f := range schemas[table].cols {
		if strings.HasPrefix(f, "sys_") || old[f] == next[f] {
			continue
		}
		changed = true
		if isTask(table) {
			s.append("sys_audit", record{"tablename": table, "documentkey": old["sys_id"], "fieldname": f,
				"oldvalue": old[f], "newvalue": next[f], "user": u.UserName, "record_checkpoint": checkpoint}, u)
		}
	}
	return changed
}

// addJournal keeps journal entries in sys_journal_field.
func (s *Sim) addJournal(table string, rec record, journal map[string]string, u User) {
	for _, el := range []string{"comments", "work_notes"} {
		if v, ok := journal[el]; ok {
			s.append("sys_journal_field", record{"element_id": rec["sys_id"], "name": table, "element": el, "value": v}, u)
		}
	}
}

// append adds a system-written row to table.
func (s *Sim) append(table string, rec record, u User) record {
	now := stamp(s.now())
	rec["sys_id"], rec["sys_created_on"], rec["sys_updated_on"] = s.newSysID(), now, now
	rec["sys_created_by"], rec["sys_updated_by"], rec["sys_mod_count"] = u.UserName, u.UserName, "0"
	t := s.tables[table]
	t.rows = append(t.rows, rec)
	t.byID[rec["sys_id"]] = rec
	return rec
}

// autoClose closes incidents resolved longer than Options.AutoClose ago,
// as the instance's auto-close job does. Callers hold s.mu.
func (s *Sim) autoClose() {
	if s.opt.AutoClose <= 0 {
		return
	}
	now := s.now()
	system := User{UserName: "system"}
	for _, rec := range s.tables[TableIncident].rows {
		at, err := time.Parse(DateTime, rec["resolved_at"])
		if rec["state"] != "6" || err != nil || now.Sub(at) < s.opt.AutoClose {
			continue
		}
		next := record{}
		for k, v := range rec {
			next[k] = v
		}
		next["state"], next["incident_state"], next["active"] = "7", "7", "false"
		next["closed_at"] = stamp(now)
		s.audit(TableIncident, rec, next, system)
		next["sys_updated_on"], next["sys_updated_by"] = stamp(now), "system"
		next["sys_mod_count"] = strconv.Itoa(atoi(rec["sys_mod_count"], 0) + 1)
		for k, v := range next {
			rec[k] = v
		}
	}
}
