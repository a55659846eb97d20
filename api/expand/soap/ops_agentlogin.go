package soap

import (
	"context"
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

func init() { register("getAgentLogin", (*EngineOps).getAgentLogin) }

// getAgentLogin describes each extension of the comma list: its channel,
// the agent logged in at it (if any) and that agent's queues with login
// time and pause. -4 when no extension is given, -5 when one is neither a
// phone nor an agent's endpoint.
func (o *EngineOps) getAgentLogin(ctx context.Context, p Params) (Result, error) {
	var exts []string
	for _, x := range strings.Split(p.Get("extensions"), ",") {
		if x = strings.TrimSpace(x); x != "" {
			exts = append(exts, x)
		}
	}
	if len(exts) == 0 {
		return String("-4"), nil
	}
	if len(exts) > 1000 {
		return String("-2"), nil
	}
	endpoints := make([]string, len(exts))
	for i, x := range exts {
		ep, err := o.endpointOf(ctx, x)
		switch core.ErrorCode(err) {
		case "":
			endpoints[i] = ep
		case core.ENOTFOUND, core.EINVALID:
			return String("-5"), nil
		default:
			o.log.Warn("expand soap: getAgentLogin", "err", err)
			return String("-3"), nil
		}
	}
	d := &xmlDoc{}
	d.b.WriteString("<extensions>\n")
	for i, x := range exts {
		o.agentLoginExtension(d, x, endpoints[i])
	}
	return String(d.done("extensions")), nil
}

func (o *EngineOps) agentLoginExtension(d *xmlDoc, ext, endpoint string) {
	tech, _, _ := strings.Cut(endpoint, "/")
	d.elem("extension", false, xattr{"number", ext}, xattr{"channelType", tech}, xattr{"channelId", extNumber(endpoint)})
	for _, s := range o.eng.Sessions() {
		if !strings.EqualFold(s.Extension, endpoint) && extNumber(s.Extension) != ext {
			continue
		}
		a, _ := o.agentOf(s.Username)
		d.elem("agent", true, xattr{"number", firstNonEmpty(a.Number, s.Username)}, xattr{"user", s.Username}, xattr{"name", a.Name})
		pause := ""
		if s.Paused {
			pause = o.pauseName(s.PauseCode)
		}
		queues := map[string]core.Queue{}
		for _, q := range o.eng.Queues() {
			queues[q.Name] = q
		}
		for _, qn := range o.eng.AgentQueues(s.Username) {
			d.elem("queue", true, xattr{"name", qn}, xattr{"description", queues[qn].Description}, xattr{"is_logged", "true"},
				xattr{"logged_date", s.LoginAt.In(o.eng.Now().Location()).Format("2006-01-02 15:04:05")},
				xattr{"is_paused", strconv.FormatBool(s.Paused)}, xattr{"pause_type", pause})
		}
	}
	d.end("extension")
}

func (o *EngineOps) agentOf(user string) (core.Agent, bool) {
	for _, a := range o.eng.Agents() {
		if a.Username == user {
			return a, true
		}
	}
	return core.Agent{}, false
}

// pauseName is the name of a pause code ("" for a pause without reason).
func (o *EngineOps) pauseName(code string) string {
	for _, pc := range o.eng.PauseCodes() {
		if pc.Code == code {
			return pc.Name
		}
	}
	return code
}
