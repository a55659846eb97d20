package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
)

// ivrReporter answers IVR codes as the customer's backend would; gated, it
// holds its answer until the engine cancels.
type ivrReporter struct {
	gated bool
	asked chan string
}

func (r *ivrReporter) ReportIVRCode(ctx context.Context, c core.Call, code string) (string, error) {
	r.asked <- c.CallerID + " " + code + " [" + c.IVRData + "]"
	if r.gated {
		<-ctx.Done()
		return "", ctx.Err()
	}
	return code + "=ok;", nil
}

const ivrScript = `[
 {"id":"a","type":"message","sound":"hello","ivr_code":"INICIO","next":"b"},
 {"id":"b","type":"message","sound":"menu","ivr_code":"CLIENTE","next":"c"},
 {"id":"c","type":"message","sound":"bye"}]`

// runIVRScript runs ivrScript on a waiting inbound call and returns the
// call as stored once the script is over.
func runIVRScript(t *testing.T, h *harness, during func()) core.Call {
	t.Helper()
	must(t, h.st.Create(h.ctx, &core.Script{Name: "IVR", Nodes: ivrScript}))
	sub, err := h.e.Bus().Subscribe(0, 1024)
	must(t, err)
	defer sub.Close()
	h.inbound("5551234")
	c := queued(t, sub, "5551234")
	must(t, core.NewScriptRunner(h.e).StartScript(h.ctx, c.ID, "IVR", nil))
	if during != nil {
		during()
	}
	for {
		ev := receive(t, sub.C(), "script over")
		if s, ok := ev.Data.(core.ScriptStep); ok && s.Node == "c" {
			break
		}
	}
	must(t, h.e.Sync(h.ctx))
	var stored core.Call
	must(t, h.st.First(h.ctx, &stored, core.ByID(c.ID)))
	return stored
}

func TestScriptNodesWithIVRCodesCollectThemInTheCallsIVRData(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	if c := runIVRScript(t, h, nil); c.IVRData != "INICIO|CLIENTE" {
		t.Fatalf("ivr data %q", c.IVRData)
	}
}

func TestIVRCodeReporterAnswersAreAppendedToIVRData(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	r := &ivrReporter{asked: make(chan string, 8)}
	h.e.SetIVRCodeReporter(r)
	if c := runIVRScript(t, h, nil); c.IVRData != "INICIO=ok;CLIENTE=ok;" {
		t.Fatalf("ivr data %q", c.IVRData)
	}
	for _, want := range []string{"5551234 INICIO []", "5551234 CLIENTE [INICIO=ok;]"} {
		if got := receive(t, r.asked, "report"); got != want {
			t.Fatalf("reported %q, want %q", got, want)
		}
	}
}

// A backend that does not answer holds each node back for the engine's
// bound at most, and adds nothing.
func TestSlowIVRCodeReporterDelaysTheScriptByTheBoundOnly(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	r := &ivrReporter{gated: true, asked: make(chan string, 8)}
	h.e.SetIVRCodeReporter(r)
	c := runIVRScript(t, h, func() {
		for range 2 {
			receive(t, r.asked, "report")
			h.clk.BlockUntil(1)
			h.advance(core.DefaultCallerNameBound)
		}
	})
	if c.IVRData != "" {
		t.Fatalf("ivr data %q", c.IVRData)
	}
}

func TestScriptIVRCodesAreValidated(t *testing.T) {
	for _, code := range []string{"a b", "x<y>", strings.Repeat("A", 65)} {
		nodes := `[{"id":"a","type":"message","sound":"s","ivr_code":"` + code + `"}]`
		if _, err := core.ParseScript(nodes); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("ivr_code %q: %v", code, err)
		}
	}
}

type noBackend struct{}

func (noBackend) ReportIVRCode(context.Context, core.Call, string) (string, error) {
	return "", core.ErrNoBackend
}

// A reporter whose backend is not configured leaves the codes collected as
// they are.
func TestIVRCodeReporterWithoutBackendCollectsTheCodes(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.e.SetIVRCodeReporter(noBackend{})
	if c := runIVRScript(t, h, nil); c.IVRData != "INICIO|CLIENTE" {
		t.Fatalf("ivr data %q", c.IVRData)
	}
}
