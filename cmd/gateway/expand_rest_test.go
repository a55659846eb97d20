package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The demo gateway serves expandweb3 at /expandweb3/api with the document's
// user; an oversized body is answered in the dialect's JSON, not the
// generic 413 text.
func TestGatewayServesExpandRESTOnTheDemoData(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "cg.db"))
	call := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, g.httpBase+"/expandweb3/api/"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth("external_user", "1deD9=cf9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := call("GET", "campaign/external/campaigns/313/contacts/1698", "")
	if code != http.StatusOK || !strings.Contains(body, `"name":"Rodrigo","numcall":"27111200"`) {
		t.Fatalf("contact 1698: %d %s", code, body)
	}
	code, body = call("POST", "campaign/external/campaigns/313/contacts", `{"name":"`+strings.Repeat("x", 2<<20)+`","numcall":"1"}`)
	if code != http.StatusRequestEntityTooLarge || body != `{"errrorCode":"Request_entity_too_large"}` {
		t.Fatalf("oversized body: %d %.200s", code, body)
	}
}
