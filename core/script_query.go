package core

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Query nodes ask a customer's system for data during a call (Infocaller's
// "Query API"): the request and the answer are a dialect's wire format, so
// a dialect installs a ScriptQueryCodec; the core sends the request with
// CallWebhook (one attempt, logged, bounded by the node's timeout on the
// engine's clock) and merges the variables the answer carries.

// ScriptQuery is what a query node asks.
type ScriptQuery struct {
	Call   Call
	Script string
	Node   string
	Name   string            // the query's name
	URL    string            // the node's own URL, if any (else the dialect's)
	Vars   map[string]string // the call's user variables
}

// ScriptQueryCodec renders a query and reads its answer.
type ScriptQueryCodec interface {
	QueryRequest(ctx context.Context, q ScriptQuery) (WebhookRequest, error)
	// QueryAnswer returns the variables to merge, or an error when the
	// answer says the query failed or cannot be read (the error branch).
	QueryAnswer(q ScriptQuery, resp WebhookResponse) (map[string]string, error)
}

type scriptPorts struct {
	mu    sync.Mutex
	query ScriptQueryCodec
	email EmailSender
}

// SetScriptQueryCodec installs the codec of query nodes.
func (e *Engine) SetScriptQueryCodec(c ScriptQueryCodec) {
	e.scriptPorts.mu.Lock()
	e.scriptPorts.query = c
	e.scriptPorts.mu.Unlock()
}

func (e *Engine) scriptQueryCodec() ScriptQueryCodec {
	e.scriptPorts.mu.Lock()
	defer e.scriptPorts.mu.Unlock()
	return e.scriptPorts.query
}

const (
	defaultQueryWait = 10 * time.Second
	maxQueryWait     = 60 * time.Second
	maxQueryVars     = 100
)

// query runs a query node: the merged variables, or why it failed.
func (s *scriptRun) query(ctx context.Context, n ScriptNode) error {
	codec := s.e.scriptQueryCodec()
	if codec == nil {
		return Errorf(EUNAVAILABLE, "no query codec")
	}
	call, err := s.e.Call(ctx, s.call)
	if err != nil {
		return err
	}
	q := ScriptQuery{Call: call, Script: s.name, Node: n.ID, Name: n.Query, URL: n.URL, Vars: userVars(s.vars)}
	wait := defaultQueryWait
	if n.TimeoutSec > 0 {
		wait = min(time.Duration(n.TimeoutSec)*time.Second, maxQueryWait)
	}
	// The wait runs on the engine's clock (a test advances it); the
	// request's own timeout bounds the real connection as well.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := s.e.clock.AfterFunc(wait, cancel)
	defer t.Stop()
	req, err := codec.QueryRequest(ctx, q)
	if err != nil {
		return err
	}
	req.Timeout, req.CallID, req.MaxAttempts = wait, s.call, 1
	resp, err := s.e.CallWebhook(ctx, req)
	if err != nil {
		return err
	}
	vars, err := codec.QueryAnswer(q, resp)
	if err != nil {
		return err
	}
	if len(vars) > maxQueryVars {
		return Errorf(EINVALID, "query answer: more than %d variables", maxQueryVars)
	}
	for k := range vars {
		if !scriptVarName.MatchString(k) {
			return Errorf(EINVALID, "query answer: variable name %q", truncate(k, 32))
		}
	}
	for k, v := range vars {
		s.vars[k] = v
	}
	return nil
}

// queryResult is the step's result text.
func queryResult(err error) string {
	if err == nil {
		return "0"
	}
	return fmt.Sprintf("error: %s", truncate(err.Error(), 120))
}
