package vicidial

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// filler yields an endless run of 'a' without holding it in memory, so a
// test can send bodies far larger than it allocates.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// rawPost sends one request over a fresh loopback connection: the head as
// given, then the body (chunked when chunked is set) from a goroutine whose
// write errors are ignored, because a server refusing a body closes the
// connection while the client still writes. It returns the response.
func rawPost(t *testing.T, base, path, contentType string, body io.Reader, length int64, chunked bool) (*http.Response, string) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Bounds a hang only; a healthy run answers at once.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if contentType != "" {
		head += "Content-Type: " + contentType + "\r\n"
	}
	if chunked {
		head += "Transfer-Encoding: chunked\r\n"
	} else {
		head += "Content-Length: " + strconv.FormatInt(length, 10) + "\r\n"
	}
	head += "\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
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
	return res, string(b)
}

// multipartBody is a multipart/form-data body with the given value fields,
// then (when fileSize > 0) a file part of fileSize bytes streamed from filler.
func multipartBody(fields [][2]string, fileSize int64) (string, io.Reader, int64) {
	const boundary = "callgateboundary42"
	var head strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, f[0], f[1])
	}
	parts := []io.Reader{strings.NewReader(head.String())}
	n := int64(head.Len())
	if fileSize > 0 {
		fh := fmt.Sprintf("--%s\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n", boundary)
		parts = append(parts, strings.NewReader(fh), io.LimitReader(filler{}, fileSize), strings.NewReader("\r\n"))
		n += int64(len(fh)) + fileSize + 2
	}
	tail := "--" + boundary + "--\r\n"
	parts = append(parts, strings.NewReader(tail))
	n += int64(len(tail))
	return "multipart/form-data; boundary=" + boundary, io.MultiReader(parts...), n
}

func urlencodedBody(size int64) (io.Reader, int64) {
	prefix := "source=test&function=version&pad="
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(filler{}, size-int64(len(prefix)))), size
}

// Bodies over Options.MaxBody are refused with 413 in api.php's format,
// whatever their content type and whether their length is declared or
// chunked; a body at the limit is read whole and answered normally; and no
// temporary file is ever left behind.
func TestBodiesOverTheLimitAre413InVICIdialFormat(t *testing.T) {
	const limit = 4096
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where mime/multipart would spill file parts
	e := newEnv(t, storetest.Open(t, storetest.SQLite), Options{MaxBody: limit})

	versionFields := [][2]string{{"source", "test"}, {"function", "version"}}
	cases := []struct {
		name     string
		ct       string
		body     func() (string, io.Reader, int64)
		chunked  bool
		wantCode int
		wantBody string
	}{
		{name: "urlencoded at the limit is read whole", ct: "application/x-www-form-urlencoded",
			body:     func() (string, io.Reader, int64) { r, n := urlencodedBody(limit); return "", r, n },
			wantCode: 200, wantBody: "VERSION: " + Version},
		{name: "urlencoded one byte over, declared", ct: "application/x-www-form-urlencoded",
			body:     func() (string, io.Reader, int64) { r, n := urlencodedBody(limit + 1); return "", r, n },
			wantCode: 413},
		{name: "urlencoded one byte over, chunked", ct: "application/x-www-form-urlencoded", chunked: true,
			body:     func() (string, io.Reader, int64) { r, n := urlencodedBody(limit + 1); return "", r, n },
			wantCode: 413},
		{name: "urlencoded 50 MB, declared", ct: "application/x-www-form-urlencoded",
			body:     func() (string, io.Reader, int64) { r, n := urlencodedBody(50 << 20); return "", r, n },
			wantCode: 413},
		{name: "multipart with a small file answers normally", wantCode: 200, wantBody: "VERSION: " + Version,
			body: func() (string, io.Reader, int64) { return multipartBody(versionFields, 1000) }},
		{name: "multipart 50 MB file, declared", wantCode: 413,
			body: func() (string, io.Reader, int64) { return multipartBody(versionFields, 50<<20) }},
		{name: "multipart 50 MB file, chunked", wantCode: 413, chunked: true,
			body: func() (string, io.Reader, int64) { return multipartBody(versionFields, 50<<20) }},
		{name: "multipart value over the limit, chunked", wantCode: 413, chunked: true,
			body: func() (string, io.Reader, int64) {
				return multipartBody(append(versionFields, [2]string{"pad", strings.Repeat("x", limit)}), 0)
			}},
		{name: "unparsed content type over the limit, declared", ct: "text/plain", wantCode: 413,
			body: func() (string, io.Reader, int64) { return "", io.LimitReader(filler{}, 50<<20), 50 << 20 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct, body, n := tc.body()
			if tc.ct != "" {
				ct = tc.ct
			}
			res, got := rawPost(t, e.srv.URL, "/agc/api.php", ct, body, n, tc.chunked)
			if res.StatusCode != tc.wantCode {
				t.Fatalf("status %d, want %d: %q", res.StatusCode, tc.wantCode, got)
			}
			if res.Header.Get("Content-Type") != "text/html; charset=utf-8" || res.Header.Get("Pragma") != "no-cache" {
				t.Errorf("headers %v, want api.php's", res.Header)
			}
			want := tc.wantBody
			if tc.wantCode == 413 {
				want = "ERROR: request too large - 4096\n"
				if got != want {
					t.Fatalf("body %q, want %q", got, want)
				}
			}
			if !strings.HasPrefix(got, want) {
				t.Fatalf("body %q, want prefix %q", got, want)
			}
		})
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		t.Errorf("temporary file left behind: %s", f.Name())
	}
}

// PHP fills $_POST from the value parts in the order sent; file parts go to
// $_FILES, which api.php never reads.
func TestMultipartValuesKeepTheirOrderAndSkipFiles(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), Options{})
	// A later variable of the same name wins, as in PHP; the file part
	// after them adds nothing.
	ct, body, n := multipartBody([][2]string{{"source", "test"}, {"function", "nosuch"}, {"function", "version"}}, 100)
	res, got := rawPost(t, e.srv.URL, "/agc/api.php", ct, body, n, false)
	if res.StatusCode != 200 || !strings.HasPrefix(got, "VERSION: ") {
		t.Fatalf("%d %q: the later function part must win", res.StatusCode, got)
	}
}
