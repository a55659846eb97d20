package ari

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Transport chooses how the gateway reaches Asterisk.
type Transport string

const (
	// TransportNative talks to one Asterisk directly (REST + websocket).
	TransportNative Transport = "native"
	// TransportProxy is ari-proxy over NATS, for many Asterisk nodes. It is
	// served by pkg/telephony/ariproxy; this package's New refuses it rather
	// than silently talking to a single node.
	TransportProxy Transport = "proxy"
)

// ErrProxyNotImplemented is returned by New for TransportProxy.
var ErrProxyNotImplemented = errors.New("ari: transport \"proxy\" (ari-proxy over NATS) is served by pkg/telephony/ariproxy, not by this package")

// Config describes one Asterisk node.
type Config struct {
	// URL is the ARI REST root, e.g. http://127.0.0.1:8088/ari.
	URL string
	// WSURL is the events websocket; empty derives ws(s)://<host>/ari/events
	// from URL.
	WSURL string
	// User and Password are the ari.conf credentials.
	User     string
	Password string
	// App is the Stasis application name (default "callgate").
	App string
	// NodeID is the explicit identity of this Asterisk node (required):
	// several Asterisks may share a host, so it is never derived.
	NodeID string

	Transport Transport
	// NATSURL is used by TransportProxy only.
	NATSURL string

	// RequestTimeout bounds each REST call whose context has no deadline
	// (default 5s).
	RequestTimeout time.Duration
	// ReconnectMin/ReconnectMax bound the exponential reconnect backoff
	// (defaults 200ms and 10s).
	ReconnectMin, ReconnectMax time.Duration
	// ReplacedPause is how long the gateway stays away after another
	// websocket took over its application (ApplicationReplaced), so that
	// during a rolling restart the old gateway yields to the new one instead
	// of stealing the application back (default 1 min).
	ReplacedPause time.Duration
	// MixingBridgeType is the ARI bridge type for BridgeMixing (default
	// "mixing,dtmf_events": without dtmf_events Asterisk may bridge RTP
	// natively and the application would never see DTMF during a call).
	MixingBridgeType string
	// RecordIfExists is ARI's ifExists for Record (default "fail": a name
	// collision must not silently destroy an earlier recording).
	RecordIfExists string
	// DisallowedEvents are filtered out by Asterisk itself through the
	// application's eventFilter (default: DefaultDisallowedEvents).
	DisallowedEvents []string

	// MessageSources are ARI event sources the application subscribes to on
	// connect so TextMessageReceived (incoming SMS / SIP MESSAGE) reaches it;
	// Asterisk sends those only for subscribed endpoints. nil means
	// {"endpoint:PJSIP"}; an empty slice subscribes nothing.
	MessageSources []string

	// Logger receives the driver's lines. The gateway's logger already
	// carries node=; without one, slog.Default() gets node= added here.
	Logger *slog.Logger
}

// DefaultDisallowedEvents are Asterisk 22 event types that ari/v5 v5.3.1 does
// not know (its decoder panics on them) plus chatty types the engine has no
// use for. Our own reader skips unknown types anyway; filtering them at the
// source also saves the websocket bandwidth.
var DefaultDisallowedEvents = []string{
	"ApplicationRegistered", "ApplicationUnregistered", "ChannelToneDetected",
	"ChannelTransfer", "CallBroadcast", "CallClaimed", "RESTResponse",
	"ChannelVarset", "ChannelDialplan", "ChannelTalkingStarted", "ChannelTalkingFinished",
	"DeviceStateChanged", "EndpointStateChange", "ContactStatusChange", "PeerStatusChange",
}

func (c Config) withDefaults() (Config, error) {
	if c.Transport == "" {
		c.Transport = TransportNative
	}
	switch c.Transport {
	case TransportNative:
	case TransportProxy:
		return c, ErrProxyNotImplemented
	default:
		return c, fmt.Errorf("ari: unknown transport %q", c.Transport)
	}
	if c.NodeID == "" {
		return c, errors.New("ari: NodeID is required (explicit node identity from configuration)")
	}
	if c.URL == "" {
		c.URL = "http://127.0.0.1:8088/ari"
	}
	c.URL = strings.TrimRight(c.URL, "/")
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, errors.New("ari: URL must be http(s)://host:port/ari")
	}
	if u.User != nil {
		// credentials in a URL end up in logs and error messages
		return c, errors.New("ari: put the credentials in User/Password, not in URL")
	}
	if c.WSURL == "" {
		ws := *u
		ws.Scheme = "ws"
		if u.Scheme == "https" {
			ws.Scheme = "wss"
		}
		ws.Path = strings.TrimRight(u.Path, "/") + "/events"
		c.WSURL = ws.String()
	}
	if w, err := url.Parse(c.WSURL); err != nil || (w.Scheme != "ws" && w.Scheme != "wss") || w.Host == "" {
		return c, errors.New("ari: WSURL must be ws(s)://host:port/ari/events")
	}
	if c.User == "" {
		return c, errors.New("ari: User is required")
	}
	if c.App == "" {
		c.App = "callgate"
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.ReconnectMin <= 0 {
		c.ReconnectMin = 200 * time.Millisecond
	}
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = 10 * time.Second
		if c.ReconnectMax < c.ReconnectMin {
			c.ReconnectMax = c.ReconnectMin
		}
	}
	if c.ReplacedPause <= 0 {
		c.ReplacedPause = time.Minute
	}
	if c.MixingBridgeType == "" {
		c.MixingBridgeType = "mixing,dtmf_events"
	}
	if c.RecordIfExists == "" {
		c.RecordIfExists = "fail"
	}
	if c.DisallowedEvents == nil {
		c.DisallowedEvents = DefaultDisallowedEvents
	}
	if c.MessageSources == nil {
		c.MessageSources = []string{"endpoint:PJSIP"}
	}
	if c.Logger == nil {
		c.Logger = slog.Default().With("node", c.NodeID)
	}
	return c, nil
}
