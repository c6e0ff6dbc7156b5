// Package connectwisesim is an in-memory ConnectWise PSA (Manage) tenant
// that speaks the REST API 3.0 wire protocol over real HTTP, so the
// ConnectWise connector can be tested end to end without a live tenant.
//
// It reproduces what clients depend on: codebase discovery at
// GET /login/companyinfo/{company} (an object, or null for an unknown
// company); the API mounted under /v4_6_release/apis/3.0/ and under the
// advertised codebase; Basic authentication as company+publicKey:privateKey
// plus the mandatory clientId header (401 {"code":"Unauthorized",...});
// collections as bare JSON arrays with conditions, childConditions,
// customFieldConditions, orderBy, fields, page/pageSize with Link headers,
// forward-only paging and /count; POST 201 with the full object, JSON-Patch
// PATCH, PUT and DELETE; validation errors as 400
// {"code":"InvalidObject","message":...,"errors":[{code,message,resource,field}]}
// and 404 {"code":"NotFound","message":"Ticket N not found"}; ticket side
// effects (initialDescription becomes the first Discussion note,
// _info.lastUpdated, closedFlag from closed statuses); agreements with
// additions; time entries on tickets; and callbacks with signed
// deliveries.
//
// Start one with
//
//	sim := connectwisesim.New(connectwisesim.Options{})
//	srv := httptest.NewServer(sim)
//	defer srv.Close()
//	defer sim.Close()
//
// and point a client at srv.URL + "/v4_6_release/apis/3.0/" with
// Authorization Basic base64(CompanyID+"+"+PublicKey+":"+PrivateKey) of
// sim.Members()[0] and the header clientId: sim.ClientID().
//
// Seeded data (login company "msptest"; members 150 ticketbridge, the API
// member, and 151 jtech, a technician):
//
//	companies 250 Default Account, 251 Acme Corp, 252 Globex Corporation,
//	  253 Initech (type Client), 254 Umbrella Prospect (type Prospect),
//	  255 Old Corp (status Inactive, which disallows saving tickets);
//	  company types 1 Client, 2 Prospect, 3 Vendor; statuses 1 Active,
//	  2 Inactive; one "Main" site per company, id 1000+(company-250)
//	contacts 30 Default Contact (250) default.contact@msp.example,
//	  31 Jane Doe (251) jane@acme.example, 32 Acme Helpdesk (251)
//	  helpdesk@acme.example, 33 Hank Scorpio (252) hank@globex.example,
//	  34 Bill Lumbergh (253) bill@initech.example, 35 Former Employee
//	  (251, inactive) former@acme.example
//	boards 1 Security, 2 Service Desk, 3 Monitoring Alert, 4 Retired Board
//	  (inactive); board b has statuses b*10+1 New (default), +2 In Progress,
//	  +3 Waiting Customer, +4 Completed (closed), +5 Closed (closed), and
//	  Security also 16 Escalated; board 4 has 41 New, 42 Closed (closed)
//	types on board b: b*100+1 Security Incident, +2 Account Security,
//	  +3 Data Loss, +4 Malware; subtypes b*100+11 Suspicious Sign-in and
//	  +12 MFA Failure (Account Security), +13 Excessive Download and
//	  +14 Excessive Upload (Data Loss), +15 Ransomware (Malware),
//	  +16 Phishing and +17 Other (Security Incident); items b*100+21
//	  Endpoint, +22 User Account, +23 Mailbox, valid per the board's
//	  typeSubTypeItemAssociations; team 70+b "Tier 1" on each board
//	priorities 4 Priority 1 - Critical, 15 Priority 2 - High,
//	  8 Priority 3 - Medium (default), 7 Priority 4 - Low
//	sources 1 Phone, 2 Email, 6 Monitoring Alert
//	catalog 700 MDR-USER, 701 EDR-DEVICE; agreement type 1 Managed Security
//	agreements 500 Acme MDR (251) with addition 600 (MDR-USER, quantity 25),
//	  501 Globex MDR (252) with addition 601 (MDR-USER, quantity 40)
//
// New tickets are numbered from 1001, notes from 5001, time entries
// (time/entries, charged to a ticket with chargeToType ServiceTicket and
// chargeToId) from 9001. A ticket without a
// board lands on board 2 Service Desk; without a status, on the board's
// default status; without a priority, on 8 Priority 3 - Medium. The stable
// external reference of a ticket is its externalXRef field, filterable as
// conditions=externalXRef="...".
//
// Behaviours the reference notes leave unverified (oversized pages, board
// moves, flagless notes, throttling, the callback key encoding) are
// Options switches.
package connectwisesim
