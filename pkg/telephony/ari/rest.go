package ari

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/CyCoreSystems/ari/v5/client/native"

	"github.com/callgate/callgate/core"
)

// The few REST calls below go through our own context-aware client instead
// of ari/v5, because v5.3.1 either lacks them (eventFilter, event-source
// subscriptions, hangup with a numeric reason_code), needs one request per
// channel for what one listing gives (channel data with bridges), drops the
// error message we need (variable vs channel not found), or sends a body
// Asterisk ignores (sendMessage variables must be wrapped in "variables").

// Error is a failed ARI request. errors.Is(err, core.ErrNotFound) holds for
// the "no such channel/bridge/playback/recording" answers.
type Error struct {
	Op       string
	Code     int
	Message  string
	notFound bool
}

func (e *Error) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("ari: %s: %d %s", e.Op, e.Code, e.Message)
	}
	return fmt.Sprintf("ari: %s: %d %s", e.Op, e.Code, http.StatusText(e.Code))
}

func (e *Error) Is(target error) bool {
	return target == core.ErrNotFound && e.notFound
}

// rest performs one request against the ARI root and decodes a JSON answer
// into out (if non-nil).
func (t *Telephony) rest(ctx context.Context, op, method, path string, q url.Values, body, out any) error {
	ctx, cancel := t.withTimeout(ctx)
	defer cancel()
	u := t.cfg.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("ari: %s: encode: %w", op, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("ari: %s: %w", op, err)
	}
	req.Header.Set("Authorization", t.auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return t.transportError(op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return t.transportError(op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m)
		return &Error{Op: op, Code: resp.StatusCode, Message: m.Message, notFound: resp.StatusCode == http.StatusNotFound}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("ari: %s: decode answer: %w", op, err)
		}
	}
	return nil
}

func (t *Telephony) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, t.cfg.RequestTimeout)
}

// transportError turns a failure to reach Asterisk into ErrNotConnected, and
// strips the request URL that net/http puts in its errors.
func (t *Telephony) transportError(op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("ari: %s: %w", op, err)
	}
	var ne *net.OpError
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("ari: %s: %w (%v)", op, core.ErrNotConnected, err)
	}
	return fmt.Errorf("ari: %s: %w", op, err)
}

// call runs one ari/v5 operation, which has no context: the call runs on its
// own goroutine and we stop waiting for it when ctx ends or the request
// timeout passes. notFoundCodes are the statuses meaning "unknown id" for
// this operation (404 everywhere; 400 for bridge add/remove channel, where
// Asterisk answers 400 "Channel not found").
func (t *Telephony) call(ctx context.Context, op string, fn func() error, notFoundCodes ...int) error {
	if !t.up.Load() {
		return fmt.Errorf("ari: %s: %w", op, core.ErrNotConnected)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ari: %s: %w", op, err)
	}
	ctx, cancel := t.withTimeout(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("ari: %s: client panic: %v", op, r)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		return t.mapNative(op, err, notFoundCodes)
	case <-ctx.Done():
		return fmt.Errorf("ari: %s: %w", op, ctx.Err())
	}
}

func (t *Telephony) mapNative(op string, err error, notFoundCodes []int) error {
	if err == nil {
		return nil
	}
	var re native.RequestError
	if errors.As(err, &re) {
		code := re.Code()
		nf := code == http.StatusNotFound
		for _, c := range notFoundCodes {
			if c == code {
				nf = true
			}
		}
		return &Error{Op: op, Code: code, notFound: nf}
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") || strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset") {
		return fmt.Errorf("ari: %s: %w", op, core.ErrNotConnected)
	}
	// ari/v5 wraps net/http errors that print the request URL; the URL
	// carries no secret (credentials travel in a header) but keep it short.
	return fmt.Errorf("ari: %s: %s", op, firstLine(msg))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// awaitApp waits until Asterisk lists our application: the websocket
// handshake returns before the application is registered, and an originate
// into an unregistered application fails.
func (t *Telephony) awaitApp(ctx context.Context, readerDone <-chan struct{}) error {
	deadline := time.Now().Add(t.cfg.RequestTimeout)
	for {
		err := t.rest(ctx, "application", http.MethodGet, "/applications/"+url.PathEscape(t.cfg.App), nil, nil, nil)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-readerDone:
			return errors.New("ari: websocket closed during registration")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (t *Telephony) setEventFilter(ctx context.Context) error {
	type typ struct {
		Type string `json:"type"`
	}
	dis := make([]typ, 0, len(t.cfg.DisallowedEvents))
	for _, d := range t.cfg.DisallowedEvents {
		dis = append(dis, typ{d})
	}
	body := map[string]any{"disallowed": dis}
	return t.rest(ctx, "event filter", http.MethodPut, "/applications/"+url.PathEscape(t.cfg.App)+"/eventFilter", nil, body, nil)
}

func (t *Telephony) listChannels(ctx context.Context) ([]wireChannel, error) {
	var out []wireChannel
	err := t.rest(ctx, "list channels", http.MethodGet, "/channels", nil, nil, &out)
	return out, err
}

func (t *Telephony) listBridges(ctx context.Context) ([]wireBridge, error) {
	var out []wireBridge
	err := t.rest(ctx, "list bridges", http.MethodGet, "/bridges", nil, nil, &out)
	return out, err
}

// maxRecordingFile bounds a fetched recording (about 18 hours of 8 kHz
// 16-bit WAV); a bigger answer is cut and reported as an error by the reader.
const maxRecordingFile = 1 << 30

// RecordingFile downloads a stored recording (GET
// /recordings/stored/{name}/file). ari/v5 v5.3.1 has no call for it. The
// body is streamed; the request timeout does not apply to the download,
// only ctx does.
func (t *Telephony) RecordingFile(ctx context.Context, name string) (io.ReadCloser, error) {
	const op = "recording file"
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return nil, fmt.Errorf("ari: %s: invalid recording name", op)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.cfg.URL+"/recordings/stored/"+url.PathEscape(name)+"/file", nil)
	if err != nil {
		return nil, fmt.Errorf("ari: %s: %w", op, err)
	}
	req.Header.Set("Authorization", t.auth)
	resp, err := t.http.Do(req)
	if err != nil {
		return nil, t.transportError(op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m)
		return nil, &Error{Op: op, Code: resp.StatusCode, Message: m.Message, notFound: resp.StatusCode == http.StatusNotFound}
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, maxRecordingFile), resp.Body}, nil
}
