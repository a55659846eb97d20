package ariproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/CyCoreSystems/ari-proxy/v5/proxy"
	ariv5 "github.com/CyCoreSystems/ari/v5"
	"github.com/nats-io/nats.go"

	"github.com/callgate/callgate/core"
)

// Error is a request an ari-proxy server answered with an error.
// errors.Is(err, core.ErrNotFound) holds for "no such channel / bridge /
// playback / recording".
type Error struct {
	Op   string
	Node string
	// Code is the HTTP status Asterisk answered the proxy with, 0 when the
	// proxy's error carried none.
	Code     int
	Message  string
	notFound bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("ariproxy: %s on node %s: %s", e.Op, e.Node, e.Message)
}

func (e *Error) Is(target error) bool { return target == core.ErrNotFound && e.notFound }

// The proxy forwards ari/v5's error text, which for an ARI answer outside
// 2xx reads "Non-2XX response: 404 Not Found".
var statusRE = regexp.MustCompile(`Non-2XX response: (\d{3})`)

// errARIDown is what an ari-proxy answers while its Asterisk websocket is
// down.
const errARIDown = "ARI connection is down"

// proxyError maps an ari-proxy error answer. notFoundCodes are the statuses
// meaning "unknown id" for the operation besides 404.
func proxyError(op, node, msg string, notFoundCodes []int) error {
	if strings.Contains(msg, errARIDown) {
		return fmt.Errorf("ariproxy: %s on node %s: %w (ari-proxy has no Asterisk connection)", op, node, core.ErrNotConnected)
	}
	if strings.Contains(msg, "Not implemented") {
		return fmt.Errorf("ariproxy: %s on node %s: %w by this ari-proxy", op, node, errors.ErrUnsupported)
	}
	e := &Error{Op: op, Node: node, Message: firstLine(msg)}
	if m := statusRE.FindStringSubmatch(msg); m != nil {
		e.Code, _ = strconv.Atoi(m[1])
		e.notFound = e.Code == 404
		for _, c := range notFoundCodes {
			if c == e.Code {
				e.notFound = true
			}
		}
		// The status line is the useful part; what precedes it repeats
		// the operation.
		e.Message = m[0][len("Non-2XX response: "):]
	}
	return e
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// response is proxy.Response with the entity data decoded into our own
// shapes: ari/v5's ChannelData carries a protobuf timestamp we have no use
// for, and only these fields are read.
type response struct {
	Error string       `json:"error"`
	Data  *entityData  `json:"data,omitempty"`
	Key   *ariv5.Key   `json:"key,omitempty"`
	Keys  []*ariv5.Key `json:"keys,omitempty"`
}

type entityData struct {
	Channel  *wireChannel `json:"channel,omitempty"`
	Bridge   *wireBridge  `json:"bridge,omitempty"`
	Variable string       `json:"variable,omitempty"`
}

type wireCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type wireChannel struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	State        string        `json:"state"`
	Caller       *wireCallerID `json:"caller"`
	Connected    *wireCallerID `json:"connected"`
	CreationTime string        `json:"creationtime"`
	Dialplan     *struct {
		Exten string `json:"exten"`
	} `json:"dialplan"`
	ChannelVars map[string]string `json:"channelvars"`
}

type wireBridge struct {
	ID         string   `json:"id"`
	BridgeType string   `json:"bridge_type"`
	Channels   []string `json:"channels"`
}

// Request classes, as ari-proxy's client uses them: "create" subjects are
// queue-subscribed (one proxy of a node answers), the others are not.
const (
	classCommand = "command"
	classCreate  = "create"
	classData    = "data"
	classGet     = "get"
)

// request sends one request to node's ari-proxy and returns its answer.
func (t *Telephony) request(ctx context.Context, op, class, node string, req *proxy.Request, notFoundCodes ...int) (*response, error) {
	if !t.natsUp.Load() {
		return nil, fmt.Errorf("ariproxy: %s: %w (NATS)", op, core.ErrNotConnected)
	}
	nc := t.conn()
	if nc == nil {
		return nil, fmt.Errorf("ariproxy: %s: %w (not started)", op, core.ErrNotConnected)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ariproxy: %s: %w", op, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.cfg.RequestTimeout)
		defer cancel()
	}
	if req.Key != nil {
		req.Key.App, req.Key.Node = t.cfg.App, node
	}
	data, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("ariproxy: %s: encode: %w", op, err)
	}
	msg, err := nc.RequestWithContext(ctx, proxy.Subject(t.cfg.Prefix, class, t.cfg.App, node), data)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return nil, fmt.Errorf("ariproxy: %s: %w (no ari-proxy for node %s)", op, core.ErrNotConnected, node)
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrDisconnected), errors.Is(err, nats.ErrConnectionReconnecting):
		return nil, fmt.Errorf("ariproxy: %s: %w (NATS)", op, core.ErrNotConnected)
	case err != nil:
		return nil, fmt.Errorf("ariproxy: %s on node %s: %w", op, node, err)
	}
	var resp response
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("ariproxy: %s on node %s: undecodable answer: %w", op, node, err)
	}
	if resp.Error != "" {
		return &resp, proxyError(op, node, resp.Error, notFoundCodes)
	}
	return &resp, nil
}

func (t *Telephony) command(ctx context.Context, op, node string, req *proxy.Request, notFoundCodes ...int) error {
	_, err := t.request(ctx, op, classCommand, node, req, notFoundCodes...)
	return err
}

func (t *Telephony) subscribe(ctx context.Context, node, source string) error {
	return t.command(ctx, "subscribe "+source, node, &proxy.Request{
		Kind:                 "ApplicationSubscribe",
		Key:                  ariv5.NewKey(ariv5.ApplicationKey, t.cfg.App),
		ApplicationSubscribe: &proxy.ApplicationSubscribe{EventSource: source},
	})
}

// listIDs asks node for the ids of its channels (kind "ChannelList") or
// bridges ("BridgeList").
func (t *Telephony) listIDs(ctx context.Context, node, kind string) ([]string, error) {
	resp, err := t.request(ctx, "list", classGet, node, &proxy.Request{Kind: kind, Key: &ariv5.Key{}})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(resp.Keys))
	for _, k := range resp.Keys {
		if k != nil && k.ID != "" {
			ids = append(ids, k.ID)
		}
	}
	return ids, nil
}

// fetchAll gets the data of each id with at most 8 requests in flight.
// Entities that vanished in between are skipped.
func fetchAll[T any](ctx context.Context, ids []string, get func(ctx context.Context, id string) (T, error)) ([]T, error) {
	out := make([]T, len(ids))
	ok := make([]bool, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := get(ctx, id)
			switch {
			case err == nil:
				out[i], ok[i] = v, true
			case !errors.Is(err, core.ErrNotFound):
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res := out[:0]
	for i := range out {
		if ok[i] {
			res = append(res, out[i])
		}
	}
	return res, nil
}

func (t *Telephony) channelData(ctx context.Context, node, id string) (*wireChannel, error) {
	resp, err := t.request(ctx, "channel data", classData, node, &proxy.Request{Kind: "ChannelData", Key: ariv5.NewKey(ariv5.ChannelKey, id)})
	if err != nil {
		return nil, err
	}
	if resp.Data == nil || resp.Data.Channel == nil {
		return nil, &Error{Op: "channel data", Node: node, Message: "empty answer", notFound: true}
	}
	return resp.Data.Channel, nil
}

func (t *Telephony) bridgeData(ctx context.Context, node, id string) (*wireBridge, error) {
	resp, err := t.request(ctx, "bridge data", classData, node, &proxy.Request{Kind: "BridgeData", Key: ariv5.NewKey(ariv5.BridgeKey, id)})
	if err != nil {
		return nil, err
	}
	if resp.Data == nil || resp.Data.Bridge == nil {
		return nil, &Error{Op: "bridge data", Node: node, Message: "empty answer", notFound: true}
	}
	return resp.Data.Bridge, nil
}
