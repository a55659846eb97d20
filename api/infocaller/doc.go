// Package infocaller speaks Infocaller's emission API (API de Emisión de
// Llamadas, apicall.infoe.es): a POST to /apicall/ with the form variable
// apiCALLjson or apiCALLxml asks for an automatic call from a line; the
// answer is the callRequest document (idcall, Resultado, ResultadoTexto)
// in the request's format.
//
// The adapter decodes the document, checks the wire's own fields
// (idinfocaller digits, fechahora AAAA-MM-DDTHH:MM:SS, EsperaMax 0-300,
// Reintentos 0-4, CustVars names A-Z0-9 up to 15) and calls
// core.Engine.PlaceLineCall, which judges the line (signature, state,
// capacity) and rule group and starts an origination job whose script is
// the rule group's. Core errors map to Resultado in one table (result.go).
//
// Resultado codes answered: 0, -1, -2, -3, -99, -100, 1, 2, 3, 4, 5, 6, 7,
// 8, 10, 11, 12, 13, 14. Not answered: 9 (end-of-call rule: no rule kind
// ends a call before it is placed). 11 (Saldo insuficiente) and 12 (Límite
// de crédito excedido) come from the line's balance when it keeps one
// (balance_on): 11 once the balance is spent and there is no credit
// limit, 12 once the balance is credit_limit below zero.
//
// Deliberate differences from the original, with reason:
//   - Answers are UTF-8 (Content-Type says so; the XML declaration has no
//     encoding, which means UTF-8). Requests may be UTF-8 or ISO-8859-1:
//     form values that are not valid UTF-8 are read as ISO-8859-1, and an
//     XML declaration's encoding (ISO-8859-1, or the document's typo
//     ISO-8559-1) is honoured.
//   - firma = md5(idinfocaller + phone password) over ISO-8859-1 bytes, hex,
//     either case; wrong signatures are throttled per line and client
//     address (core credentials), a right one is never refused.
//   - A malformed JSON document answers -3 "Formato XML no correcto" (the
//     table has no JSON-specific code); a request with neither variable
//     answers -99 in XML. A body over http.max_body answers -3.
//   - fechahora is read in the gateway's local time zone; a moment more
//     than a minute past answers 4.
//   - numtelefono "+CC…" with the line's own country code is dialed as a
//     national number, another country as 00CC…; a national number as is.
//   - EsperaMax: at capacity, a request waits for a free line (rechecked
//     every 10 s on the engine's clock) up to EsperaMax minutes after its
//     start time, then fails (job status failed, cause 34); EsperaMax 0,
//     or 100 requests already waiting, answers 14 at once.
//
// Once the destination answers, core.ScriptRunner runs the rule group's
// script (core/scripts*.go; admin /api/v1/infocaller/scripts): message,
// menu, keypad input into a variable, condition, goto, transfer to a
// queue, end, query (API Interactiva), call to a number or to the number
// held in a variable (bridged; the script goes on after it hangs up),
// sub-script, SMS (core SMS service) and email (smtp.* config). Voice data
// requests and answering-machine detection are refused by the validator
// (no engine backs them). CustVars reach the script as variables, with
// _NUMINFOCALLER and _NUMLLAMADO (and _NUMLLAMANTE on inbound calls).
//
// Every step is published on the bus (call.script_step) and recorded as
// the document's event (core.StepKind: 1 message, 2 call, 4 keypad, 6
// menu, 7 end, 8 goto, 11 email, 12 SMS, 13 sub-script, 14 start and rule
// applied, 16 queue, 17 query, 18 condition, 21 continue after a call).
//
// Inbound calls (core/line_inbound.go): a call to the line's main or
// additional number is judged by the line's active inbound rule group
// before it is answered; its rules match the caller (X hidden, prefixes,
// exact numbers) and weekdays, dates and HH:MM windows (gateway local
// time), and script, end (answer and hang up) or reject (never answered).
// No rule matching: the group's own script; no active group: the ordinary
// DID routing. A line that is off or suspended rejects its calls.
//
// Informative webhooks (webhooks.go, Notifier, run by the gateway): INICIO
// when a script starts on a line's call, DESVIO_CORRECTO / DESVIO_FALLIDO
// when a call node's number answers or not and when an agent takes (or
// never takes) the call a transfer node queued, FIN once the call ended,
// each to the line's start_url, transfer_ok_url, transfer_failed_url,
// end_url (informative_url when empty) with the placeholders filled (any
// letter case, values query-escaped) and POST variable apilinfocaller
// carrying ApiCall in the line's format: UserID with Signature =
// md5(LineNumber + CallSequence + phone password) (CallSequence is the
// call's id, _UUID its GUID), Infocaller (CallSeconds onwards only in FIN),
// Status.Events (only in FIN), CustVars (user variables, sorted by name).
// They go through core.Engine.EnqueueWebhook with OrderKey call-<id>, so
// INICIO is delivered before FIN and a slow, down or broken receiver never
// holds the call (it does hold the later webhooks of the same call: they
// keep their order while the outbox retries it). Interactive queries (query.go, QueryCodec): the node
// posts apiInfocaller (with QueryName) to its url or the line's
// interactive_url through core.Engine.CallWebhook, bounded by the node's
// timeout_sec on the engine's clock; Status.Result 0 merges CustVars
// (Appendix II names and values), anything else, a non-2xx status, a
// malformed answer or the timeout takes the node's else branch. Golden
// bodies: testdata/*.golden.
//
// Deliberate differences in the webhooks, with reason:
//   - Documents are UTF-8 (XML declares it) and the XML root carries the
//     namespace but not the original's encoding=" ISO-8559-1" attribute;
//     the XML Infocaller section uses the JSON names (InboundNumberInt,
//     CallSeconds): the document's XML sample has typos there.
//   - CallerNumberInt is sent on emitted calls only; InboundNumber(Int) is
//     empty on emitted calls, OutboundNumber(Int) on received ones.
//   - CostTX (emitted calls) or CostRX (received calls) on FIN is the
//     line's per-minute rate (rate_tx, rate_rx; 0 by default) times the
//     talk time from answer to end, billed by the second and rounded to
//     six decimals (core/line_billing.go); it is taken from the balance
//     when the call ends. The cost fields of events 2 and 12 stay 0.
//   - Calls a rule ends or rejects run no script and send no webhook.
//   - Query answers are read as JSON or XML by their first character,
//     whatever the line's format.
//
// Not done: scripts (and so their FIN)
// do not survive a gateway restart; with several gateways on one NATS bus
// every gateway's notifier would send each webhook (the notifier should
// run on the leader only); the informative events of a call a script never
// ran on (no INICIO/FIN for rule "end"/"reject").
package infocaller
