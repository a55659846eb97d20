package soap

import (
	"context"
	"strconv"
	"time"
)

func init() { register("cdrCustom", (*EngineOps).cdrCustom) }

// cdrCustom lists the calls that started between inicio and fin with the
// document's custom columns. ESTADO and OBSERVACIONES are defined per
// eXpand installation; here estado is the call's final state (ANSWERED,
// NO ANSWER, BUSY, FAILED) and observaciones its status (the disposition
// an agent chose, or the dialer's outcome).
func (o *EngineOps) cdrCustom(ctx context.Context, p Params) (Result, error) {
	loc := o.eng.Now().Location()
	from, ok1 := parseCDRTime(p.Get("inicio"), loc)
	to, ok2 := parseCDRTime(p.Get("fin"), loc)
	if !ok1 || !ok2 {
		return Result{}, clientFault("cdrCustom needs inicio and fin as YYYY-MM-DD HH:MM:SS")
	}
	if len(p.Get("fin")) == len("2006-01-02") {
		to = to.AddDate(0, 0, 1)
	} else {
		to = to.Add(time.Second)
	}
	rows, err := o.eng.CDRsBetween(ctx, from, to)
	if err != nil {
		return Result{}, o.engineFault("cdrCustom", err)
	}
	d := newXMLDoc("cdr")
	for _, c := range rows {
		d.elem("call", true, xattr{"id", strconv.FormatUint(c.ID, 10)}, xattr{"uniqueid", c.UniqueID}, xattr{"src", c.Src},
			xattr{"dnis", c.Dst}, xattr{"context", firstNonEmpty(c.Queue, c.Campaign, c.Direction)},
			xattr{"calldate", c.Start.In(loc).Format("2006-01-02 15:04:05")}, xattr{"duration", strconv.Itoa(c.Duration)},
			xattr{"estado", c.Disposition}, xattr{"observaciones", c.Status})
	}
	return String(d.done("cdr")), nil
}
