package vicidial

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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
)

// groupAliasList is groups_alias as one setting: "ALIAS=callerid" pairs
// separated by spaces (api.php reads caller_id_number by group_alias_id).
var groupAliasList = regexp.MustCompile(`^([0-9A-Za-z]{1,30}=[0-9]{0,20}( |$))*$`)

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
