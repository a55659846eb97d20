package backend

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// Dialect is the name eXpand's settings are kept under
// (/api/v1/settings/expand).
const Dialect = "expand"

// Setting names of the customer's backend (system scope).
const (
	SetURL       = "backend_url"
	SetProtocol  = "backend_protocol"
	SetNamespace = "backend_soap_namespace"
	SetUser      = "backend_user"
	SetPassword  = "backend_password"
	SetTimeout   = "backend_timeout_ms"
	SetCacheTTL  = "backend_cache_ttl"
	SetCallerID  = "backend_getcalleridname"
	SetPush      = "backend_pushagentinfo"
	SetIVRCode   = "backend_ivrcode"
)

func init() {
	yn := []string{"Y", "N"}
	core.DeclareSettings(Dialect,
		core.SettingDef{Name: SetURL, Scope: core.ScopeSystem, MaxLen: 512, Check: checkURL,
			Doc: "Customer backend (CRM) implementing getCallerIDName, pushAgentInfo and IVRCode: the SOAP endpoint, or the REST base URL the method name is appended to. Empty: no backend."},
		core.SettingDef{Name: SetProtocol, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"rest", "soap"}, Default: "rest",
			Doc: "rest: POST <url>/<method> with the parameters form-encoded, the answer is the body; soap: SOAP 1.1 rpc/encoded POST to <url>, the answer is the return part."},
		core.SettingDef{Name: SetNamespace, Scope: core.ScopeSystem, MaxLen: 255, Default: "urn:expand-backend",
			Doc: "Namespace of the SOAP operations (SOAPAction is <namespace>#<method>)."},
		core.SettingDef{Name: SetUser, Scope: core.ScopeSystem, MaxLen: 128,
			Doc: "HTTP Basic user presented to the backend (empty: no authentication)."},
		core.SettingDef{Name: SetPassword, Scope: core.ScopeSystem, MaxLen: 255, Secret: true,
			Doc: "HTTP Basic password presented to the backend; sealed at rest, never shown."},
		core.SettingDef{Name: SetTimeout, Scope: core.ScopeSystem, Kind: core.SettingInt, Min: 100, Max: 60000, Default: "1500",
			Doc: "Time limit of one request to the backend, in milliseconds; a call never waits for its caller name longer than the engine's bound (2 s) whatever this says."},
		core.SettingDef{Name: SetCacheTTL, Scope: core.ScopeSystem, Kind: core.SettingInt, Min: 0, Max: 86400, Default: "300",
			Doc: "Seconds a caller name is reused without asking the backend again (0: ask on every call)."},
		core.SettingDef{Name: SetCallerID, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: yn, Default: "Y",
			Doc: "Ask getCallerIDName for every inbound call before it is queued."},
		core.SettingDef{Name: SetPush, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: yn, Default: "Y",
			Doc: "Send pushAgentInfo (through the durable outbox) when an agent answers a queue call."},
		core.SettingDef{Name: SetIVRCode, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: yn, Default: "Y",
			Doc: "Ask IVRCode when a call script reaches a node with an IVR code and append its answer to the call's IVR data (N: the code itself is appended)."},
	)
}

func checkURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http:// or https:// URL")
	}
	return nil
}

// config is the backend's configuration as the settings say now.
type config struct {
	URL       string
	SOAP      bool
	Namespace string
	User      string
	Password  string
	Timeout   time.Duration
	CacheTTL  time.Duration
	CallerID  bool
	Push      bool
	IVRCode   bool
}

// load reads the settings; a backend with no URL is off.
func load(ctx context.Context, s *core.Settings) (config, error) {
	v, err := s.Values(ctx, Dialect, core.ScopeSystem, "")
	if err != nil {
		return config{}, err
	}
	return config{
		URL:       strings.TrimSpace(v.String(SetURL)),
		SOAP:      v.String(SetProtocol) == "soap",
		Namespace: v.String(SetNamespace),
		User:      v.String(SetUser),
		Password:  v.String(SetPassword),
		Timeout:   time.Duration(v.Int(SetTimeout)) * time.Millisecond,
		CacheTTL:  time.Duration(v.Int(SetCacheTTL)) * time.Second,
		CallerID:  v.Bool(SetCallerID),
		Push:      v.Bool(SetPush),
		IVRCode:   v.Bool(SetIVRCode),
	}, nil
}
