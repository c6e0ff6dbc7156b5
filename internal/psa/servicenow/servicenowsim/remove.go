package servicenowsim

// DeleteRecord removes a record of table (an incident, say) and its
// journal entries without a request, as an admin does in ServiceNow's
// own screens, so tests can show what a ticket gone from under an
// integration does. It reports false for an unknown record.
func (s *Sim) DeleteRecord(table, sysID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[table]
	if t == nil || t.byID[sysID] == nil {
		return false
	}
	s.dropRows(table, func(r record) bool { return r["sys_id"] == sysID })
	s.dropRows("sys_journal_field", func(r record) bool { return r["element_id"] == sysID })
	return true
}

// dropRows removes the rows of table that match. Callers hold s.mu.
func (s *Sim) dropRows(table string, match func(record) bool) {
	t := s.tables[table]
	kept := t.rows[:0]
	for _, r := range t.rows {
		if match(r) {
			delete(t.byID, r["sys_id"])
			continue
		}
		kept = append(kept, r)
	}
	t.rows = kept
}

// RenameGroup renames an assignment group (the queue tickets go to), as
// an admin does in ServiceNow's own screens, so tests can show settings
// drifting from the PSA. It reports false when no group is called from.
func (s *Sim) RenameGroup(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.tables["sys_user_group"].rows {
		if r["name"] == from {
			r["name"] = to
			return true
		}
	}
	return false
}
