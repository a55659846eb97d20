// Package rest is eXpand's REST API (expandweb3), mounted at /expandweb3/api.
//
// Requests carry HTTP Basic of an API user of dialect "expand-rest" (the demo's
// external_user / 1deD9=cf9), checked by the core's credential service:
// constant-time comparison, failures throttled per user and source without
// locking the owner out. Bodies are JSON, bounded by http.max_body.
//
// Done (Dialer module, campaign/external/campaigns):
//   - GET /campaigns (state=Incomplete|Active|Finalized|Stored, order=asc|desc,
//     order_by=id|name) and GET /campaigns/<id>: the core's campaigns with
//     schedule and redial rules. eXpand campaign ids are external ids (entity
//     "campaign", dialect "expand-rest"); a campaign without one answers to its
//     own id.
//   - GET/POST /campaigns/<id>/contacts, GET/PUT /campaigns/<id>/contacts/<id>,
//     GET /campaigns/<id>/contacts/activity: contacts are the core's leads of
//     the campaign (core/campaign_contacts.go), dialed by the core's dialer;
//     statelog, lastattempt and attempttimestamp come from the real calls
//     placed to the lead; state is derived: Canceled (enable=false, the lead
//     is set DISABLED so the dialer skips it), Pending (new or to be retried),
//     Rejected (retry status with every retry used), Completed (any final
//     status). Filters: start, limit, order, order_by, like, state and, on
//     activity, sstimestamp/estimestamp, saddtimestamp/eaddtimestamp (quoted
//     values as in the document's examples are accepted; a bare end date
//     includes that day).
//
// Done (Lists module, external/lists/simple): GET the lists; GET /<name>;
// GET/POST <name>/elements (409 on a duplicate key); GET/PUT/DELETE
// <name>/elements/<key>. The core's simple lists (core/simple_lists.go).
// Routing uses them: a queue whose caller_list names a list (admin API
// /api/v1/queues, field caller_list) sends a caller whose number is a key of
// the list to the element's value before the call is queued: a logged-in
// agent (username, number or extension such as 101 or SIP/101) is offered
// the call alone, a queue name queues it there; an unknown caller, or one
// whose agent is not logged in, stays in the queue (core/caller_lists.go).
// Lists are addressed by name, as the document's examples do (its table says
// "<id lista>"); lists themselves are created by demo data / store, not by
// this API (the document has no create).
//
// Done (pending outgoing calls, external/outgoingcalls/call): GET with
// queue, phone, startdate, enddate, agent, status; POST (queue, phone list or
// one phone, contact, subject, calldate, expiration, agent, link) → 201
// {"callid":n}; GET/PUT /<callid>; DELETE /<callid> = logical cancel ("ok").
// Each is a core callback (core/pending_calls.go) placed by the engine to the
// agent (agent-only) or a free agent of the queue's campaign when due; the
// details live in PendingCallDetail. Statuses: PENDING (ACTIVE/LIVE),
// COMPLETED (DONE), CANCELED (INACTIVE), EXPIRED (still ACTIVE past calldate +
// expiration — the call may still be made, as the document says — or FAILED).
// Invalid queue, agent or date answer 400. PUT or DELETE of a call already
// dialed or closed answers 409.
//
// Done (dynamic forms, external/dynamicforms/<form>/entries[/<idcall>]): the
// core's form values grouped per call (core/form_entries.go), with
// start_date/end_date (ISO 8601 or YYYY-MM-DD) on the saved time.
//
// Missing / approximate:
//   - A queue without a campaign gives its callback the queue's name as
//     campaign; such a callback only reaches its assigned agent.
//   - Forms: _id is a 24-hex id derived from form and call (the original is a
//     MongoDB ObjectId); agent.number is 0 when the agent's number is not
//     numeric; session_id is the call's linked id; keys use underscores (the
//     document's scan shows spaces, e.g. "audio filename").
//   - Form entries GET answers 200 (the document's table says 201 for a GET,
//     which we take for a copy of the POST row).
//   - Contacts and pending calls are filtered in memory over at most 10000
//     rows per campaign / query.
//
// Deliberate differences and choices where the document is silent:
//   - Error bodies: the document gives only 400's {"errrorCode":"Unknown_data_format"}
//     (its spelling kept); other statuses use the same shape with the status'
//     name (Authentication_failure, Resource_not_found, Method_not_allowed,
//     Conflict, Request_entity_too_large, Internal_server_error,
//     Service_unavailable). Never a Go error text.
//   - JSON is compact with keys in the order the document shows them
//     (alphabetical, as eXpand's encoder writes them); statetimestamp appears
//     in list and activity items only, as in the document's examples.
//   - The document's statelog transition "_Source_API_Apl" (the contact's
//     creation) is not emitted: the POST example itself answers an empty
//     statelog, so only call attempts are logged (Answer, NoAnswer, Busy,
//     Failure, Dialing).
//   - The campaign detail's field names (schedule, redial, dialmode) are ours:
//     the document lists what it contains but shows no example.
//   - like matches the name case-insensitively or the phone as a substring;
//     lists read at most 10000 contacts of a campaign.
//   - numcall is stored normalised (digits and a leading +).
package rest
