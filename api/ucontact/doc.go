// Package ucontact speaks uContact's Integra API: the CRM-facing
// application/x-www-form-urlencoded POSTs under /Integra/resources/ and
// the recordings under /records/. It decodes each request, calls one core
// service and encodes the answer; every rule is in core/.
//
// # Endpoints
//
//	Agents/AgentCall, AgentCallwithData  core CallFromAgentPhone: the agent's phone (tech/phone;
//	                                      SIP/<agent number> means the agent's provisioned endpoint)
//	                                      rings first, then destination with callerid, in campaign
//	                                      outqueue; answers the call GUID, 0 on error. data (a JSON
//	                                      object: its members, plus "data") become call variables,
//	                                      form goes to the agent's screen (a "form" screen command).
//	Agents/HangupPhone                   core HangupAgentPhone: 1, or 0.
//	Agents/TagRecord                     core TagCall: empty answer; the tag is found by getrecords.
//	api/DispositionCall                  core ClassifyCall: the disposition at path l1/l2/l3 of the
//	                                      campaign's tree and its dialer action (RESPOOL,
//	                                      RESPOOLALTERNATIVE, BLACKLIST, RESCHEDULE).
//	admin/addblack, addblackbulk,        core BlockNumbers / UnblockNumbers: one object or an array,
//	deleteblack, deleteblackbulk          in the form field "blacklist" or as an application/json body.
//	Dialers/Respool (callspool),         core PoolContact / ScheduleContact.
//	ScheduleDialerCall (callschedule),
//	DialerTask (call)
//	Dialers/RemoveContact,               core RemoveContact / RemoveScheduledCalls.
//	RemoveScheduleDialerCall
//	Dialers/uploadbase,                  core ImportContacts: answers 1 once the import is recorded
//	uploadbasewithtimezone                (its id in the Integra-Import header); lines are imported in
//	                                      the background, progress and per-line errors at
//	                                      /api/v1/imports/{id}.
//	Cdr/getrecords                       core RecordedCalls.
//	Supervisor/queuesummary,             core CampaignsLive.
//	campaignstatus
//	Supervisor/convert                   core RecordingByGUID + RecordingAudio(mp3).
//	GET /records/<guid>.mp3|.gsm,        the recording of that GUID (its own, or its call's latest),
//	/records/<YYYYMMDD>/<guid>.mp3|.gsm   through the core's recording media; the folder must be
//	                                      the recording's day.
//
// # Campaign names
//
// uContact names carry the direction ("Ventas->" outbound, "Power<-"
// inbound); core names allow neither '<' nor '>', so the core campaign and
// queue of "Ventas->" is "Ventas.out" and of "Power<-" is "Power.in"
// (campaigns.go). Answers show the uContact names.
//
// # Authentication
//
// The document says nothing; every request needs HTTP Basic of an API user
// of dialect "ucontact" (core credentials: admin API /api/v1/apiusers,
// demo integra / integra-demo) or, when ucontact.token is configured,
// "Authorization: Bearer <token>". Failures answer 401 "0" and are
// throttled per user and source by the core's credential service.
//
// # Answers and errors
//
// Success is the document's body ("1", the GUID, JSON). DispositionCall's
// errors are the document's 400 texts (in the document's Portuguese). Other
// endpoints answer "0" (the document's error value) with an HTTP status
// from the core error code (400 invalid, 404 not found, 409 conflict, 503
// unavailable, 500 internal) and the reason in the Integra-Error header.
// Bodies are bounded by http.max_body (413 "0").
//
// # Deliberate differences and approximations
//
//   - DispositionCall's 200 is {"Result":"ok","txtcode":"<disposition code>"}.
//     A guid the core does not know still classifies the number (the
//     campaign's newest lead with that callerid, created for respool and
//     reschedule); BLACKLIST blocks the number for that campaign only.
//     RESPOOLALTERNATIVE answers an error when the contact has no
//     alternative number. The disposition tree is core Disposition rows
//     (ParentID links levels; matched by name, then code); a level without
//     an action inherits its parent's.
//   - DialerTask: a date schedules the call (with the agent only when one is
//     named); "automatic" without a date schedules it now with priority 1;
//     bulk without a date adds it to the dialer's pool; neither (the
//     "manual call of the moment") schedules it now as well: the core places
//     due scheduled calls at once with the campaign's agents. An agent is
//     named by username first, then by number.
//   - AgentCall places the call through the agent-attributed two-step dial
//     (core Dial), not an agentless origination job, so the agent's state,
//     HangupPhone and DispositionCall see it; an agent not logged in is logged
//     in paused on that phone first. The context parameter is accepted and
//     not used: the core's dialplan context applies.
//   - getrecords: "rating" and "quality" are always 0 (calls are not rated);
//     a rating filter above 0 matches nothing. "data" matches tags put by
//     TagRecord or a disposition; "range" is HH:mm-HH:mm; "cont" keeps
//     numbers seen at least that many times in the filtered result. At most
//     5000 calls are filtered per search. userfield carries the tags.
//   - queuesummary/campaignstatus report each campaign with the queue of its
//     name; holdTime/talkTime are today's averages, "talked"/"hold" today's
//     totals as HH:MM:SS-count; internalActionId is generated.
//   - Upload time zones: the campaign's calling hours are read on the
//     contact's clock (its zone is kept in the lead's attributes); the
//     campaign's own hours on the server clock still apply first.
//   - convert: MP3 is produced on request from the stored recording;
//     convert checks it can be produced whole and answers 1.
package ucontact
