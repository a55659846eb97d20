package admin

import (
	"strings"

	"github.com/callgate/callgate/core"
)

// lineInput carries the line's write-only phone password.
type lineInput struct {
	*core.Line
	PhonePassword *string `json:"phone_password,omitempty"`
}

// infocallerRoutes administers hosted lines and their rule groups.
func (a *API) infocallerRoutes() []route {
	var rt []route
	lines := &resource[core.Line]{
		name: "line",
		doc: "Required: number. Defaults: state on, webhook_format JSON. Write-only: phone_password (signs API requests and webhooks; stored sealed). " +
			"state is on, off or suspended; capacity 0 is unlimited. Informative webhooks: start_url (INICIO), transfer_ok_url (DESVIO_CORRECTO), " +
			"transfer_failed_url (DESVIO_FALLIDO), end_url (FIN), each falling back to informative_url when empty; placeholders [_NumLlamante], " +
			"[_NumInfocaller], [_NumLlamado], [_IdLlamada], [_UUID], [_NumDesvio] (any case). interactive_url receives script queries. " +
			"additional_numbers: comma-separated numbers that also reach the line.",
		defaults: func() *core.Line { return &core.Line{State: core.LineOn, WebhookFormat: "JSON"} },
		input: func(t *core.Line) (any, func()) {
			in := &lineInput{Line: t}
			return in, func() { setIf(&t.PhonePassword, in.PhonePassword) }
		},
		validate: validateLine,
		filters:  map[string]string{"number": "number", "state": "state"},
	}
	crud(a, &rt, "/infocaller/lines", "infocaller", lines, filterKeys(lines.filters)...)

	groups := &resource[core.RuleGroup]{
		name: "rule group",
		doc: "Required: line_number, name. Defaults: kind emission. kind is emission (automatic calls) or inbound (calls to the line, when active); " +
			"script names the call script run. rules (inbound): a JSON text, an array of {callers: [\"X\" hidden, \"*\", \"600*\" prefix, exact], " +
			"days: [1-7, Monday=1], dates: [YYYY-MM-DD], from, to: HH:MM local time (to before from crosses midnight), action: script|end|reject, script}; " +
			"the first matching rule decides before the call is answered, none: script.",
		defaults: func() *core.RuleGroup { return &core.RuleGroup{Kind: core.RuleGroupEmission} },
		validate: validateRuleGroup,
		filters:  map[string]string{"line_number": "line_number", "name": "name", "kind": "kind"},
	}
	crud(a, &rt, "/infocaller/rulegroups", "infocaller", groups, filterKeys(groups.filters)...)

	scripts := &resource[core.Script]{
		name: "call script",
		doc: "Required: name, nodes (a JSON text: an array of nodes, the first one starts). Node types: message (sound, next), " +
			"menu (sound, options {digit: node}, default, timeout_sec), input (var, max_digits, terminator, timeout_sec, next), " +
			"condition (var, op eq|ne|lt|gt|empty|notempty, value, then, else), goto (next), transfer (queue), end, " +
			"query (query name, url (default: the line's interactive_url), timeout_sec 0-60, next when answered, else on error). " +
			"call (to, or var holding the number; timeout_sec; bridged to the call, next once it hangs up, else when unanswered), " +
			"subscript (script; its natural end goes on at next), sms (to, or var holding the number; text), email (to, subject, text; " +
			"smtp.addr), both with next when sent and else on error; {{VAR}} in a text is replaced by the variable. " +
			"voice and answering_machine are refused (unsupported). Every target must be a node.",
		validate: func(t *core.Script) error {
			if err := required("name", t.Name, "nodes", t.Nodes); err != nil {
				return err
			}
			if _, err := core.ParseScript(t.Nodes); err != nil {
				return badRequest("%s", err.Error())
			}
			return nil
		},
		filters: map[string]string{"name": "name"},
	}
	crud(a, &rt, "/infocaller/scripts", "infocaller", scripts, filterKeys(scripts.filters)...)
	return rt
}

func validateLine(t *core.Line) error {
	if err := required("number", t.Number); err != nil {
		return err
	}
	switch t.State {
	case core.LineOn, core.LineOff, core.LineSuspended:
	default:
		return badRequest("state must be on, off or suspended")
	}
	switch t.WebhookFormat {
	case "JSON", "XML":
	default:
		return badRequest("webhook_format must be JSON or XML")
	}
	if t.Capacity < 0 {
		return badRequest("capacity must not be negative")
	}
	for _, u := range []string{t.InformativeURL, t.InteractiveURL, t.StartURL, t.TransferOKURL, t.TransferFailedURL, t.EndURL} {
		if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return badRequest("webhook URLs must be http:// or https://")
		}
	}
	return nil
}

func validateRuleGroup(t *core.RuleGroup) error {
	if err := required("line_number", t.LineNumber, "name", t.Name); err != nil {
		return err
	}
	if t.Kind != core.RuleGroupEmission && t.Kind != core.RuleGroupInbound {
		return badRequest("kind must be emission or inbound")
	}
	if _, err := core.ParseLineRules(t.Rules); err != nil {
		return badRequest("%s", err.Error())
	}
	return nil
}
