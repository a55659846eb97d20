package vicidial

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestGoldenProcessingOrder(t *testing.T) {
	runGolden(t, "order", Options{}, []step{
		{name: "version needs no auth or source", query: "function=version", header: true},
		{name: "version ignores bad credentials", query: "function=version&user=x&pass=y"},
		{name: "coffee is a teapot", query: "function=brew_coffee", header: true},
		{name: "source too short", query: "user=6666&pass=1234&source=a&function=external_hangup&value=1&agent_user=1000"},
		{name: "source filtered to alphanumerics", query: "user=6666&pass=1234&source=_-&function=external_hangup"},
		{name: "source my_crm becomes mycrm", query: "user=6666&pass=1234&source=my_crm&function=nosuch"},
		{name: "bad password never echoed", query: "source=test&user=6666&pass=9999&function=external_hangup&value=1&agent_user=1000",
			check: func(t *testing.T, e *env, body string) {
				if strings.Contains(body, "9999") || strings.Contains(strings.ToUpper(body), "SELECT") {
					t.Errorf("password or SQL echoed: %q", body)
				}
			}},
		{name: "unknown user", query: "source=test&user=nobody&pass=1234&function=external_hangup"},
		{name: "user without api access", query: "source=test&user=noapi&pass=1234&function=external_hangup"},
		{name: "user too short", query: "source=test&user=6&pass=1234&function=external_hangup"},
		{name: "password filtered before login", query: "source=test&user=6666&pass=12%2334&function=nosuch"},
		{name: "PBX down answers ERRSERVERS", setup: func(e *env) { e.pbx.SetReady(false) }, query: q("function=external_hangup&value=1&agent_user=1000")},
		{name: "unknown function is an empty body", setup: func(e *env) { e.pbx.SetReady(true) }, query: q("function=nosuch")},
		{name: "unknown function with close_window_link", query: q("function=nosuch&close_window_link=1")},
		{name: "close_window_link after an error line", query: q("function=external_hangup&close_window_link=1")},
		{name: "permission denied", query: "source=test&user=6667&pass=1234&function=external_hangup&value=1&agent_user=1000&close_window_link=1"},
		{name: "permission allows listed function", query: "source=test&user=6667&pass=1234&function=external_pause&value=PAUSE&agent_user=1000"},
		{name: "validation before permission", query: "source=test&user=6667&pass=1234&function=external_hangup&agent_user=1000"},
		{name: "webserver permission is checked first", query: "source=test&user=6667&pass=1234&function=webserver&agent_user=1000&value=x"},
		{name: "webserver", query: q("function=webserver")},
		{name: "inactive user", query: "source=test&user=gone&pass=1234&function=external_hangup"},
		{name: "alt_user not found continues", query: q("function=external_hangup&value=1&alt_user=nobody")},
		{name: "alt_user found", setup: func(e *env) { e.login("1000") }, query: q("function=external_hangup&value=1&alt_user=crm1000")},
		{name: "GET wins over POST per variable", query: "function=external_hangup&value=1", post: "source=test&user=6666&pass=1234&function=version&agent_user=1000"},
		{name: "multipart POST", multipart: map[string]string{"source": "test", "user": "6666", "pass": "1234", "function": "external_pause", "value": "PAUSE", "agent_user": "1000"}},
		{name: "POST only", post: "source=test&user=6666&pass=1234&function=external_pause&value=PAUSE&agent_user=1000"},
		{name: "value strips dots spaces and hashes", query: q("function=send_dtmf&agent_user=1000&value=1.2+3%234*5")},
	})
}

func TestGoldenSystemAPIDisabled(t *testing.T) {
	runGoldenWith(t, "api_disabled", Options{}, testSettings{"": {setAPIActive: "0"}}, []step{
		{name: "system api switch", query: q("function=external_hangup&value=1&agent_user=1000")},
		{name: "version still answers", query: "function=version"},
	})
}

// Wrong passwords delay further attempts of that user from that address
// (after three, by 1s, doubling): inside the delay every attempt answers
// LOCK unchecked, the right password included, and counts nothing more.
func TestLoginLockAfterThreeFailuresFromOneAddress(t *testing.T) {
	runGolden(t, "lock", Options{}, lockSteps())
}

func lockSteps() []step {
	var steps []step
	for i := 1; i <= 10; i++ {
		steps = append(steps, step{name: fmt.Sprintf("failure %d", i), query: "source=test&user=6666&pass=wrong&function=external_status&value=A&agent_user=1000"})
	}
	steps = append(steps,
		step{name: "right password is locked out", query: q("function=external_status&value=A&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				n, _ := e.st.Count(e.ctx, &core.LoginFailure{}, core.Eq("dialect", Dialect).Eq("username", "6666"))
				if n != 3 {
					t.Errorf("login failures = %d, want 3", n)
				}
			}},
		step{name: "other users are not locked", query: "source=test&user=6667&pass=1234&function=external_pause&value=PAUSE&agent_user=1000"},
	)
	return steps
}

func TestAPILogRows(t *testing.T) {
	runGolden(t, "apilog", Options{}, []step{
		{name: "logged success", setup: func(e *env) { e.login("1000"); e.pause("1000") }, query: q("function=external_pause&value=RESUME&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				var rows []core.APILogEntry
				if err := e.st.Find(e.ctx, &rows, core.Eq("dialect", Dialect).Asc("id")); err != nil {
					t.Fatal(err)
				}
				if len(rows) != 1 {
					t.Fatalf("log rows = %d, want 1", len(rows))
				}
				r := rows[0]
				if r.User != "6666" || r.Function != "external_pause" || r.AgentUser != "1000" || r.Value != "RESUME" ||
					r.Result != "SUCCESS" || r.Reason != "external_pause function set" || r.Source != "test" || r.Data != "1737540600" || !r.Time.Equal(testNow) {
					t.Errorf("log row = %+v", r)
				}
			}},
		{name: "unknown function not logged", query: q("function=nosuch"),
			check: func(t *testing.T, e *env, body string) {
				n, _ := e.st.Count(e.ctx, &core.APILogEntry{}, core.Eq("function", "nosuch"))
				if n != 0 {
					t.Errorf("unknown function logged %d times", n)
				}
			}},
		{name: "two lines give two rows", query: q("function=external_hangup&value=1&alt_user=ghost"),
			check: func(t *testing.T, e *env, body string) {
				var rows []core.APILogEntry
				_ = e.st.Find(e.ctx, &rows, core.Eq("function", "external_hangup").Asc("id"))
				if len(rows) != 2 || rows[0].Reason != "no user found" || rows[1].Reason != "agent_user is not logged in" {
					t.Errorf("rows = %+v", rows)
				}
			}},
		{name: "failed login logged without password", query: "source=test&user=6666&pass=secret99&function=version2",
			check: func(t *testing.T, e *env, body string) {
				var r core.APILogEntry
				_ = e.st.First(e.ctx, &r, core.Eq("function", "version2"))
				if r.Reason != "Invalid Username/Password" || strings.Contains(r.Data, "secret99") {
					t.Errorf("row = %+v", r)
				}
			}},
	})
}

// TestAPILogRowIsStoredBeforeTheAnswer: concurrent requests (whose rows
// the core commits in shared transactions) each find their own row in the
// store as soon as they have their answer, without any flush.
func TestAPILogRowIsStoredBeforeTheAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, Options{})
		var wg sync.WaitGroup
		errs := make(chan string, 200)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					src := fmt.Sprintf("g%dn%d", g, i)
					res, err := e.srv.Client().Get(e.srv.URL + "/agc/api.php?user=6666&pass=1234&function=external_pause&agent_user=nobody&value=PAUSE&source=" + src)
					if err != nil {
						errs <- err.Error()
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					n, err := st.Count(context.Background(), &core.APILogEntry{}, core.Eq("source", src))
					if err != nil || n != 1 {
						errs <- fmt.Sprintf("%s: %d rows right after the answer (%v), want 1", src, n, err)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Error(msg)
		}
	})
}
