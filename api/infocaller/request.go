package infocaller

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// callRequest is the decoded apiCALLjson / apiCALLxml body.
type callRequest struct {
	Line      string
	Signature string
	Phone     string
	RuleGroup string
	When      string
	WaitMax   string
	Retries   string
	Vars      []custVar
}

type custVar struct {
	Name  flexString `json:"VarName" xml:"VarName"`
	Value flexString `json:"VarValue" xml:"VarValue"`
}

// flexString takes a JSON string or number ("Reintentos": 2 as well as "2").
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		if string(b) == "null" {
			return nil
		}
		return err
	}
	*f = flexString(n.String())
	return nil
}

type jsonBody struct {
	CallRequest *struct {
		UserID struct {
			ID        flexString `json:"idinfocaller"`
			Signature flexString `json:"firma"`
		} `json:"UserID"`
		CallData struct {
			Phone     flexString `json:"numtelefono"`
			RuleGroup flexString `json:"gruporeglas"`
			When      flexString `json:"fechahora"`
			WaitMax   flexString `json:"EsperaMax"`
			Retries   flexString `json:"Reintentos"`
			CustVars  struct {
				CustVar []custVar `json:"CustVar"`
			} `json:"CustVars"`
		} `json:"callData"`
	} `json:"callRequest"`
}

var errFormat = errors.New("malformed request")

func decodeJSON(s string) (callRequest, error) {
	var b jsonBody
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&b); err != nil || b.CallRequest == nil {
		return callRequest{}, errFormat
	}
	if _, err := dec.Token(); err != io.EOF {
		return callRequest{}, errFormat // trailing data
	}
	r := b.CallRequest
	return callRequest{
		Line: string(r.UserID.ID), Signature: string(r.UserID.Signature),
		Phone: string(r.CallData.Phone), RuleGroup: string(r.CallData.RuleGroup),
		When: string(r.CallData.When), WaitMax: string(r.CallData.WaitMax), Retries: string(r.CallData.Retries),
		Vars: r.CallData.CustVars.CustVar,
	}, nil
}

type xmlBody struct {
	XMLName xml.Name
	UserID  struct {
		ID        string `xml:"idinfocaller"`
		Signature string `xml:"firma"`
	} `xml:"UserID"`
	CallData struct {
		Phone     string    `xml:"numtelefono"`
		RuleGroup string    `xml:"gruporeglas"`
		When      string    `xml:"fechahora"`
		WaitMax   string    `xml:"EsperaMax"`
		Retries   string    `xml:"Reintentos"`
		CustVars  []custVar `xml:"CustVars>CustVar"`
	} `xml:"callData"`
}

// decodeXML reads the CallRequest document; an ISO-8859-1 declaration
// (and the document's own "ISO-8559-1" typo) is honoured.
func decodeXML(s string) (callRequest, error) {
	var b xmlBody
	dec := xml.NewDecoder(bytes.NewReader([]byte(s)))
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(strings.TrimSpace(label)) {
		case "iso-8859-1", "iso-8559-1", "latin1", "iso8859-1":
			return charmap.ISO8859_1.NewDecoder().Reader(in), nil
		case "utf-8", "utf8":
			return in, nil
		}
		return nil, errFormat
	}
	if err := dec.Decode(&b); err != nil || !strings.EqualFold(b.XMLName.Local, "CallRequest") {
		return callRequest{}, errFormat
	}
	return callRequest{
		Line: strings.TrimSpace(b.UserID.ID), Signature: strings.TrimSpace(b.UserID.Signature),
		Phone: strings.TrimSpace(b.CallData.Phone), RuleGroup: strings.TrimSpace(b.CallData.RuleGroup),
		When: strings.TrimSpace(b.CallData.When), WaitMax: strings.TrimSpace(b.CallData.WaitMax),
		Retries: strings.TrimSpace(b.CallData.Retries), Vars: b.CallData.CustVars,
	}, nil
}
