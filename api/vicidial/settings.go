package vicidial

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// VICIdial settings the agent API honours, kept as data (core/settings.go)
// and edited through the admin API (/api/v1/settings/vicidial...). Names
// and defaults are VICIdial's own columns: system_settings for the system
// scope, vicidial_campaigns for the campaign scope.
const (
	setAPIActive      = "vdc_agent_api_active"
	setNotifications  = "agent_notifications"
	setOutboundCIDAny = "outbound_cid_any"
	setWebphoneURL    = "webphone_url"
	setGroupAliases   = "group_aliases"

	setAPIManualDial     = "api_manual_dial"
	setManualPreviewDial = "manual_preview_dial"
	setAltNumberDialing  = "alt_number_dialing"
	setAgentLeadSearch   = "agent_lead_search"
	setManualDialListID  = "manual_dial_list_id"
	setDefaultXferGroup  = "default_xfer_group"
	setUseOtherCampDNC   = "use_other_campaign_dnc"
	setAllowInbound      = "campaign_allow_inbound"

	setCustomFieldsEnabled = "custom_fields_enabled"
	setAPIListRestrict     = "api_list_restrict"
	setCustomFieldsModify  = "custom_fields_modify"
	setAutoDialLimit       = "auto_dial_limit"
)

// groupAliasList is groups_alias as one setting: "ALIAS=callerid" pairs
// separated by spaces (api.php reads caller_id_number by group_alias_id).
var groupAliasList = regexp.MustCompile(`^([0-9A-Za-z_]{1,30}=[0-9]{0,20}( |$))*$`)

func init() {
	yn := []string{"Y", "N"}
	core.DeclareSettings(Dialect,
		core.SettingDef{Name: setAPIActive, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "0",
			Doc: "1 turns the agent API on; 0 answers every function \"ERROR: System API NOT ACTIVE\"."},
		core.SettingDef{Name: setNotifications, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "0",
			Doc: "1 allows send_notification."},
		core.SettingDef{Name: setOutboundCIDAny, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"DISABLED", "API_ONLY", "Y"}, Default: "DISABLED",
			Doc: "API_ONLY allows external_dial's outbound_cid."},
		core.SettingDef{Name: setWebphoneURL, Scope: core.ScopeSystem, Default: "",
			Doc: "The agents' webphone URL, as vicidial_session_data keeps it at login; {user}, {extension} and {session} are replaced."},
		core.SettingDef{Name: setGroupAliases, Scope: core.ScopeSystem, MaxLen: 1024, Default: "",
			Check: checkGroupAliases,
			Doc:   "groups_alias rows as space-separated ALIAS=caller_id_number pairs, e.g. \"TESTING=7275551211\"."},

		core.SettingDef{Name: setAPIManualDial, Scope: core.ScopeCampaign, Kind: core.SettingEnum, Choices: []string{"STANDARD", "QUEUE", "QUEUE_AND_AUTOCALL"}, Default: "STANDARD",
			Doc: "STANDARD: external_dial needs a paused agent; QUEUE: numbers wait in the agent's manual dial queue."},
		core.SettingDef{Name: setManualPreviewDial, Scope: core.ScopeCampaign, Kind: core.SettingEnum, Choices: []string{"DISABLED", "PREVIEW_AND_SKIP", "PREVIEW_ONLY"}, Default: "PREVIEW_AND_SKIP",
			Doc: "What preview_dial_action may do."},
		core.SettingDef{Name: setAltNumberDialing, Scope: core.ScopeCampaign, Kind: core.SettingEnum, Choices: yn, Default: "N",
			Doc: "Y allows preview_dial_action ALTDIAL, ADR3DIAL and FINISH."},
		core.SettingDef{Name: setAgentLeadSearch, Scope: core.ScopeCampaign, Kind: core.SettingEnum,
			Choices: []string{"ENABLED", "LIVE_CALL_INBOUND", "LIVE_CALL_INBOUND_AND_MANUAL", "DISABLED"}, Default: "DISABLED",
			Doc: "LIVE_CALL_INBOUND(_AND_MANUAL) allows switch_lead."},
		core.SettingDef{Name: setManualDialListID, Scope: core.ScopeCampaign, Kind: core.SettingInt, Min: 1, Max: 99999999999999, Default: "998",
			Doc: "List new leads of manual dials and external_add_lead go to."},
		core.SettingDef{Name: setDefaultXferGroup, Scope: core.ScopeCampaign, MaxLen: 20, Default: "---NONE---",
			Doc: "In-group DEFAULTINGROUP transfers go to."},
		core.SettingDef{Name: setUseOtherCampDNC, Scope: core.ScopeCampaign, MaxLen: 50, Default: "",
			Doc: "Campaign whose DNC list external_add_lead checks instead of this one's."},
		core.SettingDef{Name: setAllowInbound, Scope: core.ScopeCampaign, Kind: core.SettingEnum, Choices: yn, Default: "N",
			Doc: "Y lets agents of the campaign take inbound calls (change_ingroups, blended)."},
		core.SettingDef{Name: setCustomFieldsEnabled, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "0",
			Doc: "1 enables lists' custom fields in the non-agent API (custom_fields=Y, list_custom_fields)."},
		core.SettingDef{Name: setAPIListRestrict, Scope: core.ScopeUser, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "0",
			Doc: "1 restricts the user's non-agent lead and list functions to the lists of its user group's allowed campaigns."},
		core.SettingDef{Name: setCustomFieldsModify, Scope: core.ScopeUser, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "0",
			Doc: "1 lets the user add and delete lists' custom fields (update_list custom_fields_add/delete)."},
	)
	core.DeclareSettings(Dialect, listSettingDefs()...)
	core.DeclareSettings(Dialect, campaignSettingDefs()...)
	core.DeclareSettings(Dialect, userSettingDefs()...)
}

// userSettingDefs are the vicidial_users columns update_user writes that
// the engine's agent does not model; kept, not applied to calls.
func userSettingDefs() []core.SettingDef {
	text := textSetting(core.ScopeUser)
	return []core.SettingDef{
		{Name: "hotkeys_active", Scope: core.ScopeUser, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "0",
			Doc: "1 lets the agent screen use hotkeys (kept for the agent screen)."},
		text("voicemail_id", 10, "", "The agent's voicemail box (kept)."),
		text("custom_one", 100, "", "vicidial_users custom_one."),
		text("custom_two", 100, "", "vicidial_users custom_two."),
		text("custom_five", 100, "", "vicidial_users custom_five."),
		text("wrapup_seconds_override", 5, "-1", "The agent's wrap-up seconds, -1 the campaign's (kept; queues set wrap-up)."),
		text("campaign_rank", 3, "", "Rank in every campaign, -9 to 9 (kept; routing does not read it)."),
		text("campaign_grade", 2, "", "Grade in every campaign, 1 to 10 (kept)."),
		text("ingroup_rank", 3, "", "Rank in every in-group, -9 to 9 (kept)."),
		text("ingroup_grade", 2, "", "Grade in every in-group, 1 to 10 (kept)."),
	}
}

// textSetting declares text settings of one scope: name, longest value,
// default, doc.
func textSetting(scope string) func(name string, n int, def, doc string) core.SettingDef {
	return func(name string, n int, def, doc string) core.SettingDef {
		return core.SettingDef{Name: name, Scope: scope, MaxLen: n, Default: def, Doc: doc}
	}
}

// campaignSettingDefs are the vicidial_campaigns columns update_campaign
// writes that the engine's campaign does not model; they are kept for the
// admin and the agent screen, not applied to calls (see doc.go).
func campaignSettingDefs() []core.SettingDef {
	text := textSetting(core.ScopeCampaign)
	defs := []core.SettingDef{
		{Name: setAutoDialLimit, Scope: core.ScopeSystem, Kind: core.SettingInt, Min: 1, Max: 100, Default: "4",
			Doc: "Highest auto_dial_level update_campaign accepts (VICIdial's system setting)."},
		text("adaptive_maximum_level", 5, "3.0", "Adaptive dialing's highest level (kept; the engine paces on its abandon rate)."),
		text("campaign_vdad_exten", 20, "8368", "Routing extension of answered calls (kept; the engine routes itself)."),
		text("hopper_level", 4, "100", "Leads VICIdial keeps in the hopper (kept; the engine reads due leads directly)."),
		text("lead_filter_id", 20, "", "Lead filter (Callgate has none)."),
		text("dispo_call_url", 1024, "", "URL VICIdial calls after a disposition (kept, not called)."),
		text("lead_order", 30, "DOWN", "VICIdial's lead order (kept; the engine dials by priority, then fewest attempts); campaigns_list prints it."),
		text("lead_order_randomize", 1, "N", "Y randomizes the lead order (kept)."),
		text("lead_order_secondary", 20, "LEAD_ASCEND", "Secondary lead order (kept)."),
	}
	for _, n := range []string{"web_form_address", "web_form_address_two", "web_form_address_three"} {
		defs = append(defs, text(n, 1024, "", "Agent screen web form (kept for the agent screen)."))
	}
	for _, c := range "abcde" {
		defs = append(defs, text("xferconf_"+string(c)+"_number", 50, "", "Transfer-conference number (kept)."))
	}
	return defs
}

// listSettingDefs are the vicidial_lists columns add_list and update_list
// write beyond the list's name, campaign and active flag.
func listSettingDefs() []core.SettingDef {
	setting := textSetting(core.ScopeList)
	text := func(name string, n int, doc string) core.SettingDef { return setting(name, n, "", doc) }
	defs := []core.SettingDef{
		text("list_description", 255, "The list's description."),
		{Name: "expiration_date", Scope: core.ScopeList, Default: "2099-12-31", Check: checkDate,
			Doc: "YYYY-MM-DD; list_info reports it."},
		{Name: "reset_time", Scope: core.ScopeList, MaxLen: 100, Check: checkResetTimes,
			Doc: "HHMM times joined by dashes at which VICIdial resets the list (kept, not run by Callgate)."},
		{Name: "local_call_time", Scope: core.ScopeList, Default: "campaign", Check: checkLocalCallTime,
			Doc: "campaign, or a call time (24hours, 9am-9pm…) that overrides the campaign's hours for hopper_local_call_time_check."},
		{Name: "time_zone_setting", Scope: core.ScopeList, Kind: core.SettingEnum, Choices: tzMethods, Default: "COUNTRY_AND_AREA_CODE",
			Doc: "How VICIdial finds its leads' time zones (kept; the non-agent API's tz_method decides per request)."},
		text("campaign_cid_override", 20, "Caller id override for the list (kept, not applied to dials)."),
		text("am_message_exten_override", 100, "Answering-machine message override (kept, not played)."),
		text("agent_script_override", 20, "Agent script override (Callgate has no agent scripts)."),
		text("drop_inbound_group_override", 20, "In-group for dropped calls of the list (kept, not applied)."),
	}
	for _, n := range []string{"web_form_address", "web_form_address_two", "web_form_address_three"} {
		defs = append(defs, text(n, 1024, "Agent screen web form override (kept for the agent screen; not read by the APIs)."))
	}
	for _, c := range "abcde" {
		defs = append(defs, text("xferconf_"+string(c)+"_number", 50, "Transfer-conference number override (kept, not applied)."))
	}
	return defs
}

func checkDate(v string) error {
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return fmt.Errorf("must be YYYY-MM-DD")
	}
	return nil
}

func checkResetTimes(v string) error {
	if v != "" && !resetTimes(v) {
		return fmt.Errorf("must be HHMM times joined by dashes")
	}
	return nil
}

func checkLocalCallTime(v string) error {
	if _, ok := core.FindCallTime(v); !ok && v != "campaign" {
		return fmt.Errorf("must be campaign or a defined call time")
	}
	return nil
}

func checkGroupAliases(v string) error {
	if !groupAliasList.MatchString(v) {
		return fmt.Errorf("must be space-separated ALIAS=digits pairs")
	}
	return nil
}

// systemSettings are the system switches, read once per request.
func (h *Handler) systemSettings(ctx context.Context) (core.SettingValues, error) {
	return h.eng.Settings().Values(ctx, Dialect, core.ScopeSystem, "")
}

// aliasCallerID is the caller_id_number of a groups_alias id.
func aliasCallerID(sys core.SettingValues, id string) (string, bool) {
	for _, pair := range strings.Fields(sys.String(setGroupAliases)) {
		if name, cid, ok := strings.Cut(pair, "="); ok && name == id {
			return cid, true
		}
	}
	return "", false
}

// campaignSettings are the vicidial_campaigns columns the agent API reads.
type campaignSettings struct {
	APIManualDial     string
	ManualPreviewDial string
	AltNumberDialing  string
	AgentLeadSearch   string
	ManualDialListID  uint64
	DefaultXferGroup  string
	UseOtherCampDNC   string
	AllowInbound      bool
}

// campaignSettings reads a campaign's settings; a store failure gives
// VICIdial's defaults and is logged (the functions reading them answer
// from the campaign row, as api.php does with an empty result).
func (h *Handler) campaignSettings(ctx context.Context, name string) campaignSettings {
	v, err := h.eng.Settings().Values(ctx, Dialect, core.ScopeCampaign, name)
	if err != nil {
		h.log.Warn("vicidial: campaign settings", "campaign", name, "err", err)
		v = core.SettingValues{}
	}
	def := func(name, d string) string {
		if s := v.String(name); s != "" {
			return s
		}
		return d
	}
	list, _ := strconv.ParseUint(def(setManualDialListID, "998"), 10, 64)
	return campaignSettings{
		APIManualDial:     def(setAPIManualDial, "STANDARD"),
		ManualPreviewDial: def(setManualPreviewDial, "PREVIEW_AND_SKIP"),
		AltNumberDialing:  def(setAltNumberDialing, "N"),
		AgentLeadSearch:   def(setAgentLeadSearch, "DISABLED"),
		ManualDialListID:  list,
		DefaultXferGroup:  def(setDefaultXferGroup, "---NONE---"),
		UseOtherCampDNC:   v.String(setUseOtherCampDNC),
		AllowInbound:      v.Bool(setAllowInbound),
	}
}
