package core

import (
	"time"
)

// The domain records below are persisted by the Store. Their struct tags are
// plain strings read by the gorm store in pkg/store; the core never imports
// gorm. Column sizes matter for MySQL (indexed strings need a length).

// Agent is the one identity every dialect maps onto:
//   - Username: VICIdial user / agent_user, eXpand agent, uContact agent
//   - Type+Number: ECCP "Agent/9000" or "SIP/1064"; eXpand nroAgente = Number
//   - Extension: the endpoint the core rings (PJSIP/1064, SIP/1064, Local/...)
type Agent struct {
	ID         uint   `gorm:"primaryKey" json:"id"`
	Username   string `gorm:"size:64;uniqueIndex" json:"username"`
	Number     string `gorm:"size:32;index" json:"number"`
	Type       string `gorm:"size:16" json:"type"` // Agent, SIP, IAX2, PJSIP (ECCP channel class)
	Extension  string `gorm:"size:128" json:"extension"`
	Name       string `gorm:"size:128" json:"name"`
	Email      string `gorm:"size:128" json:"email"`
	Profile    string `gorm:"size:64" json:"profile"`
	Supervisor bool   `json:"supervisor"`
	// Persistent agents keep one channel open in their own holding bridge
	// and calls are bridged in at once (VICIdial and ECCP static agents);
	// on-hook agents get their endpoint rung for every call.
	Persistent bool `json:"persistent"`
	Active     bool `gorm:"default:true" json:"active"`
	// Per-dialect secrets. Never serialised back to clients; the store
	// hashes (secret:"hash") or seals (secret:"seal") them on every write.
	Password string `gorm:"size:128" secret:"hash" json:"-"` // VICIdial / eXpand / uContact agent password
	// ConsolePassword is the agent console's own secret (ECCP's
	// md5(cookie+agent+password) login); the column keeps its historical
	// name so no migration is needed. Sealed, not hashed: the console
	// protocol needs the clear text to check the digest.
	ConsolePassword string `gorm:"column:eccp_password;size:255" secret:"seal" json:"-"`
	// VICIdial user attributes read by the agent API.
	UserLevel  int    `gorm:"default:1" json:"user_level"`
	UserGroup  string `gorm:"size:64" json:"user_group"`
	AltID      string `gorm:"size:100;index" json:"alt_id"`    // vicidial_users.custom_three (alt_user)
	CustomFour string `gorm:"size:100" json:"custom_four"`     // st_login_log writes here
	Campaign   string `gorm:"size:64" json:"campaign"`         // default campaign on login
	PhoneLogin string `gorm:"size:64" json:"phone_login"`      // VICIdial phone login
	PhonePass  string `gorm:"size:255" secret:"seal" json:"-"` // VICIdial phone (SIP) password
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Interface is the agent as a queue member interface: type + number
// ("Agent/9000", "SIP/1064"). Asterisk queues name members this way, and
// the ECCP dialect uses it as the agent's name.
func (a *Agent) Interface() string {
	t := a.Type
	if t == "" {
		t = "Agent"
	}
	return t + "/" + a.Number
}

// AgentState is the agent's main state; pause and hold are orthogonal flags
// kept on the session.
type AgentState string

const (
	AgentOffline   AgentState = "logged_out"
	AgentLoggingIn AgentState = "logging_in"
	AgentAvailable AgentState = "available"
	AgentRinging   AgentState = "ringing"
	AgentOnCall    AgentState = "on_call"
	AgentWrapUp    AgentState = "wrap_up"
)

// AgentSession is an agent's live state while logged in. It is persisted so
// a restarted gateway and every report see the same picture.
type AgentSession struct {
	ID        uint       `gorm:"primaryKey" json:"id"`
	AgentID   uint       `gorm:"uniqueIndex;<-:create" json:"agent_id"`
	Username  string     `gorm:"size:64;index;<-:create" json:"username"`
	State     AgentState `gorm:"size:16" json:"state"`
	Campaign  string     `gorm:"size:64" json:"campaign"`
	Extension string     `gorm:"size:128" json:"extension"`  // where this login rings
	ChannelID string     `gorm:"size:128" json:"channel_id"` // persistent agent's own channel
	// ChannelName is the PBX's name of ChannelID (PJSIP/1064-0000000a).
	ChannelName string     `gorm:"size:128" json:"channel_name"`
	BridgeID    string     `gorm:"size:128" json:"bridge_id"` // persistent agent's holding bridge
	Paused      bool       `json:"paused"`
	PauseCode   string     `gorm:"size:32" json:"pause_code"`
	PauseID     uint       `json:"pause_id"`
	PausedAt    *time.Time `json:"paused_at"`
	OnHold      bool       `json:"on_hold"`
	HoldAt      *time.Time `json:"hold_at"`
	CallID      uint64     `json:"call_id"` // current call, 0 when none
	LeadID      uint64     `json:"lead_id"` // current/last lead on screen
	// Deferred actions applied when the current call ends.
	PendingPause  bool   `json:"pending_pause"`
	PendingCode   string `gorm:"size:32" json:"pending_code"`
	PendingLogout bool   `json:"pending_logout"`
	// ACD bookkeeping.
	LoginAt      time.Time  `json:"login_at"`
	LastCallEnd  *time.Time `json:"last_call_end"`
	CallsTaken   int        `json:"calls_taken"`
	StateSince   time.Time  `json:"state_since"`
	WrapUntil    *time.Time `json:"wrap_until"`
	Blended      bool       `json:"blended"`
	InboundQueue string     `gorm:"size:1024" json:"inbound_queues"` // space-separated selected in-groups
	// Agent inactivity timeout (ECCP loginagent <timeout>), refreshed by ping.
	IdleTimeout int        `json:"idle_timeout"`
	LastPing    *time.Time `json:"last_ping"`
	UpdatedAt   time.Time
}

// QueueStrategy is an ACD distribution strategy.
type QueueStrategy string

const (
	StrategyRingAll     QueueStrategy = "ringall"
	StrategyLeastRecent QueueStrategy = "leastrecent"
	StrategyFewestCalls QueueStrategy = "fewestcalls"
	StrategyRandom      QueueStrategy = "random"
	StrategyRRMemory    QueueStrategy = "rrmemory"
	StrategyLinear      QueueStrategy = "linear"
)

// Queue is an ACD queue; VICIdial in-groups and ECCP incoming queues are queues.
type Queue struct {
	ID           uint          `gorm:"primaryKey" json:"id"`
	Name         string        `gorm:"size:64;uniqueIndex" json:"name"`
	Description  string        `gorm:"size:255" json:"description"`
	Strategy     QueueStrategy `gorm:"size:16" json:"strategy"`
	RingTimeout  int           `json:"ring_timeout"`  // seconds an agent rings
	WrapUp       int           `json:"wrap_up"`       // seconds after each call
	ServiceLevel int           `json:"service_level"` // seconds threshold
	MaxWait      int           `json:"max_wait"`      // seconds before the caller leaves (0 = forever)
	MOHClass     string        `gorm:"size:64" json:"moh_class"`
	DID          string        `gorm:"size:64;index" json:"did"` // inbound number routed here
	Campaign     string        `gorm:"size:64" json:"campaign"`  // inbound campaign using this queue
	Active       bool          `gorm:"default:true" json:"active"`
	Script       string        `gorm:"type:text" json:"script"`
	// CallerList names a simple list (caller id → agent or queue) that
	// routes a known caller before the call enters this queue (caller_lists.go).
	CallerList string `gorm:"size:64" json:"caller_list"`
	CreatedAt  time.Time
}

// QueueMember is an agent's membership of a queue with a penalty; the ACD
// offers a call to the lowest penalty tier that has a free agent first.
type QueueMember struct {
	ID      uint   `gorm:"primaryKey" json:"id"`
	QueueID uint   `gorm:"uniqueIndex:qm_queue_agent" json:"queue_id"`
	AgentID uint   `gorm:"uniqueIndex:qm_queue_agent" json:"agent_id"`
	Queue   string `gorm:"size:64" json:"queue"`
	Agent   string `gorm:"size:64" json:"agent"`
	Penalty int    `json:"penalty"`
}

type CampaignType string

const (
	CampaignInbound  CampaignType = "inbound"
	CampaignOutbound CampaignType = "outbound"
)

type DialMethod string

const (
	DialManual      DialMethod = "manual"
	DialPreview     DialMethod = "preview"
	DialProgressive DialMethod = "progressive"
	DialPredictive  DialMethod = "predictive"
)

type Campaign struct {
	ID          uint         `gorm:"primaryKey" json:"id"`
	Name        string       `gorm:"size:64;uniqueIndex" json:"name"` // VICIdial campaign_id, e.g. TESTCAMP
	Description string       `gorm:"size:255" json:"description"`
	Type        CampaignType `gorm:"size:16" json:"type"`
	DialMethod  DialMethod   `gorm:"size:16" json:"dial_method"`
	Queue       string       `gorm:"size:64" json:"queue"` // queue answered calls go to
	Trunk       string       `gorm:"size:128" json:"trunk"`
	DialPrefix  string       `gorm:"size:32" json:"dial_prefix"`
	CallerID    string       `gorm:"size:64" json:"caller_id"`
	MaxRetries  int          `json:"max_retries"`
	RetryDelay  int          `json:"retry_delay"`  // seconds
	DialTimeout int          `json:"dial_timeout"` // seconds
	// Predictive pacing: at most DialRatio lines per free agent, lowered
	// while the recent abandon rate is above MaxAbandonPct (default 3%).
	DialRatio     float64 `json:"dial_ratio"`
	MaxAbandonPct float64 `json:"max_abandon_pct"`
	Active        bool    `gorm:"default:true" json:"active"`
	// Working hours, "HH:MM" local; empty means always.
	StartTime string     `gorm:"size:5" json:"start_time"`
	EndTime   string     `gorm:"size:5" json:"end_time"`
	StartDate *time.Time `json:"start_date"`
	EndDate   *time.Time `json:"end_date"`
	Script    string     `gorm:"type:text" json:"script"`
	FormIDs   string     `gorm:"size:255" json:"form_ids"`  // comma-separated form ids
	Ingroups  string     `gorm:"size:1024" json:"ingroups"` // allowed in-groups, space-separated
	Record    bool       `json:"record"`
	// LoginPaused: agents logging into this campaign start paused and
	// resume when ready (VICIdial's agent screen does this).
	LoginPaused bool `json:"login_paused"`
	// DialStatuses are the lead statuses the dialer calls, space-separated
	// as VICIdial keeps them (" NEW NA -"); empty: the engine's retry
	// statuses (DialStatusesOf).
	DialStatuses string `gorm:"size:255" json:"dial_statuses"`
	CreatedAt    time.Time
}

// List is a set of leads loaded together (VICIdial list_id).
type List struct {
	ID        uint64 `gorm:"primaryKey;autoIncrement:false" json:"id"`
	Name      string `gorm:"size:64" json:"name"`
	Campaign  string `gorm:"size:64;index" json:"campaign"`
	Active    bool   `gorm:"default:true" json:"active"`
	CreatedAt time.Time
}

// Lead is a contact to call (outbound) or matched (inbound). The named
// columns are VICIdial's vicidial_list fields; anything else a dialect needs
// goes in Attributes (a JSON object, order preserved by AttributeOrder).
type Lead struct {
	ID             uint64     `gorm:"primaryKey" json:"lead_id"`
	ListID         uint64     `gorm:"index" json:"list_id"`
	Campaign       string     `gorm:"size:64;index" json:"campaign"`
	Status         string     `gorm:"size:32;index" json:"status"`
	User           string     `gorm:"size:64" json:"user"`
	VendorLeadCode string     `gorm:"size:40;index" json:"vendor_lead_code"`
	SourceID       string     `gorm:"size:50" json:"source_id"`
	GMTOffset      string     `gorm:"size:8" json:"gmt_offset_now"`
	PhoneCode      string     `gorm:"size:10" json:"phone_code"`
	PhoneNumber    string     `gorm:"size:32;index" json:"phone_number"`
	Title          string     `gorm:"size:4" json:"title"`
	FirstName      string     `gorm:"size:60" json:"first_name"`
	MiddleInitial  string     `gorm:"size:1" json:"middle_initial"`
	LastName       string     `gorm:"size:60" json:"last_name"`
	Address1       string     `gorm:"size:100" json:"address1"`
	Address2       string     `gorm:"size:100" json:"address2"`
	Address3       string     `gorm:"size:100" json:"address3"`
	City           string     `gorm:"size:50" json:"city"`
	State          string     `gorm:"size:2" json:"state"`
	Province       string     `gorm:"size:50" json:"province"`
	PostalCode     string     `gorm:"size:10" json:"postal_code"`
	CountryCode    string     `gorm:"size:3" json:"country_code"`
	Gender         string     `gorm:"size:1" json:"gender"`
	DateOfBirth    string     `gorm:"size:10" json:"date_of_birth"`
	AltPhone       string     `gorm:"size:32" json:"alt_phone"`
	Email          string     `gorm:"size:70" json:"email"`
	SecurityPhrase string     `gorm:"size:100" json:"security_phrase"`
	Comments       string     `gorm:"type:text" json:"comments"`
	Rank           int        `json:"rank"`
	Owner          string     `gorm:"size:20" json:"owner"`
	CalledCount    int        `json:"called_count"`
	LastCalledAt   *time.Time `json:"last_local_call_time"`
	NextAttemptAt  *time.Time `gorm:"index" json:"next_attempt_at"`
	Priority       int        `json:"priority"`
	// HopperAt is when the lead was put at the head of its campaign's
	// dialer (QueueLeadNow); it is in that "hopper" until dialed after it.
	HopperAt *time.Time `json:"hopper_at"`
	// Attempt bookkeeping for the dialer: which phone to try next (0 main, 1 alt, 2 address3).
	PhoneIndex int `json:"phone_index"`
	// Attributes: free key/value pairs (ECCP call_attributes, eXpand contact data).
	Attributes string    `gorm:"type:text" json:"attributes"`
	EntryDate  time.Time `json:"entry_date"`
	ModifyDate time.Time `json:"modify_date"`
	// EntryListID is the list whose custom fields hold the lead's values
	// (VICIdial's entry_list_id); 0 when it has none.
	EntryListID uint64 `json:"entry_list_id"`
}

// LeadPhone is an alternate phone for a lead beyond AltPhone/Address3.
type LeadPhone struct {
	ID     uint   `gorm:"primaryKey" json:"id"`
	LeadID uint64 `gorm:"index" json:"lead_id"`
	Phone  string `gorm:"size:32" json:"phone"`
	Label  string `gorm:"size:32" json:"label"`
	Order  int    `json:"order"`
}

type CallDirection string

const (
	CallInbound  CallDirection = "inbound"
	CallOutbound CallDirection = "outbound"
	CallManual   CallDirection = "manual" // placed by an agent
	CallInternal CallDirection = "internal"
)

// CallState is the life-cycle stage of a call.
type CallState string

const (
	CallDialing     CallState = "dialing"
	CallRingingOut  CallState = "ringing"
	CallQueued      CallState = "queued"
	CallOffering    CallState = "offering" // an agent is being rung
	CallConnected   CallState = "connected"
	CallOnHold      CallState = "on_hold"
	CallParked      CallState = "parked"
	CallTransfering CallState = "transferring"
	CallDone        CallState = "ended"
)

// Call is one customer call with every id a dialect may ask for.
type Call struct {
	ID        uint64        `gorm:"primaryKey" json:"id"`
	GUID      string        `gorm:"size:40;uniqueIndex;<-:create" json:"guid"`
	UniqueID  string        `gorm:"size:64;index" json:"uniqueid"` // Asterisk uniqueid of the customer channel
	LinkedID  string        `gorm:"size:64" json:"linkedid"`
	Node      string        `gorm:"size:64" json:"node"`
	Direction CallDirection `gorm:"size:16;<-:create" json:"direction"`
	State     CallState     `gorm:"size:16;index" json:"state"`
	Campaign  string        `gorm:"size:64;index" json:"campaign"`
	Queue     string        `gorm:"size:64;index" json:"queue"`
	LeadID    uint64        `gorm:"index" json:"lead_id"`
	ListID    uint64        `json:"list_id"`
	AgentID   uint          `gorm:"index" json:"agent_id"`
	Agent     string        `gorm:"size:64;index" json:"agent"` // an agent's last call is looked up by name
	Phone     string        `gorm:"size:64" json:"phone"`
	CallerID  string        `gorm:"size:64" json:"caller_id"`
	// CallerName: the caller's name from the customer's backend
	// (caller_names.go); IVRData: what the call's script collected (ivr_codes.go).
	CallerName string `gorm:"size:128" json:"caller_name"`
	IVRData    string `gorm:"type:text" json:"ivr_data"`
	DID        string `gorm:"size:64" json:"did"`
	Trunk      string `gorm:"size:128" json:"trunk"`
	// PBX resources owned by the call.
	ChannelID      string `gorm:"size:128" json:"channel_id"`       // customer leg
	AgentChannelID string `gorm:"size:128" json:"agent_channel_id"` // agent leg (on-hook agents)
	BridgeID       string `gorm:"size:128" json:"bridge_id"`
	ThirdChannelID string `gorm:"size:128" json:"third_channel_id"` // consult/3-way leg
	// The PBX's names of the customer and agent legs (SIP/trunk-0000000b),
	// kept after the channels are gone (channel_names.go).
	ChannelName      string `gorm:"size:128" json:"channel_name"`
	AgentChannelName string `gorm:"size:128" json:"agent_channel_name"`
	Recording        string `gorm:"size:255" json:"recording"`
	// Life cycle times.
	CreatedAt   time.Time  `json:"created_at"`
	OriginateAt *time.Time `json:"originate_at"`
	AnsweredAt  *time.Time `json:"answered_at"`
	QueuedAt    *time.Time `json:"queued_at"`
	ConnectedAt *time.Time `json:"connected_at"`
	EndedAt     *time.Time `json:"ended_at"`
	HangupCause int        `json:"hangup_cause"`
	HangupBy    string     `gorm:"size:16" json:"hangup_by"` // caller, agent, system
	Status      string     `gorm:"size:32" json:"status"`    // disposition code or dialer outcome
	Retries     int        `json:"retries"`
	Failure     string     `gorm:"size:64" json:"failure"`
	Abandoned   bool       `json:"abandoned"`
	Transferred string     `gorm:"size:128" json:"transferred"`
	ScheduledID uint64     `json:"scheduled_id"` // callback that produced this call
	// Free attributes set by dialects (Infocaller CallSequence, eXpand ids).
	Attributes string    `gorm:"type:text" json:"attributes"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Live state, written with every change of the call so that a restarted
	// engine can resume it (restart.go); not part of any API.
	Held          bool `json:"-"`
	Parked        bool `json:"-"`
	QueuePosition int  `json:"-"`
	// The consult (attended transfer, 3-way) leg: its channel, kind, target
	// and the agent consulted, if any.
	ConsultChannel string `gorm:"size:128" json:"-"`
	ConsultKind    string `gorm:"size:16" json:"-"`
	ConsultTarget  string `gorm:"size:128" json:"-"`
	ConsultAgent   string `gorm:"size:64" json:"-"`
	// AgentGone: the agent left the call (blind transfer in progress).
	AgentGone bool `json:"-"`
	// ConnectAgent: the agent an outbound call is connected to on answer.
	ConnectAgent string `gorm:"size:64" json:"-"`
	// Offers in flight, "agent=channel" separated by spaces.
	Offers string `gorm:"type:text" json:"-"`
	// LastSeenAt is the engine's time of the call's last change: a call
	// that ended while the gateway was down ended no earlier than this.
	LastSeenAt *time.Time `json:"-"`
}

// QueueLogEntry mirrors Asterisk's queue_log: every state change appends a
// row and every report in every dialect is a query over these rows.
type QueueLogEntry struct {
	ID     uint64    `gorm:"primaryKey" json:"id"`
	Time   time.Time `gorm:"index" json:"time"`
	CallID uint64    `gorm:"index" json:"call_id"`
	Queue  string    `gorm:"size:64;index" json:"queue"`
	Agent  string    `gorm:"size:64;index" json:"agent"`
	Event  string    `gorm:"size:32;index" json:"event"`
	Data1  string    `gorm:"size:255" json:"data1"`
	Data2  string    `gorm:"size:255" json:"data2"`
	Data3  string    `gorm:"size:255" json:"data3"`
	Data4  string    `gorm:"size:255" json:"data4"`
	Data5  string    `gorm:"size:255" json:"data5"`
}

// Queue log event names (Asterisk's, plus DIALOUT for outbound attempts).
const (
	QLEnterQueue     = "ENTERQUEUE"
	QLRinging        = "RINGING"
	QLRingNoAnswer   = "RINGNOANSWER"
	QLConnect        = "CONNECT"
	QLCompleteCaller = "COMPLETECALLER"
	QLCompleteAgent  = "COMPLETEAGENT"
	QLTransfer       = "TRANSFER"
	QLAbandon        = "ABANDON"
	QLExitTimeout    = "EXITWITHTIMEOUT"
	QLDialOut        = "DIALOUT"
	QLDialResult     = "DIALRESULT"
	QLLogin          = "AGENTLOGIN"
	QLLogout         = "AGENTLOGOFF"
	QLPause          = "PAUSE"
	QLUnpause        = "UNPAUSE"
	QLHold           = "HOLD"
	QLUnhold         = "UNHOLD"
	QLWrapUpStart    = "WRAPUPSTART"
	QLWrapUpEnd      = "WRAPUPEND"
	QLAddMember      = "ADDMEMBER"
	QLRemoveMember   = "REMOVEMEMBER"
	QLPark           = "PARK"
	QLUnpark         = "UNPARK"
	QLDisposition    = "DISPOSITION"
)

// CDR is the call detail record written when a call ends.
type CDR struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	CallID      uint64     `gorm:"index" json:"call_id"`
	UniqueID    string     `gorm:"size:64;index" json:"uniqueid"`
	Src         string     `gorm:"size:64" json:"src"`
	Dst         string     `gorm:"size:64" json:"dst"`
	CallerName  string     `gorm:"size:128" json:"caller_name"`
	Agent       string     `gorm:"size:64" json:"agent"`
	Campaign    string     `gorm:"size:64" json:"campaign"`
	Queue       string     `gorm:"size:64" json:"queue"`
	Direction   string     `gorm:"size:16" json:"direction"`
	Start       time.Time  `gorm:"index" json:"start"`
	Answer      *time.Time `json:"answer"`
	End         time.Time  `json:"end"`
	Duration    int        `json:"duration"`                   // seconds start→end
	BillSec     int        `json:"billsec"`                    // seconds answer→end
	Disposition string     `gorm:"size:32" json:"disposition"` // ANSWERED, NO ANSWER, BUSY, FAILED
	Status      string     `gorm:"size:32" json:"status"`
	Recording   string     `gorm:"size:255" json:"recording"`
}

type PauseCode struct {
	ID       uint   `gorm:"primaryKey" json:"id"` // ECCP break id
	Code     string `gorm:"size:32;uniqueIndex" json:"code"`
	Name     string `gorm:"size:128" json:"name"`
	Campaign string `gorm:"size:64" json:"campaign"`
	Billable bool   `json:"billable"`
	Active   bool   `gorm:"default:true" json:"active"`
	// Type distinguishes ECCP break kinds ("B" break, "H" hold).
	Type        string `gorm:"size:4;default:B" json:"type"`
	Description string `gorm:"size:255" json:"description"`
}

// Disposition is a call outcome; Parent makes multi-level trees (uContact
// uses three levels).
type Disposition struct {
	ID          uint   `gorm:"primaryKey" json:"id"`
	Code        string `gorm:"size:32;index" json:"code"`
	Name        string `gorm:"size:128" json:"name"`
	Campaign    string `gorm:"size:64;index" json:"campaign"` // empty = system-wide
	ParentID    uint   `json:"parent_id"`
	Selectable  bool   `gorm:"default:true" json:"selectable"`
	HumanAnswer bool   `json:"human_answered"`
	Sale        bool   `json:"sale"`
	DNC         bool   `json:"dnc"`
	Callback    bool   `json:"callback"`
	Completed   bool   `json:"completed"` // lead is finished
	// Dialer action: "", "respool", "reschedule", "blacklist".
	Action string `gorm:"size:16" json:"action"`
}

// Callback is a scheduled call back to a lead, either for one agent only
// (agent-only) or for anyone in the campaign.
type Callback struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	LeadID    uint64    `gorm:"index" json:"lead_id"`
	ListID    uint64    `json:"list_id"`
	Campaign  string    `gorm:"size:64;index" json:"campaign"`
	Agent     string    `gorm:"size:64;index" json:"agent"` // empty = anyone
	AgentOnly bool      `json:"agent_only"`
	Phone     string    `gorm:"size:64" json:"phone"`
	When      time.Time `gorm:"column:due_at;index" json:"when"`
	Comments  string    `gorm:"size:255" json:"comments"`
	Status    string    `gorm:"size:16;index" json:"status"` // ACTIVE, LIVE, INACTIVE, DONE, FAILED
	// LeadStatus is the status the callback is filed under (VICIdial's
	// vicidial_callbacks.lead_status, CALLBK unless told otherwise).
	LeadStatus string    `gorm:"size:32" json:"lead_status"`
	CallID     uint64    `json:"call_id"`
	SourceCall uint64    `json:"source_call"`
	CreatedAt  time.Time `json:"created_at"`
}

// DNCEntry blocks a number globally (Campaign empty) or for one campaign.
type DNCEntry struct {
	ID        uint      `gorm:"primaryKey" json:"id"`
	Phone     string    `gorm:"size:32;uniqueIndex:dnc_phone_campaign" json:"phone"`
	Campaign  string    `gorm:"size:64;uniqueIndex:dnc_phone_campaign" json:"campaign"`
	Reason    string    `gorm:"size:255" json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

type Recording struct {
	ID        uint64     `gorm:"primaryKey" json:"id"`
	GUID      string     `gorm:"size:40;uniqueIndex" json:"guid"`
	CallID    uint64     `gorm:"index" json:"call_id"`
	LeadID    uint64     `json:"lead_id"`
	Agent     string     `gorm:"size:64" json:"agent"`
	Name      string     `gorm:"size:255;index" json:"name"` // PBX recording name
	File      string     `gorm:"size:255" json:"file"`
	Format    string     `gorm:"size:8" json:"format"`
	DayFolder string     `gorm:"size:16" json:"day_folder"` // YYYY-MM-DD
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end"`
	Length    int        `json:"length"`
	Muted     bool       `json:"muted"`
	Status    string     `gorm:"size:16" json:"status"` // recording, done, failed
	// MediaFile is the recording store key of the archived audio
	// (YYYYMMDD/<guid>.<ext>, pkg/media); MediaStatus is "" until the
	// archiver has tried, then stored or failed.
	MediaFile   string `gorm:"size:64" json:"media_file"`
	MediaStatus string `gorm:"size:16" json:"media_status"`
}

type Form struct {
	ID          uint   `gorm:"primaryKey" json:"id"`
	Name        string `gorm:"size:128" json:"name"`
	Description string `gorm:"size:255" json:"description"`
	Active      bool   `gorm:"default:true" json:"active"`
}

type FormField struct {
	ID       uint   `gorm:"primaryKey" json:"id"`
	FormID   uint   `gorm:"index" json:"form_id"`
	Label    string `gorm:"size:255" json:"label"`
	Type     string `gorm:"size:16" json:"type"` // LABEL, TEXT, LIST, DATE, TEXTAREA
	Options  string `gorm:"type:text" json:"options"`
	Order    int    `json:"order"`
	Required bool   `json:"required"`
	MaxLen   int    `json:"max_len"`
}

// FormValue is one collected value of a form field for a call.
type FormValue struct {
	ID      uint64    `gorm:"primaryKey" json:"id"`
	CallID  uint64    `gorm:"uniqueIndex:fv_call_field" json:"call_id"`
	FieldID uint      `gorm:"uniqueIndex:fv_call_field" json:"field_id"`
	FormID  uint      `json:"form_id"`
	Value   string    `gorm:"type:text" json:"value"`
	SavedAt time.Time `json:"saved_at"`
}

// APIUser is a credential for a dialect: a VICIdial API user, an ECCP
// authorized client, an eXpand/uContact/Infocaller API account. Dialect
// credentials live here, one row per (dialect, principal); agents' own
// passwords stay on Agent for now.
type APIUser struct {
	ID       uint   `gorm:"primaryKey" json:"id"`
	Dialect  string `gorm:"size:16;uniqueIndex:api_dialect_user" json:"dialect"`
	Username string `gorm:"size:64;uniqueIndex:api_dialect_user" json:"username"`
	Secret   string `gorm:"size:128" secret:"hash" json:"-"` // hashed; of a digest for dialects that register one (DeriveSecret)
	Active   bool   `gorm:"default:true" json:"active"`
	// VICIdial permission flags (vicidial_users columns).
	UserLevel           int    `gorm:"default:8" json:"user_level"`
	APIAccess           bool   `gorm:"default:true" json:"api_access"`
	AllowedFunctions    string `gorm:"size:1024;default:ALL_FUNCTIONS" json:"allowed_functions"`
	ModifyLeads         bool   `json:"modify_leads"`
	ChangeAgentCampaign bool   `json:"change_agent_campaign"`
	ModifyCampaigns     bool   `json:"modify_campaigns"`
	ManualDial          bool   `json:"manual_dial"`
	APIOnlyUser         bool   `json:"api_only_user"`
	// Scopes narrows what the principal may do in its dialect, a comma
	// list (empty: whatever the dialect's own flags above allow).
	Scopes string `gorm:"size:255" json:"scopes,omitempty"`
	// Description says what the credential is for (an eXpand
	// authorizedKey names the application that uses it).
	Description string `gorm:"size:255" json:"description"`
	CreatedAt   time.Time
}

// UserGroup is a VICIdial-style user group: which campaigns and which other
// groups its members may reach (allowed_campaigns " TESTCAMP - " or
// " -ALL-CAMPAIGNS- - ", admin_viewable_groups " ---ALL--- ").
type UserGroup struct {
	ID                  uint   `gorm:"primaryKey" json:"id"`
	Name                string `gorm:"size:64;uniqueIndex" json:"name"`
	Description         string `gorm:"size:255" json:"description"`
	AllowedCampaigns    string `gorm:"type:text" json:"allowed_campaigns"`
	AdminViewableGroups string `gorm:"type:text" json:"admin_viewable_groups"`
}

// LoginFailure records a failed authentication for login delays
// (Credentials.Check): Source is the client address without port.
type LoginFailure struct {
	ID       uint64    `gorm:"primaryKey"`
	Dialect  string    `gorm:"size:16;index:lf_key;index:lf_source"`
	Username string    `gorm:"size:64;index:lf_key"`
	Time     time.Time `gorm:"index"`
	Source   string    `gorm:"size:64;index:lf_source"`
}

// APILogEntry is one API request, like vicidial_api_log.
type APILogEntry struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	Dialect   string    `gorm:"size:16;index" json:"dialect"`
	User      string    `gorm:"size:64;index" json:"user"`
	Time      time.Time `gorm:"index" json:"time"`
	Function  string    `gorm:"size:64" json:"function"`
	AgentUser string    `gorm:"size:64" json:"agent_user"`
	Value     string    `gorm:"size:255" json:"value"`
	Result    string    `gorm:"size:16" json:"result"`
	Reason    string    `gorm:"size:255" json:"reason"`
	Source    string    `gorm:"size:32" json:"source"`
	Data      string    `gorm:"type:text" json:"data"`
	RunTime   float64   `json:"run_time"`
}

// ScreenCommand is an agent-screen instruction (refresh panel, timer,
// notification, webphone URL...) kept until a console collects it.
type ScreenCommand struct {
	ID        uint64     `gorm:"primaryKey" json:"id"`
	Agent     string     `gorm:"size:64;index" json:"agent"`
	Kind      string     `gorm:"size:32" json:"kind"`
	Payload   string     `gorm:"type:text" json:"payload"`
	CreatedAt time.Time  `json:"created_at"`
	Delivered *time.Time `json:"delivered"`
}

// Route sends an inbound DID to a queue.
type Route struct {
	ID       uint   `gorm:"primaryKey" json:"id"`
	DID      string `gorm:"size:64;uniqueIndex" json:"did"`
	Queue    string `gorm:"size:64" json:"queue"`
	Campaign string `gorm:"size:64" json:"campaign"`
}

// EngineHeartbeat is the last time a running engine was alive. A call the
// engine finds gone after a restart was up at least until then, and the
// gateway's downtime after it is not counted as talk time.
type EngineHeartbeat struct {
	ID      uint   `gorm:"primaryKey"`
	Name    string `gorm:"size:64;uniqueIndex"`
	AliveAt time.Time
}

// AllModels lists every persisted record, for migrations.
func AllModels() []any {
	return []any{
		&Agent{}, &AgentSession{}, &Queue{}, &QueueMember{}, &Campaign{}, &List{}, &Lead{}, &LeadPhone{},
		&Call{}, &QueueLogEntry{}, &CDR{}, &PauseCode{}, &Disposition{}, &Callback{}, &DNCEntry{},
		&Recording{}, &Form{}, &FormField{}, &FormValue{}, &APIUser{}, &LoginFailure{}, &APILogEntry{},
		&ScreenCommand{}, &Route{}, &UserGroup{}, &EngineHeartbeat{}, &ExternalID{},
		&AgentValue{}, &PendingDial{}, &OriginationJob{}, &Setting{},
		&Phone{}, &ContactImport{},
		&SMS{},
		&Line{}, &RuleGroup{}, &Script{},
		&SimpleList{}, &SimpleListElement{}, &PendingCallDetail{},
		&LeaseRecord{}, &GatewayNode{},
		&OutboxMessage{}, &OutboxAttempt{},
		&ListField{}, &LeadFieldValue{},
		&WebSession{},
	}
}
