package vicidial

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// A lead a vendor pushes with add_lead is dialed by its campaign's dialer
// on the simulator, and the call shows through the agent API and the admin
// API: the non-agent API writes the engine's own leads.
func TestNonAgentAddedLeadIsDialedAndVisibleEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(testNow)
		e := &env{t: t, st: st, ctx: ctx, pbx: sim.New("node1")}
		e.seed()
		e.create(&core.List{ID: 102, Name: "Outbound", Campaign: "OUTONLY", Active: true})
		e.eng = core.New(core.Options{Store: st, Tel: e.pbx, Bus: core.NewMemoryBus(0), Clock: clk, DialerInterval: time.Second})
		if err := e.eng.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = e.eng.Stop(sctx)
			_ = e.pbx.Close()
		})
		e.settings(harnessSettings)
		quiet := slog.New(slog.DiscardHandler)
		e.h = newHandler(e.eng, Options{Logger: quiet})
		e.srv = httptest.NewServer(e.h)
		na := newNonAgentHandler(e.eng, Options{Logger: quiet}, e.h)
		n := &naEnv{env: e, na: na, srv: httptest.NewServer(na)}
		adm := httptest.NewServer(admin.New(admin.Options{Records: e.eng.Records(), Engine: e.eng, Token: "tok", Logger: quiet}))
		t.Cleanup(func() { n.srv.Close(); e.srv.Close(); adm.Close(); _ = na.Close() })

		if err := e.eng.Login(ctx, "1000", core.LoginOptions{Campaign: "OUTONLY"}); err != nil {
			t.Fatal(err)
		}
		res := n.get(naq("function=add_lead&phone_number=7275558888&list_id=102&first_name=Flow&add_to_hopper=Y"), "")
		if !strings.HasPrefix(res.body, "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275558888|102|") {
			t.Fatalf("add_lead: %q", res.body)
		}
		id := strings.Split(strings.SplitN(res.body, " - ", 2)[1], "|")[2]

		e.waitFor("the dialer to connect the lead", func() bool {
			clk.Advance(time.Second)
			c, ok := e.eng.AgentCall("1000")
			return ok && strconv.FormatUint(c.LeadID, 10) == id && c.ConnectedAt != nil
		})

		agent := e.do(q("function=st_get_agent_active_lead&value=crm1000&vendor_id=V1"), "")
		if !strings.Contains(agent.body, "|7275558888|"+id+"|") {
			t.Errorf("agent API does not show the lead: %q", agent.body)
		}
		// The queued lead on its call is the hopper's INCALL row: it stays.
		if rm := n.get(naq("function=update_lead&lead_id="+id+"&remove_from_hopper=Y"), ""); rm.body != "NOTICE: update_lead NOT REMOVED FROM HOPPER - 7275558888|"+id+"|INCALL|6666\n" {
			t.Errorf("remove_from_hopper on the call: %q", rm.body)
		}
		status := n.get(naq("function=agent_status&agent_user=1000"), "")
		if !strings.HasPrefix(status.body, "INCALL|V") || !strings.Contains(status.body, "|"+id+"|OUTONLY|") {
			t.Errorf("agent_status: %q", status.body)
		}
		req, _ := http.NewRequest(http.MethodGet, adm.URL+"/calls/active", nil)
		req.Header.Set("Authorization", "Bearer tok")
		r, err := adm.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if !strings.Contains(string(body), `"lead_id":`+id) {
			t.Errorf("admin API active calls: %s", body)
		}
	})
}

// A callback a CRM files with update_lead is placed by the engine to its
// agent on the simulator when due, and a lead a vendor loads with custom
// fields keeps them through the call: the non-agent API drives the core's
// own callbacks and custom fields.
func TestNonAgentCallbackIsPlacedToItsAgent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(testNow)
		e := &env{t: t, st: st, ctx: ctx, pbx: sim.New("node1")}
		e.seed()
		e.create(&core.List{ID: 102, Name: "Outbound", Campaign: "OUTONLY", Active: true})
		e.eng = core.New(core.Options{Store: st, Tel: e.pbx, Bus: core.NewMemoryBus(0), Clock: clk, DialerInterval: time.Second})
		if err := e.eng.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = e.eng.Stop(sctx)
			_ = e.pbx.Close()
		})
		e.settings(harnessSettings)
		e.settings(testSettings{"": {setCustomFieldsEnabled: "1"}})
		quiet := slog.New(slog.DiscardHandler)
		e.h = newHandler(e.eng, Options{Logger: quiet})
		na := newNonAgentHandler(e.eng, Options{Logger: quiet}, e.h)
		n := &naEnv{env: e, na: na, srv: httptest.NewServer(na)}
		t.Cleanup(func() { n.srv.Close(); _ = na.Close() })
		if _, err := e.eng.AddListField(ctx, core.ListField{ListID: 102, Label: "plan", Name: "Plan", Type: "TEXT", Max: 20}); err != nil {
			t.Fatal(err)
		}

		res := n.get(naq("function=add_lead&phone_number=7275558877&list_id=102&custom_fields=Y&plan=Gold"), "")
		if !strings.Contains(res.body, "NOTICE: add_lead CUSTOM FIELDS VALUES ADDED") {
			t.Fatalf("add_lead: %q", res.body)
		}
		id := strings.Split(strings.SplitN(res.body, " - ", 2)[1], "|")[2]
		res = n.get(naq("function=update_lead&lead_id="+id+"&callback=Y&campaign_id=OUTONLY&callback_datetime=NOW"+
			"&callback_type=USERONLY&callback_user=1000&status=CBHOLD"), "")
		if !strings.Contains(res.body, "NOTICE: update_lead SCHEDULED CALLBACK ADDED - "+id+"|OUTONLY|") {
			t.Fatalf("update_lead: %q", res.body)
		}
		if err := e.eng.Login(ctx, "1000", core.LoginOptions{Campaign: "OUTONLY"}); err != nil {
			t.Fatal(err)
		}
		e.waitFor("the callback to reach agent 1000", func() bool {
			clk.Advance(time.Second)
			c, ok := e.eng.AgentCall("1000")
			return ok && strconv.FormatUint(c.LeadID, 10) == id
		})
		info := n.get(naq("function=lead_all_info&lead_id="+id+"&custom_fields=Y"), "")
		if !strings.HasSuffix(info.body, "|102|"+id+"|Gold\n") {
			t.Errorf("lead_all_info: %q", info.body)
		}
	})
}
