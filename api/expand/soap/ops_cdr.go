package soap

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func init() {
	register("cdrData", (*EngineOps).cdrData)
	register("recordingPbx", (*EngineOps).recordingPbx)
}

// cdrLayouts are the date forms inicio/fin may take; a bare date means its
// midnight.
var cdrLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

func parseCDRTime(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, l := range cdrLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// cdrData lists one call by uniqueid, or the calls that started between
// inicio and fin (inclusive to the second; a bare fin date takes its
// whole day).
func (o *EngineOps) cdrData(ctx context.Context, p Params) (Result, error) {
	var rows []core.CDR
	var err error
	if uid := strings.TrimSpace(p.Get("uniqueid")); uid != "" {
		rows, err = o.eng.CDRByUniqueID(ctx, uid)
	} else {
		loc := o.eng.Now().Location()
		from, ok1 := parseCDRTime(p.Get("inicio"), loc)
		to, ok2 := parseCDRTime(p.Get("fin"), loc)
		if !ok1 || !ok2 {
			return Result{}, clientFault("cdrData needs a uniqueid, or inicio and fin as YYYY-MM-DD HH:MM:SS")
		}
		if len(strings.TrimSpace(p.Get("fin"))) == len("2006-01-02") {
			to = to.AddDate(0, 0, 1)
		} else {
			to = to.Add(time.Second)
		}
		rows, err = o.eng.CDRsBetween(ctx, from, to)
	}
	if err != nil {
		return Result{}, o.engineFault("cdrData", err)
	}
	d := newXMLDoc("cdr")
	for _, c := range rows {
		d.elem("call", true, cdrAttrs(c, o.eng.Now().Location())...)
	}
	return String(d.done("cdr")), nil
}

// cdrAttrs are the document's attributes of one call. Channel names and
// the dialplan application are not kept by the engine: channel,
// dstchannel, lastapp and lastdata come out empty (doc.go).
func cdrAttrs(c core.CDR, loc *time.Location) []xattr {
	return []xattr{
		{"uniqueid", c.UniqueID}, {"src", c.Src}, {"dst", c.Dst},
		{"dcontext", firstNonEmpty(c.Queue, c.Campaign, c.Direction)},
		{"clid", clid(c)}, {"channel", ""}, {"dstchannel", ""}, {"lastapp", ""}, {"lastdata", ""},
		{"calldate", c.Start.In(loc).Format("2006-01-02 15:04:05")},
		{"duration", strconv.Itoa(c.Duration)}, {"billsec", strconv.Itoa(c.BillSec)},
		{"disposition", c.Disposition},
	}
}

// maxRecordingBytes bounds the MP3 one answer carries (about 2 h at
// 32 kbit/s); a longer one answers status 0 instead of exhausting memory.
const maxRecordingBytes = 32 << 20

// recordingPbx answers the call's last finished recording as MP3 in
// base64: status -1 for an unknown uniqueid, 0 when the call has no
// recording (or its audio is not in the recording store), 1 with the audio.
func (o *EngineOps) recordingPbx(ctx context.Context, p Params) (Result, error) {
	uid := strings.TrimSpace(p.Get("uniqueId"))
	call, err := o.eng.CallByUniqueID(ctx, uid)
	if uid == "" || core.ErrorCode(err) == core.ENOTFOUND {
		return String(recordingXML("-1", uid, "")), nil
	}
	if err != nil {
		return Result{}, o.engineFault("recordingPbx", err)
	}
	recs, err := o.eng.FindRecordings(ctx, core.RecordingQuery{CallID: call.ID})
	if err != nil {
		return Result{}, o.engineFault("recordingPbx", err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		audio, err := o.readMP3(ctx, recs[i].ID)
		if err == nil {
			return String(recordingXML("1", uid, base64.StdEncoding.EncodeToString(audio))), nil
		}
		if code := core.ErrorCode(err); code != core.ENOTFOUND {
			if code == core.EUNAVAILABLE && !errors.Is(err, core.ErrNoMedia) {
				return Result{}, errUnavailable
			}
			o.log.Warn("expand soap: recordingPbx", "uniqueid", uid, "err", err)
		}
	}
	return String(recordingXML("0", uid, "")), nil
}

func (o *EngineOps) readMP3(ctx context.Context, id uint64) ([]byte, error) {
	rc, _, err := o.eng.RecordingAudio(ctx, id, "mp3")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, maxRecordingBytes+1))
	if err != nil {
		return nil, err
	}
	if n > maxRecordingBytes {
		return nil, core.Errorf(core.EINVALID, "recording %d exceeds %d bytes", id, maxRecordingBytes)
	}
	return buf.Bytes(), nil
}

// recordingXML is the document's <record> answer.
func recordingXML(status, uid, audio string) string {
	d := newXMLDoc("record")
	if status == "1" {
		d.text("recording", audio, xattr{"status", status}, xattr{"uniqueid", uid}, xattr{"encoding", "base64"})
	} else {
		d.elem("recording", true, xattr{"status", status}, xattr{"uniqueid", uid})
	}
	return d.done("record")
}

// clid is Asterisk's caller id: "Name" <number> when the backend named the
// caller (getCallerIDName), else the number.
func clid(c core.CDR) string {
	if c.CallerName == "" {
		return c.Src
	}
	return `"` + c.CallerName + `" <` + c.Src + `>`
}
