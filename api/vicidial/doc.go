// Package vicidial serves VICIdial's agent API (/agc/api.php, api.php
// 2.14-82) over the Callgate engine.
//
// Requests are read and answered as api.php does: variables from GET then
// POST, api.php's input filters (params.go), its processing order (version
// and coffee, source, credentials, the system API switch, then per function
// validation, permission, alt_user, logged-in check), its response bytes and
// its vicidial_api_log rows (core.APILogEntry, dialect "vicidial").
//
// Where api.php only queues a command for the agent's browser, the command
// is carried out by the core at once: hangup, disposition and callbacks,
// pause and resume, logout, manual dial (the lead is found or created like
// the agent screen does), transfers and 3-way calls, park and grab, DTMF,
// recording, audio playback, in-group selection. Commands that need a state
// the agent is not in answer as VICIdial does and are logged no-ops.
// Screen-only commands (refresh_panel, set_timer_action, send_notification,
// webphone_url, update_fields, vm_message, switch_lead) become stored
// agent-screen commands published on the bus (engine SendScreen).
//
// Where api.php reads columns the agent screen keeps, the adapter keeps
// the same state: the lead stays on the agent's screen after a call (and
// after a transfer away) until a status is given, as on VICIdial's
// disposition screen; external_dial preview=YES puts the lead on the
// screen undialed until preview_dial_action; closer_campaigns keeps the
// login screen's order and change_ingroups edits it as a list; a call id
// ra_call_control acted on is no longer found. Agents without an API user
// row authenticate with their agent password (auth 1, GOOD) and fail on
// the API access flag, as users without vdc_agent_api_access do.
//
// These answers were checked against the real api.php 2.14-82 (Apache,
// MariaDB, data equivalent to pkg/demo): the same request sequence gives
// the same bodies, epochs and ids aside.
//
// Deliberate differences from api.php:
//   - "Invalid Username/Password" never echoes the password or SQL: the
//     fields stay, empty (|user||auth|auth_api|BAD|0|api||).
//   - The agent screen's later writes to vicidial_live_agents are Callgate's
//     own: after recording START the column holds the real recording id.
//   - Not modelled: cross-cluster (CCC) fronter commands, vtiger callbacks,
//     the user-group campaign restrictions of send_notification,
//     format=debug, non-latin input, translations (_QXZ). Array variables
//     (value[]=x) print as "Array" and end in PHP's fatal error (HTTP 500,
//     empty body) where api.php measures them; user[] or pass[] count no
//     failed login.
//   - A request body over Options.MaxBody (http.max_body, 1 MiB by
//     default), whatever its content type, declared or chunked, is answered
//     HTTP 413 with api.php's headers and "ERROR: request too large -
//     {limit in bytes}", and no API log row; api.php would cut the body at
//     post_max_size and run on an empty $_POST. Multipart file parts
//     ($_FILES, never read by api.php) are skipped unstored: no temporary
//     file is ever written.
//   - function=webserver reports Callgate's own runtime (Go version, no
//     Apache, the recommended VICIdial php.ini limits) where PHP reports
//     the host's PHP and Apache.
package vicidial
