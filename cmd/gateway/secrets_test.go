package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/config"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/secret"
	"github.com/callgate/callgate/pkg/store"
)

// The demo gateway creates its key next to the database, both owner-only,
// logs in with the published credentials, and leaves no secret readable:
// every secret column holds a hash or a sealed value.
func TestDemoGatewayStoresNoSecretReadable(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "callgate.db")
	g := startGateway(t, db)

	if _, body := g.get(t, "/agc/api.php?source=test&user=6666&pass=1234&function=external_pause&value=PAUSE&agent_user=1000", false); strings.Contains(string(body), "Invalid Username/Password") {
		t.Fatalf("VICIdial demo credentials refused: %s", body)
	}
	c, err := net.DialTimeout("tcp", g.eccpAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, `<?xml version="1.0"?><request id="1"><login><username>agentconsole</username><password>agentconsole</password></login></request>`+"\n")
	rd := bufio.NewReader(c)
	var line string
	for !strings.Contains(line, "</response>") {
		more, err := rd.ReadString('>')
		line += more
		if err != nil {
			break
		}
	}
	if !strings.Contains(line, "<success/>") {
		t.Fatalf("ECCP demo credentials refused: %s", line)
	}
	if err := g.stop(); err != nil {
		t.Fatal(err)
	}

	for _, p := range []string{db, filepath.Join(dir, "callgate.key")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	st, err := store.Open(context.Background(), "sqlite://"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := secret.New(nil, secret.Params{})
	var agents []core.Agent
	var users []core.APIUser
	if err := st.Find(context.Background(), &agents, core.All); err != nil {
		t.Fatal(err)
	}
	if err := st.Find(context.Background(), &users, core.All); err != nil {
		t.Fatal(err)
	}
	n := 0
	check := func(what, v string, ok func(string) bool) {
		if v == "" {
			return
		}
		n++
		if !ok(v) {
			t.Errorf("%s stored as %q", what, v)
		}
	}
	for _, a := range agents {
		check(a.Username+" password", a.Password, box.IsHash)
		check(a.Username+" eccp_password", a.ConsolePassword, box.IsSealed)
		check(a.Username+" phone_pass", a.PhonePass, box.IsSealed)
	}
	for _, u := range users {
		check(u.Dialect+"/"+u.Username+" secret", u.Secret, box.IsHash)
	}
	if n < 6 {
		t.Errorf("only %d secrets seeded", n)
	}
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), demo.ECCPAgentPass) {
		t.Errorf("%s readable in the database file", demo.ECCPAgentPass)
	}
}

// Outside demo mode a database holding secrets that must be sealed needs
// the key: the gateway refuses to start and says which setting is missing.
func TestGatewayRefusesToStartWithoutTheKeyItNeeds(t *testing.T) {
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "prod.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A row from before secrets were sealed.
	if err := st.Create(ctx, &core.Agent{Username: "9000", Number: "9000", ConsolePassword: "unaclavesecreta", Active: true}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{
		"CALLGATE_DB_DSN": dsn, "CALLGATE_ADMIN_TOKEN": "0123456789abcdef-token", "CALLGATE_TELEPHONY": "sim",
		"CALLGATE_HTTP_ADDR": "127.0.0.1:0", "CALLGATE_ECCP_ADDR": "off",
	}
	load := func() config.Config {
		cfg, err := config.Load("", func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	_, err = newGateway(ctx, load(), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "CALLGATE_SECRET_KEY") || !strings.Contains(err.Error(), "secrets.key") {
		t.Fatalf("start without a key: %v", err)
	}
	env["CALLGATE_SECRET_KEY"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	g, err := newGateway(ctx, load(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start with the key: %v", err)
	}
	a, err := g.eng.Credentials().Reveal(mustAgent(t, g.st, "9000").ConsolePassword)
	g.shutdown(ctx)
	if err != nil || a != "unaclavesecreta" {
		t.Fatalf("migrated ECCP password: %q %v", a, err)
	}
	env["CALLGATE_SECRET_KEY"] = "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	if _, err := newGateway(ctx, load(), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "do not open") {
		t.Fatalf("start with another key: %v", err)
	}
}

func mustAgent(t *testing.T, st core.Store, user string) core.Agent {
	t.Helper()
	var a core.Agent
	if err := st.First(context.Background(), &a, core.Eq("username", user)); err != nil {
		t.Fatal(err)
	}
	return a
}
