package infocaller

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"github.com/callgate/callgate/core"
)

// Interactive queries (API Interactiva): a script's query node posts the
// ApiCall document, with QueryName, in the variable apiInfocaller to the
// node's URL (else the line's interactive URL); the answer's
// Status.Result "0" merges its CustVars into the call's variables, any
// other answer takes the node's error branch. The core sends and times the
// request; this codec only writes and reads the wire.

// QueryCodec is the core.ScriptQueryCodec of Infocaller lines.
type QueryCodec struct {
	n *Notifier // reads the line and the call as the webhooks do
}

// NewQueryCodec makes the codec; install it with
// core.Engine.SetScriptQueryCodec.
func NewQueryCodec(eng NotifierEngine, opt Options) *QueryCodec {
	return &QueryCodec{n: NewNotifier(eng, opt)}
}

// QueryRequest renders the query of a line's call.
func (c *QueryCodec) QueryRequest(ctx context.Context, q core.ScriptQuery) (core.WebhookRequest, error) {
	number := core.CallAttributes(q.Call)["line"]
	if number == "" {
		return core.WebhookRequest{}, core.Errorf(core.EINVALID, "query %s: the call is not a line's", q.Name)
	}
	lc, err := c.n.lineCall(ctx, number, q.Call, q.Vars)
	if err != nil {
		return core.WebhookRequest{}, err
	}
	raw := strings.TrimSpace(q.URL)
	if raw == "" {
		raw = strings.TrimSpace(lc.line.InteractiveURL)
	}
	if raw == "" {
		return core.WebhookRequest{}, core.Errorf(core.EINVALID, "query %s: the line has no interactive URL", q.Name)
	}
	d := lc.document(c.n.opt.Location, false, nil)
	d.Infocaller.QueryName = q.Name
	doc := render(lineFormat(lc.line), d)
	return core.WebhookRequest{
		Topic: "infocaller.query", Origin: "infocaller", URL: expandURL(raw, lc, ""),
		ContentType: "application/x-www-form-urlencoded",
		Body:        []byte(url.Values{"apiInfocaller": {string(doc)}}.Encode()),
	}, nil
}

// QueryAnswer reads the receiver's answer.
func (c *QueryCodec) QueryAnswer(q core.ScriptQuery, resp core.WebhookResponse) (map[string]string, error) {
	if resp.Status < 200 || resp.Status > 299 {
		return nil, core.Errorf(core.EUNAVAILABLE, "query %s: HTTP status %d", q.Name, resp.Status)
	}
	return parseQueryAnswer(resp.Body)
}

const maxQueryAnswer = 64 << 10

var errAnswer = errors.New("query answer")

// parseQueryAnswer reads a JSON or XML answer (told apart by its first
// character): the variables when Status.Result is 0, else an error.
func parseQueryAnswer(b []byte) (map[string]string, error) {
	if len(b) > maxQueryAnswer {
		return nil, core.Errorf(core.EINVALID, "query answer over %d bytes", maxQueryAnswer)
	}
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	var a queryAnswer
	var err error
	if len(b) > 0 && b[0] == '<' {
		a, err = decodeAnswerXML(b)
	} else {
		a, err = decodeAnswerJSON(b)
	}
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "query answer is not an ApiCall document")
	}
	if strings.TrimSpace(a.Result) != "0" {
		return nil, core.Errorf(core.ECONFLICT, "query answered Result %q", truncateText(a.Result, 16))
	}
	return answerVars(a.Vars)
}

type queryAnswer struct {
	Result string
	Vars   []custVar
}

func decodeAnswerJSON(b []byte) (queryAnswer, error) {
	var body struct {
		ApiCall *struct {
			Status struct {
				Result *flexString `json:"Result"`
			} `json:"Status"`
			CustVars struct {
				CustVar []custVar `json:"CustVar"`
			} `json:"CustVars"`
		} `json:"ApiCall"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&body); err != nil || body.ApiCall == nil || body.ApiCall.Status.Result == nil {
		return queryAnswer{}, errAnswer
	}
	if _, err := dec.Token(); err != io.EOF {
		return queryAnswer{}, errAnswer
	}
	return queryAnswer{Result: string(*body.ApiCall.Status.Result), Vars: body.ApiCall.CustVars.CustVar}, nil
}

func decodeAnswerXML(b []byte) (queryAnswer, error) {
	var body struct {
		XMLName xml.Name
		Result  *string   `xml:"Status>Result"`
		Vars    []custVar `xml:"CustVars>CustVar"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(strings.TrimSpace(label)) {
		case "iso-8859-1", "iso-8559-1", "latin1", "iso8859-1":
			return charmap.ISO8859_1.NewDecoder().Reader(in), nil
		case "utf-8", "utf8":
			return in, nil
		}
		return nil, errAnswer
	}
	if err := dec.Decode(&body); err != nil || body.XMLName.Local != "ApiCall" || body.Result == nil {
		return queryAnswer{}, errAnswer
	}
	return queryAnswer{Result: *body.Result, Vars: body.Vars}, nil
}

// answerVars checks Appendix II: names A-Z/0-9 up to 15 (taken in upper
// case, as the emission API does), values printable ASCII or ISO-8859-1.
func answerVars(in []custVar) (map[string]string, error) {
	if len(in) > maxVars {
		return nil, core.Errorf(core.EINVALID, "query answer: more than %d variables", maxVars)
	}
	out := make(map[string]string, len(in))
	for _, v := range in {
		name := strings.TrimSpace(string(v.Name))
		if !varName.MatchString(name) || len(v.Value) > maxVarValue || !latin1Printable(string(v.Value)) {
			return nil, core.Errorf(core.EINVALID, "query answer: variable %q", truncateText(name, 16))
		}
		out[strings.ToUpper(name)] = string(v.Value)
	}
	return out, nil
}

// latin1Printable: every rune printable ASCII or ISO-8859-1 (no control).
func latin1Printable(s string) bool {
	for _, r := range s {
		if (r < 0x20 || r > 0x7e) && (r < 0xa0 || r > 0xff) {
			return false
		}
	}
	return true
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
