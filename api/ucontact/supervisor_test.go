package ucontact

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestSupervisorSummariesAreLive(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	if err := e.eng.Login(e.ctx, "Santiago", core.LoginOptions{Campaign: "test.out"}); err != nil {
		t.Fatal(err)
	}
	r := e.post("Supervisor/campaignstatus", url.Values{"queue": {"test->"}})
	if r.status != 200 {
		t.Fatalf("%d %q", r.status, r.body)
	}
	if !strings.HasPrefix(r.body, `{"test->":{"campaign":"test->",`) {
		t.Fatalf("names are not written as uContact writes them: %.80s", r.body)
	}
	var one map[string]map[string]any
	if err := json.Unmarshal([]byte(r.body), &one); err != nil {
		t.Fatal(err)
	}
	camp := one["test->"]
	if len(one) != 3 || camp["totalagents"] != 2.0 || camp["logged"] != 1.0 || camp["availables"] != 1.0 || camp["notavailables"] != 1.0 ||
		camp["strategy"] != "leastrecent" || camp["talked"] != "00:00:00-0" || camp["servicelevel"] != "0.0" {
		t.Fatalf("campaign %v", one)
	}
	if s := one["SIP/1001"]; s["name"] != "Santiago" || s["status"] != 1.0 || s["paused"] != false || s["queue"] != "test->" {
		t.Fatalf("Santiago %v", s)
	}
	if d := one["SIP/1010"]; d["name"] != "Daniel" || d["status"] != 5.0 {
		t.Fatalf("Daniel %v", d)
	}
	if err := e.eng.Pause(e.ctx, "Santiago", ""); err != nil {
		t.Fatal(err)
	}
	r = e.post("Supervisor/campaignstatus", url.Values{"queue": {""}})
	var all map[string]map[string]any
	if err := json.Unmarshal([]byte(r.body), &all); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Ventas->", "Sales->", "test->", "Power<-", "Out<-"} {
		if all[name]["campaign"] != name {
			t.Fatalf("%s missing in %v", name, all)
		}
	}
	if _, ok := all["SIP/1001"]; ok || all["test->"]["paused"] != 1.0 || all["test->"]["availables"] != 0.0 {
		t.Fatalf("all campaigns: %v", all["test->"])
	}
	if r := e.post("Supervisor/campaignstatus", url.Values{"queue": {"Nope->"}}); r.status != 404 || r.body != "0" {
		t.Fatalf("unknown: %d %q", r.status, r.body)
	}
	r = e.post("Supervisor/queuesummary", nil)
	var sum []map[string]any
	if err := json.Unmarshal([]byte(r.body), &sum); err != nil {
		t.Fatal(err)
	}
	last := sum[len(sum)-1]
	if len(last) != 2 || last["internalActionId"] == nil || last["dateReceived"] != "Mar 10, 2026 11:00:00 AM" {
		t.Fatalf("closing element %v", last)
	}
	var test map[string]any
	for _, row := range sum {
		if row["queue"] == "test->" {
			test = row
		}
	}
	if test["loggedIn"] != 1.0 || test["available"] != 0.0 || test["callers"] != 0.0 || len(test) != 9 {
		t.Fatalf("test-> %v", test)
	}
}
