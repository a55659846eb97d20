package infocaller

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"sort"
	"strconv"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/callgate/callgate/core"
)

// The ApiCall document Callgate posts to a line's URLs: the informative
// events (variable apilinfocaller) and the interactive queries (variable
// apiInfocaller). Field names and order are the document's.

type apiCallDoc struct {
	XMLName    xml.Name        `json:"-" xml:"http://tempuri.org/ ApiCall"`
	UserID     userIDSection   `json:"UserID" xml:"UserID"`
	Infocaller callSection     `json:"Infocaller" xml:"Infocaller"`
	Status     *statusSection  `json:"Status,omitempty" xml:"Status,omitempty"`
	CustVars   custVarsSection `json:"CustVars" xml:"CustVars"`
}

type userIDSection struct {
	LineNumber    string `json:"LineNumber" xml:"LineNumber"`
	LineNumberInt string `json:"LineNumberInt" xml:"LineNumberInt"`
	CallSequence  string `json:"CallSequence" xml:"CallSequence"`
	Signature     string `json:"Signature" xml:"Signature"`
}

// callSection: CallSeconds onwards only in FIN, QueryName only in queries.
type callSection struct {
	CallType          string          `json:"CallType" xml:"CallType"`
	CallerNumber      string          `json:"CallerNumber" xml:"CallerNumber"`
	CallerNumberInt   string          `json:"CallerNumberInt,omitempty" xml:"CallerNumberInt,omitempty"`
	InboundNumber     string          `json:"InboundNumber" xml:"InboundNumber"`
	InboundNumberInt  string          `json:"InboundNumberInt" xml:"InboundNumberInt"`
	OutboundNumber    string          `json:"OutboundNumber" xml:"OutboundNumber"`
	OutboundNumberInt string          `json:"OutboundNumberInt" xml:"OutboundNumberInt"`
	IDCall            string          `json:"idcall" xml:"idcall"`
	QueryName         string          `json:"QueryName,omitempty" xml:"QueryName,omitempty"`
	CallSeconds       string          `json:"CallSeconds,omitempty" xml:"CallSeconds,omitempty"`
	StartDate         string          `json:"StartDate,omitempty" xml:"StartDate,omitempty"`
	EndDate           string          `json:"EndDate,omitempty" xml:"EndDate,omitempty"`
	CostRX            json.RawMessage `json:"CostRX,omitempty" xml:"-"`
	CostTX            json.RawMessage `json:"CostTX,omitempty" xml:"-"`
	CostRXText        string          `json:"-" xml:"CostRX,omitempty"`
	CostTXText        string          `json:"-" xml:"CostTX,omitempty"`
}

type statusSection struct {
	Events struct {
		Event []eventEntry `json:"Event" xml:"Event"`
	} `json:"Events" xml:"Events"`
}

type eventEntry struct {
	EventType     string `json:"EventType" xml:"EventType"`
	EventDate     string `json:"EventDate" xml:"EventDate"`
	EventName     string `json:"EventName" xml:"EventName"`
	EventAddInfo1 string `json:"EventAddInfo1" xml:"EventAddInfo1"`
	EventAddInfo2 string `json:"EventAddInfo2" xml:"EventAddInfo2"`
	EventAddInfo3 string `json:"EventAddInfo3" xml:"EventAddInfo3"`
	EventAddInfo4 string `json:"EventAddInfo4" xml:"EventAddInfo4"`
	EventAddInfo5 string `json:"EventAddInfo5" xml:"EventAddInfo5"`
}

type custVarsSection struct {
	CustVar []varEntry `json:"CustVar" xml:"CustVar"`
}

type varEntry struct {
	VarName  string `json:"VarName" xml:"VarName"`
	VarValue string `json:"VarValue" xml:"VarValue"`
}

// lineCall is what the document says about one call of a line.
type lineCall struct {
	line     core.Line
	password string
	call     core.Call
	jobID    string // emitted calls: the emission's idcall
	vars     map[string]string
	cost     float64 // FIN: what the call cost its line
}

// emitted: the line placed the call (origination job), else it received it.
func (lc lineCall) emitted() bool { return lc.call.Direction == core.CallOriginated }

// signature = md5(LineNumber + CallSequence + phone password), ISO-8859-1.
func signature(line, seq, password string) string {
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(line + seq + password))
	if err != nil {
		b = []byte(line + seq + password)
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// international puts a national number in the line's international form.
func international(line core.Line, n string) string {
	switch {
	case n == "" || n == "X":
		return n
	case len(n) > 2 && n[:2] == "00":
		return n[2:]
	case n[0] == '+':
		return n[1:]
	}
	return line.CountryCode() + n
}

// callerNumber is the caller as the document shows it ("X" when hidden).
func callerNumber(c core.Call) string {
	if c.CallerID == "" || !digits(c.CallerID) {
		return "X"
	}
	return c.CallerID
}

// document builds the ApiCall of lc; fin adds the end fields and events.
func (lc lineCall) document(loc *time.Location, fin bool, events []core.ScriptEvent) apiCallDoc {
	seq := strconv.FormatUint(lc.call.ID, 10)
	d := apiCallDoc{UserID: userIDSection{
		LineNumber: lc.line.Number, LineNumberInt: international(lc.line, lc.line.Number), CallSequence: seq,
		Signature: signature(lc.line.Number, seq, lc.password),
	}}
	in := &d.Infocaller
	if lc.emitted() {
		in.CallType, in.CallerNumber, in.CallerNumberInt = "E", lc.line.Number, international(lc.line, lc.line.Number)
		in.OutboundNumber, in.OutboundNumberInt, in.IDCall = lc.call.Phone, international(lc.line, lc.call.Phone), lc.jobID
	} else {
		in.CallType, in.CallerNumber = "R", callerNumber(lc.call)
		in.InboundNumber, in.InboundNumberInt = lc.call.DID, international(lc.line, lc.call.DID)
	}
	if fin {
		lc.finish(in, loc)
		d.Status = &statusSection{}
		d.Status.Events.Event = eventEntries(events, loc)
	}
	d.CustVars.CustVar = varEntries(lc.vars)
	return d
}

// finish fills the fields only FIN carries.
func (lc lineCall) finish(in *callSection, loc *time.Location) {
	start := lc.call.CreatedAt
	if lc.call.AnsweredAt != nil {
		start = *lc.call.AnsweredAt
	}
	end := start
	if lc.call.EndedAt != nil {
		end = *lc.call.EndedAt
	}
	secs := max(int(end.Sub(start)/time.Second), 0)
	in.CallSeconds = strconv.Itoa(secs)
	in.StartDate, in.EndDate = start.In(loc).Format(fechahoraForm), end.In(loc).Format(fechahoraForm)
	// The call's cost (its line's rate, core/line_billing.go) is CostTX
	// for an emitted call, CostRX for a received one.
	rx, tx := "0.000000", strconv.FormatFloat(lc.cost, 'f', 6, 64)
	if !lc.emitted() {
		rx, tx = tx, rx
	}
	in.CostRX, in.CostTX = json.RawMessage(rx), json.RawMessage(tx)
	in.CostRXText, in.CostTXText = rx, tx
}

func eventEntries(events []core.ScriptEvent, loc *time.Location) []eventEntry {
	out := make([]eventEntry, 0, len(events))
	for _, ev := range events {
		out = append(out, eventEntry{
			EventType: strconv.Itoa(int(ev.Kind)), EventDate: ev.At.In(loc).Format(fechahoraForm), EventName: ev.Name,
			EventAddInfo1: ev.Info[0], EventAddInfo2: ev.Info[1], EventAddInfo3: ev.Info[2],
			EventAddInfo4: ev.Info[3], EventAddInfo5: ev.Info[4],
		})
	}
	return out
}

// varEntries lists the user variables by name (a stable order).
func varEntries(vars map[string]string) []varEntry {
	names := make([]string, 0, len(vars))
	for k := range vars {
		if k != "" && k[0] != '_' {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := make([]varEntry, 0, len(names))
	for _, k := range names {
		out = append(out, varEntry{VarName: k, VarValue: vars[k]})
	}
	return out
}

// render encodes the document in the line's format.
func render(f format, d apiCallDoc) []byte {
	if f == formatXML {
		b, _ := xml.MarshalIndent(d, "", "  ")
		return append([]byte(xml.Header), append(b, '\n')...)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // values as they are: "&" rather than "\u0026"
	_ = enc.Encode(struct {
		ApiCall apiCallDoc `json:"ApiCall"`
	}{d})
	return buf.Bytes()
}

// lineFormat is the line's webhook format (JSON unless XML).
func lineFormat(l core.Line) format {
	if l.WebhookFormat == "XML" {
		return formatXML
	}
	return formatJSON
}
