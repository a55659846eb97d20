package ucontact

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// finishedCall places and ends a call through the API, and gives it a
// stored recording.
func (e *env) finishedCall(dest string) core.Call {
	e.t.Helper()
	r := e.post("Agents/AgentCall", url.Values{"callerid": {"9901"}, "agent": {"Agente1"}, "phone": {"1001"}, "tech": {"SIP"},
		"outqueue": {"Ventas->"}, "destination": {dest}})
	if r.status != 200 {
		e.t.Fatalf("call: %d %s", r.status, r.hdr.Get("Integra-Error"))
	}
	var c core.Call
	e.waitFor("answer", func() bool { return e.st.First(e.ctx, &c, core.Eq("guid", r.body)) == nil && c.ConnectedAt != nil })
	e.expect(e.post("Agents/HangupPhone", url.Values{"phone": {"1001"}}), 200, "1")
	e.waitFor("cdr", func() bool { return e.count(&core.CDR{}, core.Eq("call_id", c.ID)) == 1 })
	rec := core.Recording{GUID: "rec-" + c.GUID[:8], CallID: c.ID, Agent: "Agente1", Name: "r", Format: "gsm", Start: testNow,
		Status: "done", MediaFile: testNow.Format("20060102") + "/" + c.GUID + ".gsm", MediaStatus: "stored"}
	if err := e.st.Create(e.ctx, &rec); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestGetRecordsFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		a := e.finishedCall("33334444")
		b := e.finishedCall("33335555")
		e.expect(e.post("Agents/TagRecord", url.Values{"guid": {b.GUID}, "data": {"reclamo"}}), 200, "")
		search := func(lastrow, limit string, filter string) []map[string]any {
			t.Helper()
			r := e.post("Cdr/getrecords", url.Values{"lastrow": {lastrow}, "searchLimit": {limit}, "filter": {filter}, "Aleatorio": {"1"}})
			if r.status != 200 {
				t.Fatalf("getrecords: %d %q %s", r.status, r.body, r.hdr.Get("Integra-Error"))
			}
			var rows []map[string]any
			if err := json.Unmarshal([]byte(r.body), &rows); err != nil {
				t.Fatalf("%v: %s", err, r.body)
			}
			return rows
		}
		all := `{ "calldatei": "2026-03-10 00:00:00", "calldatef": "2026-03-10 23:59:59", "agent": "", "campaign": "", "source": "", "destination": "", "data": "", "range": "", "rating": "", "mindur": "", "exclude": "", "type": "record" ,"cont": "" }`
		rows := search("0", "50", all)
		if len(rows) != 2 || rows[0]["guid"] != a.GUID || rows[1]["guid"] != b.GUID {
			t.Fatalf("rows %v", rows)
		}
		want := []string{"id", "calldate", "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "duration", "billsec",
			"disposition", "amaflags", "accountcode", "userfield", "uniqueid", "type", "guid", "causecode", "campaign", "direction", "carrier",
			"linkedid", "peeraccount", "sequence", "charged_balance", "real_balance", "note", "contact", "finishtime", "rating", "dialerbase",
			"parandvalues", "alternatives", "quality"}
		for _, k := range want {
			if _, ok := rows[0][k]; !ok {
				t.Fatalf("field %s missing in %v", k, rows[0])
			}
		}
		if len(rows[0]) != len(want) || rows[0]["campaign"] != "Ventas->" || rows[0]["type"] != "record" || rows[0]["dst"] != "33334444" ||
			rows[0]["clid"] != `"Ventas->" <9901>` || rows[0]["calldate"] != "2026-03-10 11:00:00" {
			t.Fatalf("row %v", rows[0])
		}
		if rows := search("1", "1", all); len(rows) != 1 || rows[0]["guid"] != b.GUID {
			t.Fatalf("page 2: %v", rows)
		}
		if rows := search("0", "50", `{"data":"reclamo","type":"record"}`); len(rows) != 1 || rows[0]["guid"] != b.GUID {
			t.Fatalf("tag: %v", rows)
		}
		if rows := search("0", "50", `{"exclude":"33334444"}`); len(rows) != 1 || rows[0]["guid"] != b.GUID {
			t.Fatalf("exclude: %v", rows)
		}
		if rows := search("0", "50", `{"campaign":"Sales->"}`); len(rows) != 0 {
			t.Fatalf("campaign: %v", rows)
		}
		if rows := search("0", "50", `{"range":"12:00-13:00"}`); len(rows) != 0 {
			t.Fatalf("range: %v", rows)
		}
		for _, bad := range []url.Values{{"filter": {"{"}}, {"searchLimit": {"x"}}, {"filter": {`{"calldatei":"yesterday"}`}}, {"filter": {`{"range":"noon"}`}}} {
			if r := e.post("Cdr/getrecords", bad); r.status != 400 || r.body != "0" {
				t.Fatalf("%v: %d %q", bad, r.status, r.body)
			}
		}
		// The files: by the call's GUID, with and without the day folder.
		day := testNow.Format("20060102")
		for _, p := range []string{"/records/" + a.GUID + ".mp3", "/records/" + day + "/" + a.GUID + ".mp3"} {
			if r := e.get(p, true); r.status != 200 || r.body != "mp3:"+day+"/"+a.GUID+".gsm" || r.hdr.Get("Content-Type") != "audio/mpeg" {
				t.Fatalf("%s: %d %q", p, r.status, r.body)
			}
		}
		if r := e.get("/records/"+a.GUID+".gsm", true); r.status != 200 || r.body != "gsm:"+day+"/"+a.GUID+".gsm" {
			t.Fatalf("gsm: %d %q", r.status, r.body)
		}
		other := testNow.Add(-24 * time.Hour).Format("20060102")
		for _, p := range []string{"/records/" + other + "/" + a.GUID + ".mp3", "/records/nope.mp3", "/records/" + a.GUID + ".wav", "/records/x/" + a.GUID + ".mp3"} {
			if r := e.get(p, true); r.status != 404 {
				t.Fatalf("%s: %d", p, r.status)
			}
		}
		if r := e.get("/records/"+a.GUID+".mp3", false); r.status != 401 {
			t.Fatalf("unauthenticated: %d", r.status)
		}
		e.expect(e.post("Supervisor/convert", url.Values{"guid": {a.GUID}, "pasta": {day}}), 200, "1")
		if r := e.post("Supervisor/convert", url.Values{"guid": {"missing"}}); r.status != 404 || r.body != "0" {
			t.Fatalf("convert missing: %d %q", r.status, r.body)
		}
	})
}
