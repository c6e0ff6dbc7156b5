// Package halopsasim is an http.Handler speaking HaloPSA's REST API
// (HaloITSM / HaloPSA / HaloServiceDesk) as the reference notes in
// psa-apis/halopsa.md describe it, over real HTTP:
//
//   - GET /api/authinfo names the authorisation server; POST /auth/token
//     issues expiring bearer tokens for the client-credentials grant
//     (form-encoded, optional ?tenant=) and answers a bad client with 401
//     {"error":"invalid_client"}. Scopes are checked per call (read:x,
//     edit:x, all).
//   - Every /api/* call needs a live bearer token (401 otherwise); paths
//     are case-insensitive.
//   - Big lists answer {"record_count":n,"<plural>":[…]} with Halo's
//     pageinate/page_size/page_no paging (page_size capped at 100), count,
//     order/orderdesc, search and the entity filters the integration
//     uses; small lookup lists (Status, TicketType, Priority, Outcome,
//     Category) answer bare arrays.
//   - Writes are array-body POST upserts: an element without id creates,
//     one with id updates only the fields it carries; one element answers
//     the saved object, several an array. DELETE /api/{Entity}/{id}.
//   - Unknown tickettype_id, status_id, priority_id, client_id, user_id,
//     outcome_id and team, a missing summary and a ticket type's mandatory
//     fields answer 400 with a message; missing records 404.
//   - Actions bump the ticket's last_update and lastactiondate, new_status
//     changes its status, hiddenfromuser makes a private note; who_type is
//     0 for agents.
//   - One rolling request window per tenant (default 300 per 5 minutes,
//     token and authinfo calls included) answers 429 with Halo's
//     "Rate Limit Reached" text.
//   - Outbound webhooks (POST /api/Webhook) with Basic, Bearer or API-key
//     authentication, event filters, payload modes and optional batching,
//     each delivery logged at /api/WebhookEvent.
//
// Where the notes mark behaviour unverified, Options makes it a choice
// rather than a guess baked in (see Options).
package halopsasim
