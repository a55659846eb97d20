package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The demo gateway serves eXpand's apiws.php at both legacy paths: the
// WSDL, and the document's example key and users through the engine; an
// oversized body is a SOAP fault, not the generic 413.
func TestGatewayServesExpandSOAPOnTheDemoData(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "cg.db"))
	for _, path := range []string{"/apiws/2/apiws.php", "/apiws/1/apiws.php"} {
		code, body := g.get(t, path+"?wsdl", false)
		if code != http.StatusOK || !strings.Contains(string(body), `<soap:address location="`+g.httpBase+path+`"`) {
			t.Fatalf("%s?wsdl: %d %.300s", path, code, body)
		}
	}
	env := `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws"><SOAP-ENV:Body><ns1:getUserInfo><authorizedKey>319a67432f51ed53938542b809320dd2</authorizedKey><username>ngarcia</username></ns1:getUserInfo></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	code, body := g.do(t, http.MethodPost, "/apiws/2/apiws.php", env, false)
	if code != http.StatusOK || !strings.Contains(string(body), `nombre=&quot;Natalia Garcia&quot;`) {
		t.Fatalf("getUserInfo: %d %s", code, body)
	}
	code, body = g.do(t, http.MethodPost, "/apiws/2/apiws.php", strings.Repeat("x", 2<<20), false)
	if code != http.StatusInternalServerError || !strings.Contains(string(body), "SOAP-ENV:Client") {
		t.Fatalf("oversized body: %d %.300s", code, body)
	}
}

// A key made with the admin API is shown once and opens the SOAP API at
// once; the store holds only its hash, and a second key of the same value
// is refused.
func TestAdminAPIKeyOpensTheExpandSOAPAPI(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "cg.db"))
	code, body := g.do(t, http.MethodPost, "/api/v1/apikeys", `{"dialect":"expand","description":"ERP"}`, true)
	var created struct {
		Key  string `json:"key"`
		User struct {
			Username    string `json:"username"`
			Description string `json:"description"`
		} `json:"api_user"`
	}
	if code != http.StatusCreated || json.Unmarshal(body, &created) != nil || len(created.Key) != 32 ||
		created.User.Username == created.Key || created.User.Description != "ERP" || strings.Contains(string(body), "secret") {
		t.Fatalf("new key: %d %s", code, body)
	}
	env := `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws"><SOAP-ENV:Body><ns1:getUserInfo><authorizedKey>` +
		created.Key + `</authorizedKey><username>ngarcia</username></ns1:getUserInfo></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	code, body = g.do(t, http.MethodPost, "/apiws/2/apiws.php", env, false)
	if code != http.StatusOK || !strings.Contains(string(body), `Natalia Garcia`) {
		t.Fatalf("getUserInfo with the new key: %d %s", code, body)
	}
	code, body = g.do(t, http.MethodPost, "/api/v1/apikeys", `{"dialect":"expand","key":"`+created.Key+`"}`, true)
	if code != http.StatusConflict || strings.Contains(string(body), created.Key) {
		t.Fatalf("same key again: %d %s", code, body)
	}
}
