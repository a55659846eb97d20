package backend_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/expand/backend"
	"github.com/callgate/callgate/api/expand/soap"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

var protocols = []struct {
	name string
	soap bool
}{{"rest", false}, {"soap", true}}

// An inbound call is named by getCallerIDName before it is queued; the
// name reaches the agent's call and the CDR, and pushAgentInfo tells the
// backend who answered, in the protocol configured.
func TestInboundCallIsNamedByTheBackendAndPushedWhenAnswered(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st core.Store) {
				e := newEnv(t, st, p.soap)
				e.login()
				q := e.queued("5551234")
				if q.CallerName != "Juan Perez" {
					t.Fatalf("queued call named %q", q.CallerName)
				}
				ask := e.crm.next("getCallerIDName")
				checkRequest(t, ask, p.soap, "getCallerIDName")
				golden(t, p.name+"_getCallerIDName.golden", ask.Body)

				push := e.crm.next("pushAgentInfo")
				checkRequest(t, push, p.soap, "pushAgentInfo")
				c, ok := e.eng.AgentCall("pperez")
				if !ok || c.CallerName != "Juan Perez" {
					t.Fatalf("agent's call %+v", c)
				}
				want := map[string]string{"uniqueid": c.UniqueID, "queuename": "q_ven", "callerid": "Juan Perez <5551234>", "agentchan": "SIP/107", "ivrdata": ""}
				for k, v := range want {
					if push.Params[k] != v {
						t.Errorf("pushAgentInfo %s = %q, want %q", k, push.Params[k], v)
					}
				}
				golden(t, p.name+"_pushAgentInfo.golden", push.Body)

				if panel := soapCall(t, e, "statusQueues"); !strings.Contains(panel, `calleridname=&quot;Juan Perez&quot;`) {
					t.Errorf("statusQueues does not name the caller:\n%s", panel)
				}
				must(t, e.eng.HangupCall(e.ctx, c.ID, core.CauseNormal))
				e.settle()
				must(t, e.eng.Sync(e.ctx))
				var cdr core.CDR
				must(t, st.First(e.ctx, &cdr, core.Eq("call_id", c.ID)))
				if cdr.CallerName != "Juan Perez" {
					t.Errorf("cdr caller name %q", cdr.CallerName)
				}
				if got := soapCall(t, e, "cdrData", c.UniqueID); !strings.Contains(got, `clid=&quot;&amp;quot;Juan Perez&amp;quot; &amp;lt;5551234&amp;gt;&quot;`) {
					t.Errorf("cdrData does not name the caller:\n%s", got)
				}
			})
		})
	}
}

func checkRequest(t *testing.T, r crmRequest, soap bool, op string) {
	t.Helper()
	if r.Method != op {
		t.Fatalf("backend got %q, want %s", r.Method, op)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("callgate:crm-pass")); r.Header.Get("Authorization") != want {
		t.Errorf("%s authorization %q", op, r.Header.Get("Authorization"))
	}
	if soap {
		if r.Path != "/crm/ws.php" || r.Header.Get("SOAPAction") != `"urn:crm#`+op+`"` || r.Header.Get("Content-Type") != "text/xml; charset=UTF-8" {
			t.Errorf("%s: path %s, SOAPAction %q, type %q", op, r.Path, r.Header.Get("SOAPAction"), r.Header.Get("Content-Type"))
		}
		return
	}
	if r.Path != "/crm/api/"+op || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("%s: path %s, type %q", op, r.Path, r.Header.Get("Content-Type"))
	}
}

// A backend that does not answer holds the call back for the engine's
// bound only: the call is queued then, with no name.
func TestSlowBackendQueuesTheCallAtTheBoundWithoutAName(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, storetest.SQLite), p.soap)
			e.configure(map[string]string{backend.SetTimeout: "60000", backend.SetPush: "N"})
			e.crm.hold = make(chan struct{})
			defer close(e.crm.hold)
			e.login()
			sub, err := e.eng.Bus().Subscribe(0, 1024)
			must(t, err)
			defer sub.Close()
			e.pbx.InjectInbound("5551234", "5550100")
			e.crm.next("getCallerIDName")
			e.advance(core.DefaultCallerNameBound - time.Millisecond)
			if _, ok := e.eng.AgentCall("pperez"); ok {
				t.Fatal("call connected before the bound")
			}
			e.advance(time.Millisecond)
			for {
				ev := receive(t, sub.C(), "call queued")
				if p, ok := ev.Data.(core.AgentLinked); ok {
					if p.Call.CallerName != "" {
						t.Fatalf("named %q", p.Call.CallerName)
					}
					break
				}
			}
		})
	}
}

// A backend that is down when the agent answers gets pushAgentInfo later:
// the message is kept in the outbox across a restart of the gateway and
// delivered once the backend is back.
func TestPushAgentInfoIsDeliveredAfterTheBackendComesBackAcrossARestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, false)
		e.configure(map[string]string{backend.SetCallerID: "N"})
		e.login()
		e.crm.status <- 503
		e.queued("5551234")
		first := e.crm.next("pushAgentInfo (refused)")
		stopEngine(e.eng, e.bk)
		e.start()
		sub, err := e.eng.Bus().Subscribe(1, 1024) // the new engine's events from its start
		must(t, err)
		defer sub.Close()
		e.advance(time.Minute)
		again := e.crm.next("pushAgentInfo (after the restart)")
		if again.Method != "pushAgentInfo" || again.Body != first.Body {
			t.Fatalf("redelivered %s %q, first %q", again.Method, again.Body, first.Body)
		}
		for {
			ev := receive(t, sub.C(), "delivery recorded")
			if d, ok := ev.Data.(core.WebhookDelivered); ok && d.Message.Topic == "expand.pushAgentInfo" {
				break
			}
		}
		var msgs []core.OutboxMessage
		must(t, st.Find(e.ctx, &msgs, core.Eq("topic", "expand.pushAgentInfo")))
		if len(msgs) != 1 || msgs[0].Status != core.OutboxDelivered || msgs[0].LastStatus != 200 {
			t.Fatalf("outbox %+v", msgs)
		}
	})
}

const ivrScript = `[
 {"id":"a","type":"message","sound":"hello","ivr_code":"INICIO","next":"b"},
 {"id":"b","type":"message","sound":"menu","ivr_code":"CLIENTE","next":"c"},
 {"id":"c","type":"transfer","queue":"q_ven"}]`

// Script nodes with IVR codes ask the backend's IVRCode; its answers build
// the call's IVR data, which pushAgentInfo reports once the script's
// transfer reached an agent.
func TestIVRCodesBuildTheIVRDataThatPushAgentInfoReports(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, storetest.SQLite), p.soap)
			e.configure(map[string]string{backend.SetCallerID: "N"})
			must(t, e.st.Create(e.ctx, &core.Script{Name: "IVR", Nodes: ivrScript}))
			e.login()
			core.NewScriptRunner(e.eng)
			_, err := e.eng.Originate(e.ctx, core.OriginationRequest{Destination: "5557777", Script: "IVR"})
			must(t, err)
			e.settle()
			first := e.crm.next("IVRCode INICIO")
			checkRequest(t, first, p.soap, "IVRCode")
			if first.Params["IVRCode"] != "INICIO" || first.Params["IVRData"] != "" || first.Params["UniqueID"] == "" || first.Params["callerIdNum"] != "5557777" {
				t.Fatalf("first IVRCode %v", first.Params)
			}
			// The originated channel's id is random: the golden names it.
			golden(t, p.name+"_IVRCode.golden", strings.ReplaceAll(first.Body, first.Params["UniqueID"], "UNIQUEID"))
			second := e.crm.next("IVRCode CLIENTE")
			if second.Params["IVRData"] != "INICIO=ok;" || second.Params["IVRCode"] != "CLIENTE" {
				t.Fatalf("second IVRCode %v", second.Params)
			}
			e.settle()
			push := e.crm.next("pushAgentInfo")
			if push.Method != "pushAgentInfo" || push.Params["ivrdata"] != "INICIO=ok;CLIENTE=ok;" || push.Params["queuename"] != "q_ven" {
				t.Fatalf("pushAgentInfo %s %v", push.Method, push.Params)
			}
		})
	}
}

// soapCall calls an apiws.php operation of the eXpand SOAP endpoint on the
// env's engine, with a valid authorizedKey, and returns the raw answer.
func soapCall(t *testing.T, e *env, op string, args ...string) string {
	t.Helper()
	const key = "319a67432f51ed53938542b809320dd2"
	if _, err := e.eng.APIUser(e.ctx, soap.Dialect, core.KeyName(key)); err != nil {
		must(t, e.st.Create(e.ctx, &core.APIUser{Dialect: soap.Dialect, Username: core.KeyName(key), Secret: key, Active: true}))
	}
	srv := httptest.NewServer(soap.NewHandler(soap.NewOperations(e.eng, nil), soap.Options{}))
	defer srv.Close()
	o, _ := soap.LookupOperation(op)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws"><SOAP-ENV:Body><ns1:` + op + `>`)
	for i, v := range append([]string{key}, args...) {
		b.WriteString(`<` + o.Parts[i].Name + `>` + v + `</` + o.Parts[i].Name + `>`)
	}
	b.WriteString(`</ns1:` + op + `></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
	resp, err := http.Post(srv.URL, "text/xml; charset=UTF-8", strings.NewReader(b.String()))
	must(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", op, resp.StatusCode, body)
	}
	return string(body)
}

// The backend's answers are reused for backend_cache_ttl on the engine's
// clock; an error answer names nobody and is not kept.
func TestCallerNamesFollowTheCacheTTLAndErrorsAreNotKept(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, storetest.SQLite), p.soap)
			e.configure(map[string]string{backend.SetCacheTTL: "60", backend.SetPush: "N"})
			steps := []struct {
				after  time.Duration
				status int // the backend's answer status (0: the name)
				asked  bool
				name   string
			}{
				{0, 500, true, ""},                   // refused: no name, nothing kept
				{time.Second, 0, true, "Juan Perez"}, // asked again, kept 60 s
				{59 * time.Second, 0, false, "Juan Perez"},
				{time.Second, 0, true, "Juan Perez"}, // TTL over
			}
			for i, s := range steps {
				e.advance(s.after)
				if s.status != 0 {
					e.crm.status <- s.status
				}
				c := e.queued("5551234")
				if c.CallerName != s.name {
					t.Fatalf("step %d: named %q, want %q", i, c.CallerName, s.name)
				}
				select {
				case <-e.crm.got:
					if !s.asked {
						t.Fatalf("step %d: backend asked within the TTL", i)
					}
				default:
					if s.asked {
						t.Fatalf("step %d: backend not asked", i)
					}
				}
				must(t, e.eng.HangupCall(e.ctx, c.ID, core.CauseNormal))
				e.settle()
			}
		})
	}
}
