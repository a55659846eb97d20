package core

import (
	"context"
	"errors"
	"regexp"
	"strings"
)

// IVR codes: a call-script node may carry a label (ScriptNode.IVRCode, as
// eXpand's IVR programmers tag nodes). When a call reaches such a node the
// code is added to the call's IVRData, which the agent's screen-pop
// (eXpand pushAgentInfo) reports. With a reporter installed (eXpand's
// IVRCode webservice on the customer's backend) the backend is asked
// instead, and the text it returns is appended to IVRData as is, as the
// eXpand document says; without one the code itself is appended,
// "|"-separated. The backend is asked outside the engine lock and for no
// longer than the engine's bound (Options.CallerNameBound): a slow backend
// delays the script by at most that, and adds nothing.

// IVRCodeReporter is the port that reports a call's IVR code to the
// customer's backend and returns the text to append to the call's IVRData.
type IVRCodeReporter interface {
	ReportIVRCode(ctx context.Context, call Call, code string) (string, error)
}

const maxIVRData = 4096

// ErrNoBackend is what a port answers when no backend is configured: the
// engine then does without (no caller name; the IVR code itself).
var ErrNoBackend = errors.New("no backend configured")

var ivrCodeRe = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// SetIVRCodeReporter installs the reporter of IVR codes (nil: the codes
// themselves are collected).
func (e *Engine) SetIVRCodeReporter(r IVRCodeReporter) {
	e.names.mu.Lock()
	e.names.ivr = r
	e.names.mu.Unlock()
}

func checkIVRCode(n ScriptNode) error {
	if n.IVRCode != "" && !ivrCodeRe.MatchString(n.IVRCode) {
		return Errorf(EINVALID, "node %s: ivr_code must be 1-64 letters, digits or _ . : -", n.ID)
	}
	return nil
}

// passIVRCode records that the call reached a node labelled code (nothing
// for an unlabelled node, or a call that is gone).
func (e *Engine) passIVRCode(ctx context.Context, callID uint64, code string) {
	if code == "" {
		return
	}
	e.lock()
	c := e.calls[callID]
	var snap Call
	if c != nil {
		snap = c.Call
	}
	e.unlock()
	if c == nil {
		return
	}
	e.names.mu.Lock()
	r := e.names.ivr
	e.names.mu.Unlock()
	add := code
	if snap.IVRData != "" {
		add = "|" + code
	}
	if r != nil {
		if text, ok := e.reportIVRCode(ctx, r, snap, code); ok {
			add = text
		}
	}
	e.appendIVRData(ctx, callID, add)
}

// reportIVRCode asks the reporter, bounded on the engine's clock; false
// when the reporter has no backend (the code is collected as is).
func (e *Engine) reportIVRCode(ctx context.Context, r IVRCodeReporter, call Call, code string) (string, bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := e.clock.AfterFunc(e.callerNameBound(), cancel)
	defer t.Stop()
	type answer struct {
		s   string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		s, err := r.ReportIVRCode(ctx, call, code)
		done <- answer{s, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	switch {
	case errors.Is(a.err, ErrNoBackend):
		return "", false
	case a.err != nil:
		e.log.Warn("engine: IVR code not reported", "call", call.ID, "code", code, "err", a.err)
		return "", true
	}
	return strings.ToValidUTF8(a.s, ""), true
}

// appendIVRData adds text to the call's IVRData (bounded) and saves it.
func (e *Engine) appendIVRData(ctx context.Context, callID uint64, add string) {
	if add == "" {
		return
	}
	e.lock()
	var err error // a failed write is logged by the committer; the caller has no answer to give
	defer e.settle(ctx, &err)
	c := e.calls[callID]
	if c == nil {
		return
	}
	if len(c.IVRData)+len(add) > maxIVRData {
		e.log.Warn("engine: IVR data full, text dropped", "call", callID)
		return
	}
	c.IVRData += add
	e.persistCall(ctx, &c.Call)
}
