package vicidial

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/callgate/callgate/core"
)

var functions map[string]func(*call)

func init() {
	functions = map[string]func(*call){
		"webserver":                (*call).webserver,
		"external_hangup":          (*call).externalHangup,
		"external_status":          (*call).externalStatus,
		"external_pause":           (*call).externalPause,
		"logout":                   (*call).logout,
		"recording":                (*call).recording,
		"webphone_url":             (*call).webphoneURL,
		"call_agent":               (*call).callAgent,
		"audio_playback":           (*call).audioPlayback,
		"external_dial":            (*call).externalDial,
		"preview_dial_action":      (*call).previewDialAction,
		"external_add_lead":        (*call).externalAddLead,
		"change_ingroups":          (*call).changeIngroups,
		"update_fields":            (*call).updateFields,
		"refresh_panel":            (*call).refreshPanel,
		"set_timer_action":         (*call).setTimerAction,
		"st_login_log":             (*call).stLoginLog,
		"st_get_agent_active_lead": (*call).stGetAgentActiveLead,
		"ra_call_control":          (*call).raCallControl,
		"send_dtmf":                (*call).sendDTMF,
		"park_call":                (*call).parkCall,
		"transfer_conference":      (*call).transferConference,
		"switch_lead":              (*call).switchLead,
		"vm_message":               (*call).vmMessage,
		"pause_code":               (*call).pauseCode,
		"calls_in_queue_count":     (*call).callsInQueueCount,
		"force_fronter_leave_3way": (*call).forceFronterLeave3way,
		"force_fronter_audio_stop": (*call).forceFronterAudioStop,
		"send_notification":        (*call).sendNotification,
	}
}

// noAgent is api.php's "(strlen($agent_user)<1) and (strlen($alt_user)<min)".
func (c *call) noAgent(altMin int) bool {
	return len(c.agentUser) < 1 && len(c.p.get("alt_user")) < altMin
}

// prelude runs the common steps: validation, permission, alt_user and the
// logged-in check. It returns the agent session when the function may go on.
func (c *call) prelude(invalid bool, invalidData string) (core.AgentSession, bool) {
	return c.preludeFor(invalid, invalidData, c.value)
}

// preludeFor is prelude for the functions whose permission error names
// another field than value first (switch_lead, vm_message: lead_id).
func (c *call) preludeFor(invalid bool, invalidData, permData string) (core.AgentSession, bool) {
	if invalid {
		c.emit("ERROR", c.function+" not valid", invalidData)
		return core.AgentSession{}, false
	}
	if !c.permission(permData) {
		return core.AgentSession{}, false
	}
	c.altUser("")
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return s, false
	}
	return s, true
}

// screen sends an agent-screen command through the engine (stored, so a
// console connecting later still gets it, and published on the bus).
func (c *call) screen(agent, kind string, payload map[string]any) (core.ScreenCommand, error) {
	payload["function"] = c.function
	payload["api_user"] = c.user
	b, _ := json.Marshal(payload)
	cmd, err := c.h.eng.SendScreen(c.ctx, agent, kind, string(b))
	c.h.logEffect(c.function, agent, err)
	return cmd, err
}

func (c *call) effect(err error) { c.h.logEffect(c.function, c.agentUser, err) }

// ---------------------------------------------------------------- webserver

func (c *call) webserver() {
	if !c.allowed() {
		c.emitExit("ERROR", "auth USER DOES NOT HAVE PERMISSION TO USE THIS FUNCTION", c.user+"|"+c.function+"|"+c.userGroup)
		return
	}
	hi := c.h.hostInfo()
	zone, _ := c.now.Zone()
	dst := "0"
	if c.now.IsDST() {
		dst = "1"
	}
	var d strings.Builder
	d.WriteString("Webserver Data:\n")
	tz := zoneName(c.now.Location())
	d.WriteString("set.timezone: " + tz + "\n")
	d.WriteString("abbr.timezone: " + zone + "\n")
	d.WriteString("dst.timezone: " + dst + "\n")
	d.WriteString("uname: " + hi.uname + "\n")
	d.WriteString("host name: " + hi.host + "\n")
	server := c.h.opt.ServerName
	if server == "" {
		server = c.host
	}
	d.WriteString("server name: " + server + "\n")
	d.WriteString("php version: " + hi.runtime + "\n")
	d.WriteString("apache version: Callgate\n")
	d.WriteString("apache processes: " + hi.procs + "\n")
	d.WriteString("system load average: " + hi.load + "\n")
	d.WriteString("disk free space: " + hi.disk + "\n")
	d.WriteString("date.timezone: " + tz + "\n")
	d.WriteString("maximum execution time: 360\n")
	d.WriteString("maximum input time: 360\n")
	d.WriteString("memory limit: 448M\n")
	d.WriteString("post maximum size: 48M\n")
	d.WriteString("upload maximum filesize: 42M\n")
	d.WriteString("default socket timeout: 360\n")
	c.out.WriteString("<PRE>" + d.String() + "</PRE>\n")
	c.log("SUCCESS", "", strings.ReplaceAll(d.String(), "\n", "|"))
	c.exited = true
}

// ---------------------------------------------------------------- hangup, status, pause, logout

func (c *call) externalHangup() {
	_, ok := c.prelude(len(c.value) < 1 || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	// The agent screen acts on "1" only; with no call it is a no-op.
	if c.value == "1" && c.refused(c.h.eng.Hangup(c.ctx, c.agentUser)) {
		return
	}
	c.emit("SUCCESS", "external_hangup function set", c.value+"|"+c.agentUser)
}

func (c *call) externalStatus() {
	s, ok := c.prelude(len(c.value) < 1 || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	status := c.value
	cbDate := c.p.get("callback_datetime")
	cbType := c.p.get("callback_type")
	cbComments := c.p.get("callback_comments")
	qm := c.p.get("qm_dispo_code")
	cbFound := false
	if len(cbDate) > 12 {
		cbFound = c.callbackStatus(status, s.Campaign)
		if cbFound {
			if len(cbType) < 4 {
				cbType = "ANYONE"
			}
			if len(cbComments) > 200 {
				cbComments = cbComments[:200]
			}
			c.value = status + "!" + cbDate + "!" + cbType + "!" + cbComments + "!"
		}
	}
	if len(qm) > 0 {
		if !cbFound {
			c.value += "!!!!" + qm
		} else {
			c.value += qm
		}
	}
	req := core.DispositionRequest{Status: status}
	if _, live := c.h.eng.AgentCall(c.agentUser); !live {
		// From the disposition screen the call may have left the agent
		// (transferred): name it, the engine would look for the agent's own.
		if dc, ok := c.h.dispoCall(s); ok {
			req.CallID = dc.ID
		}
	}
	if cbFound {
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", cbDate, c.now.Location()); err == nil {
			req.CallbackAt = &t
			req.CallbackAgentOnly = cbType == "USERONLY"
			req.Comments = cbComments
		}
	}
	if c.refused(c.h.eng.SetDisposition(c.ctx, c.agentUser, req)) {
		return
	}
	c.emit("SUCCESS", "external_status function set", c.value+"|"+c.agentUser)
}

// callbackStatus is scheduled_callback='Y' in vicidial_statuses or the
// agent's campaign statuses.
func (c *call) callbackStatus(status, campaign string) bool {
	return c.h.eng.IsCallbackStatus(c.ctx, status, campaign)
}

func (c *call) externalPause() {
	invalid := len(c.value) < 1 || c.noAgent(1) || !(strings.Contains(c.value, "PAUSE") || strings.Contains(c.value, "RESUME"))
	s, ok := c.prelude(invalid, c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	if strings.Contains(c.value, "RESUME") {
		switch vicidialStatus(s) {
		case "READY", "QUEUE", "INCALL", "CLOSER":
			c.emitExit("ERROR", "external_pause agent is not paused", c.value+"|"+c.agentUser)
			return
		}
		if s.State == core.AgentWrapUp {
			if c.refused(c.h.eng.EndWrapUp(c.ctx, c.agentUser)) {
				return
			}
			// Ending wrap-up applies a pending "pause after call" first.
			s, _ = c.h.eng.Session(c.agentUser)
		}
		if s.Paused && c.refused(c.h.eng.Unpause(c.ctx, c.agentUser)) {
			return
		}
	} else if !s.Paused {
		// PAUSE during a call ticks "pause after dispo", as the agent screen does.
		var err error
		if s.CallID != 0 || s.State == core.AgentWrapUp || s.State == core.AgentOnCall {
			err = c.h.eng.PauseAfterCall(c.ctx, c.agentUser, "")
		} else {
			err = c.h.eng.Pause(c.ctx, c.agentUser, "")
		}
		if c.refused(err) {
			return
		}
	}
	c.out.WriteString("SUCCESS: external_pause function set - " + c.value + "|" + c.epoch() + "|" + c.agentUser + "\n")
	c.log("SUCCESS", "external_pause function set", c.epoch())
}

func (c *call) logout() {
	invalid := len(c.value) < 1 || c.noAgent(1) || !strings.Contains(c.value, "LOGOUT")
	if _, ok := c.prelude(invalid, c.value+"|"+c.agentUser); !ok {
		return
	}
	if _, err := c.h.eng.Logout(c.ctx, c.agentUser, "api"); c.refused(err) {
		return
	}
	c.out.WriteString("SUCCESS: logout function set - " + c.value + "|" + c.epoch() + "|" + c.agentUser + "\n")
	c.log("SUCCESS", "logout function set", c.epoch())
}

// ---------------------------------------------------------------- recording

func (c *call) recording() {
	v := c.value
	invalid := !(strings.Contains(v, "START") || strings.Contains(v, "STOP") || strings.Contains(v, "STATUS")) || c.noAgent(2)
	s, ok := c.prelude(invalid, c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	recID := c.h.column(s, colRecording)
	tail := "|" + c.h.opt.ServerIP + "|" + c.h.confExten(s) + "|" + vicidialStatus(s)
	if v == "STATUS" {
		if recID != "START" && recID != "STOP" && phpGreaterThanZero(recID) {
			file, start := "", ""
			if id, err := strconv.ParseUint(recID, 10, 64); err != nil {
			} else if rec, err := c.h.eng.Recording(c.ctx, id); err == nil {
				file, start = rec.Name, rec.Start.In(c.now.Location()).Format("2006-01-02 15:04:05")
			}
			c.emit("NOTICE", "recording active", c.agentUser+"|"+recID+"|"+file+"|"+c.h.opt.ServerIP+"|"+start+tail)
		} else {
			c.emit("NOTICE", "not recording", c.agentUser+"||||"+tail)
		}
		return
	}
	if strings.Contains(v, "STOP") && (recID == "STOP" || phpLessThan(recID, 1)) {
		c.emitExit("ERROR", "stop recording error", c.agentUser+"|"+recID+"|||"+tail)
		return
	}
	stage := c.p.get("stage")
	if len(stage) > 0 && strings.Contains(v, "START") {
		if len(stage) > 14 {
			stage = stage[:14]
		}
		c.value = v + stage
	}
	// The agent screen would store the new recording id in the column;
	// Callgate records at once and stores it itself.
	newCol := trunc(c.value, 20)
	if strings.Contains(v, "STOP") {
		_, err := c.h.eng.StopRecording(c.ctx, c.agentUser)
		if errors.Is(err, core.ErrNotRecording) {
			// It ended with the call: nothing records any more.
			c.h.setColumn(s, colRecording, "STOP")
		}
		if c.refusedWith(err, "|"+recID+"|||"+tail) {
			return
		}
		newCol = "STOP"
	} else if strings.Contains(v, "START") {
		rec, err := c.h.eng.StartRecording(c.ctx, c.agentUser)
		if c.refused(err) {
			return
		}
		if rec.ID != 0 {
			newCol = strconv.FormatUint(rec.ID, 10)
		}
	}
	c.h.setColumn(s, colRecording, newCol)
	c.emit("SUCCESS", "recording function sent", c.agentUser+"|"+c.value+"|||"+tail)
}

// ---------------------------------------------------------------- webphone_url, call_agent

func (c *call) webphoneURL() {
	s, ok := c.prelude((c.value != "DISPLAY" && c.value != "LAUNCH") || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	url := c.sys.String(setWebphoneURL)
	if url != "" {
		url = strings.NewReplacer("{user}", s.Username, "{extension}", s.Extension, "{session}", c.h.confExten(s)).Replace(url)
	}
	if len(url) <= 5 {
		c.emit("ERROR", "webphone_url error - webphone url is empty", c.agentUser)
		return
	}
	if c.value == "DISPLAY" {
		c.out.WriteString(url)
		c.log("NOTICE", "webphone_url active and displayed", "")
	} else {
		c.out.WriteString("<META HTTP-EQUIV=Refresh CONTENT=\"0; URL=" + url + "\">\n</HEAD>\n" +
			"<BODY BGCOLOR=#FFFFFF marginheight=0 marginwidth=0 leftmargin=0 topmargin=0>\n" +
			"<a href=\"" + url + "\">click here to continue. . .</a>\n</BODY>\n")
		c.log("NOTICE", "webphone_url active and launched", "")
	}
	_, _ = c.screen(c.agentUser, "webphone_url", map[string]any{"action": c.value, "url": url})
}

func (c *call) callAgent() {
	s, ok := c.prelude(c.value != "CALL" || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	// The saved login call exists for agents whose own channel stays up
	// (persistent agents); on-hook agents are rung per call.
	if s.ChannelID == "" && s.BridgeID == "" {
		c.emit("ERROR", "call_agent error - entry is empty", c.agentUser)
		return
	}
	// A persistent agent whose channel drops is logged out by the engine,
	// so a logged-in one is always connected: what call_agent asks for (the
	// agent's channel up) already holds, and SUCCESS is true.
	c.out.WriteString("SUCCESS: call_agent function sent - " + c.agentUser + "\n")
	c.log("SUCCESS", "call_agent function sent", c.epoch())
}

// ---------------------------------------------------------------- audio_playback

func (c *call) audioPlayback() {
	stage := c.p.get("stage")
	if (len(c.value) < 1 && stage == "PLAY") || len(stage) < 4 || c.noAgent(2) {
		c.emit("ERROR", "audio_playback not valid", c.value+"|"+stage+"|"+c.agentUser)
		return
	}
	if !c.permission(c.value) {
		return
	}
	c.altUser(stage + "|" + c.p.get("alt_user"))
	s, ok := c.session()
	if !ok {
		c.emit("ERROR", "agent_user is not logged in", stage+"|"+c.agentUser)
		return
	}
	conf, ip := c.h.confExten(s), c.h.opt.ServerIP
	override := c.p.get("dial_override")
	playing := c.h.playing(s)
	if stage == "PLAY" {
		if playing {
			if override != "Y" {
				c.emitExit("ERROR", "audio_playback error - audio already playing in agent session", conf+"|"+ip+"|"+stage+"|"+override+"|"+c.agentUser)
				return
			}
			err := c.h.eng.ControlPlayback(c.ctx, c.agentUser, core.PlaybackStop)
			if errors.Is(err, core.ErrNoPlayback) {
				err = nil // it had finished by itself: play the new one
			}
			if c.refusedWith(err, conf+"|"+ip+"|") {
				return
			}
			c.h.setPlaying(s, false)
			c.emit("NOTICE", "audio_playback previous playback stopped", stage+"|"+override+"|"+c.agentUser)
		}
		if _, err := c.h.eng.Play(c.ctx, c.agentUser, "sound:"+c.value); c.refused(err) {
			return
		}
		c.h.setPlaying(s, true)
	} else {
		if !playing {
			c.emitExit("ERROR", "audio_playback error - no audio playing in agent session", conf+"|"+ip+"|"+stage+"|"+c.agentUser)
			return
		}
		op := map[string]core.PlaybackOp{"STOP": core.PlaybackStop, "RESTART": core.PlaybackRestart, "PAUSE": core.PlaybackPause, "RESUME": core.PlaybackResume}[stage]
		var err error
		if op != "" {
			err = c.h.eng.ControlPlayback(c.ctx, c.agentUser, op)
		}
		if op == core.PlaybackStop || errors.Is(err, core.ErrNoPlayback) {
			// Nothing plays any more either way.
			c.h.setPlaying(s, false)
		}
		if c.refusedWith(err, conf+"|"+ip+"|") {
			return
		}
	}
	c.out.WriteString("SUCCESS: audio_playback function sent - " + c.value + "|" + stage + "|" + c.agentUser + "\n")
	c.log("SUCCESS", "audio_playback function sent", c.epoch())
}

// ---------------------------------------------------------------- external_dial

func (c *call) externalDial() {
	if c.value == "MANUALNEXT" {
		c.value = keep(c.value, clsAlnum)
	} else {
		c.value = keep(c.value, clsDigits)
	}
	p := c.p
	leadID, phoneCode := p.get("lead_id"), p.get("phone_code")
	search, preview, focus := p.get("search"), p.get("preview"), p.get("focus")
	alt := p.get("alt_user")
	if (len(c.value) < 2 && len(leadID) < 1) || (len(c.agentUser) < 2 && len(alt) < 2) || len(search) < 2 || len(preview) < 2 || len(focus) < 2 {
		c.emit("ERROR", "external_dial not valid", c.value+"|"+phoneCode+"|"+search+"|"+preview+"|"+focus+"|"+leadID+"|"+c.agentUser+"|"+alt)
		return
	}
	if !c.permission(c.value) {
		return
	}
	c.altUser("")
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return
	}
	cs := c.h.campaignSettings(c.ctx, s.Campaign)
	agentReady := true
	if cs.APIManualDial == "STANDARD" {
		leadOnScreen, _, _, _ := c.h.liveLead(c.ctx, s)
		agentReady = vicidialStatus(s) == "PAUSED" && leadOnScreen < 1
	}
	dialIngroup := p.get("dial_ingroup")
	if len(dialIngroup) > 0 && !c.h.queueExists(c.ctx, dialIngroup, false) {
		c.emit("NOTICE", "defined dial_ingroup not found", dialIngroup)
		dialIngroup = ""
	}
	if !agentReady && len(dialIngroup) == 0 {
		c.emit("ERROR", "agent_user is not paused", c.agentUser)
		return
	}
	if !c.h.agentManualDial(c.ctx, c.agentUser) {
		c.emit("ERROR", "agent_user is not allowed to place manual dial calls", c.agentUser)
		return
	}
	groupAlias := p.get("group_alias")
	cid := ""
	if len(groupAlias) > 1 {
		num, found := aliasCallerID(c.sys, groupAlias)
		if !found {
			c.emitExit("ERROR", "group_alias is not valid", c.agentUser+"|"+groupAlias)
			return
		}
		cid = num
		if phpLessThan(cid, 4) {
			c.emitExit("ERROR", "caller_id_number from group_alias is not valid", c.agentUser+"|"+groupAlias+"|"+cid)
			return
		}
	}
	if ocid := p.get("outbound_cid"); len(ocid) > 1 {
		if any := c.sys.String(setOutboundCIDAny); any != "API_ONLY" {
			c.emitExit("ERROR", "outbound_cid is not allowed on this system", c.agentUser+"|"+ocid+"|"+any)
			return
		}
		cid, groupAlias = ocid, "-FORCE-"
	}
	if strings.Contains(p.get("vtiger_callback"), "YES") && strings.HasPrefix(c.value, "99") {
		c.value = vtigerNumber(c.value)
	}
	altDial := p.get("alt_dial")
	var lead core.Lead
	var leadNum uint64
	if len(leadID) > 0 {
		phoneSearch := c.value
		c.value, phoneCode = "", ""
		leadNum, _ = strconv.ParseUint(leadID, 10, 64)
		l, err := c.h.eng.Lead(c.ctx, leadNum)
		found := err == nil
		if found {
			lead = l
		}
		if altDial == "SEARCH" {
			altDial = ""
			if found {
				if lead.Address3 == phoneSearch {
					altDial = "ADDR3"
				}
				if lead.AltPhone == phoneSearch {
					altDial = "ALT"
				}
				if lead.PhoneNumber == phoneSearch {
					altDial = "MAIN"
				}
				if altDial == "" {
					c.emitExit("ERROR", "phone number lead_id search not found", c.agentUser+"||"+leadID+"|")
					return
				}
			}
		}
		if !found {
			c.emitExit("ERROR", "lead_id is not valid", c.agentUser+"|"+leadID)
			return
		}
		switch altDial {
		case "ALT":
			c.value = lead.AltPhone
		case "ADDR3":
			c.value = lead.Address3
		default:
			c.value = lead.PhoneNumber
		}
		phoneCode = lead.PhoneCode
		c.value = keep(c.value, clsDigits)
		if len(c.value) < 2 {
			c.emitExit("ERROR", "phone number is not valid", c.agentUser+"|"+c.value+"|"+leadID+"|"+altDial)
			return
		}
	}
	if cs.APIManualDial != "STANDARD" {
		// Queue mode: one pending dial per number, placed when the agent is free.
		if !c.h.eng.ReserveDial(s.Username, c.value) {
			c.emit("ERROR", "phone_number is already in this agents manual dial queue", c.agentUser+"|"+c.value)
			return
		}
	}
	vendorID, dialPrefix := p.get("vendor_id"), p.get("dial_prefix")
	if c.value != "MANUALNEXT" && preview == "YES" && dialIngroup == "" {
		// The agent screen shows the lead without dialing; the number
		// is called by preview_dial_action.
		if leadNum == 0 {
			var err error
			if leadNum, err = c.manualDialLead(s, search, phoneCode, vendorID); c.refused(err) {
				return
			}
		}
		if leadNum != 0 {
			if c.refused(c.h.eng.SetAgentLead(c.ctx, c.agentUser, leadNum)) {
				return
			}
			c.h.setPreview(s, leadNum)
		}
	} else if c.value != "MANUALNEXT" {
		if leadNum == 0 {
			var err error
			if leadNum, err = c.manualDialLead(s, search, phoneCode, vendorID); c.refused(err) {
				return
			}
		}
		req := core.DialRequest{Agent: c.agentUser, Phone: c.value, PhoneCode: phoneCode, Campaign: s.Campaign,
			LeadID: leadNum, CallerIDNum: cid, DialPrefix: dialPrefix, Vars: map[string]string{}}
		if vendorID != "" {
			req.Vars["VENDOR_LEAD_CODE"] = vendorID
		}
		if dialIngroup != "" {
			req.Vars["DIAL_INGROUP"] = dialIngroup
		}
		if cs.APIManualDial == "STANDARD" {
			_, err := c.h.eng.Dial(c.ctx, req)
			if c.refused(err) {
				return
			}
		} else {
			// Queue mode: placed at once, or by the engine when the agent
			// is free again.
			if _, err := c.h.eng.DialWhenFree(c.ctx, req); c.refused(err) {
				return
			}
		}
	} else {
		// MANUALNEXT: the next lead of the agent's campaign, as the agent
		// screen's "dial next number" does.
		req := core.DialRequest{Agent: c.agentUser, Campaign: s.Campaign, CallerIDNum: cid, DialPrefix: dialPrefix, Vars: map[string]string{}}
		if _, err := c.h.eng.DialNextLead(c.ctx, req); c.refused(err) {
			return
		}
	}
	data := phoneCode + "|" + search + "|" + preview + "|" + focus + "|" + vendorID + "|" + c.epoch() + "|" + dialPrefix + "|" + groupAlias + "|" + cid + "|" + altDial
	c.out.WriteString("SUCCESS: external_dial function set - " + c.value + "|" + c.agentUser + "|" + data + "\n")
	c.log("SUCCESS", "external_dial function set", data)
}

// manualDialLead is the lead a manual dial by number is attached to, as
// the agent screen does it: with search=YES an existing lead with this
// phone number in the campaign, otherwise a new lead in the campaign's
// manual dial list.
func (c *call) manualDialLead(s core.AgentSession, search, phoneCode, vendorID string) (uint64, error) {
	if search == "YES" {
		if leads, err := c.h.eng.FindLeadsByPhone(c.ctx, c.value, s.Campaign); err == nil && len(leads) > 0 {
			return leads[0].ID, nil
		}
	}
	now := c.now
	l := core.Lead{ListID: c.h.campaignSettings(c.ctx, s.Campaign).ManualDialListID, Campaign: s.Campaign, Status: "NEW", User: c.agentUser,
		PhoneCode: trunc(phoneCode, 10), PhoneNumber: trunc(c.value, 32), VendorLeadCode: trunc(vendorID, 40), EntryDate: now, ModifyDate: now}
	if err := c.h.eng.AddLead(c.ctx, &l, core.AddLeadOptions{}); err != nil {
		return 0, err
	}
	return l.ID, nil
}

// ---------------------------------------------------------------- preview_dial_action

func (c *call) previewDialAction() {
	c.value = keep(c.value, clsUpperDigit)
	alt := c.p.get("alt_user")
	switch {
	case len(c.value) < 4 || (len(c.agentUser) < 2 && len(alt) < 2),
		c.value != "SKIP" && c.value != "DIALONLY" && c.value != "ALTDIAL" && c.value != "ADR3DIAL" && c.value != "FINISH":
		c.emit("ERROR", "preview_dial_action not valid", c.value+"||"+c.agentUser+"|"+alt)
		return
	}
	if !c.permission(c.value) {
		return
	}
	c.altUser("")
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return
	}
	cs := c.h.campaignSettings(c.ctx, s.Campaign)
	switch {
	case cs.ManualPreviewDial == "DISABLED":
		c.emitExit("ERROR", "preview dialing not allowed on this campaign", c.agentUser+"|"+s.Campaign+"|"+cs.ManualPreviewDial)
		return
	case cs.ManualPreviewDial == "PREVIEW_ONLY" && c.value == "SKIP":
		c.emitExit("ERROR", "preview dial skipping not allowed on this campaign", c.agentUser+"|"+s.Campaign+"|"+cs.ManualPreviewDial)
		return
	case cs.AltNumberDialing == "N" && (c.value == "ALTDIAL" || c.value == "ADR3DIAL" || c.value == "FINISH"):
		c.emitExit("ERROR", "alt number dialing not allowed on this campaign", c.agentUser+"|"+s.Campaign+"|"+cs.AltNumberDialing)
		return
	}
	if vicidialStatus(s) != "PAUSED" {
		c.emit("ERROR", "agent_user is not paused", c.agentUser)
		return
	}
	if !c.h.agentManualDial(c.ctx, c.agentUser) {
		c.emit("ERROR", "agent_user is not allowed to place manual dial calls", c.agentUser)
		return
	}
	if c.refused(c.previewEffect(s)) {
		return
	}
	c.emit("SUCCESS", "preview_dial_action function set", c.value+"|"+c.agentUser+"|"+c.value)
}

// previewEffect dials the previewed lead's number (DIALONLY, ALTDIAL,
// ADR3DIAL) or lets it go (SKIP, FINISH).
func (c *call) previewEffect(s core.AgentSession) error {
	// A lead on the disposition screen is not a preview.
	if s.LeadID == 0 || s.CallID != 0 || s.State == core.AgentWrapUp || c.h.awaitingDispo(s) {
		return errNoPreview
	}
	c.h.setPreview(s, 0)
	l, err := c.h.eng.Lead(c.ctx, s.LeadID)
	if err != nil {
		return err
	}
	phone := ""
	switch c.value {
	case "DIALONLY":
		phone = l.PhoneNumber
	case "ALTDIAL":
		phone = l.AltPhone
	case "ADR3DIAL":
		phone = l.Address3
	default:
		// SKIP and FINISH let the previewed lead go back to the dialer.
		c.h.eng.ReleaseLead(c.ctx, c.agentUser, l.ID)
		_, err := c.screen(c.agentUser, "preview", map[string]any{"action": c.value, "lead_id": l.ID})
		return err
	}
	_, err = c.h.eng.Dial(c.ctx, core.DialRequest{Agent: c.agentUser, Phone: phone, PhoneCode: l.PhoneCode, Campaign: s.Campaign, LeadID: l.ID})
	return err
}

// setPreview records the lead external_dial preview=YES put on the agent's
// screen (0: none).
func (h *Handler) setPreview(s core.AgentSession, lead uint64) {
	h.setColumn(s, colPreview, strconv.FormatUint(lead, 10))
}

// previewing is whether the session's lead is an API preview not yet dialed or skipped.
func (h *Handler) previewing(s core.AgentSession) bool {
	return s.LeadID != 0 && s.CallID == 0 && h.column(s, colPreview) == strconv.FormatUint(s.LeadID, 10)
}

// ---------------------------------------------------------------- external_add_lead

// leadField is a vicidial_list column the API can set.
type leadField struct {
	name string
	col  string
	size int
	set  func(*core.Lead, string)
	get  func(*core.Lead) string
	// ci: update_fields detects the field case-insensitively.
	ci bool
}

// leadFields are in update_fields' fixed order.
var leadFields = []leadField{
	{"phone_code", "phone_code", 10, func(l *core.Lead, v string) { l.PhoneCode = v }, func(l *core.Lead) string { return l.PhoneCode }, false},
	{"address1", "address1", 100, func(l *core.Lead, v string) { l.Address1 = v }, func(l *core.Lead) string { return l.Address1 }, false},
	{"address2", "address2", 100, func(l *core.Lead, v string) { l.Address2 = v }, func(l *core.Lead) string { return l.Address2 }, false},
	{"address3", "address3", 100, func(l *core.Lead, v string) { l.Address3 = v }, func(l *core.Lead) string { return l.Address3 }, false},
	{"alt_phone", "alt_phone", 32, func(l *core.Lead, v string) { l.AltPhone = v }, func(l *core.Lead) string { return l.AltPhone }, false},
	{"city", "city", 50, func(l *core.Lead, v string) { l.City = v }, func(l *core.Lead) string { return l.City }, false},
	{"comments", "comments", 65535, func(l *core.Lead, v string) { l.Comments = v }, func(l *core.Lead) string { return l.Comments }, false},
	{"country_code", "country_code", 3, func(l *core.Lead, v string) { l.CountryCode = v }, func(l *core.Lead) string { return l.CountryCode }, false},
	{"date_of_birth", "date_of_birth", 10, func(l *core.Lead, v string) { l.DateOfBirth = v }, func(l *core.Lead) string { return l.DateOfBirth }, false},
	{"email", "email", 70, func(l *core.Lead, v string) { l.Email = v }, func(l *core.Lead) string { return l.Email }, false},
	{"first_name", "first_name", 60, func(l *core.Lead, v string) { l.FirstName = v }, func(l *core.Lead) string { return l.FirstName }, false},
	{"gender", "gender", 1, func(l *core.Lead, v string) { l.Gender = v }, func(l *core.Lead) string { return l.Gender }, false},
	{"gmt_offset_now", "gmt_offset", 8, func(l *core.Lead, v string) { l.GMTOffset = v }, func(l *core.Lead) string { return l.GMTOffset }, false},
	{"last_name", "last_name", 60, func(l *core.Lead, v string) { l.LastName = v }, func(l *core.Lead) string { return l.LastName }, false},
	{"middle_initial", "middle_initial", 1, func(l *core.Lead, v string) { l.MiddleInitial = v }, func(l *core.Lead) string { return l.MiddleInitial }, false},
	{"phone_number", "phone_number", 32, func(l *core.Lead, v string) { l.PhoneNumber = v }, func(l *core.Lead) string { return l.PhoneNumber }, false},
	{"postal_code", "postal_code", 10, func(l *core.Lead, v string) { l.PostalCode = v }, func(l *core.Lead) string { return l.PostalCode }, true},
	{"province", "province", 50, func(l *core.Lead, v string) { l.Province = v }, func(l *core.Lead) string { return l.Province }, true},
	{"security_phrase", "security_phrase", 100, func(l *core.Lead, v string) { l.SecurityPhrase = v }, func(l *core.Lead) string { return l.SecurityPhrase }, true},
	{"source_id", "source_id", 50, func(l *core.Lead, v string) { l.SourceID = v }, func(l *core.Lead) string { return l.SourceID }, true},
	{"state", "state", 2, func(l *core.Lead, v string) { l.State = v }, func(l *core.Lead) string { return l.State }, true},
	{"title", "title", 4, func(l *core.Lead, v string) { l.Title = v }, func(l *core.Lead) string { return l.Title }, true},
	{"vendor_lead_code", "vendor_lead_code", 40, func(l *core.Lead, v string) { l.VendorLeadCode = v }, func(l *core.Lead) string { return l.VendorLeadCode }, true},
	{"rank", "rank", 0, func(l *core.Lead, v string) { l.Rank, _ = strconv.Atoi(v) }, func(l *core.Lead) string { return strconv.Itoa(l.Rank) }, true},
	{"owner", "owner", 20, func(l *core.Lead, v string) { l.Owner = v }, func(l *core.Lead) string { return l.Owner }, true},
}

func (c *call) externalAddLead() {
	p := c.p
	if len(c.value) < 1 && len(p.get("phone_number")) > 1 {
		c.value = p.get("phone_number")
	}
	alt := p.get("alt_user")
	phoneCode := p.get("phone_code")
	if (len(c.agentUser) < 2 && len(alt) < 2) || len(phoneCode) < 1 || len(c.value) < 2 {
		c.emitExit("ERROR", "external_add_lead not valid", c.value+"|"+phoneCode+"|"+c.agentUser+"|"+alt)
		return
	}
	if !c.permission(c.value) {
		return
	}
	vendorLeadCode := p.get("vendor_lead_code")
	if v := p.get("vendor_id"); len(v) > 0 {
		vendorLeadCode = v
	}
	c.altUser("")
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return
	}
	camp, found := c.h.campaign(c.ctx, s.Campaign)
	if !found {
		c.emit("ERROR", "campaign manual dial list undefined", c.value+"||"+c.agentUser)
		return
	}
	cs := c.h.campaignSettings(c.ctx, camp.Name)
	listID := strconv.FormatUint(cs.ManualDialListID, 10)
	dnc := false
	if d := p.get("dnc_check"); d == "YES" || d == "Y" {
		dnc = c.h.eng.OnDNCList(c.ctx, c.value, "")
	}
	campDNC := false
	if d := p.get("campaign_dnc_check"); d == "YES" || d == "Y" {
		other := camp.Name
		if cs.UseOtherCampDNC != "" {
			other = cs.UseOtherCampDNC
		}
		campDNC = c.h.eng.OnDNCList(c.ctx, c.value, other)
	}
	if dnc || campDNC {
		if dnc {
			c.emit("ERROR", "add_lead PHONE NUMBER IN DNC", c.value+"|"+c.agentUser)
		}
		if campDNC {
			c.emit("ERROR", "add_lead PHONE NUMBER IN CAMPAIGN DNC", c.value+"|"+camp.Name+"|"+c.agentUser)
		}
		return
	}
	now := c.now
	l := core.Lead{ListID: cs.ManualDialListID, Campaign: camp.Name, Status: "NEW", User: c.user, EntryDate: now, ModifyDate: now, LastCalledAt: &now}
	for _, f := range leadFields {
		v := p.get(f.name)
		switch f.name {
		case "phone_number":
			v = c.value
		case "phone_code":
			v = phoneCode
		case "vendor_lead_code":
			v = vendorLeadCode
		}
		if f.size > 0 {
			v = trunc(v, f.size)
		}
		f.set(&l, v)
	}
	if err := c.h.eng.AddLead(c.ctx, &l, core.AddLeadOptions{}); err != nil || l.ID == 0 {
		c.effect(err)
		c.emit("ERROR", "lead insertion failed", c.value+"|"+camp.Name+"|"+listID+"|"+c.agentUser)
		return
	}
	lid := strconv.FormatUint(l.ID, 10)
	c.out.WriteString("SUCCESS: lead added - " + c.value + "|" + camp.Name + "|" + listID + "|" + lid + "|" + c.agentUser + "\n")
	c.log("SUCCESS", "lead added", c.value+"|"+listID+"|"+lid)
}

// ---------------------------------------------------------------- change_ingroups

func (c *call) changeIngroups() {
	c.value = keep(c.value, clsUpper)
	p := c.p
	blended, choices := p.get("blended"), p.get("ingroup_choices")
	if len(blended) < 2 || len(c.agentUser) < 2 || len(c.value) < 3 {
		c.emit("ERROR", "change_ingroups not valid", c.value+"|"+blended+"|"+choices+"|"+c.agentUser)
		return
	}
	if !c.permission(c.value) {
		return
	}
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return
	}
	camp, _ := c.h.campaign(c.ctx, s.Campaign)
	if !c.h.campaignSettings(c.ctx, camp.Name).AllowInbound {
		c.emit("ERROR", "campaign does not allow inbound calls", c.agentUser)
		return
	}
	if !c.api.ChangeAgentCampaign {
		c.emit("ERROR", "user is not allowed to change agent in-groups", c.user)
		return
	}
	if blended == "YES" {
		if m := dialMethod(camp); m == "MANUAL" || m == "INBOUND_MAN" {
			c.emitExit("ERROR", "campaign dial_method does not allow outbound autodial", c.agentUser+"|"+blended)
			return
		}
	}
	requested := ingroupList(choices)
	for _, g := range requested {
		if len(g) > 1 && !c.h.queueExists(c.ctx, g, false) {
			c.emitExit("ERROR", "ingroup does not exist", c.agentUser+"|"+g+"|"+choices)
			return
		}
	}
	if len(choices) < 1 && (c.value == "ADD" || c.value == "REMOVE") {
		c.emitExit("ERROR", "ingroup_choices are required for ADD and REMOVE values", c.agentUser+"|"+c.value+"|")
		return
	}
	current := c.h.column(s, colClosers)
	if current == "" {
		current = c.h.loginClosers(camp, c.agentUser)
	}
	switch c.value {
	case "ADD":
		groups := ingroupList(current)
		for _, g := range requested {
			if len(g) > 1 && !containsStr(groups, g) {
				groups = append(groups, g)
			}
		}
		var b strings.Builder
		b.WriteString(" ")
		for _, g := range groups {
			if len(g) > 1 {
				b.WriteString(g + " ")
			}
		}
		b.WriteString("-")
		choices = b.String()
	case "REMOVE":
		list := current
		for _, g := range requested {
			if len(g) > 1 && containsStr(ingroupList(current), g) {
				list = strings.Replace(list, " "+g+" ", " ", 1)
			}
		}
		choices = list
	}
	var queues []string
	for _, g := range ingroupList(choices) {
		if len(g) > 1 {
			queues = append(queues, g)
		}
	}
	if c.refused(c.h.eng.SetAgentQueues(c.ctx, c.agentUser, queues, blended == "YES")) {
		return
	}
	c.h.setColumn(s, colClosers, choices)
	def := ""
	if p.get("set_as_default") == "YES" {
		def = "User settings set as default"
		if c.refused(c.h.eng.SetQueueMemberships(c.ctx, c.agentUser, queues)) {
			return
		}
	}
	data := choices + "|" + blended + "|" + def
	c.emit("SUCCESS", "change_ingroups function set", c.user+"|"+c.agentUser+"|"+data)
}

// loginClosers is vicidial_live_agents.closer_campaigns as the agent
// screen writes it at login: the in-groups the agent takes calls from, in
// the order of the campaign's in-group list (the login screen's list), then
// any others.
func (h *Handler) loginClosers(camp core.Campaign, user string) string {
	qs := h.eng.AgentQueues(user)
	if len(qs) == 0 {
		return " -"
	}
	ordered := make([]string, 0, len(qs))
	for _, g := range strings.Fields(camp.Ingroups) {
		if containsStr(qs, g) && !containsStr(ordered, g) {
			ordered = append(ordered, g)
		}
	}
	for _, g := range qs {
		if !containsStr(ordered, g) {
			ordered = append(ordered, g)
		}
	}
	return " " + strings.Join(ordered, " ") + " -"
}

// ingroupList splits " A B -" the way api.php does: drop a trailing '-',
// split on spaces, skip element 0.
func ingroupList(s string) []string {
	s = strings.TrimSuffix(s, "-")
	parts := strings.Split(s, " ")
	if len(parts) <= 1 {
		return nil
	}
	return parts[1:]
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- update_fields, refresh_panel, set_timer_action

var reloads = []string{"formreload", "scriptreload", "script2reload", "emailreload", "chatreload"}

func (c *call) updateFields() {
	if len(c.agentUser) < 1 {
		c.emit("ERROR", "agent_user not valid", c.agentUser)
		return
	}
	if !c.permission(c.value) {
		return
	}
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return
	}
	if !c.api.ModifyLeads {
		c.emit("ERROR", "user is not allowed to modify lead information", c.agentUser+"|"+c.user)
		return
	}
	leadID, _, _, _ := c.h.liveLead(c.ctx, s)
	if leadID < 1 {
		c.emit("ERROR", "agent_user does not have a lead on their screen", c.agentUser)
		return
	}
	q := c.p.query
	lq := strings.ToLower(q)
	var list, sqlParts []string
	cols := map[string]any{}
	_, err := c.h.eng.Lead(c.ctx, leadID)
	haveLead := err == nil
	for _, f := range leadFields {
		if f.ci && !strings.Contains(lq, f.name) || !f.ci && !strings.Contains(q, f.name) {
			continue
		}
		v := c.p.get(f.name)
		list = append(list, f.name)
		sqlParts = append(sqlParts, f.name+`="`+v+`"`)
		if f.size > 0 {
			v = trunc(v, f.size)
		}
		if f.name == "rank" {
			n, _ := strconv.Atoi(v)
			cols[f.col] = n
		} else {
			cols[f.col] = v
		}
	}
	fieldSet := len(list)
	for _, r := range reloads {
		if strings.Contains(lq, r) {
			list = append(list, r)
		}
	}
	if len(list) == 0 {
		c.emit("ERROR", "no fields have been defined", c.agentUser)
		return
	}
	vlRows := "0"
	if fieldSet > 0 && haveLead {
		// The engine publishes the change to every dialect.
		changed, err := c.h.eng.UpdateLeadFields(c.ctx, leadID, cols, c.agentUser)
		if c.refused(err) {
			return
		}
		if changed {
			vlRows = "1"
		}
	}
	fieldsList := strings.Join(list, ",")
	vlaRows := c.h.agentUpdate(s, fieldsList)
	_, _ = c.screen(c.agentUser, "update_fields", map[string]any{"lead_id": leadID, "fields": list})
	data := c.user + "|" + c.agentUser + "|" + strconv.FormatUint(leadID, 10) + "|" + vlRows + "|" + vlaRows + "|" + fieldsList + "|" + strings.Join(sqlParts, ",") + "|"
	c.emit("SUCCESS", "update_fields lead updated", data)
}

// agentUpdate mimics MySQL's affected-rows count for the
// external_update_fields UPDATE: 0 when the row already holds this data.
func (h *Handler) agentUpdate(s core.AgentSession, data string) string {
	prev, _, err := h.eng.AgentValues().Swap(context.Background(), s.Username, s.ID, colUpdateFields, data)
	if err != nil {
		h.log.Error("vicidial: agent column not stored", "agent", s.Username, "err", err)
	}
	if prev == data {
		return "0"
	}
	return "1"
}

func (c *call) refreshPanel() {
	if len(c.agentUser) < 1 {
		c.emit("ERROR", "agent_user not valid", c.agentUser)
		return
	}
	if !c.permission(c.value) {
		return
	}
	s, ok := c.session()
	if !ok {
		c.notLoggedIn()
		return
	}
	lq := strings.ToLower(c.p.query)
	var list []string
	for _, r := range append(reloads[:len(reloads):len(reloads)], "callbacksreload") {
		if strings.Contains(lq, r) {
			list = append(list, r)
		}
	}
	if len(list) == 0 {
		c.emit("ERROR", "no panels have been defined", c.agentUser)
		return
	}
	fieldsList := strings.Join(list, ",")
	vlaRows := c.h.agentUpdate(s, fieldsList)
	// The stored screen command is the whole effect: unstored, it is refused.
	if _, err := c.screen(c.agentUser, "refresh_panel", map[string]any{"panels": list}); c.refused(err) {
		return
	}
	c.emit("SUCCESS", "refresh_panel request sent", c.user+"|"+c.agentUser+"|"+vlaRows+"|"+fieldsList+"|")
}

func (c *call) setTimerAction() {
	if len(c.agentUser) < 1 || len(c.value) < 2 {
		c.emit("ERROR", "set_timer_action not valid", c.agentUser+"|"+c.value)
		return
	}
	if !c.permission(c.value) {
		return
	}
	if _, ok := c.session(); !ok {
		c.notLoggedIn()
		return
	}
	if !c.api.ModifyCampaigns {
		c.emit("ERROR", "user is not allowed to modify campaign settings", c.agentUser+"|"+c.user)
		return
	}
	notes, rank := c.p.get("notes"), c.p.get("rank")
	secs, _ := strconv.Atoi(rank)
	// The stored screen command is the whole effect: unstored, it is refused.
	if _, err := c.screen(c.agentUser, "timer_action", map[string]any{"action": c.value, "message": notes, "seconds": secs}); c.refused(err) {
		return
	}
	c.emit("SUCCESS", "set_timer_action lead updated", c.user+"|"+c.agentUser+"|"+c.value+"|"+notes+"|"+rank)
}

// ---------------------------------------------------------------- st_login_log, st_get_agent_active_lead

func (c *call) stAgent() (core.Agent, bool) {
	a, err := c.h.eng.AgentByAltID(c.ctx, c.value)
	return a, err == nil
}

func (c *call) stLoginLog() {
	vendor := c.p.get("vendor_id")
	if len(c.value) < 1 || len(vendor) < 1 {
		c.emit("ERROR", "st_login_log not valid", c.value+"|"+vendor)
		return
	}
	if !c.permission(c.value) {
		return
	}
	a, ok := c.stAgent()
	if !ok {
		c.emit("ERROR", "no user found", c.value)
		return
	}
	if c.refused(c.h.eng.SetAgentAltData(c.ctx, a, trunc(vendor, 100))) {
		return
	}
	c.emit("SUCCESS", "st_login_log user found", a.Username)
}

func (c *call) stGetAgentActiveLead() {
	vendor := c.p.get("vendor_id")
	if len(c.value) < 1 || len(vendor) < 1 {
		c.emit("ERROR", "st_get_agent_active_lead not valid", c.value+"|"+vendor)
		return
	}
	if !c.permission(c.value) {
		return
	}
	a, ok := c.stAgent()
	if !ok {
		c.emit("ERROR", "no user found", c.value)
		return
	}
	s, ok := c.h.eng.Session(a.Username)
	if !ok {
		c.emit("ERROR", "user not logged in", a.Username)
		return
	}
	leadID, _, _, _ := c.h.liveLead(c.ctx, s)
	if leadID < 1 {
		c.emit("ERROR", "no active lead found", a.Username)
		return
	}
	l, _ := c.h.eng.Lead(c.ctx, leadID)
	c.emit("SUCCESS", "st_get_agent_active_lead lead found", a.Username+"|"+l.PhoneNumber+"|"+strconv.FormatUint(leadID, 10)+"|"+l.VendorLeadCode+"|"+l.Province+"|"+l.SecurityPhrase+"|"+l.SourceID)
}

// ---------------------------------------------------------------- ra_call_control

func (c *call) raCallControl() {
	stage := c.p.get("stage")
	if len(c.value) < 1 || len(c.agentUser) < 1 || len(stage) < 1 {
		c.emit("ERROR", "ra_call_control not valid", c.value+"|"+c.agentUser+"|"+stage)
		return
	}
	if !c.permission(c.value) {
		return
	}
	if _, ok := c.session(); !ok {
		c.notLoggedIn()
		return
	}
	active := c.h.eng.ActiveCalls()
	target, found := c.h.callByID(c.ctx, c.value, active)
	if found && c.h.raDone(c.ctx, c.value, active) {
		found = false
	}
	if !found {
		c.emit("ERROR", "no active call found", c.value)
		return
	}
	phone, ingroup := c.p.get("phone_number"), c.p.get("ingroup_choices")
	success := false
	switch stage {
	case "HANGUP":
		if c.refused(c.h.eng.HangupCall(c.ctx, target.ID, core.CauseNormal)) {
			return
		}
		c.emit("SUCCESS", "ra_call_control hungup", c.agentUser+"|"+c.value+"|HANGUP")
		success = true
	case "EXTENSIONTRANSFER":
		if len(phone) < 2 {
			c.emit("ERROR", "phone_number is not valid", phone)
			break
		}
		if c.refused(c.transferCall(target, core.TransferRequest{Kind: core.TransferBlind, Target: phone})) {
			return
		}
		c.emit("SUCCESS", "ra_call_control transfer", c.agentUser+"|"+c.value+"|"+phone)
		success = true
	case "INGROUPTRANSFER":
		if len(ingroup) < 2 {
			c.emit("ERROR", "ingroup is not valid", ingroup)
			break
		}
		if strings.Contains(ingroup, "DEFAULTINGROUP") {
			ingroup = c.h.defaultXferGroup(c, target)
		}
		if !c.h.queueExists(c.ctx, ingroup, true) {
			c.emit("ERROR", "ingroup is not valid", ingroup)
			break
		}
		if c.refused(c.transferCall(target, core.TransferRequest{Kind: core.TransferQueue, Queue: ingroup})) {
			return
		}
		c.emit("SUCCESS", "ra_call_control transfer", c.agentUser+"|"+c.value+"|"+phone)
		success = true
	default:
		c.emit("ERROR", "stage is not valid", stage)
	}
	if success {
		c.h.markRADone(c.value)
	}
	if success && target.LeadID != 0 {
		status := c.p.get("status")
		if len(status) < 1 {
			status = "RAXFER"
		}
		// The call was hung up or moved and SUCCESS is already written; a
		// failed lead status write after it can only be logged.
		_, err := c.h.eng.UpdateLeadFields(c.ctx, target.LeadID, map[string]any{"status": trunc(status, 6)}, c.agentUser)
		c.effect(err)
	}
}

// raDone is whether ra_call_control already acted on this call id: api.php
// then deletes its vicidial_auto_calls row, and a call that lives on (moved
// to another in-group or extension) carries a new id there. Marks of calls
// that have ended are dropped.
func (h *Handler) raDone(ctx context.Context, cid string, active []core.Call) bool {
	live := make(map[string]bool, len(active))
	for _, call := range active {
		live[colRADone+h.callID(ctx, call)] = true
	}
	vals := h.eng.AgentValues()
	marks, err := vals.Keys(ctx, "", colRADone)
	if err != nil {
		h.log.Error("vicidial: ra_call_control marks not read", "err", err)
	}
	done := false
	for _, m := range marks {
		switch {
		case m.Key == colRADone+cid:
			done = true
		case !live[m.Key]:
			_ = vals.Delete(ctx, "", m.Key)
		}
	}
	return done
}

func (h *Handler) markRADone(cid string) {
	if err := h.eng.AgentValues().Set(context.Background(), "", 0, colRADone+cid, "1"); err != nil {
		h.log.Error("vicidial: ra_call_control mark not stored", "call", cid, "err", err)
	}
}

// transferCall transfers a call through the agent who has it; a call
// without an agent can only be hung up.
func (c *call) transferCall(target core.Call, req core.TransferRequest) error {
	if target.Agent == "" {
		return fmt.Errorf("%w: call %d has no agent", core.ErrNoCall, target.ID)
	}
	return c.h.eng.Transfer(c.ctx, target.Agent, req)
}

// defaultXferGroup resolves DEFAULTINGROUP: the campaign's
// default_xfer_group (---NONE--- unless set). An inbound call reads the
// campaign its in-group belongs to; in-groups have no settings of their own.
func (h *Handler) defaultXferGroup(c *call, call core.Call) string {
	name := call.Campaign
	if name == "" && call.Queue != "" {
		if q, err := h.eng.FindQueue(c.ctx, call.Queue); err == nil {
			name = q.Campaign
		}
	}
	return h.campaignSettings(c.ctx, name).DefaultXferGroup
}

// ---------------------------------------------------------------- send_dtmf, park_call

func (c *call) sendDTMF() {
	if _, ok := c.prelude(len(c.value) < 1 || c.noAgent(2), c.value+"|"+c.agentUser); !ok {
		return
	}
	if c.refused(c.playDTMF(c.agentUser, c.value)) {
		return
	}
	c.out.WriteString("SUCCESS: send_dtmf function set - " + c.value + "|" + c.agentUser + "\n")
	c.log("SUCCESS", "send_dtmf function set", "")
}

// playDTMF sends VICIdial DTMF notation (P=#, S=*, Q=1 s pause). Pauses
// make the rest asynchronous, as on the agent screen.
func (c *call) playDTMF(agent, v string) error {
	digits := strings.NewReplacer("P", "#", "S", "*").Replace(v)
	segs := strings.Split(digits, "Q")
	send := func(d string) error {
		d = keep(d, class("0~9*#A~D"))
		if d == "" {
			return nil
		}
		return c.h.eng.SendDTMF(c.ctx, agent, d)
	}
	if err := send(segs[0]); err != nil || len(segs) == 1 {
		return err
	}
	eng, h := c.h.eng, c.h
	ctx := c.ctx
	go func() {
		for _, s := range segs[1:] {
			time.Sleep(time.Second)
			if d := keep(s, class("0~9*#A~D")); d != "" {
				h.logEffect("send_dtmf", agent, eng.SendDTMF(ctx, agent, d))
			}
		}
	}()
	return nil
}

var parkValues = regexp.MustCompile(`PARK_CUSTOMER|GRAB_CUSTOMER|PARK_IVR_CUSTOMER|GRAB_IVR_CUSTOMER|PARK_XFER|GRAB_XFER`)

func (c *call) parkCall() {
	s, ok := c.prelude(!parkValues.MatchString(c.value) || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	leadID, _, _, _ := c.h.liveLead(c.ctx, s)
	if leadID < 1 {
		c.emit("ERROR", "agent_user does not have a lead on their screen", c.agentUser)
		return
	}
	e := c.h.eng
	var err error
	switch c.value {
	case "PARK_CUSTOMER", "PARK_IVR_CUSTOMER", "SWAP_PARK_CUSTOMER":
		err = e.Park(c.ctx, c.agentUser)
	case "GRAB_CUSTOMER", "GRAB_IVR_CUSTOMER":
		err = e.Grab(c.ctx, c.agentUser)
	case "HANGUP_XFER_GRAB_CUSTOMER":
		if err = e.CancelTransfer(c.ctx, c.agentUser); err == nil {
			err = e.Grab(c.ctx, c.agentUser)
		}
	case "PARK_XFER", "GRAB_XFER", "SWAP_PARK_XFER":
		// The engine parks the customer, not the transfer leg: with a
		// transfer leg up, PARK_XFER sets the customer aside so the agent
		// talks to the leg alone, GRAB_XFER brings the customer back and
		// SWAP_PARK_XFER toggles between the two. Without a leg there is
		// nothing to talk to: refused.
		if kind, _ := e.TransferState(c.agentUser); kind == "" {
			err = fmt.Errorf("%w: %s", core.ErrNoTransfer, c.agentUser)
			break
		}
		cur, _ := e.AgentCall(c.agentUser)
		if c.value == "GRAB_XFER" || (c.value == "SWAP_PARK_XFER" && cur.State == core.CallParked) {
			err = e.Grab(c.ctx, c.agentUser)
		} else {
			err = e.Park(c.ctx, c.agentUser)
		}
	default:
		err = core.Errorf(core.EINVALID, "unknown park action %q", c.value)
	}
	if c.refused(err) {
		return
	}
	c.emit("SUCCESS", "park_call function set", c.value+"|"+c.agentUser)
}

// ---------------------------------------------------------------- transfer_conference

var cidChoices = regexp.MustCompile(`CAMPAIGN|AGENT_PHONE|CUSTOMER|CUSTOM_CID`)

func (c *call) transferConference() {
	s, ok := c.prelude(len(c.value) < 8 || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	p := c.p
	leadID, cid, live, hasCall := c.h.liveLead(c.ctx, s)
	if !(leadID > 0 && len(cid) > 15) || !hasCall {
		c.emit("ERROR", "agent_user does not have a live call", c.agentUser)
		return
	}
	v := c.value
	ingroup, phone, consultative := p.get("ingroup_choices"), p.get("phone_number"), p.get("consultative")
	groupAlias, cidChoice := p.get("group_alias"), p.get("cid_choice")
	callerNum := ""
	checkCID := func() bool {
		if len(groupAlias) > 1 {
			num, found := aliasCallerID(c.sys, groupAlias)
			if !found {
				c.emitExit("ERROR", "group_alias is not valid", c.agentUser+"|"+groupAlias)
				return false
			}
			callerNum = num
			if phpLessThan(num, 4) {
				c.emitExit("ERROR", "caller_id_number from group_alias is not valid", c.agentUser+"|"+groupAlias+"|"+num)
				return false
			}
		}
		if len(cidChoice) > 1 && !cidChoices.MatchString(cidChoice) {
			c.emitExit("ERROR", "cid_choice is not valid", c.agentUser+"|"+cidChoice)
			return false
		}
		return true
	}
	// xferCID is the caller id the transfer leg shows: the group alias's
	// number, else what cid_choice names.
	xferCID := func() string {
		if callerNum != "" {
			return callerNum
		}
		switch cidChoice {
		case "CUSTOMER":
			return live.Phone
		case "CAMPAIGN":
			if camp, ok := c.h.campaign(c.ctx, s.Campaign); ok {
				return camp.CallerID
			}
		case "AGENT_PHONE":
			return s.Username
		}
		return ""
	}
	var action func() error
	processed, success := false, false
	e := c.h.eng
	if v == "LOCAL_CLOSER" || ((v == "DIAL_WITH_CUSTOMER" || v == "PARK_CUSTOMER_DIAL") && consultative == "YES") {
		processed = true
		if len(ingroup) < 2 {
			c.emit("ERROR", "ingroup is not valid", ingroup)
		} else {
			if strings.Contains(ingroup, "DEFAULTINGROUP") {
				ingroup = c.h.defaultXferGroup(c, live)
			}
			agentDirect := ingroup == "AGENTDIRECT"
			if !agentDirect && !c.h.queueExists(c.ctx, ingroup, true) {
				c.emit("ERROR", "ingroup is not valid", ingroup)
			} else {
				if !checkCID() {
					return
				}
				success = true
				g := ingroup
				action = func() error {
					// DIAL_WITH_CUSTOMER keeps the customer in a 3-way with the
					// consulted agent; PARK_CUSTOMER_DIAL parks the customer
					// while the agents talk.
					kind := core.TransferConference
					if v == "PARK_CUSTOMER_DIAL" {
						kind = core.TransferAttended
					}
					if agentDirect {
						if v == "LOCAL_CLOSER" {
							kind = core.TransferBlind
						}
						return e.Transfer(c.ctx, c.agentUser, core.TransferRequest{Kind: kind, Agent: phone, CallerID: xferCID()})
					}
					if v == "LOCAL_CLOSER" {
						return e.Transfer(c.ctx, c.agentUser, core.TransferRequest{Kind: core.TransferQueue, Queue: g})
					}
					return e.Transfer(c.ctx, c.agentUser, core.TransferRequest{Kind: kind, Queue: g, CallerID: xferCID()})
				}
			}
		}
	}
	if !processed && (v == "BLIND_TRANSFER" || v == "LEAVE_VM" || v == "DIAL_WITH_CUSTOMER" || v == "PARK_CUSTOMER_DIAL") {
		if !checkCID() {
			return
		}
		processed, success = true, true
		kind := map[string]core.TransferKind{"BLIND_TRANSFER": core.TransferBlind, "LEAVE_VM": core.TransferBlind,
			"DIAL_WITH_CUSTOMER": core.TransferConference, "PARK_CUSTOMER_DIAL": core.TransferAttended}[v]
		target := phone
		if p.get("dial_override") != "YES" && target != "" {
			target = keep(target, clsPhone)
		}
		action = func() error {
			if v == "LEAVE_VM" && target == "" {
				return core.Errorf(core.EINVALID, "LEAVE_VM: no voicemail box for this lead")
			}
			return e.Transfer(c.ctx, c.agentUser, core.TransferRequest{Kind: kind, Target: target, CallerID: xferCID()})
		}
	}
	if !processed && (v == "HANGUP_XFER" || v == "HANGUP_BOTH") {
		processed, success = true, true
		action = func() error {
			err := e.CancelTransfer(c.ctx, c.agentUser)
			if v == "HANGUP_BOTH" {
				return e.Hangup(c.ctx, c.agentUser)
			}
			return err
		}
	}
	if !processed && v == "LEAVE_3WAY_CALL" {
		processed, success = true, true
		action = func() error { return e.LeaveThreeWay(c.ctx, c.agentUser) }
	}
	if !processed {
		c.emit("ERROR", "value is not valid", v+"|"+c.user)
		return
	}
	if !success {
		return
	}
	multi := ""
	if mdp := p.get("multi_dial_phones"); len(mdp) > 4 {
		given := strings.Split(mdp, ",")
		var valid []string
		joined := ""
		for _, ph := range given {
			if len(ph) > 4 && len(ph) < 19 && !strings.Contains(joined, ph) {
				valid = append(valid, ph)
				joined = strings.Join(valid, ",")
			}
		}
		rows := 0
		if len(valid) > 0 {
			mdCheck := p.get("md_check")
			if strings.Contains(strings.ToUpper(mdCheck), "YES") {
				if kind, _ := e.TransferState(c.agentUser); kind != "" {
					c.emitExit("ERROR", "agent_user has previous active 3-way calls", c.agentUser+"|1|0|"+mdCheck)
					return
				}
			}
			// The press-1 race between several numbers is not modelled: the
			// transfer goes to phone_number alone. The count is the affected
			// rows of api.php's INSERT ... ON DUPLICATE KEY UPDATE on the
			// agent's one vicidial_3way_press_multi row: 1 the first time, 2
			// when it replaces the previous request.
			rows = c.h.pressMulti(c.agentUser)
		}
		multi = fmt.Sprintf("|Multi-phones: %d %d %d", len(valid), len(given), rows)
	}
	if tw := p.get("tw_check"); strings.Contains(strings.ToUpper(tw), "YES") {
		if kind, _ := e.TransferState(c.agentUser); kind == string(core.TransferConference) || kind == string(core.TransferAttended) {
			c.emitExit("ERROR", "agent_user has current active 3-way call", c.agentUser+"|1|0|"+tw)
			return
		}
	}
	if action != nil && c.refused(action()) {
		return
	}
	data := cid + multi
	c.out.WriteString("SUCCESS: transfer_conference function set - " + v + "|" + ingroup + "|" + phone + "|" + consultative + "|" + c.agentUser + "|" + data + "|\n")
	c.log("SUCCESS", "transfer_conference function set", data)
}

// ---------------------------------------------------------------- switch_lead, vm_message

func (c *call) switchLead() {
	p := c.p
	leadID, vlc := p.get("lead_id"), p.get("vendor_lead_code")
	invalid := ((len(leadID) < 1 || phpLessThan(leadID, 1)) && len(vlc) < 1) || c.noAgent(2)
	s, ok := c.preludeFor(invalid, leadID+"|"+vlc+"|"+c.agentUser, leadID)
	if !ok {
		return
	}
	cur, cid, _, _ := c.h.liveLead(c.ctx, s)
	if !(cur > 0 && len(cid) > 15) {
		c.emit("ERROR", "agent_user does not have a live call", c.agentUser)
		return
	}
	if !strings.HasPrefix(cid, "Y") {
		c.out.WriteString("ERROR: agent call is not inbound - " + c.agentUser + "|" + cid)
		c.log("ERROR", "agent call is not inbound", "")
		return
	}
	camp, found := c.h.campaign(c.ctx, s.Campaign)
	if !found {
		c.emit("ERROR", "campaign not found", c.agentUser+"|"+s.Campaign)
		return
	}
	if als := c.h.campaignSettings(c.ctx, camp.Name).AgentLeadSearch; als != "LIVE_CALL_INBOUND" && als != "LIVE_CALL_INBOUND_AND_MANUAL" {
		c.emit("ERROR", "campaign does not allow inbound lead search", c.agentUser+"|"+camp.Name)
		return
	}
	var l core.Lead
	var err error
	if len(vlc) > 0 {
		l, err = c.h.eng.LeadByVendorCode(c.ctx, vlc)
	} else {
		id, _ := strconv.ParseUint(leadID, 10, 64)
		l, err = c.h.eng.Lead(c.ctx, id)
	}
	if err != nil {
		c.emit("ERROR", "switch-to lead not found", c.agentUser+"|"+leadID+"|"+vlc)
		return
	}
	if c.refused(c.h.eng.SetAgentLead(c.ctx, c.agentUser, l.ID)) {
		return
	}
	_, _ = c.screen(c.agentUser, "switch_lead", map[string]any{"lead_id": l.ID, "old_lead_id": cur})
	data := strconv.FormatUint(l.ID, 10) + "|" + l.VendorLeadCode + "|" + camp.Name + "|" + strconv.FormatUint(cur, 10)
	c.emit("SUCCESS", "switch_lead function set", c.agentUser+"|"+data+"|")
}

func (c *call) vmMessage() {
	leadID := c.p.get("lead_id")
	s, ok := c.preludeFor(c.noAgent(2) || len(c.value) < 1, leadID+"|"+c.value+"|"+c.agentUser, leadID)
	if !ok {
		return
	}
	cur, cid, _, _ := c.h.liveLead(c.ctx, s)
	if !(cur > 0 && len(cid) > 15) {
		c.emit("ERROR", "agent_user does not have a live call", c.agentUser)
		return
	}
	if len(leadID) < 1 {
		leadID = strconv.FormatUint(cur, 10)
	}
	if leadID != strconv.FormatUint(cur, 10) {
		c.emit("ERROR", "current call does not match lead_id submitted", c.agentUser)
		return
	}
	// The stored screen command is the whole effect: unstored, it is refused.
	if _, err := c.screen(c.agentUser, "vm_message", map[string]any{"lead_id": cur, "audio": strings.Split(c.value, "|")}); c.refused(err) {
		return
	}
	c.emit("SUCCESS", "vm_message function set", c.agentUser+"|"+leadID+"|"+c.value+"|")
}

// ---------------------------------------------------------------- pause_code, calls_in_queue_count

func (c *call) pauseCode() {
	s, ok := c.prelude(len(c.value) < 1 || len(c.value) > 6 || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	if vicidialStatus(s) != "PAUSED" {
		c.emit("ERROR", "pause_code error - agent is not paused", c.agentUser)
		return
	}
	var err error
	if s.Paused {
		err = c.h.eng.SetPauseCode(c.ctx, c.agentUser, c.value)
	} else {
		err = c.h.eng.PauseAfterCall(c.ctx, c.agentUser, c.value)
	}
	if c.refused(err) {
		return
	}
	c.out.WriteString("SUCCESS: pause_code function sent - " + c.agentUser + "\n")
	c.log("SUCCESS", "pause_code function sent", c.epoch())
}

func (c *call) callsInQueueCount() {
	s, ok := c.prelude(c.value != "DISPLAY" || c.noAgent(2), c.value+"|"+c.agentUser)
	if !ok {
		return
	}
	// The agent's in-groups: static membership, the session's selection
	// and the queue its campaign answers into.
	queues := map[string]bool{}
	for _, q := range c.h.eng.AgentQueues(c.agentUser) {
		queues[q] = true
	}
	if camp, ok := c.h.campaign(c.ctx, s.Campaign); ok && camp.Queue != "" {
		queues[camp.Queue] = true
	}
	n := 0
	for _, call := range c.h.eng.ActiveCalls() {
		if call.State != core.CallQueued {
			continue
		}
		// vicidial_auto_calls.campaign_id is the in-group for queued
		// inbound calls and the campaign for outbound ones.
		id := call.Queue
		if id == "" {
			id = call.Campaign
		}
		if queues[id] || (s.Campaign != "" && id == s.Campaign) {
			n++
		}
	}
	reason := "SUCCESS: calls_in_queue_count - " + strconv.Itoa(n)
	c.out.WriteString(reason)
	c.log("SUCCESS", reason, "")
}

// ---------------------------------------------------------------- force_fronter_*

var fronterValues = map[string]bool{"LOCAL_ONLY": true, "LOCAL_AND_CCC": true, "CCC_REMOTE": true}

// fronter finds the other logged-in agent on the same lead, longest on it first.
func (c *call) fronter(leadID uint64) (core.AgentSession, bool) {
	var best core.AgentSession
	found := false
	for _, o := range c.h.eng.Sessions() {
		if o.Username == c.agentUser {
			continue
		}
		ol, _, _, _ := c.h.liveLead(c.ctx, o)
		if ol != leadID {
			continue
		}
		if !found || lastCall(o).Before(lastCall(best)) {
			best, found = o, true
		}
	}
	return best, found
}

func lastCall(s core.AgentSession) time.Time {
	if s.LastCallEnd != nil {
		return *s.LastCallEnd
	}
	return s.StateSince
}

func (c *call) fronterPrelude() (uint64, bool) {
	if !fronterValues[c.value] || c.noAgent(2) {
		c.emit("ERROR", c.function+" not valid", c.value+"|"+c.agentUser)
		return 0, false
	}
	if !c.permission(c.value) {
		return 0, false
	}
	c.altUser("")
	s, ok := c.session()
	if !ok && c.value != "CCC_REMOTE" {
		c.notLoggedIn()
		return 0, false
	}
	var lead uint64
	if ok {
		lead, _, _, _ = c.h.liveLead(c.ctx, s)
	}
	if c.value == "CCC_REMOTE" {
		if l := c.p.get("lead_id"); len(l) > 0 {
			lead, _ = strconv.ParseUint(l, 10, 64)
		} else if lead == 0 {
			c.emit("ERROR", "agent_user is not on a phone call", c.agentUser)
			return 0, false
		}
	}
	if lead == 0 {
		c.emit("ERROR", "agent_user is not on a phone call", c.agentUser)
		return 0, false
	}
	return lead, true
}

func (c *call) forceFronterLeave3way() {
	lead, ok := c.fronterPrelude()
	if !ok {
		return
	}
	other, found := c.fronter(lead)
	if !found {
		// Cross-cluster (CCC) containers are not modelled: no remote fronter.
		c.emit("ERROR", "no fronter found", c.agentUser)
		return
	}
	if c.refused(c.h.eng.LeaveThreeWay(c.ctx, other.Username)) {
		return
	}
	reason := "SUCCESS: force_fronter_leave_3way SENT - " + other.Username
	c.out.WriteString(reason)
	c.log("SUCCESS", reason, "")
}

func (c *call) forceFronterAudioStop() {
	lead, ok := c.fronterPrelude()
	if !ok {
		return
	}
	other, found := c.fronter(lead)
	if !found {
		c.emit("ERROR", "no fronter found", c.agentUser)
		return
	}
	stage := c.p.get("stage")
	if !c.h.playing(other) {
		c.emitExit("ERROR", "force_fronter_audio_stop error - no audio playing in other agent session",
			c.h.confExten(other)+"|"+c.h.opt.ServerIP+"|"+stage+"|"+c.agentUser+"|"+other.Username)
		return
	}
	err := c.h.eng.ControlPlayback(c.ctx, other.Username, core.PlaybackStop)
	c.h.setPlaying(other, false)
	if c.refusedWith(err, c.h.confExten(other)+"|"+c.h.opt.ServerIP+"|"+stage+"|"+c.agentUser+"|"+other.Username) {
		return
	}
	c.out.WriteString("SUCCESS: force_fronter_audio_stop function sent - " + c.value + "|" + stage + "|" + c.agentUser + "|" + other.Username + "\n")
	c.log("SUCCESS", "force_fronter_audio_stop function sent", c.epoch())
}

// pressMulti records a multi_dial_phones request for the agent and returns
// the rows MySQL reports for it.
func (h *Handler) pressMulti(agent string) int {
	_, pressed, err := h.eng.AgentValues().Swap(context.Background(), agent, 0, colMultiDial, "1")
	if err != nil {
		h.log.Error("vicidial: agent column not stored", "agent", agent, "err", err)
	}
	if pressed {
		return 2
	}
	return 1
}

// playing is whether audio_playback started a sound still on the agent's current call.
// playKey names what audio plays into: the agent's call, or, with no
// call, a persistent agent's own line (its conference in VICIdial).
func (h *Handler) playKey(s core.AgentSession) string {
	if call, ok := h.eng.AgentCall(s.Username); ok {
		return strconv.FormatUint(call.ID, 10)
	}
	if s.ChannelID != "" {
		return "line:" + s.ChannelID
	}
	return ""
}

func (h *Handler) playing(s core.AgentSession) bool {
	key := h.playKey(s)
	if key == "" {
		return false
	}
	v, _, err := h.eng.AgentValues().Get(context.Background(), s.Username, 0, colPlaying)
	if err != nil {
		h.log.Error("vicidial: agent column not read", "agent", s.Username, "err", err)
	}
	return v == key
}

func (h *Handler) setPlaying(s core.AgentSession, on bool) {
	key := h.playKey(s)
	vals := h.eng.AgentValues()
	var err error
	if !on || key == "" {
		err = vals.Delete(context.Background(), s.Username, colPlaying)
	} else {
		err = vals.Set(context.Background(), s.Username, 0, colPlaying, key)
	}
	if err != nil {
		h.log.Error("vicidial: agent column not stored", "agent", s.Username, "err", err)
	}
}

// ---------------------------------------------------------------- send_notification

var notifDate = regexp.MustCompile(`[0-9]{2,4}-[0-9]{1,2}-[0-9]{1,2}\s?[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?`)
var hexColor = regexp.MustCompile(`^[0-9A-F]{3,6}$`)

func (c *call) sendNotification() {
	if n := c.sys.String(setNotifications); n != "1" {
		c.emit("ERROR", "Agent API Notifications are disabled on this system", n)
		return
	}
	if !c.permission(c.value) {
		return
	}
	p := c.p
	recipient, rtype := p.get("recipient"), p.get("recipient_type")
	if recipient != "" && recipient != "0" && rtype != "USER" && rtype != "USER_GROUP" && rtype != "CAMPAIGN" {
		c.out.WriteString("Invalid recipient_type (" + rtype + "), ")
		rtype = ""
		switch {
		case c.exists("USER", recipient):
			rtype = "USER"
		case c.exists("USER_GROUP", recipient):
			rtype = "USER_GROUP"
		case c.exists("CAMPAIGN", recipient):
			rtype = "CAMPAIGN"
		}
		if rtype == "" {
			c.emitExit("ERROR", "no matching recipient found in users, user_groups, or campaigns", recipient)
			return
		}
		c.out.WriteString("NOTICE: found " + recipient + " as " + rtype + "<BR>\n")
	}
	if recipient == "" || recipient == "0" || rtype == "" || rtype == "0" {
		c.emit("ERROR", "Missing recipient or recipient_type", recipient+"|"+rtype)
		return
	}
	table := map[string]string{"USER": "vicidial_users", "USER_GROUP": "vicidial_user_groups", "CAMPAIGN": "vicidial_campaigns"}[rtype]
	if !c.exists(rtype, recipient) {
		c.emitExit("ERROR", recipient+" DOES NOT EXIST in "+table, c.value+"|"+recipient)
		return
	}
	if rtype == "CAMPAIGN" || rtype == "USER_GROUP" {
		// The API user's group must reach the campaign or group notified.
		g, err := c.h.eng.UserGroup(c.ctx, c.userGroup)
		if err != nil {
			c.emitExit("ERROR", "user_group DOES NOT EXIST", c.value+"|"+c.userGroup)
			return
		}
		listed := func(list, all string) bool {
			l := strings.ToLower(list)
			return strings.Contains(l, strings.ToLower(all)) || strings.Contains(l, " "+strings.ToLower(recipient)+" ")
		}
		if rtype == "CAMPAIGN" && !listed(g.AllowedCampaigns, "-ALL") {
			c.emitExit("ERROR", "ACCESS TO CAMPAIGN "+recipient+" NOT ALLOWED FOR USER "+c.user+" ("+g.AllowedCampaigns+")", c.value+"|"+recipient)
			return
		}
		if rtype == "USER_GROUP" && !listed(g.AdminViewableGroups, "---ALL") {
			c.emitExit("ERROR", "ACCESS TO USER GROUP "+recipient+" NOT ALLOWED FOR USER "+c.user, c.value+"|"+recipient)
			return
		}
	}
	date := p.get("notification_date")
	if date == "" || date == "0" {
		date = c.nowTime()
	}
	retry := "N"
	if strings.ContainsAny(p.get("notification_retry"), "Yy") {
		retry = "Y"
	}
	size, font, weight, color := orDefault(p.get("text_size"), "12"), orDefault(p.get("text_font"), "Arial"), orDefault(p.get("text_weight"), "bold"), orDefault(p.get("text_color"), "black")
	if hexColor.MatchString(color) {
		color = "#" + color
	}
	if !notifDate.MatchString(date) {
		c.out.WriteString("NOTICE: Invalid notification date " + date + ", changing to now")
		date = c.nowTime()
	}
	payload := map[string]any{"recipient": recipient, "recipient_type": rtype, "date": date, "retry": retry}
	valid := false
	if text := p.get("notification_text"); len(text) > 0 {
		payload["text"], payload["text_size"], payload["text_font"], payload["text_weight"], payload["text_color"] = text, size, font, weight, color
		valid = true
	}
	if p.get("show_confetti") == "Y" {
		payload["confetti"] = map[string]string{"duration": orDefault(p.get("duration"), ""),
			"maxParticleCount": orDefault(p.get("maxParticleCount"), "2350"), "particleSpeed": orDefault(p.get("particleSpeed"), "2")}
		valid = true
	}
	if !valid {
		c.emit("ERROR", "invalid request", recipient+"|"+rtype)
		return
	}
	var id uint64
	for _, agent := range c.recipients(rtype, recipient) {
		cmd, err := c.screen(agent, "notification", payload)
		if err == nil && id == 0 {
			id = cmd.ID
		}
	}
	c.emit("SUCCESS", "notification queued", recipient+"|"+rtype+"|"+strconv.FormatUint(id, 10))
}

// orDefault is PHP's `if (!$x) {$x = default;}`.
func orDefault(v, d string) string {
	if v == "" || v == "0" {
		return d
	}
	return v
}

func (c *call) exists(rtype, name string) bool {
	switch rtype {
	case "USER":
		if _, err := c.h.eng.FindAgent(c.ctx, name); err == nil {
			return true
		}
		_, err := c.h.eng.APIUser(c.ctx, Dialect, name)
		return err == nil
	case "USER_GROUP":
		agents, _ := c.h.eng.AgentsOfGroup(c.ctx, name)
		return len(agents) > 0 || name == c.h.opt.UserGroup
	case "CAMPAIGN":
		_, err := c.h.eng.FindCampaign(c.ctx, name)
		return err == nil
	}
	return false
}

func (c *call) recipients(rtype, name string) []string {
	var agents []core.Agent
	switch rtype {
	case "USER":
		return []string{name}
	case "USER_GROUP":
		agents, _ = c.h.eng.AgentsOfGroup(c.ctx, name)
	case "CAMPAIGN":
		// The campaign's agents: those logged into it now and those whose
		// default campaign it is, so a console that logs in later still
		// finds the notification waiting.
		seen := map[string]bool{}
		var out []string
		for _, s := range c.h.eng.Sessions() {
			if s.Campaign == name && !seen[s.Username] {
				seen[s.Username] = true
				out = append(out, s.Username)
			}
		}
		agents, _ = c.h.eng.AgentsOfCampaign(c.ctx, name)
		for _, a := range agents {
			if !seen[a.Username] {
				seen[a.Username] = true
				out = append(out, a.Username)
			}
		}
		return out
	}
	out := make([]string, 0, len(agents))
	for _, a := range agents {
		out = append(out, a.Username)
	}
	return out
}

// hostFacts are what function=webserver reports about the host.
type hostFacts struct{ host, runtime, load, procs, disk, uname string }

func hostInfo() hostFacts {
	f := hostFacts{runtime: runtime.Version(), load: "0", procs: strconv.Itoa(runtime.NumGoroutine()), disk: diskFree()}
	f.host, _ = os.Hostname()
	f.uname = unameAll(f.host)
	if l, ok := loadAverage(); ok {
		f.load = l
	} else if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if x := strings.Fields(string(b)); len(x) > 0 {
			f.load = x[0]
		}
	}
	return f
}

// phpFloat prints a float as PHP's echo does (precision=14).
func phpFloat(f float64) string {
	return strconv.FormatFloat(f, 'G', 14, 64)
}

// zoneName is PHP's date('e'): the IANA name of the zone, which Go calls
// "Local" when it comes from the system.
func zoneName(loc *time.Location) string {
	n := loc.String()
	if n == "Local" {
		n = systemZone()
	}
	// The system's aliases of UTC are what PHP calls "UTC".
	switch n {
	case "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu":
		return "UTC"
	}
	return n
}

func systemZone() string {
	if tz, ok := os.LookupEnv("TZ"); ok {
		if tz = strings.TrimPrefix(tz, ":"); tz != "" && !strings.HasPrefix(tz, "/") {
			return tz
		}
		return "UTC"
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		if n := strings.TrimSpace(string(b)); n != "" {
			return n
		}
	}
	if link, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(link, "zoneinfo/"); i >= 0 {
			return link[i+len("zoneinfo/"):]
		}
	}
	return "UTC"
}

func diskFree() string {
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/", &fs); err != nil {
		return "0"
	}
	return strconv.FormatUint(fs.Bavail*uint64(fs.Bsize), 10)
}

// vtigerNumber is the number api.php dials for vtiger_callback=YES: the 99
// prefix removed and the rest read as a number ($value + 0). The vtiger
// CRM lookup that may follow needs system_settings.enable_vtiger_integration,
// which Callgate does not model (off, as VICIdial ships).
func vtigerNumber(v string) string {
	v = strings.TrimLeft(strings.TrimPrefix(v, "99"), "0")
	if v == "" {
		return "0"
	}
	return v
}
