// Package soap is the wire layer of eXpand's apiws.php SOAP dialect
// (http://HOST/apiws/2/apiws.php and /apiws/1/apiws.php, WSDL at ?wsdl):
// a request decoder, a response and fault encoder that reproduce NuSOAP's
// bytes, an http.Handler over an Operations interface, and EngineOps, the
// Operations that act on the core engine (engine.go, ops_*.go), mounted by
// cmd/gateway at both legacy paths.
//
// # Operations on the engine
//
// authorizedKey: each key is a core.APIUser row with Dialect "expand",
// Username the hex SHA-256 of the key (core.KeyName; an index lookup) and Secret
// the key itself, hashed by the store and checked with
// Credentials().Verify (constant time, cached); Description names the
// application. Create them with the admin API (POST /api/v1/apikeys
// {"dialect":"expand","description":"CRM"} answers a new random key once;
// a "key" of your own is accepted too), list and deactivate them as
// /api/v1/apiusers rows. An unknown, inactive or empty key answers -1 in the
// operation's type: xsd:string "-1", xsd:int -1, xsd:boolean false. An
// unknown key costs no slow hash (finding its row needs the key itself, so
// timing tells nothing). A store failure is a Server fault, never -1.
//
// Done, each acting on the engine:
//
//   - originateCall: a core origination job (ring src, then dst; names,
//     timeout capped at 300 s, callinfo "k=v,k=v" stored as the call's
//     attributes; a piece without "=" is kept under "callinfo"); answers
//     the 8-hex job id. An invalid request (no dst) is a Client fault with
//     the engine's reason; an unreachable PBX a Server fault.
//
//   - originateCallStatus: 1 RINGING (scheduled, ringing source or
//     destination), 2 ANSWER, 3 HUNGUP (and canceled), 4 BUSY, 5 NO
//     ANSWER, 6 CONGESTION (failed, lost in a restart), 7 OFFHOOK, 0 for an
//     unknown id or one that ended longer ago than the keep time.
//
//   - originateCallCancel: 1 canceled, 0 unknown or already ended.
//
//   - extensionPbx: the provisioned phones (core.Phone), then agent
//     endpoints no phone covers; calleridName is the phone's name, else
//     the agent's, else the number.
//
//   - loginAgent (the extension is a phone's number, an agent endpoint's
//     number, or "SIP/803" as written), logoutAgent (an agent on a call is
//     logged out when it ends; TRUE), pauseAgent (pauseDTMF is a pause
//     code or a pause name in any case; empty: a pause without reason),
//     unpauseAgent. FALSE whenever the engine refused (unknown agent or
//     extension or pause, already logged in, not logged in, not paused).
//
//   - getAgentLoggedInfo ("0" when not logged in, -2 empty username),
//     getUserByAgent ("" when none, -2), getUserInfo ("" when none, -2);
//     -3 when the store could not answer.
//
//   - cdrData by uniqueid, or by period inicio..fin ("YYYY-MM-DD
//     HH:MM:SS", or a bare date; fin inclusive; at most 10000 calls).
//
//   - recordingPbx: the call's last recording as MP3 (core recording
//     media), base64; -1 unknown uniqueid, 0 no recording or no audio
//     stored (or media not configured, or over 32 MiB).
//
//   - statusQueues: the panel from live engine state and today's queue log.
//
//   - sendSms through the core's SMS jobs (PBX message routing): the job
//     id > 0 once every recipient (space or comma separated) was handed to
//     the PBX; -2 over sms.per_second; 0 for a text over 160 characters, no
//     or a bad recipient, or a PBX refusal (the job is then ERROR). msgId
//     is not used (the document says external systems send 0).
//
//   - statusSms: PENDING, SENT, ERROR, DRAFT, or "" for an unknown id.
//
//   - getAgentLogin: each extension's channel, the agent logged in at it
//     and its queues (login time, pause name); -4 no extension, -5 one is
//     neither a phone nor an agent endpoint (the document leaves that code
//     unnumbered), -2 over 1000 extensions, -3 store failure. As in the
//     document's example the answer has no XML declaration.
//
//   - queueData: the queue log of Cola between FechaInicio and FechaFin
//     (inclusive to the second), the queue's rows and its members' login,
//     logout, pause and unpause rows, as ENTERQUEUE, RINGING, CONNECT,
//     NOANSWER, CONGESTION (a refused ring), COMPLETECALLER,
//     COMPLETEAGENT, COMPLETETRANSFER (talksec empty: the transfer row has
//     no talk time), ABANDON, DIALOUT, LOGIN, LOGOUT, PAUSE (cause: the
//     pause name), UNPAUSE; hold, wrap-up and disposition rows are left
//     out, DIALOUTEND is not produced. Agente is an agent number (or a
//     username). At most 20000 rows. The document gives queueData no
//     authorizedKey, so it is served without one, as eXpand does: an
//     operator who does not want queue activity readable without a key
//     must keep apiws.php off untrusted networks.
//
//   - getAgentTimes: per agent, loged (seconds of the sessions that ended
//     in the period) and paused (seconds of the pauses that ended in it),
//     with the agent's queues; agente is a username, cola a queue the
//     agent belongs to; codes -3 … -10 as the document lists them.
//
//   - agentSessionDetail: the login-logout sessions that started and ended
//     in the period, with their pauses (type is the pause name), per agent
//     and per queue of the agent (sessions are agent-wide, so each queue
//     repeats them); durations are always in a "duration" attribute (the
//     document's second example writes "time"); -2 store failure, -3/-4
//     bad dates, -5 unknown queue, -6 unknown user.
//
//   - agentData: per agent with rows in Cola's activity (see queueData):
//     logueado (sessions ended in the period), pausado, hablado (talk of
//     completed and transferred queue calls), promedio (hablado /
//     atendidas, promedioSeg printed as PHP prints a float), disponible
//     (logueado - pausado - hablado, at least 0), atendidas (CONNECT),
//     perdidas (ring no answer), presentadas (RINGING), salientes
//     (DIALOUT rows logged under the queue's name), entrantes (= atendidas),
//     entrantesTransferidas, atendidasCortas (talk under 10 s),
//     promedioEntranteYSaliente. habladoSaliente is 0: outbound talk is not
//     attributed to a queue. No authorizedKey, as the document has none.
//
//   - cdrCustom: the calls of the period with id, uniqueid, src, dnis (the
//     dialed number), context (queue, else campaign, else direction),
//     calldate, duration; ESTADO and OBSERVACIONES are per-installation in
//     eXpand: here estado is the final state (ANSWERED, NO ANSWER, BUSY,
//     FAILED) and observaciones the call's status (disposition). Wrapped in
//     <cdr> like cdrData (the document's example shows bare <call>s).
//
// All 22 operations are implemented (TestEveryOperationIsImplemented); an
// operation added to the table without one answers a SOAP Server fault
// "operation not available yet", never a canned success.
//
// Approximations, by design of the engine: a pause is agent-wide, so the
// queues list of pauseAgent/unpauseAgent is checked (each must be one of
// the agent's queues, else FALSE) and then means every queue. cdrData's
// channel, dstchannel, lastapp and lastdata are empty (the engine keeps no
// dialplan trace); dcontext is the call's queue, else its campaign, else
// its direction; clid is the source number, or "Name" <number> when the
// customer's backend named the caller (getCallerIDName, package
// api/expand/backend), whose name is also qcalls' calleridname (empty for
// an unnamed caller). statusQueues: status is
// offline, waiting, ringing, busy, wrapup or busyout (paused);
// lastcongestion and warning are 0; abandoned and counterabn are today's
// abandoned calls, completed today's completed ones, counterans today's
// answered ones, ratio the abandoned percentage; the counters' element is
// read as <gstatus> (the document's OCR shows <gstatus> … </qgstatus>).
//
// # What real clients send
//
// The legacy server is, by every sign, NuSOAP with register()'s defaults:
// SOAP 1.1 rpc/encoded (../shared/reference/expand-soap/research.md). The
// only public caller (a PHP CRM) uses ext/soap SoapClient in WSDL mode with
// positional arguments, $client->sendSms($key, $id, $data, $recip), which
// works only against an rpc binding. Captured requests
// (testdata/captures, replayed by the tests) show the shapes to accept:
//
//   - PHP SoapClient, WSDL mode: <ns1:op> in the WSDL namespace, parts by
//     name with xsi:type, encodingStyle on the Envelope, UTF-8.
//   - PHP SoapClient without a WSDL: parts named param0..paramN.
//   - PHP SoapClient against a NuSOAP WSDL with namespace="": xmlns:ns1="".
//   - The NuSOAP client: declares ISO-8859-1 but sends UTF-8 bytes.
//   - node-soap: tns: prefix, unqualified parts, no xsi:type, no
//     encodingStyle.
//   - zeep and gowsdl: doc/lit from the doc/lit WSDL (gowsdl omits every
//     empty or zero field).
//
// Real clients run against the gateway: PHP 8.2's SoapClient on every
// build (cmd/gateway TestPHPSoapClientCallsTheExpandAPI: WSDL mode with
// __soapCall and method calls, no-WSDL mode with named SoapParams, faults);
// node-soap (npm soap) was run by hand on 2026-12-04 against the demo
// (getUserInfo, loginAgent, originateCall, a wrong key, an unknown user)
// and decoded the same values; it is not in the suite because installing
// it needs the npm registry at test time.
//
// # What the codec accepts
//
// Any envelope prefixes; SOAP 1.1 and 1.2 envelopes (always answered in
// 1.1, as PHP tolerates); Header skipped; the operation is the Body's first
// element in any namespace (or none), or, for an empty Body, the last "#"
// or "/" segment of SOAPAction, which is otherwise ignored (any, quoted or
// absent). Parts bind by name when every name is a declared part (letter
// case ignored), else by position, as NuSOAP's call_user_func_array does;
// xsi:type is recorded but not enforced except that xsd:int parts must hold
// an integer; xsi:nil counts as absent; an argument whose children are all
// scalars (a SOAP-ENC:Array from PHP without a WSDL) is read as its items
// joined with ",". ISO-8859-1 and every ASCII-compatible charset x/net
// knows, from the XML declaration or else the Content-Type; a body that is
// valid UTF-8 is read as UTF-8 whatever it declares (the NuSOAP client
// case). Limits (Limits, DefaultLimits): body 1 MiB, depth 32, 2000
// elements. No DTD; encoding/xml never expands entities.
//
// The answer copies the request's style: rpc/encoded unless the body has
// no encoding marks (encodingStyle, xsi:type) and SOAPAction is one of the
// doc/lit WSDL's (DocLitActionPrefix). rpc/encoded answers are NuSOAP
// 0.9.x's bytes (tests compare them with captured NuSOAP responses):
// encodingStyle on the Envelope, its four namespaces, no newline after the
// XML declaration, <ns1:{op}Response xmlns:ns1="{request namespace}">
// (unqualified when the request had none), <return xsi:type="xsd:…">, text
// escaped as expandEntities does (only & ' " < >; CR, LF, TAB raw).
// Doc/lit answers drop encodingStyle and xsi:type and always qualify the
// wrapper (urn:apiws when the request had no namespace). Faults are HTTP
// 500 with nusoap_fault::serialize()'s bytes: faultcode, faultactor,
// faultstring, detail, each an encoded xsd:string. Business errors (a wrong
// key: -1) are normal answers, never faults.
//
// # Deliberate differences from NuSOAP
//
//   - Responses are always UTF-8 (Content-Type: text/xml; charset=UTF-8),
//     byte-identical to a NuSOAP set to UTF-8; a default NuSOAP declares
//     ISO-8859-1 (identical for ASCII). Production's charset behaviour for
//     non-ASCII data is still unknown (research §4.4, §6).
//   - No Server, X-SOAP-Server or X-Powered-By headers: the last is PHP's,
//     and none is something clients read.
//   - Missing required parts, surplus arguments and non-integer xsd:int
//     parts are SOAP-ENV:Client faults; NuSOAP on PHP 8 crashes with a 500
//     or passes nulls. Optional parts (the document's [..] and "vacío si")
//     may be absent. A positional PHP call made against the doc/lit WSDL
//     thus fails with "missing parameter" instead of answering -1.
//   - Part names bind case-insensitively; operation names stay exact.
//   - Characters XML 1.0 cannot carry and invalid UTF-8 in results become
//     U+FFFD instead of producing unparseable XML.
//   - A plain GET (no ?wsdl) answers 405, not NuSOAP's HTML service page;
//     ?wsdl in any letter case; ?wsdl=doclit serves the doc/lit WSDL.
//   - Multi-reference (href) values and values nested deeper than an array
//     are refused with a fault; apiws parts are all scalars.
//   - Operation errors other than a *Fault become a generic Server fault;
//     the error text is logged, never sent.
//
// # Not settled (needs the production WSDL)
//
// The namespace (urn:apiws) and soapActions (urn:apiws#op) follow the
// NuSOAP tutorial convention the research's reference server uses; the
// part names, order and xsd types follow the document (ops.go notes each
// reading). queueData and agentData have no authorizedKey, as written.
package soap
