package soap

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callgate/callgate/core"
)

func init() {
	register("sendSms", (*EngineOps).sendSms)
	register("statusSms", (*EngineOps).statusSms)
}

// maxSmsChars is the document's limit on msgData.
const maxSmsChars = 160

// sendSms sends msgData to the recipients (separated by space or comma)
// through the core's SMS jobs: the job id (> 0) once every recipient was
// handed to the PBX, -2 over the per-second limit, 0 when it could not be
// sent (empty or over 160 characters, a bad recipient, the PBX refused).
// msgId is 0 for external systems and is not used.
func (o *EngineOps) sendSms(ctx context.Context, p Params) (Result, error) {
	body := p.Get("msgData")
	to := strings.FieldsFunc(p.Get("msgRecip"), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
	if utf8.RuneCountInString(body) > maxSmsChars {
		return String("0"), nil
	}
	job, err := o.eng.SendSMS(ctx, core.SMSRequest{To: to, Body: body, Origin: Dialect})
	switch {
	case err == nil && job.ID > 0:
		return String(strconv.FormatUint(uint64(job.ID), 10)), nil
	case errors.Is(err, core.ErrSMSRateLimited):
		return String("-2"), nil
	case core.ErrorCode(err) == core.EINVALID:
		return String("0"), nil
	case err != nil && job.ID > 0 && job.Status == core.SMSError:
		o.log.Warn("expand soap: sendSms refused by the PBX", "id", job.ID, "err", err)
		return String("0"), nil
	case err == nil:
		return Result{}, o.engineFault("sendSms", errors.New("sms job without id"))
	}
	return Result{}, o.engineFault("sendSms", err)
}

// statusSms answers PENDING, SENT, ERROR or DRAFT, or "" for an unknown id.
func (o *EngineOps) statusSms(ctx context.Context, p Params) (Result, error) {
	id, err := strconv.ParseUint(strings.TrimSpace(p.Get("idSMS")), 10, 32)
	if err != nil || id == 0 {
		return String(""), nil
	}
	job, err := o.eng.SMSStatus(ctx, uint(id))
	switch core.ErrorCode(err) {
	case "":
		return String(string(job.Status)), nil
	case core.ENOTFOUND:
		return String(""), nil
	}
	return Result{}, o.engineFault("statusSms", err)
}
