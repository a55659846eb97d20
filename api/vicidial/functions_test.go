package vicidial

import (
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

func agentLoggedIn(e *env)      { e.login("1000") }
func agentPaused(e *env)        { e.login("1000"); e.pause("1000") }
func agentOnManualCall(e *env)  { e.manualCall("1000") }
func agentOnInboundCall(e *env) { e.inboundCall("1000") }
func logoutAgent(u string) func(*env) {
	return func(e *env) {
		if _, err := e.eng.Logout(e.ctx, u, "test"); err != nil {
			e.t.Fatalf("logout: %v", err)
		}
	}
}

func session(t testing.TB, e *env, user string) core.AgentSession {
	t.Helper()
	s, ok := e.eng.Session(user)
	if !ok {
		t.Fatalf("agent %s not logged in", user)
	}
	return s
}

func TestGoldenExternalHangup(t *testing.T) {
	var call core.Call
	runGolden(t, "external_hangup", Options{}, []step{
		{name: "not valid without value", query: q("function=external_hangup&agent_user=1000")},
		{name: "not valid without agent", query: q("function=external_hangup&value=1")},
		{name: "not logged in", query: q("function=external_hangup&value=1&agent_user=1000")},
		{name: "no call is refused", setup: agentLoggedIn, query: q("function=external_hangup&value=1&agent_user=1000")},
		{name: "hangs up the live call", setup: func(e *env) { call = e.manualCall("1000") },
			query: q("function=external_hangup&value=1&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
				if ch, ok := e.pbx.Channel(call.ChannelID); !ok || !ch.HungUp {
					t.Errorf("customer channel not hung up: %+v", ch)
				}
			}},
		{name: "alt_user unknown then agent unknown", query: q("function=external_hangup&value=1&alt_user=zz9")},
	})
}

func TestGoldenExternalStatus(t *testing.T) {
	runGolden(t, "external_status", Options{}, []step{
		{name: "not valid", query: q("function=external_status&agent_user=1000")},
		{name: "not logged in", query: q("function=external_status&value=A&agent_user=1000")},
		{name: "plain status dispositions the call", setup: func(e *env) {
			e.login("1000")
			c := e.manualCall("1000")
			_ = e.eng.HangupCall(e.ctx, c.ID, 0)
			e.noCall("1000")
		},
			query: q("function=external_status&value=SALE&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				var l core.Lead
				_ = e.st.First(e.ctx, &l, core.Eq("id", e.lead.ID))
				if l.Status != "SALE" {
					t.Errorf("lead status = %q, want SALE", l.Status)
				}
			}},
		{name: "callback status with comments and QM code",
			setup: func(e *env) { c := e.manualCall("1000"); _ = e.eng.HangupCall(e.ctx, c.ID, 0); e.noCall("1000") },
			query: q("function=external_status&value=CALLBK&callback_datetime=2012-01-25+12:00:00&callback_type=USERONLY&callback_comments=callback+comments+go+here&qm_dispo_code=1234&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				var cb core.Callback
				if err := e.st.First(e.ctx, &cb, core.Eq("lead_id", e.lead.ID)); err != nil {
					t.Fatalf("no callback scheduled: %v", err)
				}
				if !cb.AgentOnly || cb.Comments != "callback comments go here" || !cb.When.Equal(time.Date(2012, 1, 25, 12, 0, 0, 0, time.UTC)) {
					t.Errorf("callback = %+v", cb)
				}
			}},
		{name: "callback date ignored for a non-callback status", query: q("function=external_status&value=A&callback_datetime=2012-01-25+12:00:00&agent_user=1000")},
		{name: "callback type defaults to ANYONE", query: q("function=external_status&value=CALLBK&callback_datetime=2012-01-25+12:00:00&agent_user=1000")},
		{name: "QM code without callback", query: q("function=external_status&value=A&qm_dispo_code=77&agent_user=1000")},
		{name: "comments truncated to 200", query: q("function=external_status&value=CALLBK&callback_datetime=2012-01-25+12:00:00&agent_user=1000&callback_comments=" + strings.Repeat("x", 210))},
	})
}

func TestGoldenExternalPause(t *testing.T) {
	runGolden(t, "external_pause", Options{}, []step{
		{name: "not valid value", query: q("function=external_pause&value=STOP&agent_user=1000")},
		{name: "not valid empty", query: q("function=external_pause&agent_user=1000")},
		{name: "not logged in", query: q("function=external_pause&value=PAUSE&agent_user=1000")},
		{name: "pause", setup: agentLoggedIn, query: q("function=external_pause&value=PAUSE&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if !session(t, e, "1000").Paused {
					t.Error("agent not paused")
				}
			}},
		{name: "resume", query: q("function=external_pause&value=RESUME&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if session(t, e, "1000").Paused {
					t.Error("agent still paused")
				}
			}},
		{name: "resume when ready", query: q("function=external_pause&value=RESUME&agent_user=1000")},
		{name: "pause during a call waits for the call end", setup: agentOnManualCall, query: q("function=external_pause&value=PAUSE&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				s := session(t, e, "1000")
				if s.Paused || !s.PendingPause {
					t.Errorf("session = paused %v pending %v, want pending pause", s.Paused, s.PendingPause)
				}
			}},
		{name: "resume in call", query: q("function=external_pause&value=RESUME&agent_user=1000")},
		{name: "substring match", setup: func(e *env) { _ = e.eng.Hangup(e.ctx, "1000"); e.noCall("1000") }, query: q("function=external_pause&value=XPAUSEX&agent_user=1000")},
	})
}

func TestGoldenLogout(t *testing.T) {
	runGolden(t, "logout", Options{}, []step{
		{name: "not valid", query: q("function=logout&value=OUT&agent_user=1000")},
		{name: "not logged in", query: q("function=logout&value=LOGOUT&agent_user=1000")},
		{name: "logs the agent out", setup: agentLoggedIn, query: q("function=logout&value=LOGOUT&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if _, ok := e.eng.Session("1000"); ok {
					t.Error("agent still logged in")
				}
			}},
		{name: "during a call the logout waits", setup: func(e *env) { e.login("1000"); e.manualCall("1000") }, query: q("function=logout&value=LOGOUT&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if !session(t, e, "1000").PendingLogout {
					t.Error("logout not deferred")
				}
			}},
	})
}

func TestGoldenRecording(t *testing.T) {
	runGolden(t, "recording", Options{}, []step{
		{name: "not valid", query: q("function=recording&value=PLAY&agent_user=1000")},
		{name: "not logged in", query: q("function=recording&value=START&agent_user=1000")},
		{name: "status when not recording", setup: agentPaused, query: q("function=recording&value=STATUS&agent_user=1000")},
		{name: "stop with nothing recording", query: q("function=recording&value=STOP&agent_user=1000")},
		{name: "start without a call is queued", query: q("function=recording&value=START&agent_user=1000")},
		{name: "status after a queued start", query: q("function=recording&value=STATUS&agent_user=1000")},
		{name: "stop after a queued start", query: q("function=recording&value=STOP&agent_user=1000")},
		{name: "stop twice", query: q("function=recording&value=STOP&agent_user=1000")},
		{name: "start records the call with a stage suffix", setup: agentOnManualCall,
			query: q("function=recording&value=START&stage=_MIDCALL_TOO_LONG_STAGE&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				rec, ok := e.eng.CurrentRecording("1000")
				if !ok {
					t.Fatal("engine is not recording")
				}
				if st, ok := e.pbx.Recording(rec.Name); !ok || !st.Live {
					t.Errorf("PBX recording = %+v, %v", st, ok)
				}
			}},
		{name: "status while recording", query: q("function=recording&value=STATUS&agent_user=1000")},
		{name: "stop recording", query: q("function=recording&value=STOP&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if _, ok := e.eng.CurrentRecording("1000"); ok {
					t.Error("still recording")
				}
			}},
	})
}

func TestGoldenWebphoneURL(t *testing.T) {
	runGolden(t, "webphone_url_empty", Options{}, []step{
		{name: "not valid", query: q("function=webphone_url&value=SHOW&agent_user=1000")},
		{name: "not logged in", query: q("function=webphone_url&value=DISPLAY&agent_user=1000")},
		{name: "empty url", setup: agentLoggedIn, query: q("function=webphone_url&value=DISPLAY&agent_user=1000")},
	})
	runGoldenWith(t, "webphone_url", Options{}, testSettings{"": {setWebphoneURL: "https://phone.example.com/webphone.php?user={user}&ext={extension}"}}, []step{
		{name: "display has no newline", setup: agentLoggedIn, query: q("function=webphone_url&value=DISPLAY&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				var cmds []core.ScreenCommand
				_ = e.st.Find(e.ctx, &cmds, core.Eq("agent", "1000").Eq("kind", "webphone_url"))
				if len(cmds) != 1 {
					t.Errorf("screen commands = %d, want 1", len(cmds))
				}
			}},
		{name: "launch", query: q("function=webphone_url&value=LAUNCH&agent_user=1000")},
	})
}

func TestGoldenCallAgent(t *testing.T) {
	runGolden(t, "call_agent", Options{}, []step{
		{name: "not valid", query: q("function=call_agent&value=RING&agent_user=1000")},
		{name: "not logged in", query: q("function=call_agent&value=CALL&agent_user=1000")},
		{name: "on-hook agent has no login call", setup: agentLoggedIn, query: q("function=call_agent&value=CALL&agent_user=1000")},
		{name: "persistent agent", setup: func(e *env) {
			yes := true
			if err := e.eng.Login(e.ctx, "1001", core.LoginOptions{Campaign: "TESTCAMP", Persistent: &yes}); err != nil {
				e.t.Fatal(err)
			}
		}, query: q("function=call_agent&value=CALL&agent_user=1001")},
	})
}

func TestGoldenAudioPlayback(t *testing.T) {
	runGolden(t, "audio_playback", Options{}, []step{
		{name: "not valid stage", query: q("function=audio_playback&stage=GO&agent_user=1000")},
		{name: "not valid play without file", query: q("function=audio_playback&stage=PLAY&agent_user=1000")},
		{name: "not logged in has the stage field", query: q("function=audio_playback&value=ss-noservice&stage=PLAY&agent_user=1000")},
		{name: "alt_user not found has the stage field", query: q("function=audio_playback&value=ss-noservice&stage=PLAY&alt_user=nobody")},
		{name: "stop with nothing playing", setup: func(e *env) { e.login("1000"); e.manualCall("1000") }, query: q("function=audio_playback&stage=STOP&agent_user=1000")},
		{name: "play", query: q("function=audio_playback&value=ss-noservice&stage=PLAY&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if !e.h.playing(session(t, e, "1000")) {
					t.Error("nothing playing")
				}
			}},
		{name: "play while playing", query: q("function=audio_playback&value=ss-noservice&stage=PLAY&agent_user=1000")},
		{name: "play with override", query: q("function=audio_playback&value=ss-noservice&stage=PLAY&dial_override=Y&agent_user=1000")},
		{name: "pause", query: q("function=audio_playback&stage=PAUSE&agent_user=1000")},
		{name: "resume", query: q("function=audio_playback&stage=RESUME&agent_user=1000")},
		{name: "restart", query: q("function=audio_playback&stage=RESTART&agent_user=1000")},
		{name: "stop", query: q("function=audio_playback&stage=STOP&agent_user=1000")},
		{name: "stop again", query: q("function=audio_playback&stage=STOP&agent_user=1000")},
	})
}

func TestGoldenExternalDial(t *testing.T) {
	base := "function=external_dial&phone_code=1&search=YES&preview=NO&focus=YES&agent_user=1000"
	runGolden(t, "external_dial", Options{}, []step{
		{name: "not valid without search", query: q("function=external_dial&value=7275551212&phone_code=1&agent_user=1000")},
		{name: "not valid short number", query: q("function=external_dial&value=7&search=YES&preview=NO&focus=YES&agent_user=1000&alt_user=x")},
		{name: "not logged in", query: q(base + "&value=7275551212")},
		{name: "agent not paused", setup: agentLoggedIn, query: q(base + "&value=7275551212")},
		{name: "unknown dial_ingroup is a notice", query: q(base + "&value=7275551212&dial_ingroup=NOPE")},
		{name: "group alias not valid", setup: func(e *env) { e.pause("1000") }, query: q(base + "&value=7275551212&group_alias=NOPE")},
		{name: "group alias caller id too short", query: q(base + "&value=7275551212&group_alias=BADCID")},
		{name: "outbound cid not allowed", query: q(base + "&value=7275551212&outbound_cid=3125551234")},
		{name: "lead_id not valid", query: q(base + "&lead_id=999999")},
		{name: "lead_id phone search not found", query: q(base + "&value=5551234567&alt_dial=SEARCH&lead_id=1")},
		{name: "agent without manual dial permission", setup: func(e *env) { e.login("1001"); e.pause("1001") },
			query: q("function=external_dial&value=7275551212&phone_code=1&search=YES&preview=NO&focus=YES&agent_user=1001")},
		{name: "dials the number", query: q(base + "&value=7275551212&vendor_id=123456&dial_prefix=9&group_alias=TESTING"),
			check: func(t *testing.T, e *env, body string) {
				e.waitFor("dialed call connected", e.connected("1000"))
				c, _ := e.eng.AgentCall("1000")
				if c.Phone != "7275551212" || c.Direction != core.CallManual {
					t.Errorf("call = %+v", c)
				}
			}},
		{name: "agent busy on a call", query: q(base + "&value=7275551212")},
		{name: "dial by lead_id with alt_dial search", setup: func(e *env) { _ = e.eng.Hangup(e.ctx, "1000"); e.noCall("1000"); endWrap(e, "1000") },
			query: q(base + "&value=7275550000&alt_dial=SEARCH&lead_id=1"),
			check: func(t *testing.T, e *env, body string) {
				e.waitFor("dialed call connected", e.connected("1000"))
				c, _ := e.eng.AgentCall("1000")
				if c.Phone != "7275550000" || c.LeadID != 1 {
					t.Errorf("call = %+v", c)
				}
			}},
		{name: "lead phone number not valid", setup: func(e *env) {
			_ = e.eng.Hangup(e.ctx, "1000")
			e.noCall("1000")
			endWrap(e, "1000")
			e.create(&core.Lead{ID: 50, ListID: 998, Campaign: "TESTCAMP", Status: "NEW", PhoneNumber: "X1", EntryDate: testNow, ModifyDate: testNow})
		}, query: q(base + "&lead_id=50")},
		{name: "value keeps digits only", setup: func(e *env) { _ = e.eng.Hangup(e.ctx, "1000"); e.noCall("1000"); endWrap(e, "1000") },
			query: q(base + "&value=(727)+555-1212")},
	})
}

func TestGoldenExternalDialOptions(t *testing.T) {
	base := "function=external_dial&phone_code=1&search=NO&preview=NO&focus=YES&agent_user=1000"
	runGoldenWith(t, "external_dial_options", Options{},
		testSettings{"": {setOutboundCIDAny: "API_ONLY"}, "TESTCAMP": {setAPIManualDial: "QUEUE"}}, []step{
			{name: "outbound cid forces the caller id", setup: agentPaused, query: q(base + "&value=7275551000&outbound_cid=3125551234"),
				check: func(t *testing.T, e *env, body string) {
					e.waitFor("call connected", e.connected("1000"))
					c, _ := e.eng.AgentCall("1000")
					if c.CallerID != "3125551234" {
						t.Errorf("caller id = %q", c.CallerID)
					}
					var l core.Lead
					if err := e.st.First(e.ctx, &l, core.Eq("phone_number", "7275551000")); err != nil || l.ListID != 998 || c.LeadID != l.ID {
						t.Errorf("new manual lead = %+v (call lead %d), %v", l, c.LeadID, err)
					}
				}},
			{name: "queue mode accepts a busy agent", query: q(base + "&value=7275552000")},
			{name: "queue mode refuses the same number twice", query: q(base + "&value=7275552000"),
				check: func(t *testing.T, e *env, body string) {
					// The queued number is dialed once the agent is free.
					c, _ := e.eng.AgentCall("1000")
					if err := e.eng.HangupCall(e.ctx, c.ID, 0); err != nil {
						t.Fatal(err)
					}
					endWrap(e, "1000")
					e.waitFor("queued number dialed", func() bool {
						c, ok := e.eng.AgentCall("1000")
						return ok && c.Phone == "7275552000"
					})
					c, _ = e.eng.AgentCall("1000")
					_ = e.eng.HangupCall(e.ctx, c.ID, 0)
					endWrap(e, "1000")
				}},
			{name: "dial_ingroup bypasses the pause check", query: q(base + "&value=7275553000&dial_ingroup=TEST_IN")},
		})
}

// endWrap gives the last call a status, as VICIdial's agent must before
// the lead leaves the screen, and ends any wrap-up.
func endWrap(e *env, user string) {
	_ = e.eng.SetDisposition(e.ctx, user, core.DispositionRequest{Status: "NI"})
	_ = e.eng.EndWrapUp(e.ctx, user)
	if s, ok := e.eng.Session(user); ok && !s.Paused {
		e.pause(user)
	}
}

func TestGoldenPreviewDialAction(t *testing.T) {
	runGolden(t, "preview_dial_action", Options{}, []step{
		{name: "not valid", query: q("function=preview_dial_action&value=skip&agent_user=1000")},
		{name: "not logged in", query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
		{name: "agent not paused", setup: agentLoggedIn, query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
		{name: "alt dialing not allowed", query: q("function=preview_dial_action&value=ALTDIAL&agent_user=1000")},
		{name: "skip", setup: func(e *env) { e.pause("1000") }, query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
		{name: "skip releases the previewed lead", setup: func(e *env) {
			if _, err := e.eng.PreviewLead(e.ctx, "1000"); err != nil {
				e.t.Fatal(err)
			}
		}, query: q("function=preview_dial_action&value=SKIP&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if s := session(t, e, "1000"); s.LeadID != 0 {
					t.Errorf("lead %d still on screen", s.LeadID)
				}
			}},
		{name: "dial only calls the previewed lead", setup: func(e *env) {
			if _, err := e.eng.PreviewLead(e.ctx, "1000"); err != nil {
				e.t.Fatal(err)
			}
		}, query: q("function=preview_dial_action&value=DIALONLY&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				e.waitFor("preview call connected", e.connected("1000"))
				if c, _ := e.eng.AgentCall("1000"); c.LeadID == 0 {
					t.Errorf("call has no lead: %+v", c)
				}
			}},
		{name: "no manual dial", setup: func(e *env) { e.login("1001"); e.pause("1001") }, query: q("function=preview_dial_action&value=DIALONLY&agent_user=1001")},
	})
	runGoldenWith(t, "preview_dial_action_disabled", Options{}, testSettings{"TESTCAMP": {setManualPreviewDial: "DISABLED"}}, []step{
		{name: "preview disabled", setup: agentPaused, query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
	})
	runGoldenWith(t, "preview_dial_action_only", Options{}, testSettings{"TESTCAMP": {setManualPreviewDial: "PREVIEW_ONLY", setAltNumberDialing: "Y"}}, []step{
		{name: "skipping not allowed", setup: agentPaused, query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
		{name: "finish allowed", query: q("function=preview_dial_action&value=FINISH&agent_user=1000")},
	})
}

func TestGoldenExternalAddLead(t *testing.T) {
	runGolden(t, "external_add_lead", Options{}, []step{
		{name: "not valid without phone_code", query: q("function=external_add_lead&phone_number=7275551212&agent_user=1000")},
		{name: "not valid exits without close link", query: q("function=external_add_lead&phone_number=7&phone_code=1&agent_user=1000&close_window_link=1")},
		{name: "not logged in", query: q("function=external_add_lead&phone_number=7275551212&phone_code=1&agent_user=1000")},
		{name: "adds the lead", setup: agentLoggedIn,
			query: q("function=external_add_lead&phone_number=7275559999&phone_code=1&first_name=Bob&last_name=Smith&address1=1+Main+St.&vendor_id=V%231;2&comments=a+b&rank=5&agent_user=1000&dnc_check=YES&campaign_dnc_check=Y"),
			check: func(t *testing.T, e *env, body string) {
				var l core.Lead
				if err := e.st.First(e.ctx, &l, core.Eq("phone_number", "7275559999")); err != nil {
					t.Fatalf("lead not inserted: %v", err)
				}
				if l.ListID != 998 || l.Status != "NEW" || l.User != "6666" || l.FirstName != "Bob" || l.Address1 != "1 Main St." ||
					l.VendorLeadCode != "V12" || l.Rank != 5 || l.Campaign != "TESTCAMP" || l.Comments != "a b" {
					t.Errorf("lead = %+v", l)
				}
			}},
		{name: "number in DNC", query: q("function=external_add_lead&phone_number=5550001&phone_code=1&dnc_check=Y&agent_user=1000")},
		{name: "number in campaign DNC", query: q("function=external_add_lead&value=5550002&phone_code=1&campaign_dnc_check=YES&agent_user=1000")},
		{name: "DNC not checked unless asked", query: q("function=external_add_lead&phone_number=5550001&phone_code=1&agent_user=1000")},
	})
}

func TestGoldenChangeIngroups(t *testing.T) {
	runGolden(t, "change_ingroups", Options{}, []step{
		{name: "not valid", query: q("function=change_ingroups&value=ADD&agent_user=1000")},
		{name: "not logged in", query: q("function=change_ingroups&value=CHANGE&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN+-")},
		{name: "blended not allowed on a manual campaign", setup: agentLoggedIn,
			query: q("function=change_ingroups&value=CHANGE&set_as_default=YES&blended=YES&agent_user=1000&ingroup_choices=+TEST_IN+SALESLINE+-")},
		{name: "unknown in-group", query: q("function=change_ingroups&value=CHANGE&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN+SALESLINE+FAKE_IN+-")},
		{name: "ADD needs choices", query: q("function=change_ingroups&value=ADD&blended=NO&agent_user=1000")},
		{name: "change", query: q("function=change_ingroups&value=CHANGE&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN+SALESLINE+-"),
			check: func(t *testing.T, e *env, body string) {
				if s := session(t, e, "1000"); s.InboundQueue != "TEST_IN SALESLINE" {
					t.Errorf("selected in-groups = %q", s.InboundQueue)
				}
			}},
		{name: "add", query: q("function=change_ingroups&value=ADD&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN2+TEST_IN+-")},
		{name: "remove", query: q("function=change_ingroups&value=REMOVE&blended=NO&agent_user=1000&ingroup_choices=+SALESLINE+-"),
			check: func(t *testing.T, e *env, body string) {
				if s := session(t, e, "1000"); s.InboundQueue != "TEST_IN TEST_IN2" {
					t.Errorf("selected in-groups = %q", s.InboundQueue)
				}
			}},
		{name: "first element is skipped without a leading space", query: q("function=change_ingroups&value=CHANGE&blended=NO&set_as_default=YES&agent_user=1000&ingroup_choices=TEST_IN+SALESLINE+-"),
			check: func(t *testing.T, e *env, body string) {
				var m []core.QueueMember
				_ = e.st.Find(e.ctx, &m, core.Eq("agent", "1000"))
				if len(m) != 1 || m[0].Queue != "SALESLINE" {
					t.Errorf("default in-groups = %+v", m)
				}
			}},
		{name: "api user without change_agent_campaign", query: "source=test&user=6668&pass=1234&function=change_ingroups&value=CHANGE&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN+-"},
		{name: "campaign without inbound", setup: func(e *env) {
			_ = e.eng.Login(e.ctx, "1001", core.LoginOptions{Campaign: "OUTONLY"})
		}, query: q("function=change_ingroups&value=CHANGE&blended=NO&agent_user=1001&ingroup_choices=+TEST_IN+-")},
	})
}

func TestGoldenUpdateFields(t *testing.T) {
	runGolden(t, "update_fields", Options{}, []step{
		{name: "not valid", query: q("function=update_fields&first_name=Al")},
		{name: "not logged in", query: q("function=update_fields&agent_user=1000&first_name=Al")},
		{name: "no lead on screen", setup: agentLoggedIn, query: q("function=update_fields&agent_user=1000&first_name=Al")},
		{name: "updates in the fixed field order", setup: agentOnManualCall,
			query: q("function=update_fields&agent_user=1000&vendor_lead_code=1234567&address1=&first_name=Al+B&state=FLX"),
			check: func(t *testing.T, e *env, body string) {
				var l core.Lead
				_ = e.st.First(e.ctx, &l, core.Eq("id", e.lead.ID))
				if l.FirstName != "Al B" || l.Address1 != "" || l.State != "FL" {
					t.Errorf("lead = %+v", l)
				}
				var cmds []core.ScreenCommand
				_ = e.st.Find(e.ctx, &cmds, core.Eq("agent", "1000").Eq("kind", "update_fields"))
				if len(cmds) != 1 {
					t.Errorf("screen commands = %d", len(cmds))
				}
			}},
		{name: "same update again changes no rows", query: q("function=update_fields&agent_user=1000&vendor_lead_code=1234567&address1=&first_name=Al+B&state=FLX")},
		{name: "emailreload also blanks email", query: q("function=update_fields&agent_user=1000&emailreload=1&formreload=1")},
		{name: "no fields", query: q("function=update_fields&agent_user=1000&foo=bar")},
		{name: "api user without modify_leads", query: "source=test&user=6668&pass=1234&function=update_fields&agent_user=1000&city=Tampa"},
	})
}

func TestGoldenRefreshPanel(t *testing.T) {
	runGolden(t, "refresh_panel", Options{}, []step{
		{name: "not valid", query: q("function=refresh_panel&formreload=1")},
		{name: "not logged in", query: q("function=refresh_panel&agent_user=1000&formreload=1")},
		{name: "no panels", setup: agentLoggedIn, query: q("function=refresh_panel&agent_user=1000")},
		{name: "reloads", query: q("function=refresh_panel&agent_user=1000&scriptreload=1&script2reload=1&callbacksreload=1"),
			check: func(t *testing.T, e *env, body string) {
				var cmds []core.ScreenCommand
				_ = e.st.Find(e.ctx, &cmds, core.Eq("agent", "1000").Eq("kind", "refresh_panel"))
				if len(cmds) != 1 || !strings.Contains(cmds[0].Payload, "callbacksreload") {
					t.Errorf("screen commands = %+v", cmds)
				}
			}},
		{name: "form reload", query: q("function=refresh_panel&agent_user=1000&FormReload=1")},
	})
}

func TestGoldenSetTimerAction(t *testing.T) {
	runGolden(t, "set_timer_action", Options{}, []step{
		{name: "not valid", query: q("function=set_timer_action&agent_user=1000&value=X")},
		{name: "not logged in", query: q("function=set_timer_action&agent_user=1000&value=MESSAGE_ONLY")},
		{name: "sets the timer", setup: agentLoggedIn, query: q("function=set_timer_action&agent_user=1000&value=MESSAGE_ONLY&notes=test+message!&rank=15"),
			check: func(t *testing.T, e *env, body string) {
				var cmds []core.ScreenCommand
				_ = e.st.Find(e.ctx, &cmds, core.Eq("agent", "1000").Eq("kind", "timer_action"))
				if len(cmds) != 1 || !strings.Contains(cmds[0].Payload, `"seconds":15`) {
					t.Errorf("screen commands = %+v", cmds)
				}
			}},
		{name: "api user without modify_campaigns", query: "source=test&user=6668&pass=1234&function=set_timer_action&agent_user=1000&value=NONE"},
	})
}

func TestGoldenStFunctions(t *testing.T) {
	runGolden(t, "st_functions", Options{}, []step{
		{name: "login log not valid", query: q("function=st_login_log&value=crm1000")},
		{name: "login log unknown", query: q("function=st_login_log&value=crm9&vendor_id=T1")},
		{name: "login log", query: q("function=st_login_log&value=crm1000&vendor_id=TEAM7"),
			check: func(t *testing.T, e *env, body string) {
				var a core.Agent
				_ = e.st.First(e.ctx, &a, core.Eq("username", "1000"))
				if a.CustomFour != "TEAM7" {
					t.Errorf("custom_four = %q", a.CustomFour)
				}
			}},
		{name: "active lead not valid", query: q("function=st_get_agent_active_lead&value=crm1000")},
		{name: "active lead unknown user", query: q("function=st_get_agent_active_lead&value=crm9&vendor_id=x")},
		{name: "active lead not logged in", query: q("function=st_get_agent_active_lead&value=crm1000&vendor_id=x")},
		{name: "no active lead", setup: agentLoggedIn, query: q("function=st_get_agent_active_lead&value=crm1000&vendor_id=x")},
		{name: "active lead", setup: agentOnManualCall, query: q("function=st_get_agent_active_lead&value=crm1000&vendor_id=x")},
	})
}

func TestGoldenSendDTMF(t *testing.T) {
	var call core.Call
	runGolden(t, "send_dtmf", Options{}, []step{
		{name: "not valid", query: q("function=send_dtmf&value=%23%23&agent_user=1000")},
		{name: "not logged in", query: q("function=send_dtmf&value=1&agent_user=1000")},
		{name: "sends digits", setup: func(e *env) { e.login("1000"); call = e.manualCall("1000") }, query: q("function=send_dtmf&value=1234S6654P&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if ch, _ := e.pbx.Channel(call.ChannelID); ch.DTMFSent != "1234*6654#" {
					t.Errorf("DTMF sent = %q", ch.DTMFSent)
				}
			}},
	})
}

func TestGoldenParkCall(t *testing.T) {
	var call core.Call
	runGolden(t, "park_call", Options{}, []step{
		{name: "not valid", query: q("function=park_call&value=PARK&agent_user=1000")},
		{name: "not logged in", query: q("function=park_call&value=PARK_CUSTOMER&agent_user=1000")},
		{name: "no lead on screen", setup: agentLoggedIn, query: q("function=park_call&value=PARK_CUSTOMER&agent_user=1000")},
		{name: "park", setup: func(e *env) { call = e.manualCall("1000") }, query: q("function=park_call&value=PARK_CUSTOMER&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if _, parked := e.eng.CallHeld("1000"); !parked {
					t.Error("customer not parked")
				}
				if ch, _ := e.pbx.Channel(call.ChannelID); ch.MOH == "" {
					t.Errorf("parked customer hears no music: %+v", ch)
				}
			}},
		{name: "grab", query: q("function=park_call&value=GRAB_CUSTOMER&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if _, parked := e.eng.CallHeld("1000"); parked {
					t.Error("customer still parked")
				}
			}},
		{name: "ivr park", query: q("function=park_call&value=PARK_IVR_CUSTOMER&agent_user=1000")},
		{name: "ivr grab", query: q("function=park_call&value=GRAB_IVR_CUSTOMER&agent_user=1000")},
		{name: "park xfer", query: q("function=park_call&value=PARK_XFER&agent_user=1000")},
		{name: "grab xfer", query: q("function=park_call&value=GRAB_XFER&agent_user=1000")},
		{name: "swap park customer passes by substring", query: q("function=park_call&value=SWAP_PARK_CUSTOMER&agent_user=1000")},
		{name: "swap park xfer", query: q("function=park_call&value=SWAP_PARK_XFER&agent_user=1000")},
		{name: "hangup xfer grab customer", query: q("function=park_call&value=HANGUP_XFER_GRAB_CUSTOMER&agent_user=1000")},
	})
}

func TestGoldenRaCallControl(t *testing.T) {
	var call core.Call
	cid := func() string { return buildCallID(call) }
	runGolden(t, "ra_call_control", Options{}, []step{
		{name: "not valid", query: q("function=ra_call_control&value=Y0315201639000402027&agent_user=1000")},
		{name: "not logged in", query: q("function=ra_call_control&value=Y0315201639000402027&agent_user=1000&stage=HANGUP")},
		{name: "no active call", setup: agentLoggedIn, query: q("function=ra_call_control&value=Y0315201639000402027&agent_user=1000&stage=HANGUP")},
		{name: "bad stage", setup: func(e *env) { call = e.inboundCall("1000") }, query: q("function=ra_call_control&value=Y1221010000000000001&agent_user=1000&stage=PARK")},
		{name: "extension transfer needs a number", query: q("function=ra_call_control&value=Y1221010000000000001&agent_user=1000&stage=EXTENSIONTRANSFER")},
		{name: "in-group transfer to an unknown group", query: q("function=ra_call_control&value=Y1221010000000000001&agent_user=1000&stage=INGROUPTRANSFER&ingroup_choices=NOPE")},
		{name: "in-group transfer to the default group", query: q("function=ra_call_control&value=Y1221010000000000001&agent_user=1000&stage=INGROUPTRANSFER&ingroup_choices=DEFAULTINGROUP"),
			check: func(t *testing.T, e *env, body string) {
				if cid() != "Y1221010000000000001" {
					t.Fatalf("call id %s: fix the step queries", cid())
				}
				n, _ := e.st.Count(e.ctx, &core.QueueLogEntry{}, core.Eq("call_id", call.ID).Eq("event", core.QLTransfer).Eq("data1", "TEST_IN"))
				if n != 1 {
					t.Errorf("TRANSFER rows to TEST_IN = %d, want 1", n)
				}
				var l core.Lead
				_ = e.st.First(e.ctx, &l, core.Eq("id", e.lead.ID))
				if l.Status != "RAXFER" {
					t.Errorf("lead status = %q, want RAXFER", l.Status)
				}
			}},
		{name: "extension transfer", setup: func(e *env) {
			c, _ := e.eng.Call(e.ctx, call.ID)
			_ = e.eng.HangupCall(e.ctx, c.ID, 0)
			e.noCall("1000")
			_ = e.eng.EndWrapUp(e.ctx, "1000")
			call = e.inboundCall("1000")
		}, query: q("function=ra_call_control&value=Y1221010010000000001&agent_user=1000&stage=EXTENSIONTRANSFER&phone_number=8500"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
				c, _ := e.eng.Call(e.ctx, call.ID)
				if c.ThirdChannelID == "" {
					t.Errorf("no transfer leg: %+v", c)
				}
			}},
		{name: "hangup with a status", setup: func(e *env) {
			c, _ := e.eng.Call(e.ctx, call.ID)
			_ = e.eng.HangupCall(e.ctx, c.ID, 0)
			e.noCall("1000")
			_ = e.eng.EndWrapUp(e.ctx, "1000")
			call = e.inboundCall("1000")
		}, query: q("function=ra_call_control&value=Y1221010020000000001&agent_user=1000&stage=HANGUP&status=TEST88X"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
				if ch, ok := e.pbx.Channel(call.ChannelID); !ok || !ch.HungUp {
					t.Errorf("caller not hung up: %+v", ch)
				}
				var l core.Lead
				_ = e.st.First(e.ctx, &l, core.Eq("id", e.lead.ID))
				if l.Status != "TEST88" {
					t.Errorf("lead status = %q, want TEST88", l.Status)
				}
			}},
	})
}

func TestGoldenTransferConference(t *testing.T) {
	var call core.Call
	tc := func(s string) string { return q("function=transfer_conference&agent_user=1000&" + s) }
	runGolden(t, "transfer_conference", Options{}, []step{
		{name: "not valid", query: tc("value=HANGUP")},
		{name: "not logged in", query: tc("value=HANGUP_XFER")},
		{name: "no live call", setup: agentLoggedIn, query: tc("value=HANGUP_XFER")},
		{name: "value not valid", setup: func(e *env) { call = e.manualCall("1000") }, query: tc("value=SOMETHING")},
		{name: "local closer needs an in-group", query: tc("value=LOCAL_CLOSER")},
		{name: "local closer unknown in-group", query: tc("value=LOCAL_CLOSER&ingroup_choices=NOPE")},
		{name: "bad group alias", query: tc("value=BLIND_TRANSFER&phone_number=8500&group_alias=NOPE")},
		{name: "bad caller id from group alias", query: tc("value=BLIND_TRANSFER&phone_number=8500&group_alias=BADCID")},
		{name: "bad cid choice", query: tc("value=DIAL_WITH_CUSTOMER&phone_number=8500&cid_choice=MINE")},
		{name: "consultative needs an in-group", query: tc("value=PARK_CUSTOMER_DIAL&consultative=YES")},
		{name: "three-way dial with customer", query: tc("value=DIAL_WITH_CUSTOMER&phone_number=919998888112&cid_choice=CUSTOMER&group_alias=TESTING"),
			check: func(t *testing.T, e *env, body string) {
				if kind, target := e.eng.TransferState("1000"); kind != string(core.TransferConference) || target != "919998888112" {
					t.Errorf("transfer state = %s %s", kind, target)
				}
			}},
		{name: "current 3-way call check", query: tc("value=DIAL_WITH_CUSTOMER&phone_number=8500&tw_check=YES")},
		{name: "hang up the transfer leg", query: tc("value=HANGUP_XFER"),
			check: func(t *testing.T, e *env, body string) {
				if kind, _ := e.eng.TransferState("1000"); kind != "" {
					t.Errorf("transfer still %s", kind)
				}
			}},
		{name: "multi dial phones", query: tc("value=DIAL_WITH_CUSTOMER&phone_number=8500&multi_dial_phones=5551234,5551234,12,5559876")},
		{name: "leave 3-way call", query: tc("value=LEAVE_3WAY_CALL"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
			}},
		{name: "blind transfer", setup: func(e *env) { endWrap(e, "1000"); call = e.manualCall("1000") }, query: tc("value=BLIND_TRANSFER&phone_number=8500"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
				c, _ := e.eng.Call(e.ctx, call.ID)
				if c.ThirdChannelID == "" {
					t.Errorf("no transfer leg: %+v", c)
				}
			}},
		{name: "local closer to an in-group", setup: func(e *env) { endWrap(e, "1000"); call = e.manualCall("1000") }, query: tc("value=LOCAL_CLOSER&ingroup_choices=SALESLINE"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
				c, _ := e.eng.Call(e.ctx, call.ID)
				if c.Queue != "SALESLINE" {
					t.Errorf("call queue = %q", c.Queue)
				}
			}},
		{name: "local closer default in-group is resolved", setup: func(e *env) {
			if c, ok := e.eng.Call(e.ctx, call.ID); ok == nil {
				_ = e.eng.HangupCall(e.ctx, c.ID, 0)
			}
			endWrap(e, "1000")
			call = e.manualCall("1000")
		}, query: tc("value=LOCAL_CLOSER&ingroup_choices=DEFAULTINGROUP")},
		{name: "park customer and dial", setup: func(e *env) {
			_ = e.eng.Hangup(e.ctx, "1000")
			e.noCall("1000")
			endWrap(e, "1000")
			call = e.manualCall("1000")
		},
			query: tc("value=PARK_CUSTOMER_DIAL&phone_number=8501&dial_override=YES&cid_choice=CUSTOMER"),
			check: func(t *testing.T, e *env, body string) {
				if kind, target := e.eng.TransferState("1000"); kind != string(core.TransferAttended) || target != "8501" {
					t.Errorf("transfer state = %s %s", kind, target)
				}
				c, _ := e.eng.AgentCall("1000")
				if ch, _ := e.pbx.Channel(c.ThirdChannelID); ch.CallerID != "7275551212" {
					t.Errorf("transfer leg caller id = %q, want the customer's", ch.CallerID)
				}
			}},
		{name: "previous 3-way multi dial check", query: tc("value=DIAL_WITH_CUSTOMER&phone_number=8500&multi_dial_phones=5551234&md_check=YES")},
		{name: "consultative in-group", query: tc("value=DIAL_WITH_CUSTOMER&ingroup_choices=TEST_IN2&consultative=YES")},
		{name: "agent direct", setup: func(e *env) { _ = e.eng.CancelTransfer(e.ctx, "1000") }, query: tc("value=LOCAL_CLOSER&ingroup_choices=AGENTDIRECT&phone_number=1001")},
		{name: "leave voicemail", setup: func(e *env) { e.noCall("1000"); endWrap(e, "1000"); call = e.manualCall("1000") }, query: tc("value=LEAVE_VM&phone_number=8600")},
		{name: "hang up both", setup: func(e *env) { endWrap(e, "1000"); call = e.manualCall("1000") }, query: tc("value=HANGUP_BOTH"),
			check: func(t *testing.T, e *env, body string) {
				e.noCall("1000")
				if ch, _ := e.pbx.Channel(call.ChannelID); !ch.HungUp {
					t.Error("customer not hung up")
				}
			}},
	})
}

func TestGoldenSwitchLead(t *testing.T) {
	sl := func(s string) string { return q("function=switch_lead&agent_user=1000&" + s) }
	runGoldenWith(t, "switch_lead", Options{}, testSettings{"TESTCAMP": {setAgentLeadSearch: "LIVE_CALL_INBOUND"}}, []step{
		{name: "not valid", query: sl("lead_id=0")},
		{name: "not logged in", query: sl("lead_id=2")},
		{name: "permission error prints the lead id", query: "source=test&user=6667&pass=1234&function=switch_lead&agent_user=1000&lead_id=2"},
		{name: "no live call", setup: agentLoggedIn, query: sl("lead_id=2")},
		{name: "outbound call is not inbound", setup: agentOnManualCall, query: sl("lead_id=2")},
		{name: "lead not found", setup: func(e *env) {
			_ = e.eng.Hangup(e.ctx, "1000")
			e.noCall("1000")
			_ = e.eng.EndWrapUp(e.ctx, "1000")
			e.inboundCall("1000")
		},
			query: sl("lead_id=99")},
		{name: "vendor code wins over lead id", query: sl("lead_id=99&vendor_lead_code=1234567890"),
			check: func(t *testing.T, e *env, body string) {
				c, _ := e.eng.AgentCall("1000")
				var stored core.Call
				_ = e.st.First(e.ctx, &stored, core.Eq("id", c.ID))
				if stored.LeadID != 2 {
					t.Errorf("call lead = %d, want 2", stored.LeadID)
				}
			}},
	})
	runGolden(t, "switch_lead_disabled", Options{}, []step{
		{name: "campaign does not allow lead search", setup: func(e *env) { e.login("1000"); e.inboundCall("1000") }, query: sl("lead_id=2")},
	})
}

func TestGoldenVMMessage(t *testing.T) {
	vm := func(s string) string { return q("function=vm_message&agent_user=1000&" + s) }
	runGolden(t, "vm_message", Options{}, []step{
		{name: "not valid", query: vm("lead_id=1")},
		{name: "permission error prints the lead id", query: "source=test&user=6667&pass=1234&function=vm_message&agent_user=1000&lead_id=12345&value=x"},
		{name: "not logged in", query: vm("value=EXship01")},
		{name: "no live call", setup: agentLoggedIn, query: vm("value=EXship01")},
		{name: "lead mismatch", setup: agentOnManualCall, query: vm("lead_id=12345&value=appointment_reminder2")},
		{name: "several files keep the trailing pipe", query: vm("value=EXship01|EXship02|EXship03")},
	})
}

func TestGoldenPauseCode(t *testing.T) {
	runGolden(t, "pause_code", Options{}, []step{
		{name: "not valid", query: q("function=pause_code&value=TOOLONGX&agent_user=1000")},
		{name: "not logged in", query: q("function=pause_code&value=BREAK&agent_user=1000")},
		{name: "not paused", setup: agentLoggedIn, query: q("function=pause_code&value=BREAK&agent_user=1000")},
		{name: "sets the code", setup: func(e *env) { e.pause("1000") }, query: q("function=pause_code&value=BREAK&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if s := session(t, e, "1000"); s.PauseCode != "BREAK" {
					t.Errorf("pause code = %q", s.PauseCode)
				}
			}},
	})
}

func TestGoldenCallsInQueueCount(t *testing.T) {
	runGolden(t, "calls_in_queue_count", Options{}, []step{
		{name: "not valid", query: q("function=calls_in_queue_count&value=display&agent_user=1000")},
		{name: "not logged in", query: q("function=calls_in_queue_count&value=DISPLAY&agent_user=1000")},
		{name: "none waiting", setup: agentPaused, query: q("function=calls_in_queue_count&value=DISPLAY&agent_user=1000")},
		{name: "two waiting", setup: func(e *env) {
			e.pbx.InjectInbound("3125550001", "8885551000")
			e.pbx.InjectInbound("3125550002", "8885551000")
			e.waitFor("two calls queued", func() bool { return len(e.eng.Waiting("TEST_IN")) == 2 })
		}, query: q("function=calls_in_queue_count&value=DISPLAY&agent_user=1000")},
	})
}

func TestGoldenForceFronter(t *testing.T) {
	// 1001 is the fronter: it dialed the lead and brought 1000 in.
	twoOnLead := func(e *env) {
		e.login("1001")
		e.manualCall("1001")
		e.login("1000")
		e.manualCall("1000")
	}
	runGolden(t, "force_fronter", Options{}, []step{
		{name: "leave 3way not valid", query: q("function=force_fronter_leave_3way&value=LOCAL&agent_user=1000")},
		{name: "leave 3way not logged in", query: q("function=force_fronter_leave_3way&value=LOCAL_ONLY&agent_user=1000")},
		{name: "audio stop not valid", query: q("function=force_fronter_audio_stop&value=X&agent_user=1000")},
		{name: "not on a call", setup: agentLoggedIn, query: q("function=force_fronter_leave_3way&value=LOCAL_ONLY&agent_user=1000")},
		{name: "audio stop not on a call", query: q("function=force_fronter_audio_stop&value=LOCAL_ONLY&agent_user=1000")},
		{name: "no fronter", setup: agentOnManualCall, query: q("function=force_fronter_leave_3way&value=LOCAL_AND_CCC&agent_user=1000")},
		{name: "audio stop no fronter", query: q("function=force_fronter_audio_stop&value=LOCAL_ONLY&agent_user=1000")},
		{name: "audio stop with nothing playing", setup: func(e *env) {
			_ = e.eng.Hangup(e.ctx, "1000")
			e.noCall("1000")
			_ = e.eng.EndWrapUp(e.ctx, "1000")
			_, _ = e.eng.Logout(e.ctx, "1000", "t")
			twoOnLead(e)
		}, query: q("function=force_fronter_audio_stop&value=LOCAL_ONLY&agent_user=1000")},
		{name: "audio stop", setup: func(e *env) {
			if _, err := e.eng.Play(e.ctx, "1001", "sound:beep"); err != nil {
				e.t.Fatal(err)
			}
			e.h.setPlaying(session(e.t, e, "1001"), true)
		}, query: q("function=force_fronter_audio_stop&value=LOCAL_ONLY&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if e.h.playing(session(t, e, "1001")) {
					t.Error("fronter audio still playing")
				}
			}},
		{name: "leave 3way sent to the fronter", query: q("function=force_fronter_leave_3way&value=LOCAL_ONLY&agent_user=1000")},
		{name: "CCC remote skips the login check", query: q("function=force_fronter_leave_3way&value=CCC_REMOTE&agent_user=9999&lead_id=77")},
	})
}

func TestGoldenSendNotification(t *testing.T) {
	sn := func(s string) string { return q("function=send_notification&" + s) }
	runGolden(t, "send_notification", Options{}, []step{
		{name: "missing recipient", query: sn("notification_text=hi")},
		{name: "invalid type, found as user", query: sn("recipient=1000&recipient_type=AGENT&notification_text=Hello+there")},
		{name: "invalid type, nothing found", query: sn("recipient=nobody&notification_text=hi")},
		{name: "user does not exist", query: sn("recipient=6669&recipient_type=USER&notification_text=hi")},
		{name: "campaign does not exist", query: sn("recipient=NOCAMP&recipient_type=CAMPAIGN&notification_text=hi")},
		{name: "nothing to show", query: sn("recipient=1000&recipient_type=USER")},
		{name: "bad date", query: sn("recipient=1000&recipient_type=USER&notification_text=hi&notification_date=tomorrow")},
		{name: "invalid date", query: sn("recipient=1000&recipient_type=USER&notification_text=hi&notification_date=2025-1")},
		{name: "user group with confetti", query: sn("recipient=AGENTS&recipient_type=USER_GROUP&show_confetti=Y&text_color=FF0000"),
			check: func(t *testing.T, e *env, body string) {
				var cmds []core.ScreenCommand
				_ = e.st.Find(e.ctx, &cmds, core.Eq("kind", "notification").Asc("id"))
				if len(cmds) != 5 || cmds[3].Agent != "1000" || cmds[4].Agent != "1001" {
					t.Errorf("notifications = %+v", cmds)
				}
			}},
	})
	as := func(user, s string) string {
		return "source=test&user=" + user + "&pass=1234&function=send_notification&" + s
	}
	runGolden(t, "send_notification_access", Options{}, []step{
		{name: "campaign reached by the admin group", query: sn("recipient=TESTCAMP&recipient_type=CAMPAIGN&notification_text=hi")},
		{name: "campaign not allowed for the user's group", query: as("6670", "recipient=TESTCAMP&recipient_type=CAMPAIGN&notification_text=hi")},
		{name: "allowed campaign", query: as("6670", "recipient=OUTONLY&recipient_type=CAMPAIGN&notification_text=hi")},
		{name: "user group not viewable", query: as("6670", "recipient=AGENTS&recipient_type=USER_GROUP&notification_text=hi")},
		{name: "the API user's group does not exist", query: as("6671", "recipient=TESTCAMP&recipient_type=CAMPAIGN&notification_text=hi")},
		{name: "users need no group check", query: as("6671", "recipient=1000&recipient_type=USER&notification_text=hi")},
	})
	runGoldenWith(t, "send_notification_disabled", Options{}, testSettings{"": {setNotifications: "0"}}, []step{
		{name: "disabled", query: sn("recipient=1000&recipient_type=USER&notification_text=hi")},
	})
}
