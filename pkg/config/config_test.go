package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "callgate.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNoConfigStartsInDemoMode(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || !c.Seed {
		t.Fatalf("demo=%v seed=%v, want both true", c.Demo, c.Seed)
	}
	want := map[string]string{
		"http":      "127.0.0.1:8080",
		"eccp":      "127.0.0.1:20005",
		"dsn":       DemoDSN,
		"token":     DemoAdminToken,
		"telephony": "sim",
		"bus":       "memory",
		"log":       "info",
	}
	got := map[string]string{
		"http": c.HTTPAddr, "eccp": c.ECCPAddr, "dsn": c.DBDSN, "token": c.AdminToken,
		"telephony": c.Telephony, "bus": c.Bus, "log": c.LogLevel,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if c.ShutdownTimeout != 15*time.Second {
		t.Errorf("shutdown timeout %v", c.ShutdownTimeout)
	}
}

func TestDemoFlagKeepsOverrides(t *testing.T) {
	c, err := Load("", env(map[string]string{
		"CALLGATE_DEMO":      "1",
		"CALLGATE_HTTP_ADDR": "127.0.0.1:0",
		"CALLGATE_DB_DSN":    "sqlite:///tmp/x.db",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || c.HTTPAddr != "127.0.0.1:0" || c.DBDSN != "sqlite:///tmp/x.db" || c.AdminToken != DemoAdminToken {
		t.Fatalf("unexpected %+v", c)
	}
}

func TestStorageOrTelephonyVariableEndsDemoAndErrorNamesCALLGATE_DEMO(t *testing.T) {
	for _, v := range []string{"CALLGATE_DB_DSN", "CALLGATE_TELEPHONY", "CALLGATE_ARI_PASSWORD", "CALLGATE_ARI_URL", "CALLGATE_BUS", "CALLGATE_NATS_URL"} {
		t.Run(v, func(t *testing.T) {
			val := map[string]string{"CALLGATE_DB_DSN": "sqlite:///tmp/x.db", "CALLGATE_TELEPHONY": "ari",
				"CALLGATE_ARI_PASSWORD": "pw", "CALLGATE_ARI_URL": "http://pbx:8088/ari", "CALLGATE_BUS": "memory",
				"CALLGATE_NATS_URL": "nats://127.0.0.1:4222"}[v]
			_, err := Load("", env(map[string]string{v: val}))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want a config error outside demo mode, got %v", err)
			}
			if v != "CALLGATE_DB_DSN" && ce.Key != "db.dsn" {
				t.Fatalf("want db.dsn required, got %v", err)
			}
			if ce.Key == "db.dsn" || ce.Key == "admin.token" {
				if !strings.Contains(err.Error(), "CALLGATE_DEMO=1") {
					t.Fatalf("error does not name CALLGATE_DEMO=1: %v", err)
				}
			}
		})
	}
}

// Tuning a demo (address, log level, node, admin token) keeps it a demo.
func TestOtherVariablesKeepDemoMode(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		http string
		eccp string
	}{
		{"http addr", map[string]string{"CALLGATE_HTTP_ADDR": "0.0.0.0:9090"}, "0.0.0.0:9090", DemoECCPAddr},
		{"eccp addr", map[string]string{"CALLGATE_ECCP_ADDR": ":20006"}, DemoHTTPAddr, ":20006"},
		{"log level", map[string]string{"CALLGATE_LOG_LEVEL": "debug"}, DemoHTTPAddr, DemoECCPAddr},
		{"node id", map[string]string{"CALLGATE_NODE_ID": "n1"}, DemoHTTPAddr, DemoECCPAddr},
		{"seed", map[string]string{"CALLGATE_SEED": "1"}, DemoHTTPAddr, DemoECCPAddr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("", env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if !c.Demo || c.Telephony != "sim" || c.DBDSN != DemoDSN {
				t.Fatalf("demo=%v telephony=%s dsn=%s, want the demo", c.Demo, c.Telephony, c.DBDSN)
			}
			if c.HTTPAddr != tc.http || c.ECCPAddr != tc.eccp {
				t.Fatalf("http=%s eccp=%s, want %s %s", c.HTTPAddr, c.ECCPAddr, tc.http, tc.eccp)
			}
		})
	}
}

func TestExplicitDemoOffIsProduction(t *testing.T) {
	_, err := Load("", env(map[string]string{"CALLGATE_DEMO": "0"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Key != "db.dsn" || !strings.Contains(err.Error(), "CALLGATE_DEMO=1") {
		t.Fatalf("want db.dsn required naming CALLGATE_DEMO=1, got %v", err)
	}
}

// Outside demo mode the default listen addresses stay all-interfaces (a
// server is meant to be reached); only the demo is loopback.
func TestProductionKeepsConfiguredAddresses(t *testing.T) {
	c, err := Load(writeFile(t, "db:\n  dsn: x.db\nadmin:\n  token: 9f3c2a7e5b1d4c6a8e0f\ntelephony:\n  mode: sim\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.ECCPAddr != ":20005" {
		t.Fatalf("http=%s eccp=%s", c.HTTPAddr, c.ECCPAddr)
	}
}

func TestAdminTokenRulesOutsideDemoMode(t *testing.T) {
	cases := []struct {
		name  string
		token string
		ok    bool
	}{
		{"long random", "9f3c2a7e5b1d4c6a8e0f", true},
		{"exactly 16", "9f3c2a7e5b1d4c6a", true},
		{"15 characters", "9f3c2a7e5b1d4c6", false},
		{"example placeholder", ExampleAdminToken, false},
		{"example placeholder other case", strings.ToUpper(ExampleAdminToken), false},
		{"demo token", DemoAdminToken, false},
		{"change-me variant", "change-me-please-0123456789", false},
		{"changeme variant", "xxCHANGEME_token_0123", false},
		{"change_me variant", "change_me_long_enough_token", false},
		{"replace me", "replace-me-with-a-real-token", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "db:\n  dsn: x.db\ntelephony:\n  mode: sim\n")
			_, err := Load(p, env(map[string]string{"CALLGATE_ADMIN_TOKEN": tc.token}))
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Key != "admin.token" {
				t.Fatalf("want admin.token error, got %v", err)
			}
			if strings.Contains(err.Error(), tc.token) {
				t.Fatalf("the error echoes the token: %v", err)
			}
		})
	}
}

func TestDemoModeAcceptsTheDemoToken(t *testing.T) {
	c, err := Load("", env(map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_ADMIN_TOKEN": DemoAdminToken}))
	if err != nil || c.AdminToken != DemoAdminToken {
		t.Fatalf("%v %q", err, c.AdminToken)
	}
}

func TestARIConfSampleMatchesTheShippedFile(t *testing.T) {
	b, err := os.ReadFile("../../deploy/asterisk/ari.conf")
	if err != nil {
		t.Fatal(err)
	}
	pw, ok := ARIConfPassword(b, "callgate")
	if !ok || pw != SampleARIPassword {
		t.Fatalf("deploy/asterisk/ari.conf [callgate] password = %q %v, want SampleARIPassword", pw, ok)
	}
}

func TestCheckWarnsAboutTheARIPassword(t *testing.T) {
	conf := []byte("[general]\nenabled = yes\n[callgate]\ntype = user\npassword = s3cret-ari ; comment\npassword_format = plain\n")
	cases := []struct {
		name     string
		password string
		conf     []byte
		want     string // substring of the one warning, "" for none
	}{
		{"matches ari.conf", "s3cret-ari", conf, ""},
		{"differs from ari.conf", "other", conf, "does not match"},
		{"sample password", SampleARIPassword, nil, "sample password"},
		{"ari.conf unreadable", "s3cret-ari", nil, "not compared"},
		{"crypted password in ari.conf", "s3cret-ari", []byte("[callgate]\npassword = $6$x\npassword_format = crypt\n"), "no [callgate] user"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "db:\n  dsn: x.db\nadmin:\n  token: 9f3c2a7e5b1d4c6a8e0f\n")
			c, err := Load(p, env(map[string]string{"CALLGATE_ARI_PASSWORD": tc.password}))
			if err != nil {
				t.Fatal(err)
			}
			w := c.Warnings("/etc/asterisk/ari.conf", tc.conf)
			if tc.want == "" {
				if len(w) != 0 {
					t.Fatalf("unexpected warnings %q", w)
				}
				return
			}
			if len(w) != 1 || !strings.Contains(w[0], tc.want) {
				t.Fatalf("warnings %q, want one with %q", w, tc.want)
			}
			for _, line := range w {
				if tc.password != SampleARIPassword && strings.Contains(line, tc.password) {
					t.Fatalf("warning echoes the password: %q", line)
				}
			}
		})
	}
}

func TestYAMLFileWithEnvironmentOverrides(t *testing.T) {
	p := writeFile(t, `
node_id: ast1
http:
  addr: ":9000"
  read_timeout: 5s
eccp:
  addr: ""
  allow_from: [127.0.0.1, 10.0.0.0/8]
  max_conns: 500
  max_conns_per_source: 0
  login_timeout: 10s
db:
  dsn: "root@tcp(127.0.0.1:3306)/callgate"
admin:
  token: "0123456789abcdef0123"
telephony:
  mode: ari
ari:
  url: http://pbx:8088/ari
  password: secret
log:
  format: json
`)
	c, err := Load(p, env(map[string]string{
		"CALLGATE_HTTP_ADDR":                 "127.0.0.1:8181",
		"CALLGATE_ARI_PASSWORD":              "other",
		"CALLGATE_LOG_LEVEL":                 "DEBUG",
		"CALLGATE_ECCP_MAX_CONNS_PER_SOURCE": "8",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo || c.Seed {
		t.Fatal("a config file must not imply demo mode")
	}
	checks := []struct{ name, got, want string }{
		{"node", c.NodeID, "ast1"},
		{"http (env wins)", c.HTTPAddr, "127.0.0.1:8181"},
		{"eccp disabled", c.ECCPAddr, ""},
		{"ari password (env wins)", c.ARIPassword, "other"},
		{"ari url", c.ARIURL, "http://pbx:8088/ari"},
		{"ari app default", c.ARIApp, "callgate"},
		{"log level", c.LogLevel, "debug"},
		{"log format", c.LogFormat, "json"},
		{"telephony", c.Telephony, "ari"},
		{"allow", strings.Join(c.ECCPAllowFrom, ","), "127.0.0.1,10.0.0.0/8"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %q want %q", ck.name, ck.got, ck.want)
		}
	}
	if c.HTTPReadTimeout != 5*time.Second {
		t.Errorf("read timeout %v", c.HTTPReadTimeout)
	}
	if c.ECCPMaxConns != 500 || c.ECCPMaxConnsPerSource != 8 || c.ECCPLoginTimeout != 10*time.Second {
		t.Errorf("eccp limits %d %d %v", c.ECCPMaxConns, c.ECCPMaxConnsPerSource, c.ECCPLoginTimeout)
	}
}

func TestInvalidValuesNameTheKey(t *testing.T) {
	base := map[string]string{"CALLGATE_DEMO": "1"}
	cases := []struct {
		name    string
		env     map[string]string
		yaml    string
		wantKey string
		wantEnv string
	}{
		{name: "bad http addr", env: map[string]string{"CALLGATE_HTTP_ADDR": "8080"}, wantKey: "http.addr", wantEnv: "CALLGATE_HTTP_ADDR"},
		{name: "bad port", env: map[string]string{"CALLGATE_ECCP_ADDR": ":99999"}, wantKey: "eccp.addr", wantEnv: "CALLGATE_ECCP_ADDR"},
		{name: "bad duration", env: map[string]string{"CALLGATE_SHUTDOWN_TIMEOUT": "soon"}, wantKey: "shutdown_timeout", wantEnv: "CALLGATE_SHUTDOWN_TIMEOUT"},
		{name: "bad telephony", env: map[string]string{"CALLGATE_TELEPHONY": "sip"}, wantKey: "telephony.mode", wantEnv: "CALLGATE_TELEPHONY"},
		{name: "bad bool", env: map[string]string{"CALLGATE_DEMO": "maybe"}, wantKey: "demo", wantEnv: "CALLGATE_DEMO"},
		{name: "bad ari url", env: map[string]string{"CALLGATE_ARI_URL": "pbx:8088"}, wantKey: "ari.url", wantEnv: "CALLGATE_ARI_URL"},
		{name: "bad bus", env: map[string]string{"CALLGATE_BUS": "kafka"}, wantKey: "bus.kind", wantEnv: "CALLGATE_BUS"},
		{name: "bad body size", env: map[string]string{"CALLGATE_HTTP_MAX_BODY": "lots"}, wantKey: "http.max_body", wantEnv: "CALLGATE_HTTP_MAX_BODY"},
		{name: "zero body size", env: map[string]string{"CALLGATE_HTTP_MAX_BODY": "0"}, wantKey: "http.max_body", wantEnv: "CALLGATE_HTTP_MAX_BODY"},
		{name: "negative header size", env: map[string]string{"CALLGATE_HTTP_MAX_HEADER_BYTES": "-1"}, wantKey: "http.max_header_bytes", wantEnv: "CALLGATE_HTTP_MAX_HEADER_BYTES"},
		{name: "bad drain", env: map[string]string{"CALLGATE_SHUTDOWN_DRAIN": "a while"}, wantKey: "shutdown_drain", wantEnv: "CALLGATE_SHUTDOWN_DRAIN"},
		{name: "bad cidr", env: map[string]string{"CALLGATE_ECCP_ALLOW_FROM": "10.0.0.0/99"}, wantKey: "eccp.allow_from", wantEnv: "CALLGATE_ECCP_ALLOW_FROM"},
		{name: "negative connection cap", env: map[string]string{"CALLGATE_ECCP_MAX_CONNS": "-1"}, wantKey: "eccp.max_conns", wantEnv: "CALLGATE_ECCP_MAX_CONNS"},
		{name: "bad per-source cap", env: map[string]string{"CALLGATE_ECCP_MAX_CONNS_PER_SOURCE": "lots"}, wantKey: "eccp.max_conns_per_source", wantEnv: "CALLGATE_ECCP_MAX_CONNS_PER_SOURCE"},
		{name: "bad login timeout", env: map[string]string{"CALLGATE_ECCP_LOGIN_TIMEOUT": "-5s"}, wantKey: "eccp.login_timeout", wantEnv: "CALLGATE_ECCP_LOGIN_TIMEOUT"},
		{name: "front without a cluster", env: map[string]string{"CALLGATE_CLUSTER_ROLE": "front"}, wantKey: "cluster.role", wantEnv: "CALLGATE_CLUSTER_ROLE"},
		{name: "unknown cluster role", env: map[string]string{"CALLGATE_CLUSTER_ROLE": "observer"}, wantKey: "cluster.role", wantEnv: "CALLGATE_CLUSTER_ROLE"},
		{name: "pprof off loopback", env: map[string]string{"CALLGATE_PPROF_ADDR": "0.0.0.0:6060"}, wantKey: "debug.pprof_addr", wantEnv: "CALLGATE_PPROF_ADDR"},
		{name: "yaml unknown key", yaml: "htp:\n  addr: :80\n", wantKey: "htp.addr"},
		{name: "yaml bad level", yaml: "log:\n  level: loud\n", wantKey: "log.level", wantEnv: "CALLGATE_LOG_LEVEL"},
		{name: "short token in production", yaml: "db:\n  dsn: x.db\nadmin:\n  token: short\ntelephony:\n  mode: sim\n", wantKey: "admin.token", wantEnv: "CALLGATE_ADMIN_TOKEN"},
		{name: "ari without password", yaml: "db:\n  dsn: x.db\nadmin:\n  token: 0123456789abcdef\n", wantKey: "ari.password", wantEnv: "CALLGATE_ARI_PASSWORD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{}
			path := ""
			if tc.yaml != "" {
				path = writeFile(t, tc.yaml)
			} else {
				for k, v := range base {
					e[k] = v
				}
			}
			for k, v := range tc.env {
				e[k] = v
			}
			_, err := Load(path, env(e))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *Error, got %v", err)
			}
			if ce.Key != tc.wantKey || ce.Env != tc.wantEnv {
				t.Fatalf("key=%q env=%q, want %q %q (%v)", ce.Key, ce.Env, tc.wantKey, tc.wantEnv, err)
			}
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Fatalf("message %q does not name the key", err)
			}
		})
	}
}

func TestHTTPLimitsAndDrainDefaults(t *testing.T) {
	demo, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := Load(writeFile(t, "db:\n  dsn: x.db\nadmin:\n  token: 0123456789abcdef\ntelephony:\n  mode: sim\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{demo, prod} {
		if c.HTTPMaxBody != 1<<20 || c.HTTPMaxHeaderBytes != 64<<10 || c.HTTPReadHeaderTimeout != 10*time.Second {
			t.Errorf("demo=%v: max_body %d, max_header_bytes %d, read_header_timeout %v", c.Demo, c.HTTPMaxBody, c.HTTPMaxHeaderBytes, c.HTTPReadHeaderTimeout)
		}
	}
	if demo.ShutdownDrain != 0 {
		t.Errorf("demo drain %v, want 0", demo.ShutdownDrain)
	}
	if prod.ShutdownDrain != 5*time.Second {
		t.Errorf("production drain %v, want 5s", prod.ShutdownDrain)
	}
	kept, err := Load("", env(map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_SHUTDOWN_DRAIN": "2s"}))
	if err != nil || kept.ShutdownDrain != 2*time.Second {
		t.Fatalf("demo with an explicit drain: %v %v", kept.ShutdownDrain, err)
	}
}

func TestSizesAcceptUnits(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20}, {"64KiB", 64 << 10}, {"64kb", 64 << 10}, {"2M", 2 << 20}, {" 1 MiB ", 1 << 20}, {"512B", 512}, {"1GiB", 1 << 30},
	}
	for _, tc := range cases {
		c, err := Load("", env(map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_HTTP_MAX_BODY": tc.in}))
		if err != nil || c.HTTPMaxBody != tc.want {
			t.Errorf("%q: %d %v, want %d", tc.in, c.HTTPMaxBody, err, tc.want)
		}
	}
	for _, bad := range []string{"1.5MiB", "MiB", "1TiB", "9999999999999999999", "2GiB"} {
		if _, err := Load("", env(map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_HTTP_MAX_HEADER_BYTES": bad})); err == nil {
			t.Errorf("max_header_bytes %q accepted", bad)
		}
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	_, err := Load("", env(map[string]string{"CALLGATE_ARI_URL": "http//user:hunter2@pbx"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error must not echo the value: %v", err)
	}
}

func TestInvalidYAMLFails(t *testing.T) {
	_, err := Load(writeFile(t, "http: [unclosed"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "invalid YAML") {
		t.Fatalf("got %v", err)
	}
}

func TestMissingFileFails(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("got %v", err)
	}
}

func TestEveryKeyHasAnEnvironmentVariable(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Keys() {
		if !strings.HasPrefix(k.Env, "CALLGATE_") || k.Doc == "" {
			t.Errorf("key %s: env %q doc %q", k.Name, k.Env, k.Doc)
		}
		if seen[k.Env] {
			t.Errorf("duplicate env %s", k.Env)
		}
		seen[k.Env] = true
	}
}

// The shipped example documents every key, and must stay loadable.
func TestExampleConfigIsValidAndComplete(t *testing.T) {
	const path = "../../deploy/callgate.example.yaml"
	// As shipped, the placeholder token must stop the gateway...
	if _, err := Load(path, env(nil)); err == nil || !strings.Contains(err.Error(), "admin.token") {
		t.Fatalf("the example's placeholder token must be refused, got %v", err)
	}
	// ...and with a real one it loads.
	c, err := Load(path, env(map[string]string{"CALLGATE_ADMIN_TOKEN": "9f3c2a7e5b1d4c6a8e0f"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ARIPassword != SampleARIPassword {
		t.Errorf("example ari.password must match deploy/asterisk/ari.conf's sample")
	}
	if c.Demo || c.Telephony != "ari" || c.NodeID != "asterisk1" {
		t.Fatalf("unexpected %+v", c)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		if !strings.Contains(string(b), k.Env) {
			t.Errorf("example lacks %s (%s)", k.Name, k.Env)
		}
	}
}

// The README's configuration table is the operators' reference.
func TestREADMEDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		if !strings.Contains(string(b), "`"+k.Name+"` | `"+k.Env+"`") {
			t.Errorf("README lacks the row of %s (%s)", k.Name, k.Env)
		}
	}
}
