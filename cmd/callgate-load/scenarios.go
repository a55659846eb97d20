package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// scenario builds the n-th request of a run and judges its answer.
type scenario struct {
	about string
	build func(base *url.URL, n uint64, token string) (*http.Request, error)
	// ok judges a 200 answer's body (nil: any 200 is a success).
	ok func(body []byte) bool
}

const vicidialAuth = "source=load&user=6666&pass=1234"

// soapGetUserInfo is the eXpand manual's getUserInfo with the demo key.
const soapGetUserInfo = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws"><SOAP-ENV:Body><ns1:getUserInfo><authorizedKey>319a67432f51ed53938542b809320dd2</authorizedKey><username>ngarcia</username></ns1:getUserInfo></SOAP-ENV:Body></SOAP-ENV:Envelope>`

// infocallerSignature is md5(line + password) of the demo line.
var infocallerSignature = func() string {
	sum := md5.Sum([]byte("123456789" + "3956"))
	return hex.EncodeToString(sum[:])
}()

// vicidial is an agent API function on the demo's agent 1000.
func vicidial(about, query string, alternate ...string) scenario {
	var flip atomic.Uint64
	return scenario{
		about: about,
		build: func(base *url.URL, n uint64, _ string) (*http.Request, error) {
			q := query
			if len(alternate) > 0 && flip.Add(1)%2 == 0 {
				q = alternate[0]
			}
			return http.NewRequest(http.MethodGet, base.JoinPath("/agc/api.php").String()+"?"+vicidialAuth+"&"+q, nil)
		},
		ok: func(b []byte) bool { return !bytes.HasPrefix(b, []byte("ERROR")) },
	}
}

// nonAgent is a non-agent API function with the demo's API user 6666.
func nonAgent(about string, query func(n uint64) string) scenario {
	return scenario{
		about: about,
		build: func(base *url.URL, n uint64, _ string) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base.JoinPath("/vicidial/non_agent_api.php").String()+"?"+vicidialAuth+"&"+query(n), nil)
		},
		ok: func(b []byte) bool { return !bytes.HasPrefix(b, []byte("ERROR")) },
	}
}

var scenarios = map[string]scenario{
	"vicidial/version": vicidial("VICIdial agent API version (no state)", "function=version"),
	"vicidial/external_pause": vicidial("pause then resume agent 1000 (a logged-in agent is needed)",
		"agent_user=1000&function=external_pause&value=PAUSE", "agent_user=1000&function=external_pause&value=RESUME"),
	"vicidial/external_status": vicidial("set a status for agent 1000's call (errors without one)",
		"agent_user=1000&function=external_status&value=A"),
	"vicidial/nonagent_version": nonAgent("VICIdial non-agent API version", func(uint64) string { return "function=version" }),
	"vicidial/nonagent_add_lead": nonAgent("non-agent add_lead: a new lead in list 101 each request (stored, dialable by TESTCAMP)",
		func(n uint64) string {
			return fmt.Sprintf("function=add_lead&list_id=101&phone_number=7%09d&first_name=Load&last_name=Test&source=load", n%1000000000)
		}),
	"vicidial/nonagent_agent_status": nonAgent("non-agent agent_status of agent 1000 (live state, errors when logged out)",
		func(uint64) string { return "function=agent_status&agent_user=1000&stage=csv&header=NO" }),
	"vicidial/nonagent_lead_search": nonAgent("non-agent lead_search by phone number (store read; demo lead Bob Smith)",
		func(uint64) string { return "function=lead_search&phone_number=7275551212" }),
	"admin/agents": {
		about: "native API: list agents (JSON read)",
		build: func(base *url.URL, _ uint64, token string) (*http.Request, error) {
			return bearer(http.NewRequest(http.MethodGet, base.JoinPath("/api/v1/agents").String(), nil))(token)
		},
	},
	"sim/inbound": {
		about: "call setups: an inbound call on the simulated PBX to queue 8000 (demo mode)",
		build: func(base *url.URL, _ uint64, token string) (*http.Request, error) {
			body := strings.NewReader(`{"caller_id":"5551234","did":"5558000"}`)
			req, err := http.NewRequest(http.MethodPost, base.JoinPath("/api/v1/sim/inbound").String(), body)
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return bearer(req, err)(token)
		},
	},
	"expand/soap_getUserInfo": {
		about: "eXpand SOAP apiws.php getUserInfo of the demo's ngarcia (XML in and out, key check)",
		build: func(base *url.URL, _ uint64, _ string) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, base.JoinPath("/apiws/2/apiws.php").String(), strings.NewReader(soapGetUserInfo))
			if err == nil {
				req.Header.Set("Content-Type", "text/xml; charset=utf-8")
				req.Header.Set("SOAPAction", "urn:apiws#getUserInfo")
			}
			return req, err
		},
		ok: func(b []byte) bool { return !bytes.Contains(b, []byte("Fault")) },
	},
	"expand/rest_campaigns": {
		about: "eXpand REST expandweb3: list external campaigns (HTTP Basic, JSON)",
		build: func(base *url.URL, _ uint64, _ string) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, base.JoinPath("/expandweb3/api/campaign/external/campaigns").String()+"/", nil)
			if err == nil {
				req.SetBasicAuth("external_user", "1deD9=cf9")
			}
			return req, err
		},
	},
	"ucontact/queuesummary": {
		about: "uContact Integra Supervisor/queuesummary (HTTP Basic, live campaign figures)",
		build: func(base *url.URL, _ uint64, _ string) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, base.JoinPath("/Integra/resources/Supervisor/queuesummary").String(), nil)
			if err == nil {
				req.SetBasicAuth("integra", "integra-demo")
			}
			return req, err
		},
	},
	"infocaller/emission": {
		about: "Infocaller apicall: emit a call on the demo line (script EMISION on the simulator; over the line's capacity it is refused)",
		build: func(base *url.URL, n uint64, _ string) (*http.Request, error) {
			doc := `{"callRequest":{"UserID":{"idinfocaller":"123456789","firma":"` + infocallerSignature +
				`"},"callData":{"numtelefono":"6` + fmt.Sprintf("%08d", n%100000000) + `","gruporeglas":"EMISION"}}}`
			body := url.Values{"apiCALLjson": {doc}}.Encode()
			req, err := http.NewRequest(http.MethodPost, base.JoinPath("/apicall/").String(), strings.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return req, err
		},
		ok: func(b []byte) bool { return bytes.Contains(b, []byte(`"Resultado":"0"`)) },
	},
	"health": {
		about: "/healthz: the server's own cost, to compare a dialect with",
		build: func(base *url.URL, _ uint64, _ string) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base.JoinPath("/healthz").String(), nil)
		},
	},
}

func bearer(req *http.Request, err error) func(string) (*http.Request, error) {
	return func(token string) (*http.Request, error) {
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return req, nil
	}
}

// drain reads a body up to limit, so connections are reused.
func drain(r io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, 1<<20))
	return b
}
