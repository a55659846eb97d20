package rest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// FuzzContactBody: any body either decodes to a contact with a name and a
// phone and an info that is a JSON object, or is refused; never a panic.
func FuzzContactBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"Rodrigo","numcall":"27111200","enable":true,"info":{"ci":"3123456-0"}}`,
		`{"name":"Rodrigo","numcall":27111200,"enable":"true","info":"{\"ci\":\"1\"}"}`,
		`{"name":"","numcall":"1"}`, `{"name":"a","numcall":null}`, `{"name":"a","numcall":"1","info":[]}`,
		`{`, `[]`, `null`, `{"name":"a","numcall":"1"} trailing`, "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		d, err := decodeContact(strings.NewReader(body))
		if err != nil {
			return
		}
		if d.name == "" || d.phone == "" {
			t.Fatalf("accepted %q without name or phone", body)
		}
		if d.info != "" {
			var obj map[string]any
			if json.Unmarshal([]byte(d.info), &obj) != nil || obj == nil {
				t.Fatalf("info %q is not an object", d.info)
			}
		}
	})
}

// FuzzListQuery: any query string is answered 200 or 400 by the list
// parser, never a panic.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"start=1&limit=2", "state=Pending&order=desc&order_by=name", `saddtimestamp="2019-02-01"`, "start=%zz", "like=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := parseQuery(raw)
		if err != nil {
			return
		}
		q, err := contactQuery(v, true)
		if err == nil && (q.Start < 0 || q.Limit < 0) {
			t.Fatalf("negative paging from %q", raw)
		}
	})
}

func parseQuery(raw string) (url.Values, error) { return url.ParseQuery(raw) }

// FuzzOutgoingBody: a pending-call body decodes to a due time or is
// refused (the core checks queue, agent and phones); never a panic.
func FuzzOutgoingBody(f *testing.F) {
	f.Add(addBody)
	for _, s := range []string{`{"queue":"q","phone":"1","calldate":"2016-11-10T15:00:00Z"}`, `{"phone":[1,2]}`, `{"link":"x"}`, `[`, `{"expiration":"a"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, err := decodeOutgoing([]byte(body))
		if err != nil {
			return
		}
		if req.When.IsZero() {
			t.Fatalf("accepted %q without a date", body)
		}
	})
}
