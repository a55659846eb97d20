package soap

import (
	"context"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func init() {
	register("originateCall", (*EngineOps).originateCall)
	register("originateCallStatus", (*EngineOps).originateCallStatus)
	register("originateCallCancel", (*EngineOps).originateCallCancel)
}

// maxOriginateTimeout bounds the ringing time a caller may ask for.
const maxOriginateTimeout = 300 * time.Second

// originateCall starts an agentless origination job (ring src, then dst)
// and answers its 8-hex id.
func (o *EngineOps) originateCall(ctx context.Context, p Params) (Result, error) {
	timeout := time.Duration(p.Int("timeout")) * time.Second
	if timeout < 0 {
		return Result{}, clientFault("parameter 'timeout' of operation 'originateCall' must not be negative")
	}
	job, err := o.eng.Originate(ctx, core.OriginationRequest{
		Source: p.Get("src"), SourceName: p.Get("srcCallerID"),
		Destination: p.Get("dst"), DestinationName: p.Get("dstCallerID"),
		Timeout: min(timeout, maxOriginateTimeout), Attributes: callInfo(p.Get("callinfo")), Origin: Dialect,
	})
	if err != nil {
		return Result{}, o.engineFault("originateCall", err)
	}
	return String(job.JobID), nil
}

// callInfo reads "k=v,k=v" into attributes. A piece without "=" (the
// document's own example passes a bare "01-43-1") is kept under
// "callinfo" so nothing the caller sent is lost.
func callInfo(s string) map[string]string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	out := map[string]string{}
	var bare []string
	for _, piece := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(piece, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			if piece = strings.TrimSpace(piece); piece != "" {
				bare = append(bare, piece)
			}
			continue
		}
		out[k] = strings.TrimSpace(v)
	}
	if len(bare) > 0 {
		out["callinfo"] = strings.Join(bare, ",")
	}
	return out
}

// The document's originateCallStatus codes.
const (
	statusUnknown    = 0
	statusRinging    = 1
	statusAnswer     = 2
	statusHungUp     = 3
	statusBusy       = 4
	statusNoAnswer   = 5
	statusCongestion = 6
	statusOffHook    = 7
)

// originationCode maps a job's status to the document's code.
func originationCode(s core.OriginationStatus) int64 {
	switch s {
	case core.OriginScheduled, core.OriginRingingSource, core.OriginRingingDest:
		return statusRinging
	case core.OriginAnswered:
		return statusAnswer
	case core.OriginHungUp, core.OriginCanceled:
		return statusHungUp
	case core.OriginBusy:
		return statusBusy
	case core.OriginNoAnswer:
		return statusNoAnswer
	case core.OriginFailed, core.OriginLostWhileDown:
		return statusCongestion
	case core.OriginSourceOffHook:
		return statusOffHook
	}
	return statusUnknown
}

// originateCallStatus answers 0 for an unknown or expired id (and for an
// unexpected error, as the document says), else the status code.
func (o *EngineOps) originateCallStatus(ctx context.Context, p Params) (Result, error) {
	job, err := o.eng.Origination(ctx, strings.TrimSpace(p.Get("originatedID")))
	if err != nil {
		if core.ErrorCode(err) != core.ENOTFOUND {
			o.log.Warn("expand soap: originateCallStatus", "err", err)
		}
		return Int(statusUnknown), nil
	}
	return Int(originationCode(job.Status)), nil
}

// originateCallCancel answers 1 when the job was canceled, 0 when it does
// not exist or had already ended.
func (o *EngineOps) originateCallCancel(ctx context.Context, p Params) (Result, error) {
	err := o.eng.CancelOrigination(ctx, strings.TrimSpace(p.Get("originatedID")))
	switch core.ErrorCode(err) {
	case "":
		return Int(1), nil
	case core.ENOTFOUND, core.ECONFLICT:
		return Int(0), nil
	}
	o.log.Warn("expand soap: originateCallCancel", "err", err)
	return Int(0), nil
}

// engineFault turns an engine error into a fault: the caller's mistake is
// a Client fault with the engine's message, the rest a Server fault whose
// cause is logged, not sent.
func (o *EngineOps) engineFault(op string, err error) error {
	switch core.ErrorCode(err) {
	case core.EINVALID, core.ENOTFOUND, core.ECONFLICT:
		return clientFault(core.ErrorMessage(err))
	case core.EUNAVAILABLE:
		return errUnavailable
	}
	o.log.Error("expand soap: operation failed", "op", op, "err", err)
	return &Fault{Code: FaultServer, String: "internal error"}
}
