package ariproxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/callgate/callgate/pkg/telephony/ari"
)

// Pick chooses the node a new call (one not linked to an existing channel)
// is originated on.
type Pick string

const (
	// PickLeastChannels originates on the live node with the fewest live
	// channels as seen by this gateway's event stream (channels of our
	// application: originated, snooped or entered from the dialplan), ties
	// broken round robin. Channels of other applications on the same
	// Asterisk are not counted.
	PickLeastChannels Pick = "least-channels"
	// PickRoundRobin takes the live nodes in turn.
	PickRoundRobin Pick = "round-robin"
)

// Config describes the ari-proxy cluster to use.
type Config struct {
	// NATSURL is the NATS server the ari-proxy servers use
	// (default nats://127.0.0.1:4222). Credentials may be given in the URL;
	// they are never logged.
	NATSURL string
	// App is the Stasis application every ari-proxy server of the cluster
	// runs as (its ari.application; default "callgate").
	App string
	// Nodes are the Asterisk nodes to use, by the id ari-proxy knows them
	// by: Asterisk's entity id, which must be set explicitly in each node's
	// asterisk.conf (entityid = ...) because the default is derived from a
	// MAC address and several Asterisks on one host would collide. Events
	// and announcements of other nodes are ignored. Required.
	Nodes []string
	// NodeID is what NodeID() answers. Default: the node when there is only
	// one, otherwise "ari-proxy:<App>". Events always carry their own node.
	NodeID string
	// Prefix is the subject prefix of the ari-proxy servers (default "ari.").
	Prefix string
	// Pick chooses the node of a new, unlinked call (default
	// PickLeastChannels). A call linked to another channel
	// (OriginateRequest.OtherChannelID) always goes to that channel's node.
	Pick Pick

	// RequestTimeout bounds each request whose context has no deadline
	// (default 5s).
	RequestTimeout time.Duration
	// PingInterval is how often the cluster is pinged; each live ari-proxy
	// whose Asterisk websocket is up answers with an announcement
	// (default 1s).
	PingInterval time.Duration
	// NodeTimeout: a node that has not announced itself for this long is
	// reported gone with TelDisconnected (default 3 × PingInterval).
	NodeTimeout time.Duration
	// ReconnectWait is the pause between NATS reconnection attempts
	// (default 500ms); reconnection never gives up.
	ReconnectWait time.Duration

	// MixingBridgeType is the ARI bridge type for core.BridgeMixing
	// (default "mixing,dtmf_events", as in pkg/telephony/ari).
	MixingBridgeType string
	// RecordIfExists is ARI's ifExists for Record (default "fail").
	RecordIfExists string
	// MessageSources are ARI event sources the application subscribes to on
	// each node when it comes up, e.g. "endpoint:PJSIP" for incoming text
	// messages. Default none: ari-proxy v5.3.1 decodes events with ari/v5,
	// which cannot decode a TextMessageReceived carrying variables and drops
	// its Asterisk websocket on it.
	MessageSources []string

	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.NATSURL == "" {
		c.NATSURL = "nats://127.0.0.1:4222"
	}
	for _, s := range strings.Split(c.NATSURL, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Host == "" {
			return c, errors.New("ariproxy: NATSURL must be nats://host:port or tls://host:port (comma-separated for a cluster)")
		}
	}
	if c.App == "" {
		c.App = "callgate"
	}
	if !validToken(c.App) {
		return c, errors.New("ariproxy: App must be one NATS subject token (no '.', '*', '>' or spaces)")
	}
	if len(c.Nodes) == 0 {
		return c, errors.New("ariproxy: Nodes is required (the entity ids of the Asterisk nodes behind ari-proxy)")
	}
	seen := map[string]bool{}
	for _, n := range c.Nodes {
		if !validToken(n) {
			return c, fmt.Errorf("ariproxy: node id %q must be one NATS subject token (no '.', '*', '>' or spaces)", n)
		}
		if seen[n] {
			return c, fmt.Errorf("ariproxy: node id %q listed twice", n)
		}
		seen[n] = true
	}
	c.Nodes = append([]string(nil), c.Nodes...)
	if c.NodeID == "" {
		if len(c.Nodes) == 1 {
			c.NodeID = c.Nodes[0]
		} else {
			c.NodeID = "ari-proxy:" + c.App
		}
	}
	if c.Prefix == "" {
		c.Prefix = "ari."
	}
	switch c.Pick {
	case "":
		c.Pick = PickLeastChannels
	case PickLeastChannels, PickRoundRobin:
	default:
		return c, fmt.Errorf("ariproxy: unknown Pick %q", c.Pick)
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.PingInterval <= 0 {
		c.PingInterval = time.Second
	}
	if c.NodeTimeout <= 0 {
		c.NodeTimeout = 3 * c.PingInterval
	}
	if c.NodeTimeout < c.PingInterval {
		return c, errors.New("ariproxy: NodeTimeout must be at least PingInterval")
	}
	if c.ReconnectWait <= 0 {
		c.ReconnectWait = 500 * time.Millisecond
	}
	if c.MixingBridgeType == "" {
		c.MixingBridgeType = ari.DefaultMixingBridgeType
	}
	if c.RecordIfExists == "" {
		c.RecordIfExists = "fail"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*> \t\r\n")
}

// redactURL drops credentials from NATS URLs for logs and errors.
func redactURL(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "<invalid url>"
			continue
		}
		u.User = nil
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
