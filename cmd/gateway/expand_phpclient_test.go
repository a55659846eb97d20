package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// PHP's SoapClient, the legacy eXpand clients' own library, calls the
// demo gateway through its WSDL (positional __soapCall and method calls)
// and without one (named SoapParam arguments): every answer decodes to
// what the document promises, faults included. scripts/services.sh
// installs php-cli and php-soap.
func TestPHPSoapClientCallsTheExpandAPI(t *testing.T) {
	php, err := exec.LookPath("php")
	if err != nil || exec.Command(php, "-r", "exit(class_exists('SoapClient') ? 0 : 1);").Run() != nil {
		t.Skip("php with ext/soap is not installed (scripts/services.sh installs php-cli and php-soap)")
	}
	g := startGateway(t, filepath.Join(t.TempDir(), "cg.db"))
	out, err := exec.Command(php, "testdata/soapclient.php", g.httpBase).CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{
		`soapCall getUserInfo => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<userInfo>\n<user nombre=\"Natalia Garcia\" email=\"ngarcia@garcia.com.uy\" perfil=\"operador_tecnico\" supervisor=\"0\" agente=\"1\" nroAgente=\"118\"/>\n</userInfo>\n"`,
		`method getUserByAgent => "ngarcia"`,
		`method loginAgent => true`,
		`method getAgentLoggedInfo => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<agentAgent>\n<user nombre=\"Natalia Garcia\" email=\"ngarcia@garcia.com.uy\" logueado=\"1\" agente=\"ngarcia\" nroAgente=\"118\" extension=\"101\"/>\n</agentAgent>\n"`,
		`method pauseAgent => true`,
		`method unpauseAgent => true`,
		`method logoutAgent => true`,
		`~method originateCall => "[0-9a-f]{8}"`,
		`method sendSms => "1"`,
		`method statusSms => "SENT"`,
		`method getAgentTimes => "-4"`,
		`method wrongKey => "-1"`,
		`named getUserInfo => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<userInfo>\n<user nombre=\"Administrador\" email=\"admin@expand.com.uy\" perfil=\"administrador\" supervisor=\"1\" agente=\"1\" nroAgente=\"12345\"/>\n</userInfo>\n"`,
		`named missingParameter FAULT SOAP-ENV:Client missing parameter 'username' of operation 'getUserInfo'`,
		`named unknownOperation FAULT SOAP-ENV:Client Operation 'nope' is not defined in the WSDL for this service`,
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i, w := range want {
		if pat, ok := strings.CutPrefix(w, "~"); ok {
			if !regexp.MustCompile("^" + pat + "$").MatchString(got[i]) {
				t.Errorf("line %d:\n got %s\nwant /%s/", i+1, got[i], pat)
			}
		} else if got[i] != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got[i], w)
		}
	}
}
