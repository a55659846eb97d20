package soap

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { register("agentData", (*EngineOps).agentData) }

// shortCallSecs: an answered call shorter than this counts as short.
const shortCallSecs = 10

// agentFigures are one agent's agentData counters.
type agentFigures struct {
	logged, paused, talk, talkOut                           int
	answered, missed, offered, outbound, transferred, short int
}

// agentData reports, per agent with activity in Cola between FechaInicio
// and FechaFin, the document's figures from the queue log. Like queueData
// it has no authorizedKey in the document and is served without one.
func (o *EngineOps) agentData(ctx context.Context, p Params) (Result, error) {
	loc := o.eng.Now().Location()
	from, ok1 := parseCDRTime(p.Get("FechaInicio"), loc)
	to, ok2 := parseCDRTime(p.Get("FechaFin"), loc)
	queue := strings.TrimSpace(p.Get("Cola"))
	if !ok1 || !ok2 || queue == "" {
		return Result{}, clientFault("agentData needs Cola, and FechaInicio and FechaFin as YYYY-MM-DD HH:MM:SS")
	}
	rows, err := o.eng.QueueActivity(ctx, queue, "", from, to.Add(time.Second))
	if err != nil {
		return Result{}, o.engineFault("agentData", err)
	}
	figs := map[string]*agentFigures{}
	for _, r := range rows {
		if r.Agent == "" {
			continue
		}
		f := figs[r.Agent]
		if f == nil {
			f = &agentFigures{}
			figs[r.Agent] = f
		}
		f.add(r.QueueLogEntry)
	}
	d := newXMLDoc("agents")
	for _, a := range o.eng.Agents() {
		if f := figs[a.Username]; f != nil {
			d.elem("agent", true, f.attrs(a)...)
		}
	}
	return String(d.done("agents")), nil
}

func (f *agentFigures) add(r core.QueueLogEntry) {
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	switch r.Event {
	case core.QLLogout:
		f.logged += n(r.Data2)
	case core.QLUnpause:
		f.paused += n(r.Data2)
	case core.QLRinging:
		f.offered++
	case core.QLConnect:
		f.answered++
	case core.QLRingNoAnswer:
		f.missed++
	case core.QLCompleteCaller, core.QLCompleteAgent:
		f.talk += n(r.Data2)
		if n(r.Data2) < shortCallSecs {
			f.short++
		}
	case core.QLTransfer:
		f.talk += n(r.Data3)
		f.transferred++
	case core.QLDialOut:
		f.outbound++
	}
}

func (f *agentFigures) attrs(a core.Agent) []xattr {
	avg := ratio(f.talk, f.answered)
	avail := max(f.logged-f.paused-f.talk-f.talkOut, 0)
	return []xattr{
		{"agente", fmt.Sprintf("(%s) %s", firstNonEmpty(a.Number, a.Username), a.Name)},
		{"logueado", hms(f.logged)}, {"logueadoSeg", itoa(f.logged)},
		{"pausado", hms(f.paused)}, {"pausadoSeg", itoa(f.paused)},
		{"promedio", hms(int(avg))}, {"promedioSeg", phpFloat(avg)},
		{"hablado", hms(f.talk)}, {"habladoSeg", itoa(f.talk)},
		{"habladoSaliente", hms(f.talkOut)}, {"habladoSalienteSeg", itoa(f.talkOut)},
		{"disponible", hms(avail)}, {"disponibleSeg", itoa(avail)},
		{"atendidas", itoa(f.answered)}, {"perdidas", itoa(f.missed)}, {"presentadas", itoa(f.offered)},
		{"salientes", itoa(f.outbound)}, {"entrantes", itoa(f.answered)}, {"entrantesTransferidas", itoa(f.transferred)},
		{"atendidasCortas", itoa(f.short)},
		{"promedioEntranteYSaliente", phpFloat(ratio(f.talk+f.talkOut, f.answered+f.outbound))},
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// hms writes seconds as the document does: hours, minutes, then seconds
// followed by two apostrophes.
func hms(s int) string {
	return fmt.Sprintf("%02dh %02d' %02d''", s/3600, s/60%60, s%60)
}

// phpFloat prints a float as PHP's echo does (14 significant digits,
// integers without a decimal point): 159.76923076923.
func phpFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', 14, 64)
}
