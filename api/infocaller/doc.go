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
// 8, 10, 13, 14. Not answered: 9 (end-of-call rule: no rule kind ends a
// call before it is placed), 11 and 12 (Callgate keeps no balance or
// credit).
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
//   - EsperaMax is validated but capacity is judged when the request
//     arrives: a line with Capacity calls under way answers 14 at once
//     instead of queueing the request for up to EsperaMax minutes.
//
// Once the destination answers, core.ScriptRunner runs the rule group's
// script (core/scripts*.go; admin /api/v1/infocaller/scripts): message,
// menu, keypad input into a variable, condition, goto, transfer to a
// queue, end; each step is published on the bus as call.script_step.
// CustVars reach the script as variables, with _NUMINFOCALLER and
// _NUMLLAMADO.
//
// Not yet done (later slices): the informative and interactive webhooks
// (INICIO, FIN, DESVIO…) and their durable outbox, so script steps are not
// yet reported in the document's event types; inbound calls to the line's
// number through the active rule group; script nodes beyond the first
// slice (query, SMS, email, transfer to a number); a message node does not
// wait for its playback to finish before the next node starts.
package infocaller
