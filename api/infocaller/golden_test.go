package infocaller

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file\n got: %s\nwant: %s", name, got, want)
	}
}

// The document's own example: line 123456789, CallSequence 98565656,
// phone password 3956.
func TestSignatureMatchesTheDocumentsExample(t *testing.T) {
	if got := signature("123456789", "98565656", "3956"); got != "ae73e4b16a280726fb2e0e6bfb43902a" {
		t.Fatalf("signature %s", got)
	}
}

// goldenCalls are an emitted and a received call of the demo line.
func goldenCalls() (emitted, received lineCall) {
	line := core.Line{Number: "123456789", International: "34123456789", WebhookFormat: "JSON", RateTX: 0.6}
	at := time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)
	answered, ended := at.Add(2*time.Second), at.Add(95*time.Second)
	emitted = lineCall{line: line, password: "3956", jobID: "0a1b2c3d", vars: map[string]string{"PEDIDO": "77", "NOMBRE": "José & <Cía>"},
		call: core.Call{ID: 98565656, GUID: "6f1c2b9e-7a57-4c33-9d0e-2b7f3f1e4a10", Direction: core.CallOriginated,
			Phone: "600111222", CreatedAt: at, AnsweredAt: &answered, EndedAt: &ended}}
	// 93 s of talk at 0.6 a minute: CostTX 0.930000 on FIN.
	emitted.cost = line.CallCost(true, core.TalkSeconds(emitted.call))
	received = lineCall{line: line, password: "3956", vars: map[string]string{},
		call: core.Call{ID: 17, Direction: core.CallInbound, CallerID: "", DID: "123456789", CreatedAt: at, EndedAt: &ended}}
	return emitted, received
}

func goldenEvents() []core.ScriptEvent {
	at := time.Date(2026, 3, 10, 11, 0, 2, 0, time.UTC)
	return []core.ScriptEvent{
		{Kind: core.StepStart, At: at, Name: "EMISION"},
		{Kind: core.StepMessage, At: at, Name: "hello-world"},
		{Kind: core.StepMenu, At: at.Add(3 * time.Second), Name: "menu", Info: [5]string{"1"}},
		{Kind: core.StepQuery, At: at.Add(4 * time.Second), Name: "CLIENTE", Info: [5]string{"0"}},
		{Kind: core.StepQueue, At: at.Add(4 * time.Second), Name: "8000"},
	}
}

// Every byte a receiver parses, in both formats: INICIO (no end fields,
// no Status), FIN (end fields, costs, events) and a query (QueryName).
func TestWebhookBodiesMatchTheGoldenFiles(t *testing.T) {
	emitted, received := goldenCalls()
	query := emitted.document(time.UTC, false, nil)
	query.Infocaller.QueryName = "CLIENTE"
	for _, tc := range []struct {
		name string
		doc  apiCallDoc
	}{
		{"inicio_emitted", emitted.document(time.UTC, false, nil)},
		{"fin_emitted", emitted.document(time.UTC, true, goldenEvents())},
		{"fin_received_hidden_caller", received.document(time.UTC, true, []core.ScriptEvent{})},
		{"query_emitted", query},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name+".json", render(formatJSON, tc.doc))
			checkGolden(t, tc.name+".xml", render(formatXML, tc.doc))
		})
	}
}
