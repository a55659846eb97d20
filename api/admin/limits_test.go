package admin

import (
	"bufio"
	"encoding/json"
	"github.com/callgate/callgate/core"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/store/storetest"
)

type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// rawSend writes one request on a fresh connection and reads the answer
// while the body is still being written (a server refusing a body closes
// the connection under the writer, whose errors are ignored).
func rawSend(t *testing.T, base, method, path string, header map[string]string, body io.Reader, length int64) (*http.Response, []byte) {
	t.Helper()
	addr := strings.TrimPrefix(strings.TrimSuffix(base, "/api/v1"), "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // bounds a hang only
	head := method + " /api/v1" + path + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	for k, v := range header {
		head += k + ": " + v + "\r\n"
	}
	chunked := length < 0
	if chunked {
		head += "Transfer-Encoding: chunked\r\n"
	} else {
		head += "Content-Length: " + strconv.FormatInt(length, 10) + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		if chunked {
			cw := httputil.NewChunkedWriter(conn)
			if _, err := io.Copy(cw, body); err == nil {
				_ = cw.Close()
				_, _ = io.WriteString(conn, "\r\n")
			}
			return
		}
		_, _ = io.Copy(conn, body)
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	conn.Close()
	<-sent
	return res, b
}

// Every admin route refuses a body over its limit with a JSON 413: a
// declared length before the token is even checked, a chunked one once the
// decoder reaches the limit.
func TestBodiesOverTheLimitAre413JSON(t *testing.T) {
	c := newServer(t, Options{Records: core.NewRecords(storetest.Open(t, storetest.SQLite))})
	big := func() io.Reader {
		return io.MultiReader(strings.NewReader(`{"username":"`), io.LimitReader(filler{}, 50<<20), strings.NewReader(`"}`))
	}
	auth := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	cases := []struct {
		name   string
		method string
		path   string
		header map[string]string
		length int64
	}{
		{name: "declared, no token", method: "POST", path: "/agents", header: map[string]string{"Content-Type": "application/json"}, length: 50<<20 + 15},
		{name: "declared, route that reads no body", method: "POST", path: "/reload", header: auth, length: 50<<20 + 15},
		{name: "declared, unknown route", method: "PUT", path: "/nosuch", header: auth, length: 50<<20 + 15},
		{name: "chunked JSON", method: "POST", path: "/agents", header: auth, length: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := rawSend(t, c.base, tc.method, tc.path, tc.header, big(), tc.length)
			var e errorBody
			if res.StatusCode != http.StatusRequestEntityTooLarge || json.Unmarshal(b, &e) != nil || e.Error == "" {
				t.Fatalf("%d %q, want 413 with a JSON error", res.StatusCode, b)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("content type %q", res.Header.Get("Content-Type"))
			}
		})
	}
}
