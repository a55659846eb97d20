// Package config loads the gateway configuration: an optional YAML file,
// then CALLGATE_* environment overrides, then defaults, then validation.
//
// Every setting is declared once in the keys table below, which drives the
// YAML reader, the environment reader, the error messages (they name the
// offending key and its variable) and the README's configuration table.
package config

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Demo-mode defaults: the gateway must start with no configuration at all.
const (
	DemoAdminToken = "demo-admin-token"
	DemoDSN        = "sqlite://./callgate.db"
	// Demo mode listens on loopback only: its credentials are published in
	// the README, so it must not be reachable from the network unless an
	// operator asks for it by setting an address.
	DemoHTTPAddr = "127.0.0.1:8080"
	DemoECCPAddr = "127.0.0.1:20005"
	// ExampleAdminToken is the placeholder of deploy/callgate.example.yaml.
	ExampleAdminToken = "change-me-to-a-long-random-token"
	// SampleARIPassword is the placeholder of deploy/asterisk/ari.conf.
	SampleARIPassword = "change-me-callgate"
	// MinAdminTokenLen is the shortest admin token accepted outside demo mode.
	MinAdminTokenLen = 16
)

// Config is the whole gateway configuration.
type Config struct {
	// Demo starts the gateway self-contained: SQLite, simulated PBX, seeded
	// demo data and a well-known admin token.
	Demo bool
	// Seed loads the demo data set into the database (idempotent). On by
	// default in demo mode.
	Seed   bool
	NodeID string

	HTTPAddr         string
	HTTPReadTimeout  time.Duration
	HTTPWriteTimeout time.Duration
	HTTPIdleTimeout  time.Duration
	// HTTPReadHeaderTimeout bounds reading the request line and headers
	// (slow-header clients), separately from the body.
	HTTPReadHeaderTimeout time.Duration
	// HTTPMaxHeaderBytes bounds the request line plus headers; larger
	// requests (a huge GET query string too) are answered 431.
	HTTPMaxHeaderBytes int
	// HTTPMaxBody bounds every request body (413 beyond it); the admin API
	// keeps its own larger limit for bulk JSON.
	HTTPMaxBody     int64
	ECCPAddr        string // empty disables the ECCP listener
	ECCPIdleTimeout time.Duration
	ECCPAllowFrom   []string
	DBDSN           string
	AdminToken      string
	Telephony       string // "sim", "ari" or "simari"
	// SimariAddr is where the in-process simulated Asterisk listens in
	// telephony mode simari.
	SimariAddr    string
	ARIURL        string
	ARIWSURL      string
	ARIUser       string
	ARIPassword   string
	ARIApp        string
	ARITransport  string   // "native" or "proxy" (ari-proxy over NATS)
	ARIProxyNodes []string // Asterisk entity ids behind ari-proxy (transport proxy)
	ARIProxyPick  string   // "least-channels" or "round-robin" (transport proxy)
	// Cluster: "none" (one gateway, always the leader), "sql" or "nats"
	// (the lease electing the one active engine among several gateways).
	ClusterLease          string
	ClusterName           string
	ClusterLeaseTTL       time.Duration
	ClusterForwardTimeout time.Duration
	ClusterAdvertise      string
	ClusterRole           string // "member" or "front"
	Bus                   string // "memory" or "nats"
	NATSURL               string
	NATSStream            string
	LogLevel              string // debug, info, warn, error
	LogFormat             string // text or json
	ShutdownTimeout       time.Duration
	// ShutdownDrain is how long /readyz answers 503 before the listeners
	// close, so a load balancer takes the node out first.
	ShutdownDrain time.Duration
	VicidialPath  string
	// VicidialNonAgentPath mounts the VICIdial non-agent API.
	VicidialNonAgentPath string
	VicidialServerIP     string
	UContactToken        string
	// WebCRMOrigins are the origins the agent workspace frames CRM pages
	// from and takes Porthole actions from; empty: any http(s) origin.
	WebCRMOrigins     []string
	MetricsEnabled    bool
	PprofAddr         string // empty: no profiling listener
	ReplayEvents      int
	DemoSimAnswerWait time.Duration

	// ECCP flood limits; 0 means the ECCP server's default.
	ECCPMaxConns          int
	ECCPMaxConnsPerSource int
	ECCPLoginTimeout      time.Duration

	// SecretKey (base64 of 32 bytes) or SecretKeyFile seals the secrets a
	// protocol needs in clear (ECCP agent passwords, SIP secrets).
	SecretKey     string
	SecretKeyFile string

	// Recording media (pkg/media): where finished recordings are kept
	// (empty disables fetching them), the MP3 encoder ("lame" or a path to
	// it; "none" serves originals only) and its time limit.
	MediaDir            string
	MediaEncoder        string
	MediaEncoderTimeout time.Duration
	// MediaS3URL (https://host/bucket, path-style) keeps recordings in
	// S3-compatible storage instead of MediaDir.
	MediaS3URL       string
	MediaS3Region    string
	MediaS3AccessKey string
	MediaS3SecretKey string

	// Text messages (core/messaging.go): per-second cap (0: none) and the
	// message URI template numbers are sent through.
	SMSPerSecond int
	SMSEndpoint  string
	// SMTP server of call-script email nodes (empty Addr: none).
	SMTPAddr, SMTPFrom, SMTPUsername, SMTPPassword string

	// CallerNameBound: the longest an inbound call waits for its caller's
	// name from a backend before it is queued without one (core/caller_names.go).
	CallerNameBound time.Duration
}

// Key describes one setting, for documentation and error messages.
type Key struct {
	Name    string // dotted YAML path
	Env     string
	Default string // as documented; demo-only defaults say so
	Doc     string
	// Secret values are never logged or echoed in errors.
	Secret bool
	set    func(c *Config, v string) error
}

// Keys lists every setting in documentation order.
func Keys() []Key { return append([]Key(nil), keys...) }

var keys = []Key{
	{Name: "demo", Env: "CALLGATE_DEMO", Default: "true when no config file and no storage/telephony variable (CALLGATE_DB_*, CALLGATE_TELEPHONY, CALLGATE_ARI_*, CALLGATE_BUS*, CALLGATE_NATS_*) is given", Doc: "Self-contained demo mode: SQLite, simulated PBX, seeded data, admin token demo-admin-token.",
		set: func(c *Config, v string) error { return setBool(&c.Demo, v) }},
	{Name: "seed", Env: "CALLGATE_SEED", Default: "= demo", Doc: "Load the demo data set at start (idempotent).",
		set: func(c *Config, v string) error { return setBool(&c.Seed, v) }},
	{Name: "node_id", Env: "CALLGATE_NODE_ID", Default: "host name", Doc: "Explicit identity of this gateway / Asterisk node.",
		set: func(c *Config, v string) error { c.NodeID = v; return nil }},
	{Name: "http.addr", Env: "CALLGATE_HTTP_ADDR", Default: ":8080 (127.0.0.1:8080 in demo mode)", Doc: "Listen address of the HTTP server (VICIdial, admin API, health, metrics).",
		set: func(c *Config, v string) error { return setAddr(&c.HTTPAddr, v, false) }},
	{Name: "http.read_timeout", Env: "CALLGATE_HTTP_READ_TIMEOUT", Default: "30s", Doc: "Maximum time to read a request.",
		set: func(c *Config, v string) error { return setDuration(&c.HTTPReadTimeout, v) }},
	{Name: "http.write_timeout", Env: "CALLGATE_HTTP_WRITE_TIMEOUT", Default: "60s", Doc: "Maximum time to write a response.",
		set: func(c *Config, v string) error { return setDuration(&c.HTTPWriteTimeout, v) }},
	{Name: "http.idle_timeout", Env: "CALLGATE_HTTP_IDLE_TIMEOUT", Default: "120s", Doc: "Keep-alive idle timeout.",
		set: func(c *Config, v string) error { return setDuration(&c.HTTPIdleTimeout, v) }},
	{Name: "http.read_header_timeout", Env: "CALLGATE_HTTP_READ_HEADER_TIMEOUT", Default: "10s", Doc: "Maximum time to read a request's line and headers.",
		set: func(c *Config, v string) error { return setDuration(&c.HTTPReadHeaderTimeout, v) }},
	{Name: "http.max_header_bytes", Env: "CALLGATE_HTTP_MAX_HEADER_BYTES", Default: "64KiB", Doc: "Maximum size of a request line plus headers (a GET query string included); larger requests get 431.",
		set: func(c *Config, v string) error {
			var n int64
			if err := setSize(&n, v, 1<<30); err != nil {
				return err
			}
			c.HTTPMaxHeaderBytes = int(n)
			return nil
		}},
	{Name: "http.max_body", Env: "CALLGATE_HTTP_MAX_BODY", Default: "1MiB", Doc: "Maximum request body on every route and content type (multipart included); larger bodies get 413. The admin API /api/v1 keeps its own 4MiB limit.",
		set: func(c *Config, v string) error { return setSize(&c.HTTPMaxBody, v, 1<<40) }},
	{Name: "eccp.addr", Env: "CALLGATE_ECCP_ADDR", Default: ":20005 (127.0.0.1:20005 in demo mode)", Doc: "Listen address of the ECCP server; empty disables it.",
		set: func(c *Config, v string) error { return setAddr(&c.ECCPAddr, v, true) }},
	{Name: "eccp.idle_timeout", Env: "CALLGATE_ECCP_IDLE_TIMEOUT", Default: "0 (off)", Doc: "Close ECCP sessions idle for this long.",
		set: func(c *Config, v string) error { return setDuration(&c.ECCPIdleTimeout, v) }},
	{Name: "eccp.allow_from", Env: "CALLGATE_ECCP_ALLOW_FROM", Default: "(any)", Doc: "Comma-separated IPs/CIDRs allowed to connect to ECCP.",
		set: func(c *Config, v string) error { return setCIDRs(&c.ECCPAllowFrom, v) }},
	{Name: "eccp.max_conns", Env: "CALLGATE_ECCP_MAX_CONNS", Default: "2000", Doc: "Most ECCP connections open at once (0 = default, which is lowered to half the open-file limit when that is smaller); past it the oldest connection not yet logged in is closed, or the new one if all are logged in.",
		set: func(c *Config, v string) error { return setNonNegative(&c.ECCPMaxConns, v) }},
	{Name: "eccp.max_conns_per_source", Env: "CALLGATE_ECCP_MAX_CONNS_PER_SOURCE", Default: "64", Doc: "Most ECCP connections not yet logged in from one address (IPv6: one /64), 0 = default; past it the oldest of them is closed. Logged-in sessions do not count.",
		set: func(c *Config, v string) error { return setNonNegative(&c.ECCPMaxConnsPerSource, v) }},
	{Name: "eccp.login_timeout", Env: "CALLGATE_ECCP_LOGIN_TIMEOUT", Default: "30s", Doc: "Close an ECCP connection that has not logged in this long after connecting (0 = default).",
		set: func(c *Config, v string) error { return setDuration(&c.ECCPLoginTimeout, v) }},
	{Name: "db.dsn", Env: "CALLGATE_DB_DSN", Default: DemoDSN + " (demo only)", Doc: "Database: mysql://user:pass@tcp(host:3306)/db, user:pass@tcp(host)/db, sqlite://path or a file path.",
		set: func(c *Config, v string) error { c.DBDSN = v; return nil }, Secret: true},
	{Name: "admin.token", Env: "CALLGATE_ADMIN_TOKEN", Default: DemoAdminToken + " (demo only)", Doc: "Bearer token of the admin API /api/v1 (outside demo mode: at least 16 characters, not a placeholder such as the example's or demo-admin-token).",
		set: func(c *Config, v string) error { c.AdminToken = v; return nil }, Secret: true},
	{Name: "secrets.key", Env: "CALLGATE_SECRET_KEY", Default: "", Doc: "Base64 of 32 random bytes (openssl rand -base64 32) sealing the secrets a protocol needs in clear (ECCP agent passwords, SIP secrets) with AES-256-GCM; required once such a secret is stored. Demo mode creates callgate.key next to the SQLite file when no key is set.",
		set: func(c *Config, v string) error { c.SecretKey = v; return nil }, Secret: true},
	{Name: "secrets.key_file", Env: "CALLGATE_SECRET_KEY_FILE", Default: "", Doc: "File holding the secrets.key value (mode 0600); used when secrets.key is empty.",
		set: func(c *Config, v string) error { c.SecretKeyFile = v; return nil }},
	{Name: "telephony.mode", Env: "CALLGATE_TELEPHONY", Default: "sim in demo mode, otherwise ari", Doc: "PBX driver: ari (Asterisk REST Interface), sim (in-process simulated PBX) or simari (the real ARI driver against an in-process simulated Asterisk speaking ARI at simari.addr; for demos and CI).",
		set: func(c *Config, v string) error { return setEnum(&c.Telephony, v, "sim", "ari", "simari") }},
	{Name: "simari.addr", Env: "CALLGATE_SIMARI_ADDR", Default: "127.0.0.1:0", Doc: "telephony.mode simari: address of the in-process simulated Asterisk (ARI at /ari, control API at /control, HTTP Basic ari.user / ari.password; port 0 picks a free one, printed at start).",
		set: func(c *Config, v string) error { c.SimariAddr = strings.TrimSpace(v); return nil }},
	{Name: "ari.url", Env: "CALLGATE_ARI_URL", Default: "http://127.0.0.1:8088/ari", Doc: "Asterisk ARI base URL.",
		set: func(c *Config, v string) error { return setURL(&c.ARIURL, v, "http", "https") }},
	{Name: "ari.ws_url", Env: "CALLGATE_ARI_WS_URL", Default: "derived from ari.url", Doc: "ARI events websocket URL.",
		set: func(c *Config, v string) error { return setURL(&c.ARIWSURL, v, "ws", "wss") }},
	{Name: "ari.user", Env: "CALLGATE_ARI_USER", Default: "callgate", Doc: "ARI user (ari.conf).",
		set: func(c *Config, v string) error { c.ARIUser = v; return nil }},
	{Name: "ari.password", Env: "CALLGATE_ARI_PASSWORD", Default: "", Doc: "ARI password (required in ari mode).",
		set: func(c *Config, v string) error { c.ARIPassword = v; return nil }, Secret: true},
	{Name: "ari.app", Env: "CALLGATE_ARI_APP", Default: "callgate", Doc: "Stasis application name.",
		set: func(c *Config, v string) error { c.ARIApp = v; return nil }},
	{Name: "ari.transport", Env: "CALLGATE_ARI_TRANSPORT", Default: "native", Doc: "native (one Asterisk, REST + websocket) or proxy (ari-proxy over NATS at bus.nats_url, for many Asterisk nodes; ari.url/ari.password then belong to each ari-proxy).",
		set: func(c *Config, v string) error { return setEnum(&c.ARITransport, v, "native", "proxy") }},
	{Name: "ari.proxy_nodes", Env: "CALLGATE_ARI_PROXY_NODES", Default: "", Doc: "Comma-separated Asterisk entity ids (asterisk.conf entityid, as ari-proxy announces them) of the nodes to use; required for ari.transport proxy.",
		set: func(c *Config, v string) error { return setTokens(&c.ARIProxyNodes, v) }},
	{Name: "ari.proxy_pick", Env: "CALLGATE_ARI_PROXY_PICK", Default: "least-channels", Doc: "Node of a new call not linked to another (ari.transport proxy): least-channels or round-robin.",
		set: func(c *Config, v string) error { return setEnum(&c.ARIProxyPick, v, "least-channels", "round-robin") }},
	{Name: "cluster.lease", Env: "CALLGATE_CLUSTER_LEASE", Default: "none", Doc: "none (one gateway, always the leader), sql (the lease in the database's leases table) or nats (in a JetStream KV bucket at bus.nats_url): gateways sharing the database elect one leader that runs the engine; the others forward every HTTP request to it over NATS (bus.nats_url).",
		set: func(c *Config, v string) error { return setEnum(&c.ClusterLease, v, "none", "sql", "nats") }},
	{Name: "cluster.name", Env: "CALLGATE_CLUSTER_NAME", Default: "callgate", Doc: "Name of the lease (one engine per name: a shard) and of the NATS subject requests are forwarded on.",
		set: func(c *Config, v string) error { return setToken(&c.ClusterName, v) }},
	{Name: "cluster.lease_ttl", Env: "CALLGATE_CLUSTER_LEASE_TTL", Default: "4s", Doc: "A leader's term without renewal; standbys try every ttl/4, so a dead leader is replaced within ttl*5/4 (5 s by default).",
		set: func(c *Config, v string) error { return setDuration(&c.ClusterLeaseTTL, v) }},
	{Name: "cluster.forward_timeout", Env: "CALLGATE_CLUSTER_FORWARD_TIMEOUT", Default: "30s", Doc: "Time limit of one request a standby forwards to the leader (504 past it).",
		set: func(c *Config, v string) error { return setDuration(&c.ClusterForwardTimeout, v) }},
	{Name: "cluster.advertise", Env: "CALLGATE_CLUSTER_ADVERTISE", Default: "host name", Doc: "Host name or IP the other gateways reach this one at: the others relay ECCP connections to the leader's eccp.addr port on it, and the web pages' event streams to its http.addr port.",
		set: func(c *Config, v string) error { c.ClusterAdvertise = strings.TrimSpace(v); return nil }},
	{Name: "cluster.role", Env: "CALLGATE_CLUSTER_ROLE", Default: "member", Doc: "member (may lead) or front (never leads: serves every dialect by forwarding to the leader and relaying ECCP, so the clients connected to it keep their connections and ECCP sessions when a leader dies; it needs no engine capacity).",
		set: func(c *Config, v string) error { return setEnum(&c.ClusterRole, v, "member", "front") }},
	{Name: "bus.kind", Env: "CALLGATE_BUS", Default: "memory", Doc: "Domain event bus: memory (one gateway) or nats (JetStream, several gateways).",
		set: func(c *Config, v string) error { return setEnum(&c.Bus, v, "memory", "nats") }},
	{Name: "bus.nats_url", Env: "CALLGATE_NATS_URL", Default: "nats://127.0.0.1:4222", Doc: "NATS server URL for bus.kind=nats.",
		set: func(c *Config, v string) error { return setURL(&c.NATSURL, v, "nats", "tls") }},
	{Name: "bus.stream", Env: "CALLGATE_NATS_STREAM", Default: "CALLGATE_EVENTS", Doc: "JetStream stream name for bus.kind=nats.",
		set: func(c *Config, v string) error { c.NATSStream = v; return nil }},
	{Name: "bus.replay", Env: "CALLGATE_BUS_REPLAY", Default: "10000", Doc: "Events kept for resuming consumers (memory bus).",
		set: func(c *Config, v string) error { return setPositive(&c.ReplayEvents, v) }},
	{Name: "log.level", Env: "CALLGATE_LOG_LEVEL", Default: "info", Doc: "debug, info, warn or error.",
		set: func(c *Config, v string) error { return setEnum(&c.LogLevel, v, "debug", "info", "warn", "error") }},
	{Name: "log.format", Env: "CALLGATE_LOG_FORMAT", Default: "text", Doc: "text or json (log/slog handlers).",
		set: func(c *Config, v string) error { return setEnum(&c.LogFormat, v, "text", "json") }},
	{Name: "shutdown_timeout", Env: "CALLGATE_SHUTDOWN_TIMEOUT", Default: "15s", Doc: "Grace period to drain requests and sessions on SIGTERM.",
		set: func(c *Config, v string) error { return setDuration(&c.ShutdownTimeout, v) }},
	{Name: "shutdown_drain", Env: "CALLGATE_SHUTDOWN_DRAIN", Default: "5s (0 in demo mode)", Doc: "On SIGTERM, how long /readyz answers 503 while every listener keeps serving, before the shutdown grace period starts.",
		set: func(c *Config, v string) error { return setDuration(&c.ShutdownDrain, v) }},
	{Name: "vicidial.path", Env: "CALLGATE_VICIDIAL_PATH", Default: "/agc/api.php", Doc: "Where the VICIdial agent API is mounted.",
		set: func(c *Config, v string) error { return setPath(&c.VicidialPath, v) }},
	{Name: "vicidial.non_agent_path", Env: "CALLGATE_VICIDIAL_NON_AGENT_PATH", Default: "/vicidial/non_agent_api.php", Doc: "Where the VICIdial non-agent API is mounted.",
		set: func(c *Config, v string) error { return setPath(&c.VicidialNonAgentPath, v) }},
	{Name: "vicidial.server_ip", Env: "CALLGATE_VICIDIAL_SERVER_IP", Default: "127.0.0.1", Doc: "Server IP VICIdial answers report (webserver, recording).",
		set: func(c *Config, v string) error { c.VicidialServerIP = v; return nil }},
	{Name: "ucontact.token", Env: "CALLGATE_UCONTACT_TOKEN", Default: "", Doc: "Bearer token accepted by the uContact Integra API besides HTTP Basic of its API users (empty: Basic only).",
		set: func(c *Config, v string) error { c.UContactToken = v; return nil }},
	{Name: "web.crm_origins", Env: "CALLGATE_WEB_CRM_ORIGINS", Default: "(any)", Doc: "Comma-separated origins (https://crm.example.com) whose pages the agent workspace may frame and take Porthole actions (call, hangup, schedule...) from; empty: any http(s) origin.",
		set: func(c *Config, v string) error { return setOrigins(&c.WebCRMOrigins, v) }},
	{Name: "metrics.enabled", Env: "CALLGATE_METRICS", Default: "true", Doc: "Serve Prometheus metrics at /metrics.",
		set: func(c *Config, v string) error { return setBool(&c.MetricsEnabled, v) }},
	{Name: "debug.pprof_addr", Env: "CALLGATE_PPROF_ADDR", Default: "", Doc: "Loopback address of an opt-in listener serving Go profiles (net/http/pprof) at /debug/pprof/; empty disables it.",
		set: func(c *Config, v string) error { return setLoopbackAddr(&c.PprofAddr, v) }},
	{Name: "media.dir", Env: "CALLGATE_MEDIA_DIR", Default: "./recordings", Doc: "Recording store: finished recordings are fetched from the PBX into YYYYMMDD/<guid>.<ext> under this directory (empty: not fetched, /recordings/{id}/media answers 503).",
		set: func(c *Config, v string) error { c.MediaDir = v; return nil }},
	{Name: "media.encoder", Env: "CALLGATE_MEDIA_ENCODER", Default: "lame", Doc: "MP3 encoder: lame (from PATH), an absolute path to lame, or none (originals only).",
		set: func(c *Config, v string) error { return setEncoder(&c.MediaEncoder, v) }},
	{Name: "media.encoder_timeout", Env: "CALLGATE_MEDIA_ENCODER_TIMEOUT", Default: "2m", Doc: "Time limit of one MP3 transcode.",
		set: func(c *Config, v string) error { return setDuration(&c.MediaEncoderTimeout, v) }},
	{Name: "media.s3_url", Env: "CALLGATE_MEDIA_S3_URL", Default: "", Doc: "S3-compatible recording store shared by several gateways, path-style endpoint and bucket (https://s3.example.com/recordings); replaces media.dir.",
		set: func(c *Config, v string) error { return setURL(&c.MediaS3URL, v, "https", "http") }},
	{Name: "media.s3_region", Env: "CALLGATE_MEDIA_S3_REGION", Default: "us-east-1", Doc: "Region the S3 requests are signed for.",
		set: func(c *Config, v string) error { c.MediaS3Region = v; return nil }},
	{Name: "media.s3_access_key", Env: "CALLGATE_MEDIA_S3_ACCESS_KEY", Default: "", Doc: "S3 access key id (required with media.s3_url).",
		set: func(c *Config, v string) error { c.MediaS3AccessKey = v; return nil }},
	{Name: "media.s3_secret_key", Env: "CALLGATE_MEDIA_S3_SECRET_KEY", Default: "", Doc: "S3 secret key (required with media.s3_url).",
		set: func(c *Config, v string) error { c.MediaS3SecretKey = v; return nil }, Secret: true},
	{Name: "sms.per_second", Env: "CALLGATE_SMS_PER_SECOND", Default: "0", Doc: "Text messages sent per second at most (0: no cap); a request over it is refused (eXpand sendSms -2) and nothing is sent.",
		set: func(c *Config, v string) error { return setNonNegative(&c.SMSPerSecond, v) }},
	{Name: "sms.endpoint", Env: "CALLGATE_SMS_ENDPOINT", Default: "pjsip:{number}", Doc: "Message URI a recipient number is sent to through Asterisk's message routing ({number} or %s is replaced; recipients given as URIs are kept).",
		set: func(c *Config, v string) error { c.SMSEndpoint = strings.TrimSpace(v); return nil }},
	{Name: "smtp.addr", Env: "CALLGATE_SMTP_ADDR", Default: "", Doc: "SMTP server (host:port) call-script email nodes send through; empty: email nodes take their error branch.",
		set: func(c *Config, v string) error { c.SMTPAddr = strings.TrimSpace(v); return nil }},
	{Name: "smtp.from", Env: "CALLGATE_SMTP_FROM", Default: "callgate@localhost", Doc: "Sender address of call-script email.",
		set: func(c *Config, v string) error { c.SMTPFrom = strings.TrimSpace(v); return nil }},
	{Name: "smtp.username", Env: "CALLGATE_SMTP_USERNAME", Default: "", Doc: "SMTP user (PLAIN authentication, over STARTTLS unless the server is local); empty: no authentication.",
		set: func(c *Config, v string) error { c.SMTPUsername = v; return nil }},
	{Name: "smtp.password", Env: "CALLGATE_SMTP_PASSWORD", Default: "", Doc: "SMTP password.",
		set: func(c *Config, v string) error { c.SMTPPassword = v; return nil }, Secret: true},
	{Name: "calls.caller_name_bound", Env: "CALLGATE_CALLER_NAME_BOUND", Default: "2s", Doc: "Longest an inbound call waits for its caller's name from the customer's backend (eXpand getCallerIDName) before it is queued without one; at most 10s.",
		set: func(c *Config, v string) error { return setBound(&c.CallerNameBound, v, 10*time.Second) }},
	{Name: "sim.answer_delay", Env: "CALLGATE_SIM_ANSWER_DELAY", Default: "0s", Doc: "Simulated PBX: how long originated calls ring before answering (modes sim and simari).",
		set: func(c *Config, v string) error { return setDuration(&c.DemoSimAnswerWait, v) }},
}

func keyByName(name string) (Key, bool) {
	for _, k := range keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Defaults is the configuration with nothing set (not demo mode).
func Defaults() Config {
	host, _ := os.Hostname()
	if host == "" {
		host = "callgate"
	}
	return Config{
		NodeID:                host,
		HTTPAddr:              ":8080",
		HTTPReadTimeout:       30 * time.Second,
		HTTPWriteTimeout:      60 * time.Second,
		HTTPIdleTimeout:       120 * time.Second,
		HTTPReadHeaderTimeout: 10 * time.Second,
		HTTPMaxHeaderBytes:    64 << 10,
		HTTPMaxBody:           1 << 20,
		ECCPAddr:              ":20005",
		ARIURL:                "http://127.0.0.1:8088/ari",
		SimariAddr:            "127.0.0.1:0",
		ARIUser:               "callgate",
		ARIApp:                "callgate",
		ARITransport:          "native",
		ARIProxyPick:          "least-channels",
		Bus:                   "memory",
		ClusterLease:          "none",
		ClusterName:           "callgate",
		ClusterLeaseTTL:       4 * time.Second,
		ClusterForwardTimeout: 30 * time.Second,
		ClusterAdvertise:      host,
		ClusterRole:           "member",
		NATSURL:               "nats://127.0.0.1:4222",
		NATSStream:            "CALLGATE_EVENTS",
		ReplayEvents:          10000,
		LogLevel:              "info",
		LogFormat:             "text",
		ShutdownTimeout:       15 * time.Second,
		ShutdownDrain:         5 * time.Second,
		VicidialPath:          "/agc/api.php",
		VicidialNonAgentPath:  "/vicidial/non_agent_api.php",
		VicidialServerIP:      "127.0.0.1",
		MetricsEnabled:        true,
		MediaDir:              "./recordings",
		MediaEncoder:          "lame",
		MediaEncoderTimeout:   2 * time.Minute,
		MediaS3Region:         "us-east-1",
		CallerNameBound:       2 * time.Second,
	}
}

// Error is a configuration error naming the offending key.
type Error struct {
	Key string // dotted YAML key, empty for file-level errors
	Env string
	Msg string
}

func (e *Error) Error() string {
	switch {
	case e.Key == "":
		return "config: " + e.Msg
	case e.Env == "":
		return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
	default:
		return fmt.Sprintf("config: %s (%s): %s", e.Key, e.Env, e.Msg)
	}
}

// Load reads the optional YAML file at path, applies environment overrides
// from getenv (os.Getenv when nil), fills defaults and validates.
func Load(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if path == "" {
		path = getenv("CALLGATE_CONFIG")
	}
	c := Defaults()
	set := map[string]bool{}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, &Error{Msg: fmt.Sprintf("read %s: %v", path, errors.Unwrap(err))}
		}
		if err := applyYAML(&c, b, set); err != nil {
			return Config{}, err
		}
	}
	envSeen := false
	for _, k := range keys {
		v, ok := lookup(getenv, k.Env)
		if !ok {
			continue
		}
		if endsDemo(k.Env) {
			envSeen = true
		}
		if err := k.set(&c, v); err != nil {
			return Config{}, &Error{Key: k.Name, Env: k.Env, Msg: err.Error()}
		}
		set[k.Name] = true
	}
	if !set["demo"] && path == "" && !envSeen {
		c.Demo = true
	}
	if c.Demo {
		applyDemoDefaults(&c, set)
	}
	if !set["telephony.mode"] && c.Telephony == "" {
		c.Telephony = "ari"
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// endsDemo tells whether setting this variable means "not the demo": only
// variables choosing real storage or telephony do. Tuning a demo (its
// listen address, log level, admin token...) keeps it a demo, so that
// CALLGATE_HTTP_ADDR alone does not silently switch to production and then
// fail for want of a database.
func endsDemo(env string) bool {
	for _, p := range []string{"CALLGATE_DB_", "CALLGATE_TELEPHONY", "CALLGATE_ARI_", "CALLGATE_BUS", "CALLGATE_NATS_"} {
		if strings.HasPrefix(env, p) {
			return true
		}
	}
	return false
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	if v == "" {
		return "", false
	}
	return v, true
}

func applyDemoDefaults(c *Config, set map[string]bool) {
	if !set["seed"] {
		c.Seed = true
	}
	if !set["db.dsn"] {
		c.DBDSN = DemoDSN
	}
	if !set["admin.token"] {
		c.AdminToken = DemoAdminToken
	}
	if !set["telephony.mode"] {
		c.Telephony = "sim"
	}
	if !set["shutdown_drain"] {
		// Nobody balances load over a demo: stop at once.
		c.ShutdownDrain = 0
	}
	if !set["http.addr"] {
		c.HTTPAddr = DemoHTTPAddr
	}
	if !set["eccp.addr"] {
		c.ECCPAddr = DemoECCPAddr
	}
}

// applyYAML flattens the document into dotted keys and applies each leaf
// through the same setters as the environment, so both report errors alike.
func applyYAML(c *Config, b []byte, set map[string]bool) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return &Error{Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	leaves := map[string]*yaml.Node{}
	if err := flatten("", doc.Content[0], leaves); err != nil {
		return err
	}
	names := make([]string, 0, len(leaves))
	for n := range leaves {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		k, ok := keyByName(name)
		if !ok {
			return &Error{Key: name, Msg: fmt.Sprintf("unknown key (line %d)", leaves[name].Line)}
		}
		n := leaves[name]
		v := n.Value
		if n.Kind == yaml.SequenceNode {
			parts := make([]string, 0, len(n.Content))
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode {
					return &Error{Key: k.Name, Env: k.Env, Msg: fmt.Sprintf("line %d: expected a list of values", item.Line)}
				}
				parts = append(parts, item.Value)
			}
			v = strings.Join(parts, ",")
		}
		if err := k.set(c, v); err != nil {
			return &Error{Key: k.Name, Env: k.Env, Msg: fmt.Sprintf("line %d: %v", n.Line, err)}
		}
		set[name] = true
	}
	return nil
}

func flatten(prefix string, n *yaml.Node, out map[string]*yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			name := n.Content[i].Value
			if prefix != "" {
				name = prefix + "." + name
			}
			if err := flatten(name, n.Content[i+1], out); err != nil {
				return err
			}
		}
		return nil
	case yaml.ScalarNode, yaml.SequenceNode:
		if prefix == "" {
			return &Error{Msg: "the document must be a mapping of keys"}
		}
		if _, known := keyByName(prefix); !known && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			// An empty section header ("ari:") is harmless.
			return nil
		}
		out[prefix] = n
		return nil
	case yaml.AliasNode:
		return flatten(prefix, n.Alias, out)
	default:
		return &Error{Key: prefix, Msg: fmt.Sprintf("line %d: unsupported value", n.Line)}
	}
}

// Validate checks cross-field rules that single values cannot.
func (c Config) Validate() error {
	fail := func(name, msg string) error {
		k, _ := keyByName(name)
		return &Error{Key: name, Env: k.Env, Msg: msg}
	}
	if c.HTTPAddr == "" {
		return fail("http.addr", "required")
	}
	if c.MediaS3URL != "" && (c.MediaS3AccessKey == "" || c.MediaS3SecretKey == "") {
		return fail("media.s3_url", "needs media.s3_access_key and media.s3_secret_key")
	}
	const demoHint = " (or set CALLGATE_DEMO=1 for the self-contained demo: SQLite, simulated PBX)"
	if c.DBDSN == "" {
		return fail("db.dsn", "required outside demo mode"+demoHint)
	}
	if c.AdminToken == "" {
		return fail("admin.token", "required outside demo mode"+demoHint)
	}
	if !c.Demo {
		if len(c.AdminToken) < MinAdminTokenLen {
			return fail("admin.token", fmt.Sprintf("must be at least %d characters outside demo mode", MinAdminTokenLen))
		}
		if IsPlaceholderToken(c.AdminToken) {
			return fail("admin.token", "is a placeholder (the example's or the demo's value); set a long random token, e.g. openssl rand -hex 24")
		}
	}
	if c.NodeID == "" {
		return fail("node_id", "required")
	}
	if c.Telephony == "ari" && c.ARITransport == "proxy" {
		if len(c.ARIProxyNodes) == 0 {
			return fail("ari.proxy_nodes", "required when ari.transport is proxy")
		}
		if c.NATSURL == "" {
			return fail("bus.nats_url", "required when ari.transport is proxy")
		}
	}
	if c.Telephony == "ari" && c.ARITransport != "proxy" {
		if c.ARIURL == "" {
			return fail("ari.url", "required when telephony.mode is ari")
		}
		if c.ARIPassword == "" {
			return fail("ari.password", "required when telephony.mode is ari")
		}
	}
	if c.Telephony == "ari" {
		if c.ARIApp == "" {
			return fail("ari.app", "required when telephony.mode is ari")
		}
	}
	if c.Bus == "nats" && c.NATSURL == "" {
		return fail("bus.nats_url", "required when bus.kind is nats")
	}
	if c.ClusterLease != "none" {
		if c.NATSURL == "" {
			return fail("bus.nats_url", "required when cluster.lease is set (standbys forward over NATS)")
		}
		if c.ClusterLeaseTTL < time.Second {
			return fail("cluster.lease_ttl", "must be at least 1s")
		}
		if c.ClusterForwardTimeout <= 0 {
			return fail("cluster.forward_timeout", "must be positive")
		}
	} else if c.ClusterRole == "front" {
		return fail("cluster.role", "front needs cluster.lease (a front follows the leader of a cluster)")
	}
	if c.ShutdownTimeout <= 0 {
		return fail("shutdown_timeout", "must be positive")
	}
	return nil
}

// IsPlaceholderToken tells whether an admin token is a published value or
// an obvious "change me" placeholder that an operator forgot to replace.
func IsPlaceholderToken(tok string) bool {
	t := strings.ToLower(strings.TrimSpace(tok))
	if t == strings.ToLower(ExampleAdminToken) || t == DemoAdminToken {
		return true
	}
	squashed := strings.NewReplacer("-", "", "_", "", " ", "", ".", "").Replace(t)
	for _, p := range []string{"changeme", "replaceme", "changethis", "yourtoken", "admintoken", "placeholder"} {
		if strings.Contains(squashed, p) {
			return true
		}
	}
	return false
}

// Warnings lists doubtful settings that do not prevent a start (reported
// by -check). ariConf is the content of Asterisk's ari.conf when the caller
// could read it (nil otherwise): the ARI password must match the one of the
// ari.user there, or every connection is refused with a 401.
func (c Config) Warnings(ariConfPath string, ariConf []byte) []string {
	if c.Demo || c.Telephony != "ari" || c.ARITransport == "proxy" {
		return nil
	}
	var out []string
	if c.ARIPassword == SampleARIPassword {
		out = append(out, "ari.password (CALLGATE_ARI_PASSWORD) is the sample password of deploy/asterisk/ari.conf; change it there and here")
	}
	if ariConf == nil {
		if c.ARIPassword != SampleARIPassword {
			out = append(out, fmt.Sprintf("ari.password (CALLGATE_ARI_PASSWORD) not compared with Asterisk: %s not readable (-ari-conf path); it must equal the password of [%s] there", ariConfPath, c.ARIUser))
		}
		return out
	}
	pw, ok := ARIConfPassword(ariConf, c.ARIUser)
	switch {
	case !ok:
		out = append(out, fmt.Sprintf("ari.user (CALLGATE_ARI_USER): no [%s] user with a plain password in %s", c.ARIUser, ariConfPath))
	case subtle.ConstantTimeCompare([]byte(pw), []byte(c.ARIPassword)) != 1:
		out = append(out, fmt.Sprintf("ari.password (CALLGATE_ARI_PASSWORD) does not match the password of [%s] in %s: Asterisk will refuse the gateway", c.ARIUser, ariConfPath))
	}
	return out
}

// ARIConfPassword returns the plain password of user in an ari.conf text
// (Asterisk's ini format; a section may be split or templated, the last
// password line of the user wins). Crypted passwords are not comparable.
func ARIConfPassword(conf []byte, user string) (string, bool) {
	var section, pw, format string
	found := false
	for _, line := range strings.Split(string(conf), "\n") {
		if i := strings.Index(line, ";"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			if j := strings.Index(line, "]"); j > 0 {
				section = strings.TrimSpace(line[1:j])
			}
			continue
		}
		if section != user {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(strings.TrimPrefix(v, ">"))
		switch strings.TrimSpace(k) {
		case "password":
			pw, found = v, true
		case "password_format":
			format = v
		}
	}
	if !found || (format != "" && format != "plain") {
		return "", false
	}
	return pw, true
}

// Redacted returns the settings as key/value pairs for a start-up log line,
// with secrets masked.
func (c Config) Redacted() map[string]string {
	out := map[string]string{
		"demo": strconv.FormatBool(c.Demo), "node_id": c.NodeID, "http.addr": c.HTTPAddr,
		"eccp.addr": c.ECCPAddr, "telephony.mode": c.Telephony, "bus.kind": c.Bus,
		"db.driver": dsnDriver(c.DBDSN),
	}
	if c.Telephony == "ari" {
		out["ari.url"] = c.ARIURL
		out["ari.app"] = c.ARIApp
		out["ari.transport"] = c.ARITransport
	}
	return out
}

func dsnDriver(dsn string) string {
	switch {
	case strings.HasPrefix(dsn, "mysql://"), strings.Contains(dsn, "@tcp("), strings.Contains(dsn, "@unix("):
		return "mysql"
	case dsn == "":
		return ""
	default:
		return "sqlite"
	}
}

// --- value parsers; their messages never echo secrets, only shapes ---

func setBool(dst *bool, v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y":
		*dst = true
	case "0", "false", "no", "off", "n", "":
		*dst = false
	default:
		return fmt.Errorf("invalid boolean %q (use true or false)", v)
	}
	return nil
}

// setBound is setDuration with a maximum.
func setBound(dst *time.Duration, v string, max time.Duration) error {
	var d time.Duration
	if err := setDuration(&d, v); err != nil {
		return err
	}
	if d > max {
		return fmt.Errorf("%s is over the maximum %s", d, max)
	}
	*dst = d
	return nil
}

func setDuration(dst *time.Duration, v string) error {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		*dst = time.Duration(n) * time.Second
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("invalid duration %q (e.g. 15s, 2m)", v)
	}
	*dst = d
	return nil
}

// setSize reads a byte count: a plain integer or one with a KiB/MiB/GiB
// (or KB/MB/GB, K/M/G, read as powers of 1024) suffix, between 1 and max.
func setSize(dst *int64, v string, max int64) error {
	t := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > max/mult {
		return fmt.Errorf("invalid size %q (bytes, e.g. 1048576, 64KiB, 1MiB; at most %d bytes)", v, max)
	}
	*dst = n * mult
	return nil
}

func setPositive(dst *int, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return fmt.Errorf("invalid positive integer %q", v)
	}
	*dst = n
	return nil
}

// setNonNegative reads a count where 0 means "the default".
func setNonNegative(dst *int, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return fmt.Errorf("invalid count %q (0 or more; 0 = default)", v)
	}
	*dst = n
	return nil
}

func setEnum(dst *string, v string, allowed ...string) error {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, a := range allowed {
		if v == a {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("invalid value %q (one of %s)", v, strings.Join(allowed, ", "))
}

// setLoopbackAddr takes an optional listen address on this machine only:
// what it serves is for the operator, never for the network.
func setLoopbackAddr(dst *string, v string) error {
	var addr string
	if err := setAddr(&addr, v, true); err != nil || addr == "" {
		*dst = addr
		return err
	}
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%q is not a loopback address (e.g. 127.0.0.1:6060)", v)
	}
	*dst = addr
	return nil
}

func setAddr(dst *string, v string, allowEmpty bool) error {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "off") {
		if allowEmpty {
			*dst = ""
			return nil
		}
		return errors.New("must not be empty")
	}
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("invalid listen address %q (host:port, e.g. :8080)", v)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port in %q", v)
	}
	*dst = v
	return nil
}

func setURL(dst *string, v string, schemes ...string) error {
	v = strings.TrimSpace(v)
	for _, s := range schemes {
		if strings.HasPrefix(strings.ToLower(v), s+"://") && len(v) > len(s)+3 {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("invalid URL (expected %s://...)", strings.Join(schemes, ":// or "))
}

func setPath(dst *string, v string) error {
	if !strings.HasPrefix(v, "/") {
		return fmt.Errorf("invalid path %q (must start with /)", v)
	}
	*dst = v
	return nil
}

// setOrigins reads a comma-separated list of web origins
// (scheme://host[:port], http or https, nothing after the host).
func setOrigins(dst *[]string, v string) error {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		u, err := url.Parse(p)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("invalid origin %q (scheme://host[:port], e.g. https://crm.example.com)", p)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	*dst = out
	return nil
}

// setTokens reads a comma-separated list of identifiers (no spaces inside).
func setTokens(dst *[]string, v string) error {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if strings.ContainsAny(p, " \t.*>") {
			return fmt.Errorf("invalid id %q (no spaces, '.', '*' or '>')", p)
		}
		out = append(out, p)
	}
	*dst = out
	return nil
}

func setCIDRs(dst *[]string, v string) error {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("invalid IP or CIDR %q", p)
		}
		out = append(out, p)
	}
	*dst = out
	return nil
}

// setEncoder accepts lame, none or an absolute path (never a relative path
// that would run whatever sits in the working directory).
func setEncoder(dst *string, v string) error {
	v = strings.TrimSpace(v)
	if v == "lame" || v == "none" || (strings.HasPrefix(v, "/") && !strings.ContainsAny(v, " \t\n")) {
		*dst = v
		return nil
	}
	return errors.New("must be lame, none or an absolute path to lame")
}

// setToken accepts a name usable as a NATS subject token and a lease name.
func setToken(dst *string, v string) error {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 64 || strings.ContainsAny(v, " \t.*>") {
		return fmt.Errorf("invalid name %q (1-64 characters, no spaces, '.', '*' or '>')", v)
	}
	*dst = v
	return nil
}
