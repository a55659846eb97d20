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
// Deliberate differences from api.php:
//   - "Invalid Username/Password" never echoes the password or SQL: the
//     fields stay, empty (|user||auth|auth_api|BAD|0|api||).
//   - The agent screen's later writes to vicidial_live_agents are Callgate's
//     own: after recording START the column holds the real recording id.
//   - Not modelled: cross-cluster (CCC) fronter commands, vtiger callbacks,
//     the user-group campaign restrictions of send_notification,
//     format=debug, non-latin input, translations (_QXZ).
package vicidial
