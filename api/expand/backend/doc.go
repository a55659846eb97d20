// Package backend is eXpand's side of the webservices a customer's backend
// (CRM, ERP) implements — the document's "Webservices externos":
// getCallerIDName, pushAgentInfo and IVRCode, REST or SOAP by
// configuration. cmd/gateway installs it on the engine and starts it.
//
// Configuration: eXpand dialect settings, system scope, read on every
// request (change them live at /api/v1/settings/expand):
//
//	backend_url             SOAP endpoint, or REST base URL; empty: no backend
//	backend_protocol        rest (default) or soap
//	backend_soap_namespace  namespace of the SOAP operations (urn:expand-backend)
//	backend_user            HTTP Basic user (empty: none)
//	backend_password        HTTP Basic password, sealed at rest, listed as ********
//	backend_timeout_ms      one request's time limit (1500)
//	backend_cache_ttl       seconds a caller name is reused (300; 0: never)
//	backend_getcalleridname Y/N, backend_pushagentinfo Y/N, backend_ivrcode Y/N
//
// Done:
//   - getCallerIDName(callerIdNum): the core's CallerNameLookup port
//     (core/caller_names.go). Every inbound call, and every call a script
//     transfers to a queue, is named before it enters the queue; the core
//     waits outside its lock for at most its bound (Options.CallerNameBound,
//     2 s, on the engine clock) and queues the call without a name after
//     that, whatever backend_timeout_ms says. Answers are cached by the core
//     for backend_cache_ttl (late answers too). The name is the call's
//     caller_name: agents' events, every dialect's view of the call (the
//     Call record), and the CDR. Sent with Engine.CallWebhook (one attempt,
//     in the outbox's delivery log).
//   - pushAgentInfo(uniqueid, queuename, callerid, agentchan, ivrdata): when
//     an agent is linked to a call a queue gave it (core.AgentLinked with a
//     queue), enqueued in the durable outbox (Engine.EnqueueWebhook: stored
//     first, retried with backoff, in order per call, delivered after a
//     restart). callerid is "Name <number>" (the number as name when the
//     backend gave none, as Asterisk shows it); agentchan the extension the
//     agent logged in with ("SIP/107"); ivrdata the call's IVR data.
//   - IVRCode(UniqueID, callerIdNum, IVRCode, IVRData): the core's
//     IVRCodeReporter port (core/ivr_codes.go), asked when a call script
//     reaches a node with "ivr_code"; the string it returns is appended to
//     the call's IVR data as the document says. Without a backend (or with
//     backend_ivrcode N) the code itself is appended, "|"-separated.
//
// Wire (golden files in testdata/):
//   - REST: POST <backend_url>/<method>, application/x-www-form-urlencoded,
//     the parameters in the document's order and spelling; the answer is the
//     2xx body (trimmed; a JSON string is decoded). Any other status fails.
//   - SOAP: POST <backend_url>, SOAP 1.1 rpc/encoded as NuSOAP (eXpand's own
//     PHP client) writes it: operation element ns1:<method> in
//     backend_soap_namespace, xsd:string parts, SOAPAction
//     "<namespace>#<method>"; the answer is the first part of the Body's
//     response element, whatever its name or prefix, in UTF-8 or ISO-8859-1;
//     a SOAP fault fails.
//
// Deliberate differences and choices where the document is silent:
//   - The document only "suggests" these interfaces; the REST form, the URL
//     shape and the SOAP namespace are ours (configurable namespace).
//   - IVRCode is a synchronous query (its answer is needed), not an outbox
//     message; a failed or late one adds nothing and the script goes on.
//   - pushAgentInfo's boolean answer is not read: any 2xx is delivered.
//
// Caller lists (core/caller_lists.go): a queue whose caller_list names a
// simple list sends a listed caller to the agent the element names, when
// that agent is free; the call then waits in the engine's one-agent queue
// "agent:<username>", which is also the queuename pushAgentInfo reports
// and the queue the call's records show (the routed queue is not kept).
//
// Missing: with several gateways on a shared bus every gateway would enqueue
// pushAgentInfo (no leader check yet); events missed while a gateway is down
// (before the message is enqueued) are not pushed.
package backend
