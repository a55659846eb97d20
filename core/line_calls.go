package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// What a dialect needs to report a line's calls to the line's owner: the
// line with its phone password in clear (the reports are signed with it)
// and the origination job that placed a call.

// LineWithPassword is the line and its phone password.
func (e *Engine) LineWithPassword(ctx context.Context, number string) (Line, string, error) {
	var line Line
	if err := e.store.First(ctx, &line, Eq("number", number)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return line, "", lineErr(ENOTFOUND, OpLineUnknown, "no such line")
		}
		return line, "", err
	}
	pass, err := e.Credentials().Reveal(line.PhonePassword)
	if err != nil {
		return line, "", &Error{Code: EINTERNAL, Op: OpLineSignature, Message: "line password", Err: err}
	}
	return line, pass, nil
}

// CallOrigination is the origination job that placed the call.
func (e *Engine) CallOrigination(ctx context.Context, callID uint64) (OriginationJob, error) {
	e.lock()
	for _, j := range e.jobs {
		if j.rec.CallID == callID {
			rec := j.rec
			e.unlock()
			return rec, nil
		}
	}
	e.unlock()
	var rec OriginationJob
	if err := e.store.First(ctx, &rec, Eq("call_id", callID).Desc("id")); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return rec, Errorf(ENOTFOUND, "no origination placed call %d", callID)
		}
		return rec, fmt.Errorf("call origination: %w", err)
	}
	return rec, nil
}

// CallAttributes decodes a call's free attributes (empty when none).
func CallAttributes(c Call) map[string]string {
	m := map[string]string{}
	if strings.TrimSpace(c.Attributes) != "" {
		_ = json.Unmarshal([]byte(c.Attributes), &m)
	}
	return m
}
