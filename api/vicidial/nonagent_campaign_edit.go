package vicidial

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// optEdit collects an edit function's changes: core columns and dialect
// settings, with the first "... THIS IS AN OPTIONAL FIELD" refusal (the
// script checks every option in turn and stops at the first bad one).
type optEdit struct {
	c        *naCall
	cols     map[string]any
	settings map[string]*string
	refusal  string
	value    string // the refused value
}

func newOptEdit(c *naCall) optEdit {
	return optEdit{c: c, cols: map[string]any{}, settings: map[string]*string{}}
}

func (e *optEdit) refuse(reason, v string) {
	if e.refusal == "" {
		e.refusal, e.value = reason, v
	}
}

func (e *optEdit) set(name, v string) { e.settings[name] = &v }

// opt runs check on a non-empty parameter unless a refusal came first.
func (e *optEdit) opt(param string, check func(v string)) {
	if v := e.c.p.get(param); v != "" && e.refusal == "" {
		check(v)
	}
}

// refused prints the refusal, if any, and reports it.
func (e *optEdit) refused() bool {
	if e.refusal == "" {
		return false
	}
	e.c.colon("ERROR", e.refusal+", THIS IS AN OPTIONAL FIELD", "|"+e.c.user+"|"+e.value)
	return true
}

func (e *optEdit) empty() bool { return len(e.cols) == 0 && len(e.settings) == 0 }

// campaignEdit is update_campaign's edit of one campaign.
type campaignEdit struct {
	optEdit
	camp core.Campaign
}

var listOrders = regexp.MustCompile(`^(DOWN|UP)( PHONE| LAST NAME| COUNT| LAST CALL TIME| RANK| OWNER| TIMEZONE)?( [2-6](nd|rd|th) NEW)?$|^RANDOM( [2-6](nd|rd|th) NEW)?$`)

var secondaryOrders = []string{"LEAD_ASCEND", "LEAD_DESCEND", "CALLTIME_ASCEND", "CALLTIME_DESCEND", "VENDOR_ASCEND", "VENDOR_DESCEND"}

// vicidialDialMethods maps dial_method onto the engine's dialers.
var vicidialDialMethods = map[string]core.DialMethod{"MANUAL": core.DialManual, "INBOUND_MAN": core.DialManual,
	"RATIO": core.DialProgressive, "ADAPT_TAPERED": core.DialPredictive, "ADAPT_AVERAGE": core.DialPredictive,
	"ADAPT_HARD_LIMIT": core.DialPredictive}

// updateCampaign is update_campaign: the script's checks in its order
// (each refusal an ERROR ending the function), then one update.
func (c *naCall) updateCampaign() {
	name := c.p.get("campaign_id")
	if len(name) < 2 || len(name) > 8 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+name+"|"+c.p.get("campaign_name")+"|"+name)
		return
	}
	camp, err := c.h.eng.FindCampaign(c.ctx, name)
	if err != nil || !c.campaignAllowed(name) {
		c.colon("ERROR", "CAMPAIGN DOES NOT EXIST", "|"+c.user+"|"+name)
		return
	}
	e := &campaignEdit{optEdit: newOptEdit(c), camp: camp}
	e.dialing()
	e.identity()
	e.urls()
	e.ordering()
	e.dialStatuses()
	if e.refused() {
		return
	}
	if e.empty() {
		c.colon("NOTICE", "NO UPDATES DEFINED", "|"+c.user+"|")
	} else if !e.save() {
		return
	} else {
		c.dash("SUCCESS", "CAMPAIGN HAS BEEN UPDATED", c.user+"|"+name)
	}
	if c.p.get("reset_hopper") == "Y" {
		if _, err := c.h.eng.UnqueueCampaign(c.ctx, name); err != nil {
			c.h.log.Warn("vicidial: reset_hopper", "campaign", name, "err", err)
		}
		c.dash("NOTICE", "HOPPER HAS BEEN RESET", c.user+"|"+name+"|")
	}
}

// campaignAllowed applies the API user's group allowed_campaigns, as the
// script's campaign lookup does (an API user with no agent or group is
// not narrowed).
func (c *naCall) campaignAllowed(name string) bool {
	a, err := c.h.eng.FindAgent(c.ctx, c.user)
	if err != nil {
		return true
	}
	g, err := c.h.eng.UserGroup(c.ctx, a.UserGroup)
	if err != nil || campaignsAll(g) {
		return true
	}
	return strings.Contains(" "+g.AllowedCampaigns+" ", " "+name+" ")
}

func (e *campaignEdit) save() bool {
	c := e.c
	err := c.h.eng.UpdateCampaign(c.ctx, e.camp.Name, e.cols)
	if err == nil && len(e.settings) > 0 {
		_, err = c.h.eng.Settings().Set(c.ctx, Dialect, core.ScopeCampaign, e.camp.Name, e.settings)
	}
	if err != nil {
		// The script cannot fail here; Callgate says so when it does.
		c.h.log.Error("vicidial: update_campaign", "campaign", e.camp.Name, "err", err)
		c.dash("ERROR", "CAMPAIGN HAS NOT BEEN UPDATED", c.user+"|"+e.camp.Name)
		return false
	}
	return true
}

// dialing: auto_dial_level, dial_method, adaptive_maximum_level,
// campaign_vdad_exten, hopper_level, dial_timeout.
func (e *campaignEdit) dialing() {
	limit := e.c.autoDialLimit()
	e.opt("auto_dial_level", func(v string) {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > limit {
			e.refuse("AUTO DIAL LEVEL MUST BE FROM 0 TO "+strconv.FormatFloat(limit, 'f', -1, 64), v)
			return
		}
		e.cols["dial_ratio"] = f
	})
	e.opt("dial_method", func(v string) {
		m, ok := vicidialDialMethods[v]
		if !ok {
			e.refuse("DIAL METHOD IS NOT VALID", v)
			return
		}
		e.cols["dial_method"] = m
	})
	e.lengthSetting("adaptive_maximum_level", "adaptive_maximum_level", 1, 5, "ADAPT MAXIMUM DIAL LEVEL MUST BE FROM 1 TO 5 CHARACTERS")
	e.lengthSetting("campaign_vdad_exten", "campaign_vdad_exten", 3, 20, "ROUTING EXTENSION MUST BE FROM 3 TO 20 CHARACTERS")
	e.opt("hopper_level", func(v string) {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 5000 {
			e.refuse("HOPPER LEVEL MUST BE FROM 1 TO 2000", v) // the script's words; its bound is 5000
			return
		}
		e.set("hopper_level", v)
	})
	e.opt("dial_timeout", func(v string) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 120 {
			e.refuse("DIAL TIMEOUT MUST BE FROM 1 TO 120", v)
			return
		}
		e.cols["dial_timeout"] = n
	})
}

// identity: campaign_name, outbound_cid, lead_filter_id, active and the
// transfer-conference numbers.
func (e *campaignEdit) identity() {
	e.opt("campaign_name", func(v string) {
		if len(v) < 6 || len(v) > 40 {
			e.refuse("CAMPAIGN NAME MUST BE FROM 6 TO 40 CHARACTERS", v)
			return
		}
		e.cols["description"] = v
	})
	e.opt("outbound_cid", func(v string) {
		if len(v) < 6 || len(v) > 20 {
			e.refuse("CAMPAIGN CID MUST BE FROM 6 TO 20 CHARACTERS", v)
			return
		}
		e.cols["caller_id"] = v
	})
	e.opt("lead_filter_id", func(v string) {
		if v != "---NONE---" {
			// Callgate has no lead filters.
			e.refuse("CAMPAIGN LEAD FILTER MUST BE A VALID FILTER IN THE SYSTEM", v)
			return
		}
		e.set("lead_filter_id", "")
	})
	e.opt("active", func(v string) {
		if v != "Y" && v != "N" {
			e.refuse("ACTIVE MUST BE Y OR N", v)
			return
		}
		e.cols["active"] = v == "Y"
	})
	for i, n := range []string{"ONE", "TWO", "THREE", "FOUR", "FIVE"} {
		e.blankable("xferconf_"+strings.ToLower(n), "xferconf_"+string(rune('a'+i))+"_number", 0, 50, "TRANSFER CONF NUMBER "+n+" IS NOT VALID")
	}
}

// urls: dispo_call_url and the three web forms (the script allows 65000
// characters; a Callgate setting holds 1024).
func (e *campaignEdit) urls() {
	e.blankable("dispo_call_url", "dispo_call_url", 3, 1024, "DISPO CALL URL IS NOT VALID")
	for i, n := range []string{"one", "two", "three"} {
		setting := []string{"web_form_address", "web_form_address_two", "web_form_address_three"}[i]
		e.blankable("webform_"+n, setting, 3, 1024, "WENFORM "+strconv.Itoa(i+1)+" URL IS NOT VALID")
	}
}

// ordering: list_order, list_order_randomize, list_order_secondary.
func (e *campaignEdit) ordering() {
	e.opt("list_order", func(v string) {
		switch {
		case !listOrders.MatchString(v):
			e.refuse("LIST ORDER IS NOT VALID", v)
		case len(v) < 2 || len(v) > 30:
			e.refuse("LIST ORDER IS NOT A VALID LENGTH", v)
		default:
			e.set("lead_order", v)
		}
	})
	e.opt("list_order_randomize", func(v string) {
		if v != "Y" && v != "N" {
			e.refuse("LIST ORDER RANDOMIZE IS NOT VALID", v)
			return
		}
		e.set("lead_order_randomize", v)
	})
	e.opt("list_order_secondary", func(v string) {
		for _, s := range secondaryOrders {
			if v == s {
				e.set("lead_order_secondary", v)
				return
			}
		}
		e.refuse("LIST ORDER SECONDARY IS NOT VALID", v)
	})
}

// dialStatuses: dial_status_add and dial_status_remove edit the core
// campaign's dial statuses, the list the dialer calls.
func (e *campaignEdit) dialStatuses() {
	current := vicidialDialStatuses(e.camp)
	changed := false
	e.opt("dial_status_add", func(v string) {
		switch {
		case len(v) > 6:
			e.refuse("DIAL STATUS ADD IS NOT VALID", v)
		case len(current) > 248:
			e.refuse("DIAL STATUS ADD FAILURE, TOO MANY EXISTING DIAL STATUSES", v)
		default:
			current, changed = " "+v+current, true
		}
	})
	e.opt("dial_status_remove", func(v string) {
		switch {
		case len(v) > 6:
			e.refuse("DIAL STATUS REMOVE IS NOT VALID", v)
		case !strings.Contains(strings.ToUpper(current+" "), " "+strings.ToUpper(v)+" "):
			e.refuse("DIAL STATUS REMOVE FAILURE, NOT AN EXISTING DIAL STATUS", v)
		default:
			fields := strings.Fields(current)
			kept := fields[:0]
			for _, f := range fields {
				if !strings.EqualFold(f, v) {
					kept = append(kept, f)
				}
			}
			current, changed = " "+strings.Join(kept, " "), true
		}
	})
	if changed {
		e.cols["dial_statuses"] = current
	}
}

// lengthSetting keeps a setting whose value must be min to max long.
func (e *optEdit) lengthSetting(param, setting string, min, max int, reason string) {
	e.opt(param, func(v string) {
		if len(v) < min || len(v) > max {
			e.refuse(reason, v)
			return
		}
		e.set(setting, v)
	})
}

// blankable is lengthSetting where --BLANK-- empties the setting.
func (e *optEdit) blankable(param, setting string, min, max int, reason string) {
	if e.c.p.get(param) == "--BLANK--" {
		if e.refusal == "" {
			e.set(setting, "")
		}
		return
	}
	e.lengthSetting(param, setting, min, max, reason)
}

// autoDialLimit is the system's auto_dial_limit setting.
func (c *naCall) autoDialLimit() float64 {
	v, _ := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeSystem, "")
	f, err := strconv.ParseFloat(v.String(setAutoDialLimit), 64)
	if err != nil {
		return 4
	}
	return f
}

// vicidialDialStatuses is the campaign's dial_statuses column: its own, or
// the engine's default statuses in that form (" NEW NA -").
func vicidialDialStatuses(camp core.Campaign) string {
	if strings.TrimSpace(camp.DialStatuses) != "" {
		return camp.DialStatuses
	}
	var b strings.Builder
	for _, s := range core.DialStatusesOf(camp) {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	return b.String() + " -"
}
