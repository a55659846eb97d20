package eccp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// transcripts are black-box conversations over TCP; each writes a golden
// file of every byte sequence sent ("> ") and packet received ("< ").
var transcripts = []struct {
	name string
	run  func(e *env, c *client)
}{
	{"session", func(e *env, c *client) {
		c.req("<getrequestlist/>")
		c.req("<getpauses/>")
		c.req("<nosuchrequest/>")
		c.req("<dial/>")
		c.req("<login><username>agentconsole</username></login>")
		c.req("<login><username>agentconsole</username><password>wrong</password></login>")
		c.req("<login><username>nobody</username><password>agentconsole</password></login>")
		c.req("<login><username>agentconsole</username><password>agentconsole</password></login>")
		c.req("<login><username>agentconsole</username><password>" + strings.ToUpper(md5hex("agentconsole")) + "</password></login>")
		c.login()
		c.req("<filterbyagent/>")
		c.req("<filterbyagent><agent_number>9000</agent_number></filterbyagent>")
		c.req("<filterbyagent><agent_number>Agent/9000</agent_number></filterbyagent>")
		c.req("<filterbyagent><agent_number>any</agent_number></filterbyagent>")
		c.req("<callprogress><enable>1</enable></callprogress>")
		c.req("<callprogress/>")
		c.req("<dumpstatus/>")
		c.req("<refreshagents/>")
		c.req("<dial/>")
		c.send(xmlDecl + "<request><getpauses/></request>\n")
		c.until("<response")
		c.send(xmlDecl + "<request id=\"x\"><getpauses/><getpauses/></request>\n")
		c.until("<response")
		c.send(xmlDecl + "<request id=\"x\"/>\n")
		c.until("<response")
		c.send(xmlDecl + "<request id=\"a&amp;&quot;b\"><getpauses/></request>\n")
		c.until("<response")
		c.req("<logout/>")
		c.expectClose()
	}},
	{"malformed_closes", func(e *env, c *client) {
		c.login()
		c.send("<request id=\"2\"><getpauses></request>\n")
		c.until("<response")
		c.expectClose()
	}},
	{"wrong_root_closes", func(e *env, c *client) {
		c.send(xmlDecl + "<event><pausestart/></event>\n")
		c.until("<response")
		c.expectClose()
	}},
	{"garbage_closes", func(e *env, c *client) {
		c.send("hello\n")
		c.until("<response")
		c.expectClose()
	}},
	{"logout_without_login", func(e *env, c *client) {
		c.req("<logout/>")
		c.expectClose()
	}},
	{"framing", func(e *env, c *client) {
		// One byte per write.
		req := xmlDecl + "<request id=\"1\"><login><username>agentconsole</username><password>agentconsole</password></login></request>\n"
		c.record(">", "(one byte per write) "+req)
		for i := 0; i < len(req); i++ {
			if _, err := c.conn.Write([]byte{req[i]}); err != nil {
				c.t.Fatal(err)
			}
		}
		c.until("<response")
		// Three requests in one write, with whitespace, a declaration, a
		// comment and no newline between them.
		c.id = 4
		c.send("  \r\n" + xmlDecl + "<request id=\"2\"><getpauses/></request>" +
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<request id='3'><!-- x --><getqueuescript><queue>8001</queue></getqueuescript></request>" +
			"\t<request id=\"4\"><getincomingqueuelist><limit>1</limit></getincomingqueuelist></request>")
		c.until("<response id=\"2\"")
		c.until("<response id=\"3\"")
		c.until("<response id=\"4\"")
		// Non-ASCII in a request and CDATA.
		c.req("<getqueuescript><queue><![CDATA[8001]]></queue></getqueuescript>")
		c.req("<filterbyagent><agent_number>Agént/9000</agent_number></filterbyagent>")
	}},
	{"info", func(e *env, c *client) {
		c.login()
		c.req("<getqueuescript/>")
		c.req("<getqueuescript><queue>8001</queue></getqueuescript>")
		c.req("<getqueuescript><queue>9999</queue></getqueuescript>")
		c.req("<getcampaignlist/>")
		c.req("<getcampaignlist><campaign_type>outgoing</campaign_type></getcampaignlist>")
		c.req("<getcampaignlist><campaign_type>other</campaign_type></getcampaignlist>")
		c.req("<getcampaignlist><status>paused</status></getcampaignlist>")
		c.req("<getcampaignlist><status>active</status><filtername>TEST</filtername></getcampaignlist>")
		c.req("<getcampaignlist><datetime_start>2011-1-1</datetime_start></getcampaignlist>")
		c.req("<getcampaignlist><datetime_end>ayer</datetime_end></getcampaignlist>")
		c.req("<getcampaignlist><offset>1</offset></getcampaignlist>")
		c.req("<getcampaignlist><offset>1</offset><limit>1</limit></getcampaignlist>")
		c.req("<getcampaignlist><datetime_start>2030-01-01</datetime_start><datetime_end>2020-01-01</datetime_end></getcampaignlist>")
		c.req("<getincomingqueuelist/>")
		c.req("<getincomingqueuelist><offset>1</offset></getincomingqueuelist>")
		c.req("<getincomingqueuelist><offset>1</offset><limit>2</limit></getincomingqueuelist>")
		c.req("<getcampaignqueuewait><campaign_id>2</campaign_id><campaign_type>incoming</campaign_type></getcampaignqueuewait>")
		c.req("<getcampaignqueuewait><campaign_id>2</campaign_id></getcampaignqueuewait>")
		c.req("<getcampaignqueuewait><campaign_id>2</campaign_id><campaign_type>both</campaign_type></getcampaignqueuewait>")
		c.req("<getcampaigninfo/>")
		c.req("<getcampaigninfo><campaign_id>1</campaign_id></getcampaigninfo>")
		c.req("<getcampaigninfo><campaign_type>incoming</campaign_type><campaign_id>2</campaign_id></getcampaigninfo>")
		c.req("<getcampaigninfo><campaign_type>incoming</campaign_type><campaign_id>1</campaign_id></getcampaigninfo>")
		c.req("<getcampaigninfo><campaign_type>x</campaign_type><campaign_id>1</campaign_id></getcampaigninfo>")
		c.req("<getcallinfo><campaign_id>1</campaign_id></getcallinfo>")
		c.req("<getcallinfo><call_id>1</call_id></getcallinfo>")
		c.req("<getcallinfo><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id><call_id>999</call_id></getcallinfo>")
		c.req("<getcallinfo><campaign_type>incoming</campaign_type><call_id>999</call_id></getcallinfo>")
		c.req("<getcallinfo><campaign_type>x</campaign_type><call_id>1</call_id></getcallinfo>")
		c.req("<getpauses/>")
		c.req("<getagentqueues/>")
		c.req("<getagentqueues><agent_number>Agent/9000</agent_number></getagentqueues>")
		c.req("<getagentqueues><agent_number>Agent/9999</agent_number></getagentqueues>")
		c.req("<getmultipleagentqueues/>")
		c.req("<getmultipleagentqueues><agents><agent_number>Agent/9000</agent_number><agent_number>SIP/1064</agent_number></agents></getmultipleagentqueues>")
		c.req("<getmultipleagentqueues><agents><agent_number>Agent/9000</agent_number><agent_number>9000</agent_number></agents></getmultipleagentqueues>")
		c.req("<getmultipleagentqueues><agents><agent_number>Agent/9000</agent_number><agent_number>Agent/9999</agent_number></agents></getmultipleagentqueues>")
		c.req("<getagentactivitysummary/>")
		c.req("<getagentactivitysummary><datetime_start>2026-01-15</datetime_start><datetime_end>2026-01-01</datetime_end></getagentactivitysummary>")
		c.req("<getagentactivitysummary><datetime_start>hoy</datetime_start></getagentactivitysummary>")
		c.req("<getagentactivitysummary><datetime_end>hoy</datetime_end></getagentactivitysummary>")
		c.req("<campaignlog/>")
		c.req("<campaignlog><campaign_type>x</campaign_type></campaignlog>")
		c.req("<campaignlog><campaign_type>outgoing</campaign_type></campaignlog>")
		c.req("<campaignlog><campaign_type>incoming</campaign_type></campaignlog>")
		c.req("<campaignlog><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id><datetime_start>x</datetime_start></campaignlog>")
		c.req("<campaignlog><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id><datetime_end>x</datetime_end></campaignlog>")
		c.req("<campaignlog><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id><datetime_end>2026-01-15</datetime_end><datetime_end>2026-01-15</datetime_end><last_n>5</last_n><idbefore>0</idbefore></campaignlog>")
		c.req("<campaignlog><campaign_type>incoming</campaign_type><queue>8001</queue></campaignlog>")
		c.req("<getcampaignstatus/>")
		c.req("<getcampaignstatus><campaign_id>1</campaign_id></getcampaignstatus>")
		c.req("<getcampaignstatus><campaign_id>2</campaign_id><campaign_type>incoming</campaign_type></getcampaignstatus>")
		c.req("<getcampaignstatus><campaign_id>7</campaign_id></getcampaignstatus>")
		c.req("<getcampaignstatus><campaign_id>1</campaign_id><datetime_start>2026/01/01</datetime_start></getcampaignstatus>")
		c.req("<getincomingqueuestatus/>")
		c.req("<getincomingqueuestatus><queue>8001</queue></getincomingqueuestatus>")
		c.req("<getincomingqueuestatus><queue>1234</queue></getincomingqueuestatus>")
		c.req("<getincomingqueuestatus><queue>8001</queue><datetime_start>x</datetime_start></getincomingqueuestatus>")
		c.req("<getagentstatus/>")
		c.req("<getagentstatus><agent_number>Agent/9000</agent_number></getagentstatus>")
		c.req("<getagentstatus><agent_number>Agent/9999</agent_number></getagentstatus>")
		c.req("<getagentstatus><agent_number>bad agent</agent_number></getagentstatus>")
		c.req("<getmultipleagentstatus/>")
		c.req("<getmultipleagentstatus><agents><agent_number>Agent/9000</agent_number><agent_number>SIP/1064</agent_number></agents></getmultipleagentstatus>")
		c.req("<getmultipleagentstatus><agents><agent_number>x</agent_number></agents></getmultipleagentstatus>")
		c.req("<getmultipleagentstatus><agents><agent_number>SIP/9</agent_number></agents></getmultipleagentstatus>")
	}},
	{"agentauth", func(e *env, c *client) {
		for _, r := range []string{"setcontact", "saveformdata", "pauseagent", "pingagent", "unpauseagent",
			"mixmonitormute", "mixmonitorunmute", "hangup", "schedulecall", "transfercall", "atxfercall",
			"hold", "unhold", "getchanvars"} {
			c.req("<" + r + "><agent_number>Agent/9000</agent_number></" + r + ">")
		}
		c.login()
		c.req("<pauseagent><pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>9000</agent_number><pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9999</agent_number><pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9000</agent_number><pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9000</agent_number><agent_hash>0123456789abcdef0123456789abcdef</agent_hash><pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000 otraclave}</agent_hash><pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000}</agent_hash></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000}</agent_hash><pause_type>1</pause_type></pauseagent>")
		c.req("<pauseagent><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000}</agent_hash><pause_type>2</pause_type></pauseagent>")
		c.req("<loginagent><agent_number>Agent/9000</agent_number><agent_hash>x</agent_hash><extension>1064</extension></loginagent>")
		c.req("<loginagent><agent_number>Agent/9999</agent_number><agent_hash>x</agent_hash><extension>1064</extension></loginagent>")
		c.req("<loginagent><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000}</agent_hash><extension>abc</extension></loginagent>")
		c.req("<loginagent><agent_number>Agent/9000</agent_number><extension>1064</extension><timeout>0</timeout></loginagent>")
		c.req("<loginagent><agent_number>Agent/9000</agent_number><timeout>10</timeout></loginagent>")
		c.req("<logoutagent/>")
		c.req("<logoutagent><agent_number>Agent/9999</agent_number></logoutagent>")
		c.req("<logoutagent><agent_number>Agent/9000</agent_number><agent_hash>bad</agent_hash></logoutagent>")
		h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
		c.req("<unpauseagent>" + h + "</unpauseagent>")
		c.req("<hold>" + h + "</hold>")
		c.req("<unhold>" + h + "</unhold>")
		c.req("<getchanvars>" + h + "</getchanvars>")
		c.req("<pingagent>" + h + "</pingagent>")
		c.req("<hangup>" + h + "</hangup>")
		c.req("<transfercall>" + h + "</transfercall>")
		c.req("<transfercall>" + h + "<extension>12a</extension></transfercall>")
		c.req("<transfercall>" + h + "<extension>1065</extension></transfercall>")
		c.req("<atxfercall>" + h + "<extension>1065</extension></atxfercall>")
		c.req("<mixmonitormute>" + h + "<timeout>0</timeout></mixmonitormute>")
		c.req("<mixmonitormute>" + h + "</mixmonitormute>")
		c.req("<mixmonitorunmute>" + h + "</mixmonitorunmute>")
		c.req("<schedulecall>" + h + "</schedulecall>")
		c.req("<setcontact>" + h + "<call_id>1</call_id></setcontact>")
		c.req("<setcontact>" + h + "<call_id>999</call_id><contact_id>1</contact_id></setcontact>")
		c.req("<saveformdata>" + h + "<call_id>1</call_id></saveformdata>")
		c.req("<saveformdata>" + h + "<campaign_type>x</campaign_type><call_id>1</call_id><forms/></saveformdata>")
		c.req("<saveformdata>" + h + "<call_id>1</call_id><forms><form id=\"1\"/><form id=\"1\"/></forms></saveformdata>")
		c.req("<saveformdata>" + h + "<call_id>999</call_id><forms><form id=\"1\"><field id=\"1\">x</field></form></forms></saveformdata>")
	}},
	{"agent_session", func(e *env, c *client) {
		c.login()
		h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		// An extension no device has is refused and logs nobody in.
		c.req("<loginagent>" + h + "<extension>99999</extension></loginagent>")
		if _, ok := e.eng.Session("1064"); ok {
			e.t.Fatal("loginagent on an unknown extension started a login")
		}
		c.reqAsync("<loginagent>"+h+"<extension>1064</extension><timeout>600</timeout></loginagent>", "<event><agentloggedin>")
		c.settle()
		c.req("<loginagent>" + h + "<extension>1064</extension></loginagent>")
		c.req("<loginagent>" + h + "<extension>1065</extension></loginagent>")
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		c.req("<pauseagent>" + h + "<pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent>" + h + "<pause_type>2</pause_type></pauseagent>")
		c.req("<pauseagent>" + h + "<pause_type>3</pause_type></pauseagent>")
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		c.req("<getmultipleagentstatus><agents><agent_number>SIP/1064</agent_number><agent_number>Agent/9000</agent_number></agents></getmultipleagentstatus>")
		c.req("<getcampaignstatus><campaign_id>2</campaign_id><campaign_type>incoming</campaign_type></getcampaignstatus>")
		c.req("<unpauseagent>" + h + "</unpauseagent>")
		c.req("<unpauseagent>" + h + "</unpauseagent>")
		c.req("<pingagent>" + h + "</pingagent>")
		c.req("<hold>" + h + "</hold>")
		c.req("<unhold>" + h + "</unhold>")
		c.req("<hangup>" + h + "</hangup>")
		c.req("<getchanvars>" + h + "</getchanvars>")
		c.req("<mixmonitormute>" + h + "</mixmonitormute>")
		c.req("<transfercall>" + h + "<extension>1065</extension></transfercall>")
		c.req("<atxfercall>" + h + "<extension>1065</extension></atxfercall>")
		sc := func(inner string) { c.req("<schedulecall>" + h + inner + "</schedulecall>") }
		sc("<schedule><date_init>2026-02-01</date_init></schedule>")
		sc("<sameagent>1</sameagent>")
		sc("<newphone>555-1234</newphone>")
		sc("<schedule><date_init>2026-2-1</date_init><date_end>2026-02-02</date_end><time_init>09:00:00</time_init><time_end>10:00:00</time_end></schedule>")
		sc("<schedule><date_init>2026-02-01</date_init><date_end>x</date_end><time_init>09:00:00</time_init><time_end>10:00:00</time_end></schedule>")
		sc("<schedule><date_init>2026-02-01</date_init><date_end>2026-02-02</date_end><time_init>9:00</time_init><time_end>10:00:00</time_end></schedule>")
		sc("<schedule><date_init>2026-02-01</date_init><date_end>2026-02-02</date_end><time_init>09:00:00</time_init><time_end>10</time_end></schedule>")
		sc("<schedule><date_init>2026-01-14</date_init><date_end>2026-01-10</date_end><time_init>09:00:00</time_init><time_end>10:00:00</time_end></schedule>")
		sc("<schedule><date_init>2026-02-01</date_init><date_end>2026-02-02</date_end><time_init>09:00:00</time_init><time_end>10:00:00</time_end></schedule>")
		sc("<campaign_type>incoming</campaign_type><call_id>1</call_id>")
		c.reqAsync("<logoutagent>"+h+"</logoutagent>", "<event><agentloggedout>")
		c.settle()
		c.req("<pauseagent>" + h + "<pause_type>2</pause_type></pauseagent>")
		c.req("<unpauseagent>" + h + "</unpauseagent>")
		c.req("<hold>" + h + "</hold>")
		c.req("<schedulecall>" + h + "</schedulecall>")
	}},
	{"call_flow", func(e *env, c *client) {
		c.login()
		h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
		c.req("<callprogress><enable>1</enable></callprogress>")
		c.reqAsync("<loginagent>"+h+"<extension>1064</extension></loginagent>", "<event><agentloggedin>")
		c.settle()
		c.note("an inbound call from a known contact arrives on queue 8001")
		e.pbx.InjectInbound("042123456", "5558001")
		c.until("<event><agentlinked>")
		c.settle()
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		c.req("<getcallinfo><campaign_type>incoming</campaign_type><call_id>1</call_id></getcallinfo>")
		c.req("<setcontact>" + h + "<call_id>1</call_id><contact_id>999</contact_id></setcontact>")
		c.req("<setcontact><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000}</agent_hash><call_id>1</call_id><contact_id>4</contact_id></setcontact>")
		c.req("<setcontact>" + h + "<call_id>1</call_id><contact_id>2</contact_id></setcontact>")
		sf := func(forms string) {
			c.req("<saveformdata>" + h + "<campaign_type>incoming</campaign_type><call_id>1</call_id><forms>" + forms + "</forms></saveformdata>")
		}
		sf(`<form id="9"><field id="1">x</field></form>`)
		sf(`<form id="1"><field id="99">x</field></form>`)
		sf(`<form id="1"><field id="1">` + strings.Repeat("x", 251) + `</field></form>`)
		sf(`<form id="1"><field id="3">01/02/2011</field></form>`)
		sf(`<form id="1"><field id="2">zzz</field></form>`)
		c.req("<saveformdata>" + h + "<call_id>1</call_id><forms><form id=\"1\"><field id=\"1\">x</field></form></forms></saveformdata>")
		sf(`<form id="1"><field id="1">Texto &amp; m&#xE1;s</field><field id="2">bbb</field><field id="3">2011-02-01</field><field id="4">Texto de campo de textarea</field><field id="5">xxx</field></form>`)
		sf(`<form id="1"><field id="3">2011-02-01 10:20:30</field><field id="2">aaa</field></form>`)
		c.req("<getcallinfo><campaign_type>incoming</campaign_type><call_id>1</call_id></getcallinfo>")
		c.req("<hold>" + h + "</hold>")
		c.req("<hold>" + h + "</hold>")
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		c.req("<unhold>" + h + "</unhold>")
		c.settle()
		c.req("<getchanvars>" + h + "</getchanvars>")
		c.req("<mixmonitormute>" + h + "</mixmonitormute>")
		c.note("the call is being recorded")
		if _, err := e.eng.StartRecording(context.Background(), "1064"); err != nil {
			c.t.Fatalf("start recording: %v", err)
		}
		c.reqAsync("<mixmonitormute>"+h+"</mixmonitormute>", "<event><recordingmute>")
		c.reqAsync("<mixmonitorunmute>"+h+"</mixmonitorunmute>", "<event><recordingunmute>")
		c.req("<schedulecall>" + h + "</schedulecall>")
		c.req("<getincomingqueuestatus><queue>8001</queue></getincomingqueuestatus>")
		c.reqAsync("<hangup>"+h+"</hangup>", "<event><agentunlinked>")
		c.settle()
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		c.req("<getcallinfo><campaign_type>incoming</campaign_type><call_id>1</call_id></getcallinfo>")
		c.req("<campaignlog><campaign_type>incoming</campaign_type><queue>8001</queue></campaignlog>")
		c.req("<getincomingqueuestatus><queue>8001</queue></getincomingqueuestatus>")
		c.req("<getcampaignqueuewait><campaign_id>2</campaign_id><campaign_type>incoming</campaign_type></getcampaignqueuewait>")
		c.req("<getagentactivitysummary/>")
	}},
	{"outgoing_call", func(e *env, c *client) {
		c.login()
		h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
		c.reqAsync("<loginagent>"+h+"<extension>1064</extension></loginagent>", "<event><agentloggedin>")
		c.settle()
		c.note("the agent dials lead 3 of TESTCAMP")
		if _, err := e.eng.Dial(context.Background(), core.DialRequest{Agent: "1064", Phone: "7275551214", Campaign: "TESTCAMP", LeadID: 3}); err != nil {
			c.t.Fatalf("dial: %v", err)
		}
		c.until("<event><agentlinked>")
		c.settle()
		c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
		c.req("<getcallinfo><campaign_id>1</campaign_id><call_id>1</call_id></getcallinfo>")
		c.req("<getcallinfo><campaign_id>2</campaign_id><call_id>1</call_id></getcallinfo>")
		sc := func(inner string) { c.req("<schedulecall>" + h + inner + "</schedulecall>") }
		sched := "<schedule><date_init>2026-02-01</date_init><date_end>2026-02-02</date_end><time_init>09:00:00</time_init><time_end>10:00:00</time_end></schedule>"
		sc(sched + "<sameagent>1</sameagent><newphone>5551234</newphone><newcontactname>John Doe</newcontactname>")
		sc(sched + "<newphone>5551234</newphone>")
		sc("")
		sc("<campaign_type>outgoing</campaign_type><call_id>1</call_id>")
		c.req("<getcampaignstatus><campaign_id>1</campaign_id></getcampaignstatus>")
		c.reqAsync("<hangup>"+h+"</hangup>", "<event><agentunlinked>")
		c.settle()
		c.req("<campaignlog><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id></campaignlog>")
		c.req("<campaignlog><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id><last_n>1</last_n></campaignlog>")
		c.req("<getcampaignstatus><campaign_id>1</campaign_id></getcampaignstatus>")
	}},
	{"events", func(e *env, c *client) {
		c.login()
		c.req("<callprogress><enable>1</enable></callprogress>")
		bus := e.eng.Bus()
		t0 := testNow.Add(-90 * time.Second)
		call := core.Call{ID: 42, Direction: core.CallOutbound, Campaign: "TESTCAMP", Phone: "5551234", UniqueID: "1700000000.7",
			Trunk: "PJSIP/carrier", Retries: 2, State: core.CallRingingOut, OriginateAt: &t0}
		in := core.Call{ID: 43, Direction: core.CallInbound, Queue: "8001", Phone: "1065", State: core.CallQueued}
		pub := func(what string, p core.Payload, agent string) {
			c.note(what)
			bus.Publish(p, agent)
			c.events(1)
		}
		pub("agent login failed", core.AgentLoginFailed{Agent: "9000", Interface: "Agent/9000", Reason: "no answer"}, "9000")
		pub("agent logged out", core.AgentLoggedOut{Agent: "9000", Interface: "Agent/9000"}, "9000")
		pub("hold starts", core.AgentPauseStarted{Agent: "9000", Interface: "Agent/9000", Hold: true, Start: t0}, "9000")
		pub("hold ends", core.AgentPauseEnded{Agent: "9000", Interface: "Agent/9000", Hold: true, Start: t0, End: testNow}, "9000")
		pub("break ends", core.AgentPauseEnded{Agent: "9000", Interface: "Agent/9000", PauseID: 3, PauseCode: "ALMUER", PauseName: "Almuerzo", Start: t0, End: testNow}, "9000")
		pub("call progress", core.CallProgress{Call: call, Status: "Ringing"}, "")
		pub("inbound call progress", core.CallProgress{Call: in, Status: "OnQueue", LogID: 77}, "")
		dialed := call
		dialed.ID, dialed.Queue = 45, "campaign:TESTCAMP"
		pub("the engine's virtual queue of a campaign without a queue is not reported", core.CallProgress{Call: dialed, Status: "Ringing"}, "")
		c.note("Success, Hangup and ShortCall are not sent as callprogress")
		bus.Publish(core.CallProgress{Call: call, Status: "Success"}, "")
		bus.Publish(core.CallProgress{Call: call, Status: "Hangup"}, "")
		pub("queue membership", core.QueueMembershipChanged{Agent: "9000", Interface: "Agent/9000", Queues: []string{"8001", "8000"}}, "9000")
		pub("recording muted", core.RecordingChanged{Call: call, Agent: "9000", Interface: "Agent/9000", Action: "muted"}, "9000")
		pub("recording unmuted", core.RecordingChanged{Call: in, Agent: "9000", Interface: "Agent/9000", Action: "unmuted"}, "9000")
		c.note("recording started/stopped have no ECCP event")
		bus.Publish(core.RecordingChanged{Call: call, Agent: "9000", Interface: "Agent/9000", Action: "started"}, "9000")
		pub("scheduled call placed", core.CallbackEvent{Call: call, Agent: "9000", Interface: "Agent/9000", Action: "started"}, "9000")
		pub("scheduled call failed", core.CallbackEvent{Callback: core.Callback{CallID: 44, Campaign: "TESTCAMP"}, Agent: "9000", Action: "failed"}, "9000")
		c.note("a callback for anyone has no agent to report")
		bus.Publish(core.CallbackEvent{Call: call, Action: "started"}, "")
		c.note("events ECCP has no word for are not sent")
		bus.Publish(core.AgentStateChanged{Agent: "9000", From: core.AgentAvailable, To: core.AgentOnCall}, "9000")
		bus.Publish(core.CallEnded{Call: call}, "")
		c.quiet(300 * time.Millisecond)
	}},
}

func TestTranscripts(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			for _, tc := range transcripts {
				t.Run(tc.name, func(t *testing.T) {
					e := newEnv(t, kind)
					c := e.dial()
					tc.run(e, c)
					golden(t, tc.name, c.log.String())
				})
			}
		})
	}
}

// The server closes a logged-out session's socket only after the reply.
func TestLogoutRepliesThenCloses(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dial()
	c.login()
	resp := c.req("<logout/>")
	if !strings.Contains(resp, "<logout_response><success/></logout_response>") {
		t.Fatalf("logout reply: %s", resp)
	}
	c.expectClose()
}
