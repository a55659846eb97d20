package simari

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client drives a simari's control API over HTTP (tests in other processes
// or packages: multi-gateway and failover tests).
type Client struct {
	Base           string // e.g. http://127.0.0.1:8088 (no /control)
	User, Password string
	HTTP           *http.Client // default: a client with a 10s timeout
}

// ControlError is a refused control request.
type ControlError struct {
	Code    int
	Message string
}

func (e *ControlError) Error() string { return fmt.Sprintf("simari: %d %s", e.Code, e.Message) }

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Base, "/")+"/control"+path, body)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.User, c.Password)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m)
		return &ControlError{Code: resp.StatusCode, Message: m.Message}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// Inbound makes a call arrive and enter the application (not answered);
// it returns the channel id.
func (c *Client) Inbound(ctx context.Context, in Inbound) (string, error) {
	var out struct {
		ChannelID string `json:"channel_id"`
	}
	err := c.do(ctx, http.MethodPost, "/inbound", in, &out)
	return out.ChannelID, err
}

// Answer makes the far end of a ringing originated channel answer.
func (c *Client) Answer(ctx context.Context, channelID string) error {
	return c.do(ctx, http.MethodPost, "/channels/"+url.PathEscape(channelID)+"/answer", nil, nil)
}

// Hangup makes the far end hang up with a Q.850 cause (0: normal).
func (c *Client) Hangup(ctx context.Context, channelID string, cause int) error {
	return c.do(ctx, http.MethodPost, "/channels/"+url.PathEscape(channelID)+"/hangup", map[string]int{"cause": cause}, nil)
}

// DTMF makes the far end press digits.
func (c *Client) DTMF(ctx context.Context, channelID, digits string) error {
	return c.do(ctx, http.MethodPost, "/channels/"+url.PathEscape(channelID)+"/dtmf", map[string]string{"digits": digits}, nil)
}

// Channel reports what the PBX knows of a channel.
func (c *Client) Channel(ctx context.Context, channelID string) (ChannelView, error) {
	var v ChannelView
	err := c.do(ctx, http.MethodGet, "/channels/"+url.PathEscape(channelID), nil, &v)
	return v, err
}

// SetBehavior decides how originated calls to endpoint (or a "Tech/*"
// prefix) end.
func (c *Client) SetBehavior(ctx context.Context, b Behavior) error {
	return c.do(ctx, http.MethodPut, "/behaviors", b, nil)
}

// SetDefaultBehavior decides originated calls to endpoints without a rule.
func (c *Client) SetDefaultBehavior(ctx context.Context, b Behavior) error {
	return c.do(ctx, http.MethodPut, "/default-behavior", b, nil)
}

// Text delivers an incoming text message to the application.
func (c *Client) Text(ctx context.Context, t Text) error {
	return c.do(ctx, http.MethodPost, "/text", t, nil)
}

// Texts lists the text messages the application sent.
func (c *Client) Texts(ctx context.Context) ([]Text, error) {
	var out []Text
	err := c.do(ctx, http.MethodGet, "/texts", nil, &out)
	return out, err
}

// Restart simulates an Asterisk restart.
func (c *Client) Restart(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/restart", nil, nil)
}
