package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser harness: Debian's chromium (scripts/services.sh installs it)
// driven headless by chromedp against the real gateway in demo mode.
// Screenshots go to cmd/gateway/testdata/artifacts/ (ignored by git), one
// per test step, named after the test.

// chromiumPath is the browser to drive: CALLGATE_TEST_CHROMIUM, else the
// first of Debian's and the usual names found on PATH.
func chromiumPath() string {
	if p := os.Getenv("CALLGATE_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless chromium for one test; the test skips,
// saying why, when no chromium is installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium is not installed: run scripts/services.sh (apt-get install chromium) or set CALLGATE_TEST_CHROMIUM to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests run as root in CI; the pages are our own
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1000),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	// The first run starts the browser and must not carry the timeout
	// (it would end the browser); the test's steps do.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium %s: %v", path, err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return tctx
}

// screenshot saves the page as testdata/artifacts/<test>-<step>.png.
func screenshot(t *testing.T, ctx context.Context, step string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", step, err)
		return
	}
	dir := filepath.Join("testdata", "artifacts")
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()+"-"+step) + ".png"
	if err := os.MkdirAll(dir, 0o755); err == nil {
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Logf("screenshot %s: %v", step, err)
		}
	}
}

// browse runs browser actions, failing the test with a screenshot.
func browse(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		screenshot(t, ctx, step+"-failed")
		t.Fatalf("%s: %v", step, err)
	}
}

// until waits until a JavaScript expression is true in the page.
func until(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		if err != nil {
			err = fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, err
	}
}

// textIs is a JavaScript test of an element's trimmed text.
func textIs(sel, want string) string {
	b, _ := json.Marshal(sel)
	w, _ := json.Marshal(want)
	return fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.textContent.trim() === %s; })()`, b, w)
}

// browserLogin logs in through the login page with the keyboard: the
// password field's Enter submits the form.
func browserLogin(t *testing.T, ctx context.Context, base, role, user, pass, landing string) {
	t.Helper()
	browse(t, ctx, "login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SetValue(chromedp.CSS("#role"), role),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), pass+"\r"),
		chromedp.WaitReady(chromedp.CSS(landing)),
	)
}

// press clicks an element from inside the page, finding and clicking it in
// one JavaScript turn. A page that rebuilds its rows on every event (the
// wallboard) can replace a node between chromedp's lookup and its mouse
// events ("Could not find node with given id"); a user's click cannot land
// on a node that is gone, and neither does this one.
func press(sel string) chromedp.Action[chromedp.Void] {
	b, _ := json.Marshal(sel)
	return until(fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.click(); return true; })()`, b))
}

// choose picks an option of a select as a user does: the value and the
// change event the page listens to, in one JavaScript turn.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	b, _ := json.Marshal(sel)
	v, _ := json.Marshal(value)
	return until(fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.value = %s; e.dispatchEvent(new Event('change')); return e.value === %s; })()`, b, v, v))
}
