package store_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	// ECCP clients' secrets are hashed as their MD5: the adapter registers it.
	_ "github.com/callgate/callgate/api/eccp"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/secret"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// Distinctive clear values, so finding one in the file is no accident.
const (
	plainAgentPw  = "Plain-Agent-Pw-7731"
	plainECCPPw   = "Plain-ECCP-Pw-4418"
	plainPhonePw  = "Plain-Phone-Pw-9052"
	plainAPIPw    = "Plain-API-Pw-2264"
	plainClientPw = "Plain-Client-Pw-6610"
)

func newBox(t *testing.T, keyByte byte) *secret.Box {
	t.Helper()
	var key []byte
	if keyByte != 0 {
		key = bytes.Repeat([]byte{keyByte}, secret.KeySize)
	}
	b, err := secret.New(key, secret.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plainStore is a store without the facility, as before this existed,
// holding one row of every secret column in clear.
func plainStore(t *testing.T, kind string) (dsn string) {
	t.Helper()
	dsn = storetest.DSN(t, kind)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustCreate(t, st, &core.Agent{Username: "a1", Password: plainAgentPw, ConsolePassword: plainECCPPw, PhonePass: plainPhonePw, Active: true})
	mustCreate(t, st, &core.Agent{Username: "a2", Active: true}) // no secrets at all
	mustCreate(t, st, &core.APIUser{Dialect: "vicidial", Username: "u1", Secret: plainAPIPw, Active: true})
	mustCreate(t, st, &core.APIUser{Dialect: "eccp", Username: "c1", Secret: plainClientPw, Active: true})
	return dsn
}

func openWith(t *testing.T, dsn string, box *secret.Box) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UseSecrets(box); err != nil {
		t.Fatal(err)
	}
	return st
}

// assertProtected reads the rows through the store: every secret column
// is a hash or a sealed value that checks out against the clear value.
func assertProtected(t *testing.T, st core.Store, box *secret.Box) (snapshot string) {
	t.Helper()
	var a1, a2 core.Agent
	var u1, c1 core.APIUser
	if err := st.First(ctx, &a1, core.Eq("username", "a1")); err != nil {
		t.Fatal(err)
	}
	if err := st.First(ctx, &a2, core.Eq("username", "a2")); err != nil {
		t.Fatal(err)
	}
	if err := st.First(ctx, &u1, core.Eq("username", "u1")); err != nil {
		t.Fatal(err)
	}
	if err := st.First(ctx, &c1, core.Eq("username", "c1")); err != nil {
		t.Fatal(err)
	}
	if !box.IsHash(a1.Password) || !box.Verify(a1.Password, plainAgentPw) {
		t.Errorf("agents.password %q", a1.Password)
	}
	if !box.IsHash(u1.Secret) || !box.Verify(u1.Secret, plainAPIPw) {
		t.Errorf("api_users.secret %q", u1.Secret)
	}
	// ECCP clients: a hash of the MD5, so both login forms verify.
	if !box.IsHash(c1.Secret) || !box.Verify(c1.Secret, core.MD5Hex(plainClientPw)) {
		t.Errorf("eccp client secret %q", c1.Secret)
	}
	for col, c := range map[string]struct{ stored, plain string }{
		"eccp_password": {a1.ConsolePassword, plainECCPPw}, "phone_pass": {a1.PhonePass, plainPhonePw},
	} {
		if got, err := box.Open(c.stored); !box.IsSealed(c.stored) || err != nil || got != c.plain {
			t.Errorf("agents.%s %q: %q %v", col, c.stored, got, err)
		}
	}
	if a2.Password != "" || a2.ConsolePassword != "" || a2.PhonePass != "" {
		t.Errorf("empty secrets were given a value: %+v", a2)
	}
	return a1.Password + a1.ConsolePassword + a1.PhonePass + u1.Secret + c1.Secret
}

func TestMigrateSecretsProtectsPlainRowsOnce(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			dsn := plainStore(t, kind)
			box := newBox(t, 7)
			st := openWith(t, dsn, box)
			if err := st.MigrateSecrets(ctx); err != nil {
				t.Fatal(err)
			}
			first := assertProtected(t, st, box)
			if err := st.MigrateSecrets(ctx); err != nil {
				t.Fatal(err)
			}
			if again := assertProtected(t, st, box); again != first {
				t.Error("a second migration rewrote protected values")
			}
			if kind != storetest.SQLite {
				return
			}
			// Closing checkpoints the WAL into the file; no clear value
			// may be left in it (secure_delete zeroes the rewritten cells).
			st.Close()
			path, _ := store.SQLitePath(dsn)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{plainAgentPw, plainECCPPw, plainPhonePw, plainAPIPw, plainClientPw} {
				if bytes.Contains(raw, []byte(p)) {
					t.Errorf("%s readable in the database file", p)
				}
			}
		})
	}
}

// Every write path protects: create, save, map updates, transactions.
func TestEveryWritePathStoresSecretsProtected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		box := storetest.Secrets()
		a := core.Agent{Username: "w1", Password: "p-create", Active: true}
		mustCreate(t, st, &a)
		check := func(step, want string) {
			t.Helper()
			var got core.Agent
			if err := st.First(ctx, &got, core.Eq("username", "w1")); err != nil {
				t.Fatal(err)
			}
			if !box.Verify(got.Password, want) {
				t.Errorf("%s: stored %q does not verify", step, got.Password)
			}
		}
		check("create", "p-create")
		a.Password = "p-save"
		if err := st.Save(ctx, &a); err != nil {
			t.Fatal(err)
		}
		check("save", "p-save")
		if err := st.Updates(ctx, &core.Agent{ID: a.ID}, map[string]any{"password": "p-updates"}); err != nil {
			t.Fatal(err)
		}
		check("updates", "p-updates")
		err := st.Tx(ctx, func(tx core.Store) error {
			return tx.Updates(ctx, &core.Agent{ID: a.ID}, map[string]any{"password": "p-tx"})
		})
		if err != nil {
			t.Fatal(err)
		}
		check("tx", "p-tx")
		// A record read back and saved keeps its hash as it is.
		var got core.Agent
		_ = st.First(ctx, &got, core.Eq("username", "w1"))
		before := got.Password
		got.Name = "renamed"
		if err := st.Save(ctx, &got); err != nil {
			t.Fatal(err)
		}
		_ = st.First(ctx, &got, core.Eq("username", "w1"))
		if got.Password != before {
			t.Error("saving a loaded record hashed its hash")
		}
	})
}

func TestSealedSecretsNeedTheirKey(t *testing.T) {
	dsn := plainStore(t, storetest.SQLite)
	// Without a key, a plain row that must be sealed refuses migration.
	if err := openWith(t, dsn, newBox(t, 0)).MigrateSecrets(ctx); !errors.Is(err, secret.ErrNoKey) {
		t.Fatalf("no key, plain sealable rows: %v", err)
	}
	if err := openWith(t, dsn, newBox(t, 7)).MigrateSecrets(ctx); err != nil {
		t.Fatal(err)
	}
	// Sealed rows: no key and another key are refused, with a clear error.
	if err := openWith(t, dsn, newBox(t, 0)).MigrateSecrets(ctx); !errors.Is(err, secret.ErrNoKey) || !strings.Contains(err.Error(), "CALLGATE_SECRET_KEY") {
		t.Fatalf("no key, sealed rows: %v", err)
	}
	if err := openWith(t, dsn, newBox(t, 8)).MigrateSecrets(ctx); !errors.Is(err, secret.ErrBadSealed) {
		t.Fatalf("other key: %v", err)
	}
	// Writes needing a seal fail without a key rather than store clear text.
	st := openWith(t, dsn, newBox(t, 0))
	if err := st.Create(ctx, &core.Agent{Username: "x", ConsolePassword: "clear"}); !errors.Is(err, secret.ErrNoKey) {
		t.Fatalf("sealing write without a key: %v", err)
	}
}

func TestSQLiteFileIsOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	fresh := dir + "/fresh.db"
	st, err := store.Open(ctx, "sqlite://"+fresh)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	old := dir + "/old.db"
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil { // writes: the WAL exists
		t.Fatal(err)
	}
	for _, p := range []string{fresh, old, old + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
}
