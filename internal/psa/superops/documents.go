package superops

import (
	"fmt"
	"strings"
)

// The GraphQL documents the connector sends. Values always travel as
// variables, never spliced into a document, so a document is a constant
// the spec-check test validates against SuperOps' published schema.

// ticketFields is every Ticket field the port needs. client, requester,
// techGroup and customFields are JSON scalars, read whole.
const ticketFields = `fragment TicketFields on Ticket {
  ticketId displayId subject status priority category subcategory
  client requester techGroup customFields updatedTime
}`

const (
	docTest = `query Test {
  getClientList(input: {page: 1, pageSize: 1}) { listInfo { totalCount } }
  getTicketCustomFieldList { columnName label }
}`

	docPicklists = `query Picklists {
  getStatusList { id name }
  getPriorityList { id name }
  getCategoryList { id name subCategories { id name } }
  getTechnicianGroupList { groupId name }
  getClientStageList { stageId name }
  getTicketCustomFieldList { columnName label }
}`

	docRefField = `query RefField {
  getTicketCustomFieldList { columnName label }
}`

	docClients = `query Clients($input: ListInfoInput!) {
  getClientList(input: $input) { clients { accountId name stage status } listInfo { hasMore } }
}`

	docClientUsers = `query ClientUsers($input: GetClientUserListInput!) {
  getClientUserList(input: $input) { userList { userId firstName lastName email client } listInfo { hasMore } }
}`

	docCreateTicket = `mutation CreateTicket($input: CreateTicketInput!) {
  createTicket(input: $input) { ...TicketFields }
}
` + ticketFields

	docTicket = `query Ticket($input: TicketIdentifierInput!) {
  getTicket(input: $input) { ...TicketFields }
}
` + ticketFields

	docTickets = `query Tickets($input: ListInfoInput!) {
  getTicketList(input: $input) { tickets { ...TicketFields } listInfo { hasMore } }
}
` + ticketFields

	docUpdateTicket = `mutation UpdateTicket($input: UpdateTicketInput!) {
  updateTicket(input: $input) { ticketId }
}`

	docCreateNote = `mutation CreateNote($input: CreateNoteInput!) {
  createNote(input: $input) { noteId }
}`

	docNotes = `query Notes($input: TicketIdentifierInput!) {
  getTicketNoteList(input: $input) { noteId content privacyType addedOn }
}`
)

// docTicketsByID reads n tickets in one request: aliases t0..tn-1 of
// getTicket, each with its own variable.
func docTicketsByID(n int) string {
	var vars, fields strings.Builder
	for i := range n {
		if i > 0 {
			vars.WriteString(", ")
		}
		fmt.Fprintf(&vars, "$t%d: TicketIdentifierInput!", i)
		fmt.Fprintf(&fields, "  t%d: getTicket(input: $t%d) { ...TicketFields }\n", i, i)
	}
	return "query TicketsByID(" + vars.String() + ") {\n" + fields.String() + "}\n" + ticketFields
}

// Documents lists every document the connector sends, the batched read
// at sizes 1 and maxBatch.
func Documents() map[string]string {
	return map[string]string{
		"Test": docTest, "Picklists": docPicklists, "RefField": docRefField, "Clients": docClients,
		"ClientUsers": docClientUsers, "CreateTicket": docCreateTicket, "Ticket": docTicket, "Tickets": docTickets,
		"UpdateTicket": docUpdateTicket, "CreateNote": docCreateNote, "Notes": docNotes,
		"TicketsByID/1": docTicketsByID(1), fmt.Sprintf("TicketsByID/%d", maxBatch): docTicketsByID(maxBatch),
	}
}
