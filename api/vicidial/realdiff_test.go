package vicidial

import (
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// The tests in this file pin answers that differed from the real api.php
// 2.14-82 when the same request sequence was played against both (real
// VICIdial on Apache and MariaDB with data equivalent to the demo set).

func TestGoldenAgentCredentialsWithoutAPIAccess(t *testing.T) {
	runGolden(t, "agent_credentials", Options{}, []step{
		// vicidial_users holds agents too: the password is good, only
		// vdc_agent_api_access is missing. api.php answers |1|0|GOOD|,
		// which confirms the agent's password; Callgate answers as for a
		// wrong password (doc.go) and counts a failure.
		{name: "agent password without api access", query: "source=test&user=1000&pass=1234&function=external_pause&value=PAUSE&agent_user=1000"},
		{name: "agent wrong password", query: "source=test&user=1000&pass=9999&function=external_pause&value=PAUSE&agent_user=1000",
			check: func(t *testing.T, e *env, body string) {
				n, err := e.st.Count(e.ctx, &core.LoginFailure{}, core.Eq("dialect", Dialect).Eq("username", "1000"))
				if err != nil || n != 2 {
					t.Errorf("login failures of agent 1000 = %d, %v; want 2", n, err)
				}
			}},
		{name: "api user still works", query: q("function=version")},
	})
}

func TestGoldenChangeIngroupsKeepsLoginOrder(t *testing.T) {
	members := func(e *env) {
		var a core.Agent
		if err := e.st.First(e.ctx, &a, core.Eq("username", "1000")); err != nil {
			e.t.Fatal(err)
		}
		// Sorted by name SALESLINE comes first; the login screen lists
		// the campaign's in-groups in the campaign's order.
		for _, name := range []string{"SALESLINE", "TEST_IN"} {
			var qu core.Queue
			if err := e.st.First(e.ctx, &qu, core.Eq("name", name)); err != nil {
				e.t.Fatal(err)
			}
			e.create(&core.QueueMember{QueueID: qu.ID, AgentID: a.ID, Queue: qu.Name, Agent: a.Username})
		}
		if err := e.eng.Reload(e.ctx); err != nil {
			e.t.Fatal(err)
		}
		e.login("1000")
	}
	base := "function=change_ingroups&blended=NO&agent_user=1000"
	runGolden(t, "change_ingroups_order", Options{}, []step{
		{name: "add appends to the login selection", setup: members, query: q(base + "&value=ADD&ingroup_choices=+TEST_IN2+-")},
		{name: "remove edits the list as set", query: q(base + "&value=REMOVE&ingroup_choices=+SALESLINE+-")},
		{name: "add again appends at the end", query: q(base + "&value=ADD&ingroup_choices=+SALESLINE+-"),
			check: func(t *testing.T, e *env, body string) {
				got := strings.Join(e.eng.AgentQueues("1000"), " ")
				for _, want := range []string{"TEST_IN", "TEST_IN2", "SALESLINE"} {
					if !strings.Contains(" "+got+" ", " "+want+" ") {
						t.Errorf("agent queues %q lack %s", got, want)
					}
				}
			}},
	})
}

// After a manual call the lead stays on VICIdial's disposition screen
// (vicidial_live_agents.lead_id) until a status is given.
func TestGoldenDispositionScreen(t *testing.T) {
	dial := "function=external_dial&value=7275551212&phone_code=1&search=YES&preview=NO&focus=YES&agent_user=1000"
	runGolden(t, "dispo_screen", Options{}, []step{
		{name: "call ended: lead still active", setup: func(e *env) {
			agentPaused(e)
			e.manualCall("1000")
			if err := e.eng.Hangup(e.ctx, "1000"); err != nil {
				e.t.Fatal(err)
			}
			e.noCall("1000")
		}, query: q("function=st_get_agent_active_lead&value=crm1000&vendor_id=T1")},
		{name: "fields can still be updated", query: q("function=update_fields&agent_user=1000&first_name=Robert")},
		{name: "no new dial before the status", query: q(dial),
			check: func(t *testing.T, e *env, body string) {
				if _, ok := e.eng.AgentCall("1000"); ok {
					t.Error("a call was placed from the disposition screen")
				}
			}},
		{name: "pause code while on the screen", query: q("function=pause_code&value=BREAK&agent_user=1000")},
		// The lead on the disposition screen is not a preview to skip.
		{name: "preview skip", query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
		{name: "lead still there after the skip", query: q("function=st_get_agent_active_lead&value=crm1000&vendor_id=T1")},
		{name: "status", query: q("function=external_status&value=A&agent_user=1000")},
		{name: "lead gone after the status", query: q("function=st_get_agent_active_lead&value=crm1000&vendor_id=T1")},
		{name: "dial allowed again", query: q(dial),
			check: func(t *testing.T, e *env, body string) {
				e.waitFor("second call connected", e.connected("1000"))
			}},
	})
}

// A call transferred away leaves the agent on the disposition screen too;
// the status given there goes to that call.
func TestGoldenDispositionScreenAfterTransfer(t *testing.T) {
	lead := q("function=st_get_agent_active_lead&value=crm1000&vendor_id=T1")
	runGolden(t, "dispo_screen_transfer", Options{}, []step{
		{name: "transfer to an in-group", setup: func(e *env) { agentPaused(e); e.manualCall("1000") },
			query: q("function=transfer_conference&value=LOCAL_CLOSER&ingroup_choices=SALESLINE&agent_user=1000")},
		{name: "lead stays on the screen", setup: func(e *env) { e.noCall("1000") }, query: lead},
		{name: "status", query: q("function=external_status&value=XFER&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				var c core.Call
				if err := e.st.First(e.ctx, &c, core.Eq("lead_id", e.lead.ID).Desc("id").Take(1)); err != nil || c.Status != "XFER" {
					t.Errorf("transferred call status = %q, %v; want XFER", c.Status, err)
				}
			}},
		{name: "lead gone", query: lead},
		{name: "blind transfer", setup: func(e *env) { e.manualCall("1000") },
			query: q("function=transfer_conference&value=BLIND_TRANSFER&phone_number=8500&agent_user=1000")},
		{name: "lead stays after a blind transfer", setup: func(e *env) { e.noCall("1000") }, query: lead},
	})
}

func TestGoldenTransferMultiDialRows(t *testing.T) {
	x := "function=transfer_conference&value=DIAL_WITH_CUSTOMER&phone_number=8500&agent_user=1000&multi_dial_phones=85001,85002,1"
	runGolden(t, "transfer_multi_rows", Options{}, []step{
		// Rows affected by api.php's INSERT ... ON DUPLICATE KEY UPDATE on
		// the agent's vicidial_3way_press_multi row: 1, then 2.
		{name: "first request inserts the row", setup: func(e *env) { agentPaused(e); e.manualCall("1000") }, query: q(x)},
		{name: "next request replaces it", setup: func(e *env) { _ = e.eng.CancelTransfer(e.ctx, "1000") }, query: q(x)},
	})
}

func TestGoldenRACallControlActsOnce(t *testing.T) {
	queued := func(e *env) {
		agentPaused(e)
		e.pbx.InjectInbound(e.lead.PhoneNumber, "8885551000")
		e.waitFor("call queued", func() bool {
			for _, c := range e.eng.ActiveCalls() {
				if c.State == core.CallQueued {
					return true
				}
			}
			return false
		})
	}
	// The frozen clock and a fresh store make the call id predictable.
	ra := "function=ra_call_control&agent_user=1000&value=Y1221010000000000001"
	runGolden(t, "ra_call_control_once", Options{}, []step{
		// The engine transfers a call through its agent; a waiting call has
		// none, so the transfer is refused with an ERROR (never a SUCCESS
		// without effect) and the call stays where it is.
		{name: "transfer of a waiting call is refused", setup: queued, query: q(ra + "&stage=INGROUPTRANSFER&ingroup_choices=SALESLINE"),
			check: func(t *testing.T, e *env, body string) {
				if len(e.eng.ActiveCalls()) != 1 {
					t.Errorf("active calls = %d, want the queued call kept", len(e.eng.ActiveCalls()))
				}
			}},
		{name: "a refused call id can still be hung up", query: q(ra + "&stage=HANGUP")},
		// api.php deletes the vicidial_auto_calls row: the id is gone.
		{name: "the same call id again", query: q(ra + "&stage=HANGUP")},
	})
}

func TestWebserverHostFacts(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{1.61328125, "1.61328125"}, // sysinfo's fixed point, printed in full as PHP does
		{0.15, "0.15"},
		{1, "1"},
		{0, "0"},
		{12.5, "12.5"},
	} {
		if got := phpFloat(tc.f); got != tc.want {
			t.Errorf("phpFloat(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "UTC"},
		{time.FixedZone("EST", -5*3600), "EST"},
	} {
		if got := zoneName(tc.loc); got != tc.want {
			t.Errorf("zoneName(%v) = %q, want %q", tc.loc, got, tc.want)
		}
	}
	t.Setenv("TZ", "America/New_York")
	if got := zoneName(time.Local); got != "America/New_York" {
		t.Errorf("zoneName(Local) with TZ = %q", got)
	}
}

// external_dial preview=YES shows the lead on the agent's screen without
// dialing; preview_dial_action dials it or lets it go.
func TestGoldenExternalDialPreview(t *testing.T) {
	lead := q("function=st_get_agent_active_lead&value=crm1000&vendor_id=T1")
	dial := "function=external_dial&phone_code=1&search=YES&focus=YES&agent_user=1000&value=7275551212"
	runGolden(t, "external_dial_preview", Options{}, []step{
		{name: "preview", setup: agentPaused, query: q(dial + "&preview=YES"),
			check: func(t *testing.T, e *env, body string) {
				if _, ok := e.eng.AgentCall("1000"); ok {
					t.Error("preview placed a call")
				}
			}},
		{name: "previewed lead is on the screen", query: lead},
		{name: "no other dial while previewing", query: q(dial + "&preview=NO")},
		{name: "dial the preview", query: q("function=preview_dial_action&value=DIALONLY&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				e.waitFor("preview call connected", e.connected("1000"))
				if c, _ := e.eng.AgentCall("1000"); c.LeadID != e.lead.ID {
					t.Errorf("call lead = %d, want %d", c.LeadID, e.lead.ID)
				}
			}},
		{name: "preview again after the call", setup: func(e *env) {
			_ = e.eng.Hangup(e.ctx, "1000")
			e.noCall("1000")
			endWrap(e, "1000")
		}, query: q(dial + "&preview=YES")},
		{name: "skip", query: q("function=preview_dial_action&value=SKIP&agent_user=1000")},
		{name: "lead gone after the skip", query: lead},
	})
}

// api.php fills $POST_URI with foreach($_POST as $key=>$value): a POST
// without a value variable leaves the last POST variable in $value.
func TestGoldenPostValueLeak(t *testing.T) {
	runGolden(t, "post_value_leak", Options{}, []step{
		{name: "last post variable becomes the value", setup: agentPaused,
			post: "source=test&user=6666&pass=1234&function=external_pause&agent_user=1000&x=RESUME&y=1&x=PAUSE"},
		{name: "a later duplicate keeps the first position", post: "source=test&user=6666&pass=1234&function=external_pause&agent_user=1000&x=RESUME&x=PAUSE"},
		{name: "value in the query string wins", query: "value=PAUSE",
			post: "source=test&user=6666&pass=1234&function=external_pause&agent_user=1000&x=RESUME"},
		{name: "add lead takes it as the phone number", post: "source=test&user=6666&pass=1234&function=external_add_lead&agent_user=1000&phone_number=7275551399&phone_code=1&first_name=Bob"},
	})
}

// A variable sent as an array prints as "Array"; where api.php measures it
// with strlen() PHP 8 dies: HTTP 500, empty body, no log row.
func TestGoldenArrayVariables(t *testing.T) {
	runGolden(t, "array_variables", Options{}, []step{
		{name: "array source", query: "source[]=test&user=6666&pass=1234&function=external_pause&value=PAUSE&agent_user=1000"},
		{name: "array value measured in validation", query: q("function=external_pause&value[]=PAUSE&agent_user=1000")},
		{name: "array value only compared", query: q("function=webphone_url&value[]=DISPLAY&agent_user=1000")},
		{name: "array of an unused variable", query: q("function=external_pause&value=PAUSE&agent_user=1000&notes[]=x")},
		{name: "array measured once logged in: not logged in", query: q("function=change_ingroups&value=ADD&blended=NO&agent_user=1000&ingroup_choices[]=x")},
		{name: "array measured once logged in", setup: agentPaused, query: q("function=change_ingroups&value=ADD&blended=NO&agent_user=1000&ingroup_choices[]=x"),
			check: func(t *testing.T, e *env, body string) {
				var n int64
				n, _ = e.st.Count(e.ctx, &core.APILogEntry{}, core.Eq("function", "change_ingroups"))
				if n != 1 {
					t.Errorf("api log rows for change_ingroups = %d, want 1 (the fatal run logs nothing)", n)
				}
			}},
		{name: "version ignores arrays", query: "function=version&user[]=x"},
	})
}
