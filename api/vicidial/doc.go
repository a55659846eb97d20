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
// recording, audio playback, in-group selection. Because the action happens
// at once, an action the engine refuses is never answered SUCCESS: the
// answer is the function's nearest api.php ERROR line (below).
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
// row are checked with their agent password and fail on the API access
// flag, as users without vdc_agent_api_access do (with the common refusal
// line below).
//
// VICIdial's system and campaign settings the API reads are data (core
// settings, settings.go), edited through the admin API at
// /api/v1/settings/vicidial and /api/v1/settings/vicidial/campaigns/{name},
// with VICIdial's defaults: vdc_agent_api_active (0: the API answers "System
// API NOT ACTIVE" until it is switched on), agent_notifications (0),
// outbound_cid_any (DISABLED), webphone_url (the URL vicidial_session_data
// would hold; {user}, {extension}, {session} are replaced), group_aliases
// (the groups_alias table as ALIAS=caller_id pairs), and per campaign
// api_manual_dial (STANDARD; QUEUE queues numbers for a busy agent),
// manual_preview_dial, alt_number_dialing, agent_lead_search,
// manual_dial_list_id (998), default_xfer_group (---NONE---),
// use_other_campaign_dnc and campaign_allow_inbound (N). server_ip stays
// configuration (vicidial.server_ip). The demo data switches the API and
// notifications on and sets TESTCAMP's inbound, transfer group and list so
// the vendor document's examples work.
//
// These answers were checked against the real api.php 2.14-82 (Apache,
// MariaDB, data equivalent to pkg/demo): the same request sequence gives
// the same bodies, epochs and ids aside.
//
// Deliberate differences from api.php:
//   - "Invalid Username/Password" reveals nothing api.php's does not have
//     to: one line for an unknown, inactive or level-0 user, a wrong
//     password, a missing vdc_agent_api_access and an agent's right password
//     without API access (api.php's |1|0|GOOD| confirms the password):
//     |{user}||0|0|BAD|0|api||. Its fields: user as sent (the client knows
//     it); pass always empty (api.php echoes it); auth 0; auth_api 0
//     whatever the user's flag; auth_message BAD, then api.php's failed
//     count 0 and "api", and an empty SQL field (api.php prints its query,
//     password included).
//   - Failed logins count per (user, client address), not per user: after
//     three failures from an address that user's next attempt from it must
//     wait 1s, doubling per failure up to 15 min (api.php locks the user
//     from every address for 15 min after 10). Inside the delay the answer
//     is |{user}||0|0|LOCK| and the password is not checked; other addresses
//     are not affected, and a right password after the delay clears the
//     count. Twenty failures across users from one address within an hour
//     delay that address likewise. IPBLOCK is not produced.
//   - ERRSERVERS (|{user}||0|1|ERRSERVERS|, no PBX connected) is only
//     answered once the credentials and the API flag are accepted.
//   - The agent screen's later writes to vicidial_live_agents are Callgate's
//     own: after recording START the column holds the real recording id.
//   - vtiger_callback=YES on a number starting 99 dials the number without
//     the prefix, as api.php does with enable_vtiger_integration off (its
//     default); the vtiger CRM lookup behind that setting is not modelled.
//   - In-groups have no settings of their own: DEFAULTINGROUP reads the
//     default_xfer_group of the call's campaign (of its in-group's campaign
//     for an inbound call), where VICIdial reads the in-group's.
//   - Call ids are VICIdial's (Y inbound, M manual, V auto-dialed, then
//     date("mdHis") cut to nine digits, then the lead id in ten digits). A
//     call with no lead carries its own number instead of the lead id; a
//     second call to the same lead in the same second takes the next free
//     second, because an id must name one call (VICIdial repeats the id).
//   - Not modelled: cross-cluster (CCC) fronter commands,
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
//   - An action the engine refused answers an ERROR line where api.php,
//     which only queues it for the agent screen, answers SUCCESS. The one
//     table is refusals.go; engine error (core code or sentinel) → line:
//     any function, agent logged out meanwhile (ErrNotLoggedIn,
//     ErrUnknownAgent) → "agent_user is not logged in"; then per function:
//     external_hangup: any → "agent_user does not have a live call";
//     external_status: no call (ErrNoCall, ErrCallNotFound) → "agent_user
//     does not have a live call", ErrUnknownLead → "agent_user does not
//     have a lead on their screen", other (store EINTERNAL, EINVALID) →
//     "external_status not valid";
//     external_pause: ErrNotPaused → "external_pause agent is not paused",
//     other → "external_pause not valid";
//     logout: any → "logout not valid";
//     recording: STOP with ErrNotRecording → "stop recording error", START
//     with no call → a persistent agent's own line (its conference) is
//     recorded, as VICIdial records the agent's conference (the line's
//     own audio: it is a channel recording, not a conference mix, and it
//     is not resumed after a gateway restart); an on-hook
//     agent has no line between calls and gets "agent_user does not have a
//     live call" (ErrNoCall), other → "recording not valid";
//     audio_playback: PLAY with no call plays to a persistent agent's own
//     line; an on-hook agent gets "audio_playback error - no session
//     data", ErrNoPlayback → "audio_playback error - no audio playing in
//     agent session", other → "audio_playback error - entry is empty";
//     external_dial: ErrUnknownLead → "lead_id is not valid", ErrDNC or
//     EINVALID → "phone number is not valid", other ECONFLICT (ErrBusy…) →
//     "agent_user is not paused", EUNAVAILABLE/EINTERNAL → "external_dial
//     not valid";
//     preview_dial_action: no undialed lead or ENOTFOUND → "agent_user does
//     not have a lead on their screen", ECONFLICT → "agent_user is not
//     paused", other → "preview_dial_action not valid";
//     change_ingroups: ErrUnknownQueue → "ingroup does not exist", other →
//     "change_ingroups not valid";
//     update_fields: ENOTFOUND → "agent_user does not have a lead on their
//     screen", other → "agent_user not valid";
//     refresh_panel: any → "agent_user not valid"; set_timer_action: any →
//     "set_timer_action not valid"; vm_message: any → "vm_message not
//     valid" (these three: the stored screen command could not be stored);
//     st_login_log: any → "no user found";
//     ra_call_control: EINVALID on EXTENSIONTRANSFER → "phone_number is not
//     valid", EINVALID on INGROUPTRANSFER or ErrUnknownQueue → "ingroup is
//     not valid", other (a waiting call has no agent to transfer through,
//     ErrNoCall…) → "no active call found";
//     send_dtmf: ErrNoCall → "agent_user does not have a live call", other
//     → "send_dtmf not valid";
//     park_call: no call → "agent_user does not have a lead on their
//     screen", other (not parked, already parked, no transfer leg for
//     PARK_XFER/GRAB_XFER/SWAP_PARK_XFER) → "park_call not valid";
//     transfer_conference: no call → "agent_user does not have a live
//     call", ErrUnknownQueue → "ingroup is not valid", ErrBusy (a leg is
//     already up) → "agent_user has current active 3-way call", other →
//     "value is not valid";
//     switch_lead: ENOTFOUND → "switch-to lead not found", other →
//     "agent_user does not have a live call";
//     pause_code: ErrNotPaused → "pause_code error - agent is not paused",
//     other → "pause_code not valid";
//     force_fronter_leave_3way: ErrNoCall → "agent_user is not on a phone
//     call", other (the fronter has no 3-way) → "no fronter found";
//     force_fronter_audio_stop: ErrNoPlayback → "force_fronter_audio_stop
//     error - no audio playing in other agent session", other → "no
//     fronter found".
//     Still SUCCESS: call_agent (the agent's channel is already up, which
//     is what it asks for); ra_call_control when only the lead status
//     write after a done hangup/transfer fails (logged).
//   - park_call PARK_XFER/GRAB_XFER/SWAP_PARK_XFER park the customer (not
//     the transfer leg) while a transfer leg is up, so the agent talks to
//     the leg alone; GRAB_XFER grabs the customer back, SWAP toggles.
//   - function=webserver reports Callgate's own runtime (Go version, no
//     Apache, the recommended VICIdial php.ini limits) where PHP reports
//     the host's PHP and Apache.
//
// # Non-agent API (/vicidial/non_agent_api.php, non_agent_api.php 2.14-202)
//
// NonAgentHandler (nonagent*.go) serves the functions lead vendors, CRMs
// and wallboards call, on the engine's own data: a lead added here is
// dialed by its campaign's dialer and seen by every dialect. Processing
// order: version (trailing pipe) and coffee (418) before auth; the global
// login (user_authorization 'REPORTS'); NO FUNCTION SPECIFIED for an
// unknown or empty function; the two-line Invalid Source error; the
// api_allowed_functions check ("auth USER DOES NOT HAVE PERMISSION TO USE
// THIS FUNCTION: |user|function|"); the function's own rights line
// ("{function} USER DOES NOT HAVE PERMISSION TO ...: |user|0|"). Export
// functions print raw rows with stage pipe/csv/tab and header=YES.
//
// Served: version, coffee; leads: add_lead, update_lead, batch_update_lead,
// lead_search, lead_field_info, lead_all_info, lead_callback_info,
// lead_status_search, check_phone_number, add_dnc_phone, delete_dnc_phone,
// hopper_list; lists and campaigns: add_list, update_list, list_info,
// list_custom_fields, campaigns_list, update_campaign, ingroup_list,
// agent_campaigns; users and phones: add_user, update_user, copy_user,
// user_details, add_phone, update_phone; live status and reports:
// agent_status, logged_in_agents, user_group_status, in_group_status,
// callid_info, recording_lookup, did_log_export, phone_number_log,
// agent_stats_export, call_status_stats, call_dispo_report,
// update_log_entry, hopper_bulk_insert, add_group_alias, server_refresh,
// lead_dearchive; blind_monitor
// (the engine's snoop). Not served yet (answered NO FUNCTION SPECIFIED, as
// the real script answers a name it does not know): sounds_list, moh_list,
// vm_list, callmenu_list, container_list, agent_ingroup_info,
// ccc_lead_info, update_remote_agent, the FPG and phone-alias functions,
// update_alt_url, update_presets, the DID functions,
// update_cid_group_entry.
//
// Lead options as non_agent_api.php 2.14-202 runs them: add_lead's
// duplicate_check runs every option its value names (DUPLIST, DUPCAMP,
// DUPSYS, DUPPHONEALT*, DUPTITLEALTPHONE*, DUPNAMEPHONE*, each LIST, CAMP
// or SYS) in the script's order, within the last n days with an nDAY
// suffix (the last suffix the value contains wins, as the script's
// sequence of tests makes "21DAY" win over "1DAY"); a CAMP check of a list
// that does not exist finds nothing. dnc_check and campaign_dnc_check
// take Y or AREACODE; the campaign list checked is campaign_id's (not the
// list's), or the campaign its use_other_campaign_dnc names. callback=Y
// stores the lead as CBHOLD and files the callback in campaign_id with
// callback_status as its lead status; callback_datetime takes NOW, nDAYS
// or a date. A list_id shorter than 3 digits is list 999, gender defaults
// to U. multi_alt_phones stores the lead's further phones and echoes each
// entry as "number|code|note" with no line end before its NOTICE line (the
// script's stray print; parsers of the real script already skip it).
// update_lead searches as the script does: by lead_id, then
// vendor_lead_code, then phone_number (those search_method names by
// substring; one shorter than 6 characters is LEAD_ID), each only when the
// ones before found nothing, newest entry first, records at most; within
// search_location LIST, CAMPAIGN (the lists of list_id's campaign) or
// SYSTEM (also when list_id is under 99). callback=Y changes the lead's
// callback (or files a new one), callback=REMOVE deletes its callbacks; user_field, list_id_field (with
// list_exists_check), phone_code and entry_list_id are written; the
// SUCCESS line is printed only when a lead column is written, as the
// script's empty update prints nothing; the hopper section runs once, for
// the first lead found. batch_update_lead prints the script's lines
// ("LEADS HAVE BEEN UPDATED - user|changed|found|ids", ids highest first,
// NO LEADS DEFINED, NO MATCHES FOUND IN THE SYSTEM, list_id_field checks)
// and nothing when there is no value to set.
//
// Custom fields (system setting custom_fields_enabled; the core keeps each
// list's fields and each lead's values per entry list, migration 19):
// update_list custom_fields_add / custom_fields_delete define them and
// custom_fields_copy (APPEND, UPDATE or REPLACE) copies another list's
// (user setting custom_fields_modify), list_custom_fields lists them,
// add_lead and update_lead's insert with custom_fields=Y store every value field
// of the list (the value sent or empty), update_lead with custom_fields=Y
// writes the fields the request names, delete_cf_data=Y drops the lead's
// values, force_entry_list_id picks the list whose fields are written or
// read, lead_all_info with custom_fields=Y appends the entry list's
// labels and values. lead_all_info finds a lead_id or every lead with a
// phone_number (newest first, the header repeated per lead as the script
// does, stage=newline allowed) and answers "LEAD NOT FOUND: user|lead_id|
// phone_number"; column 31 is entry_list_id (0 when the lead has none).
// lead_field_info prints the value bare, with no line end, as the
// script echoes it (custom_fields=Y reads a custom value; LEAD NOT FOUND,
// LIST NOT FOUND and LIST FIELD NOT FOUND as the script words them).
// lead_callback_info prints the script's 14 columns (callback_type
// CURRENT; ARCHIVE finds nothing, Callgate keeps no callback archive;
// user_group is the callback agent's; customer_timezone and customer_time
// are empty) and needs view_reports as the script does.
// lead_search prints the script's "key|matches|ids" rows (ids joined by
// -, highest first) for each phone number and vendor code asked, the
// lead_ids search (LEAD_ID) printing no row as in the script, and its
// header=YES line with the names run together (the script's delimiter is
// unset there). api_list_restrict (user setting) limits add_lead,
// update_lead, batch_update_lead, update_list, list_info,
// list_custom_fields and lead_search to the lists of the user group's
// allowed campaigns, with the script's lines ("NOT AN ALLOWED LIST ID",
// "user_group DOES NOT EXIST: |user|group|").
//
// Deliberate differences from non_agent_api.php:
//   - A refused login prints "ERROR: Login incorrect, please try again:
//     |{user}||BAD|": the password field is always empty (the real script
//     echoes it). Delays and LOCK follow the agent API's credential
//     service (per user and client address); IPBLOCK and 2FA are not
//     produced. add_user and copy_user do not echo the new user's
//     password either (its field is empty); passwords are stored hashed,
//     phone passwords sealed.
//   - Rights: API users carry user_level, modify_leads, modify_campaigns
//     and the function list. view_reports is taken as user_level 7 or
//     more; modify_users and modify_phones as level 8 or more; modify_lists
//     (add_list, update_list, update_campaign, list_custom_fields) as
//     modify_campaigns with level 8; call_status_stats and
//     call_dispo_report need level 9 (the code's user_level > 8), and so do
//     update_list's delete_list and delete_leads (delete_lists; delete_leads
//     also modify_leads). The demo's API user 6666 is level 9, as
//     VICIdial's default admin. The lead
//     functions need modify_leads and level 8, as add_lead does
//     (lead_callback_info: view_reports).
//     blind_monitor needs level 7 and has no queuemetrics callerid login.
//   - The API user's viewable groups are not applied (api_list_restrict
//     is).
//   - Callgate has no phone-code, postal-code or NANPA prefix tables. A
//     phone's zone and state come from libphonenumber's data and the IANA
//     zone database (pkg/numplan) in place of vicidial_phone_codes:
//     tz_method AREACODE (the default) reads the number, TZCODE reads owner
//     as EST, CST, MST, PST, AKST, HST, AST or NST, POSTAL falls back to the
//     number as the script does when its postal table has no row; an area
//     code spanning zones takes the last zone in name order (Alaska:
//     Anchorage). The offset prints as lookup_gmt_api returns it ("-5.00"
//     in standard time, "-4" in daylight saving time). lookup_state=Y fills
//     an empty state from the number's state or province (phone code 1).
//     usacan_areacode_check applies the North American numbering rules
//     (ten digits, area code not N9X or N11); nanpa_ac_prefix_check and
//     NANPA tz_methods always answer the script's "NANPA options disabled,
//     NANPA prefix data not loaded - 0|user" (a NOTICE in add_lead, the
//     ERROR that ends check_phone_number). DNC lists hold whole numbers, so AREACODE checks
//     the number alone. DUPTITLEALTPHONE* with an empty alt_phone finds no
//     duplicate. multi_alt_phones keeps number and note (the phone code is
//     not stored).
//   - Custom fields: field types, rank, order, size, max, default, options
//     and required are stored; values longer than field_max are cut; no
//     encryption or show/hide; custom_fields_update replaces the options
//     sent and keeps the rest (field_rerank, multi_position, name_position,
//     field_help and field_duplicate are not kept); list_custom_fields
//     prints empty list_changedate
//     and list_lastcalldate.
//     The add/delete NOTICE reports "SUCCESS: Field added" or "ERROR: Field
//     not added" from the core's answer where VICIdial relays
//     admin_lists_custom.php's.
//   - The gmt_offset of a new lead whose number has no known zone (toll
//     free, unassigned) is gmt_offset_now when sent, else the server's
//     offset, where VICIdial leaves it empty. Values longer than a
//     vicidial_list column are cut to its size.
//   - Callgate has no hopper table: add_to_hopper makes the lead due at
//     once with hopper_priority as its dialer priority and marks it queued
//     (core QueueLeadNow: READY until dialed, INCALL on that call, then out
//     of the "hopper"), and hopper_id is the lead id; a queued lead is
//     "LEAD IS ALREADY IN THE HOPPER" (update_lead, hopper_bulk_insert), and
//     update_lead remove_from_hopper=Y takes a READY lead back out (its
//     priority reset; its status still lets the dialer reach it in turn,
//     as VICIdial's next hopper fill would), leaves an INCALL one ("NOT
//     REMOVED FROM HOPPER"), and says "LEAD IS NOT IN THE HOPPER" otherwise.
//     hopper_local_call_time_check=Y holds the lead to its campaign's
//     hours (Callgate's local_call_time; all day when it has none) read on
//     the lead's clock (its gmt_offset), with the script's OUTSIDE OF LOCAL
//     TIME lines; hopper_list lists the leads the campaign's dialer would
//     call next, in its order (alt_dial NONE, source A). A lead whose
//     status the dialer does not retry is "NOT ADDED TO HOPPER" with the
//     engine's reason where VICIdial prints its SQL.
//   - update_lead deletes callbacks and custom values with the lead (no
//     callback archive: the archive counts are 0); a lead on a live call
//     is not deleted. reset_lead sets status NEW and called_count 0.
//     archived_lead is not modelled (no archive). A callback being placed
//     is not changed or removed. Call times have no state or holiday
//     rules.
//   - Where the reference gives no layout, Callgate's is:
//     the user, phone and campaign edits answer "{THING} HAS BEEN ADDED/
//     UPDATED/DELETED" and "... DOES NOT EXIST / ALREADY EXISTS" lines.
//   - update_user checks and prints as the script does: the target user
//     must be at most the API user's level (modify_same_user_level is
//     taken as 1), delete_user needs delete_users (level 9) and, as in the
//     script, the update section still runs after a deletion; each option
//     is checked in the script's order, the first bad one an ERROR ending
//     the function. Applied: agent_pass, agent_full_name,
//     agent_user_level, agent_user_group, phone_login (a provisioned
//     phone), phone_pass, email, custom_three (the alternate user id the
//     agent API reads), custom_four, active, in_groups (the agent's queue
//     memberships: its default in-groups, ACD follows at once),
//     reset_password (a random password of that length mailed through the
//     configured SMTP sender; "EMAIL FAILURE" without one). Kept as user
//     settings, not applied to calls: hotkeys_active, voicemail_id,
//     custom_one, custom_two, custom_five, wrapup_seconds_override and the
//     campaign/in-group ranks and grades (one value for every campaign or
//     in-group; camp_rg_only and ingrp_rg_only are not read).
//   - add_list and update_list check and print as the script does (its
//     "..., THIS IS AN OPTIONAL FIELD" ERRORs end the function; update_list
//     insert_if_not_found=Y sends a missing list to add_list; --BLANK--
//     empties an option). The list's own columns are the core list's
//     (list_name, campaign_id, active); the other vicidial_lists columns
//     (list_description, expiration_date, reset_time, local_call_time,
//     time_zone_setting, campaign_cid_override, am_message_exten_override,
//     agent_script_override, drop_inbound_group_override, the three web
//     form addresses, xferconf_a..e_number) are list settings of the
//     dialect (admin API /api/v1/settings/vicidial/lists/{id}). Of those,
//     local_call_time overrides the campaign's hours for the hopper checks
//     and list_info prints expiration_date; the others are kept for the
//     admin and a later agent screen but not applied to calls (no reset
//     timer, list caller id or answering-machine message). Callgate has no
//     agent scripts, so script is always "SCRIPT DOES NOT EXIST".
//     expiration_date must be a date (the script's own check can never
//     fail), reset_time HHMM times joined by dashes. reset_list makes the
//     list's leads dialable again (status NEW, no attempts) and prints the
//     script's line with its empty count; Callgate has no daily reset
//     limit. delete_list removes the list, its custom fields and settings
//     (its leads stay, out of the campaign's dialer); delete_leads removes
//     its leads not on a live call and prints how many.
//   - list_info prints the script's row (list_id … resets_today, the
//     leads_counts=Y counts, and always a last field for dialable_count=Y,
//     empty otherwise); Callgate keeps no list change, last-call or
//     expiration dates nor reset counts, so those print empty, empty,
//     2099-12-31 (the column's default) and 0. dialable_count counts the
//     leads the campaign's dialer would call now (no call times or lead
//     filters). It needs modify_lists (level 8), as the script does.
//   - user_details and agent_campaigns print the script's rows and
//     errors (user|full_name|user_group|user_level|active; user|campaigns|
//     in-groups as dash lists, active campaigns of the agent's user group or
//     campaign_id alone, their active in-groups, ignore_agentdirect). The
//     API user's admin_viewable_groups are not applied.
//   - ingroup_list answers, as the script does, the admin pages' HTML
//     chooser frame of the active in-groups (no API log row); the colour
//     cell is empty (Callgate keeps no in-group colour). The comments
//     field name is reduced to the characters of an element id and names
//     are HTML-escaped: the script reflects both unescaped into the page's
//     JavaScript (a script injection Callgate does not reproduce).
//   - callid_info takes the script's call ids (18 to 39 characters, Y J V M
//     DC S LP VH XL) and prints call_id|custtime (detail=YES: the log row,
//     call_type read off the id's prefix); custtime is the seconds since
//     the customer was connected (VICIdial: talk minus dead seconds of the
//     agent log).
//   - in_group_status and user_group_status print the script's one row
//     over all the groups asked (their names space-separated), agents
//     classified as the script does (wrap-up is DISPO, a held call PARK, a
//     call gone DEAD, an unanswered manual call DIAL); user_group_status's
//     calls_waiting counts the callers waiting in every queue.
//   - add_dnc_phone and delete_dnc_phone print the script's lines and need
//     campaign_id (SYSTEM_INTERNAL: the system list; any other value a
//     campaign's list, as the script, existing or not); a store failure,
//     which the script cannot report, answers "DNC NUMBER HAS NOT BEEN
//     ADDED/DELETED"; numbers over 18 digits (the column) are refused as
//     missing fields.
//   - phone_number_log prints the script's rows (per number asked, its
//     outbound then inbound calls as type OUT, IN or ALL selects, newest
//     first, detail=LAST the newest of each), hangup_reason as
//     term_reason (CALLER, AGENT, SYSTEM, NONE), and its NOTICE when none.
//   - agent_stats_export prints the script's 20 columns (campaign first
//     with group_by_campaign=YES, the agent's campaign; campaign_id selects
//     the agents of a campaign), times through sec_convert (time_format HF,
//     H, M, S). Calls and talk come from the stored calls, sessions and
//     pauses from the queue log, wait is the rest of the logged-in time;
//     dispo and dead times are 0 (not kept apart). avg_talk_time is the
//     agent's own average (the script divides the previous agent's total).
//   - call_dispo_report prints the script's plain-text CSV (text/plain,
//     no line end after the TOTAL row): calls per campaign, in-group and
//     DID between query_date query_time and end_date end_time, filtered by
//     statuses, users and user_groups, with status_breakdown and
//     show_percentages; it keeps the script's quirk of header statuses in
//     the order met but row values in natural order. categories is not
//     read (Callgate's statuses have no categories). Without campaigns,
//     ingroups or DIDs it answers the script's two error lines (after the
//     source check, which the script skips for this function).
//   - call_status_stats takes the script's period (query_date query_time
//     to end_date end_time), prints a row for every campaign asked (all
//     with ALLCAMPAIGNS or ---ALL---) and every in-group asked or, without
//     ingroups, every in-group those campaigns take, calls or not, each
//     kind in natural order; statuses limits every figure, as its SQL does.
//     Answered is "reached an agent" (no human_answered statuses).
//   - lead_status_search prints the script's record blocks (";----------
//     START OF RECORD n ----------" and "field => value" lines) for the
//     leads of the calls of date that ended with status (outbound first),
//     or for lead_id (the script finds a lead_id only when it has calls;
//     Callgate finds any lead).
//   - update_log_entry rewrites the status of the call record (not the
//     lead) of the newest call of group (a campaign, or an in-group for
//     inbound calls) whose lead is the call id's last ten digits, with the
//     script's lines and its inverted guard (refused only when group,
//     call_id and status are all long). A call still live is not changed
//     (NO RECORDS UPDATED): its status belongs to its disposition. The
//     uniqueid printed is the engine's call id.
//   - hopper_bulk_insert makes each lead of lead_ids due for its campaign's
//     dialer at once with hopper_priority (as add_to_hopper does: no hopper
//     table, hopper_id is the lead id), with the script's NOTICE per lead and
//     summary line; a lead whose status the dialer does not call gets
//     "LEAD HOPPER INSERT ERROR".
//   - check_phone_number prints the script's line: for each tz_method
//     asked (AREACODE, POSTAL, TZCODE) "METHOD: dialable|gmt#", then
//     "PHONE: phone|phone_code|postal_code|state|owner|", after the
//     script's checks (local_call_time must name a call time: Callgate
//     defines VICIdial's six defaults, 24hours, 9am-9pm, 9am-5pm, 12pm-5pm,
//     12pm-9pm and 5pm-9pm, in core; the phone and DNC checks of add_lead).
//     A number with no known zone prints an empty offset and is judged at
//     GMT, as dialable_gmt reads an empty offset.
//   - add_group_alias adds the alias to the system setting group_aliases
//     (the id=number pairs external_dial's group_alias reads), so only the
//     id and caller id number are kept (the name, caller id name, active
//     flag and admin_user_group are not); ast_admin_access is taken as
//     level 8. Ids may hold letters, digits and underscores, up to 30.
//   - server_refresh (stage containing REFRESH) makes the engine read its
//     catalog back from the store at once, where VICIdial flags its servers
//     to rebuild their Asterisk configuration (Callgate writes none); the
//     count printed is the one engine. lead_dearchive always answers the
//     script's ARCHIVED LEAD NOT FOUND: Callgate keeps no lead archive.
//   - Rights refusals print the script's words and ending: "|user|0" for
//     the edit functions, "|user|0|" for the reports, and call_dispo_report
//     refuses with call_status_stats' line (the script's copy).
//   - did_log_export keeps VICIdial's swapped columns (caller id before
//     date, under a header that says the opposite): parsers learned it.
//   - recording_lookup's location is the archived recording's store key
//     (YYYYMMDD/<guid>.<ext>) when archived, else the PBX file name;
//     uniqueid is the VICIdial call id or the engine call id.
//   - campaigns_list prints user_group ---ALL---, the campaign's lead_order
//     setting and its dial statuses (the engine's default statuses, " NEW B
//     NA DC A N DROP CALLBK -", until update_campaign changes them).
//   - update_campaign runs the script's checks in its order, each refusal
//     an ERROR "..., THIS IS AN OPTIONAL FIELD: |user|value" that ends the
//     function, then NO UPDATES DEFINED or CAMPAIGN HAS BEEN UPDATED.
//     Applied by the engine: active, campaign_name, dial_method (MANUAL,
//     INBOUND_MAN, RATIO, ADAPT_*), auto_dial_level (up to the system
//     setting auto_dial_limit, 4 by default as in VICIdial), dial_timeout,
//     outbound_cid (the campaign's caller id), dial_status_add and
//     dial_status_remove (the core campaign's dial statuses: the dialer
//     calls those statuses only; added as the script adds, in front and
//     even when present), reset_hopper (every queued lead of the campaign
//     taken back out). Kept as campaign settings of the dialect, not
//     applied to calls: adaptive_maximum_level, campaign_vdad_exten,
//     hopper_level, the transfer-conference numbers, dispo_call_url and
//     the web forms (at most 1024 characters where the script takes
//     65000), list_order (printed by campaigns_list; the engine dials by
//     priority, then fewest attempts), list_order_randomize,
//     list_order_secondary. Callgate has no lead filters: any
//     lead_filter_id but ---NONE--- is refused. The script's RANDOM-order
//     system switch is not modelled.
//   - blind_monitor joins the agent's current call through the engine's
//     snoop (MONITOR listen, BARGE both ways, WHISPER agent only); with
//     no call, or an unknown session_id, it answers INVALID SESSION ID
//     (VICIdial would ring the phone into an empty conference). The
//     phone is a provisioned phone (add_phone) or an agent's phone login;
//     stage is read by substring as the script does; BARGESWAP barges (the
//     swap only turns VICIdial's originate around), HIJACK (not functional
//     in VICIdial) answers INVALID SESSION ID. manager_id is the launch
//     epoch.
//   - API log rows carry dialect "vicidial-na" (VICIdial's
//     api_script='non-agent'); an export logs one SUCCESS row, not one per
//     data row.
package vicidial
