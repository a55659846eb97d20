package infocaller

import (
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The query answer decides the branch: Result 0 merges the variables,
// anything else, a malformed document or a variable breaking Appendix II
// takes the error branch.
func TestQueryAnswersMergeOnlyOnResultZero(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       map[string]string // nil: error branch
	}{
		{"json result 0", clienteAnswer, map[string]string{"NOMBRE": "José", "DEUDA": "120"}},
		{"json numeric result", `{"ApiCall":{"Status":{"Result":0}}}`, map[string]string{}},
		{"xml result 0", `<?xml version="1.0" encoding="ISO-8859-1"?><ApiCall xmlns='http://tempuri.org/' encoding=" ISO-8559-1"><Status><Result>0</Result><ResultText></ResultText></Status>` +
			"<CustVars><CustVar><VarName>CIUDAD</VarName><VarValue>M\xe1laga &amp; Co</VarValue></CustVar></CustVars></ApiCall>", map[string]string{"CIUDAD": "Málaga & Co"}},
		{"result 1", `{"ApiCall":{"Status":{"Result":"1","ResultText":"no existe"}}}`, nil},
		{"xml result 2", `<ApiCall><Status><Result>2</Result></Status></ApiCall>`, nil},
		{"no result", `{"ApiCall":{"CustVars":{"CustVar":[]}}}`, nil},
		{"other root", `{"Other":{"Status":{"Result":"0"}}}`, nil},
		{"xml other root", `<Other><Status><Result>0</Result></Status></Other>`, nil},
		{"garbage", `<html>`, nil},
		{"empty", ``, nil},
		{"trailing data", clienteAnswer + `{}`, nil},
		{"name too long", `{"ApiCall":{"Status":{"Result":"0"},"CustVars":{"CustVar":[{"VarName":"ABCDEFGHIJKLMNOP","VarValue":"1"}]}}}`, nil},
		{"name with space", `{"ApiCall":{"Status":{"Result":"0"},"CustVars":{"CustVar":[{"VarName":"A B","VarValue":"1"}]}}}`, nil},
		{"control character", `{"ApiCall":{"Status":{"Result":"0"},"CustVars":{"CustVar":[{"VarName":"A","VarValue":"1\n2"}]}}}`, nil},
		{"beyond latin-1", `{"ApiCall":{"Status":{"Result":"0"},"CustVars":{"CustVar":[{"VarName":"A","VarValue":"€"}]}}}`, nil},
		{"too big", `{"ApiCall":{"Status":{"Result":"0"}},"x":"` + strings.Repeat("a", maxQueryAnswer) + `"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseQueryAnswer([]byte(tc.body))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted: %v", got)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("got %v %v, want %v", got, err, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// FuzzQueryAnswer: a receiver's answer never panics the parser, and what
// it accepts follows Appendix II.
func FuzzQueryAnswer(f *testing.F) {
	for _, s := range []string{clienteAnswer, `<ApiCall><Status><Result>0</Result></Status><CustVars><CustVar><VarName>A</VarName><VarValue>b</VarValue></CustVar></CustVars></ApiCall>`,
		`{"ApiCall":{"Status":{"Result":1}}}`, `<`, `{`, `null`, `{"ApiCall":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vars, err := parseQueryAnswer([]byte(s))
		if err != nil {
			return
		}
		for k, v := range vars {
			if !varName.MatchString(k) || strings.ToUpper(k) != k || !latin1Printable(v) {
				t.Fatalf("accepted %q=%q from %q", k, v, s)
			}
		}
	})
}

// A receiver that does not answer within the node's timeout (on the
// engine's clock) sends the call down the error branch; it is held on a
// gate, never slept on.
func TestQueryTimeoutOnTheClockTakesTheErrorBranch(t *testing.T) {
	clk := clocktest.New(testNow)
	e := newEnvClock(t, storetest.Open(t, storetest.SQLite), clk)
	core.NewScriptRunner(e.eng)
	rcv := newReceiver(t, func(string) (int, string) { return 200, clienteAnswer }, "/query")
	setLineURLs(t, e, rcv.srv.URL, nil)
	for _, rec := range []any{
		&core.Script{Name: "Q", Nodes: `[
 {"id":"ask","type":"query","query":"LENTA","timeout_sec":3,"next":"ok","else":"bad"},
 {"id":"ok","type":"transfer","queue":"8001"},
 {"id":"bad","type":"end"}]`},
		&core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "Q", Kind: core.RuleGroupEmission, Script: "Q"},
	} {
		if err := e.st.Create(e.ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := e.eng.Bus().Subscribe(0, 256)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111555", "Q"))
	m := idcall.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("answer %q", body)
	}
	job := answeredJob(t, e, sub, m[1])
	if q := rcv.await("/query")["/query"]; q.doc.ApiCall.Infocaller["QueryName"] != "LENTA" {
		t.Fatalf("query %v", q.doc.ApiCall.Infocaller)
	}
	for {
		if d, ok := clk.NextIn(); ok && d == 3*time.Second {
			break
		}
		clk.BlockUntil(clk.Pending() + 1)
	}
	clk.Advance(3 * time.Second)
	if s := nextStep(t, sub, "ask"); !strings.HasPrefix(s.Result, "error") {
		t.Fatalf("query step %+v", s)
	}
	endAndStep(t, sub, job.CallID, "bad")
}
