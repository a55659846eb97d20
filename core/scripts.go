package core

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// Call scripts are small IVR programs stored as data: a list of nodes run
// on an answered call by the script runner (scripts_runner.go). The first
// node starts; each names the next one.

// Script node types.
const (
	NodeMessage   = "message"   // play Sound, go to Next
	NodeMenu      = "menu"      // play Sound, wait for one digit; Options[digit] or Default
	NodeInput     = "input"     // collect digits into Var (MaxDigits, Terminator, TimeoutSec), go to Next
	NodeCondition = "condition" // Var Op Value ? Then : Else
	NodeGoto      = "goto"      // go to Next
	NodeTransfer  = "transfer"  // put the call into Queue; the script ends
	NodeEnd       = "end"       // hang up; the script ends
	NodeQuery     = "query"     // ask a customer's system (Query, URL); Next when answered, Else on error
	NodeSubScript = "subscript" // run Script; when it ends by itself, go on at Next
	NodeCall      = "call"      // call To (or the number in Var), bridged; Next after it hangs up, Else if unanswered
	NodeSMS       = "sms"       // text Text to To (or the number in Var); Next when sent, Else on error
	NodeEmail     = "email"     // mail Subject/Text to To; Next when sent, Else on error
	// Declared so the validator can name them: no engine backs them yet.
	NodeVoice   = "voice"             // voice data request
	NodeMachine = "answering_machine" // answering-machine detection
)

// Script is a stored call script.
type Script struct {
	ID          uint      `gorm:"primaryKey" json:"id"`
	Name        string    `gorm:"size:64;uniqueIndex:script_name" json:"name"`
	Description string    `gorm:"size:255" json:"description"`
	Nodes       string    `gorm:"type:text" json:"nodes"` // JSON array of ScriptNode
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ScriptNode is one step of a script.
type ScriptNode struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"`
	Sound      string            `json:"sound,omitempty"`
	Next       string            `json:"next,omitempty"`
	Options    map[string]string `json:"options,omitempty"` // menu: digit → node
	Default    string            `json:"default,omitempty"` // menu: no or wrong digit
	Var        string            `json:"var,omitempty"`
	MaxDigits  int               `json:"max_digits,omitempty"`
	Terminator string            `json:"terminator,omitempty"`
	TimeoutSec int               `json:"timeout_sec,omitempty"`
	Op         string            `json:"op,omitempty"` // eq, ne, lt, gt, empty, notempty
	Value      string            `json:"value,omitempty"`
	Then       string            `json:"then,omitempty"`
	Else       string            `json:"else,omitempty"`
	Queue      string            `json:"queue,omitempty"`
	Query      string            `json:"query,omitempty"`  // query: its name
	URL        string            `json:"url,omitempty"`    // query: its URL (default: the dialect's)
	Script     string            `json:"script,omitempty"` // subscript: the script run
	To         string            `json:"to,omitempty"`     // sms: a number; email: an address
	Subject    string            `json:"subject,omitempty"`
	// Text of an SMS or email; {{VAR}} is replaced by the variable.
	Text    string `json:"text,omitempty"`
	IVRCode string `json:"ivr_code,omitempty"` // reported when the call reaches the node (ivr_codes.go)
}

var (
	scriptVarName = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
	dtmfDigit     = regexp.MustCompile(`^[0-9*#]$`)
	emailAddress  = regexp.MustCompile(`^[^@\s<>,;"]{1,64}@[A-Za-z0-9.-]{1,253}$`)
	scriptOps     = map[string]bool{"eq": true, "ne": true, "lt": true, "gt": true, "empty": true, "notempty": true}
)

const maxScriptNodes = 200

// ParseScript decodes and validates a script's nodes: known types, unique
// ids, every target an existing node, the fields each type needs.
func ParseScript(nodes string) ([]ScriptNode, error) {
	var ns []ScriptNode
	if err := json.Unmarshal([]byte(nodes), &ns); err != nil {
		return nil, Errorf(EINVALID, "script nodes are not a JSON array of nodes")
	}
	if len(ns) == 0 || len(ns) > maxScriptNodes {
		return nil, Errorf(EINVALID, "a script has 1 to %d nodes", maxScriptNodes)
	}
	ids := map[string]bool{}
	for _, n := range ns {
		if n.ID == "" || ids[n.ID] {
			return nil, Errorf(EINVALID, "node id %q empty or repeated", n.ID)
		}
		ids[n.ID] = true
	}
	for _, n := range ns {
		if err := checkNode(n, ids); err != nil {
			return nil, err
		}
		if err := checkIVRCode(n); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

func checkNode(n ScriptNode, ids map[string]bool) error {
	bad := func(what string) error { return Errorf(EINVALID, "node %s (%s): %s", n.ID, n.Type, what) }
	target := func(t string, need bool) error {
		if (t == "" && need) || (t != "" && !ids[t]) {
			return bad(fmt.Sprintf("target %q is not a node", t))
		}
		return nil
	}
	switch n.Type {
	case NodeMessage:
		if n.Sound == "" {
			return bad("sound required")
		}
		return target(n.Next, false)
	case NodeMenu:
		if len(n.Options) == 0 {
			return bad("options required")
		}
		for d, t := range n.Options {
			if !dtmfDigit.MatchString(d) {
				return bad("option " + d + " is not a key")
			}
			if err := target(t, true); err != nil {
				return err
			}
		}
		return target(n.Default, false)
	case NodeInput:
		if !scriptVarName.MatchString(n.Var) || n.MaxDigits < 1 || n.MaxDigits > 32 || n.TimeoutSec < 0 {
			return bad("var, max_digits 1-32 and timeout_sec ≥ 0 required")
		}
		if n.Terminator != "" && !dtmfDigit.MatchString(n.Terminator) {
			return bad("terminator is not a key")
		}
		return target(n.Next, false)
	case NodeCondition:
		if !scriptVarName.MatchString(n.Var) || !scriptOps[n.Op] {
			return bad("var and op (eq, ne, lt, gt, empty, notempty) required")
		}
		if err := target(n.Then, true); err != nil {
			return err
		}
		return target(n.Else, false)
	case NodeGoto:
		return target(n.Next, true)
	case NodeTransfer:
		if n.Queue == "" {
			return bad("queue required")
		}
	case NodeQuery:
		if n.Query == "" || len(n.Query) > 64 || len(n.URL) > 512 || n.TimeoutSec < 0 || n.TimeoutSec > 60 {
			return bad("query (name up to 64), url up to 512 and timeout_sec 0-60 required")
		}
		if err := target(n.Next, false); err != nil {
			return err
		}
		return target(n.Else, false)
	case NodeSubScript:
		if n.Script == "" || len(n.Script) > 64 {
			return bad("script required")
		}
		return target(n.Next, false)
	case NodeCall:
		if (n.To == "") == (n.Var == "") || (n.To != "" && !isDigits(n.To)) || (n.Var != "" && !scriptVarName.MatchString(n.Var)) || n.TimeoutSec < 0 || n.TimeoutSec > 300 {
			return bad("to (digits) or var, one of them, and timeout_sec 0-300 required")
		}
		if err := target(n.Next, false); err != nil {
			return err
		}
		return target(n.Else, false)
	case NodeSMS, NodeEmail:
		if err := checkMessageNode(n); err != nil {
			return bad(err.Error())
		}
		if err := target(n.Next, false); err != nil {
			return err
		}
		return target(n.Else, false)
	case NodeVoice, NodeMachine:
		return bad("not supported: no voice recognition or answering-machine detection engine is configured")
	case NodeEnd:
	default:
		return Errorf(EINVALID, "node %s: unknown type %q", n.ID, n.Type)
	}
	return nil
}

// checkMessageNode: an SMS goes to To or to the number in Var, an email
// to the address in To; both carry a text.
func checkMessageNode(n ScriptNode) error {
	switch {
	case n.Text == "" || len(n.Text) > MaxSMSBody:
		return fmt.Errorf("text of 1 to %d bytes required", MaxSMSBody)
	case n.Type == NodeSMS && (n.To == "") == (n.Var == ""):
		return fmt.Errorf("to or var (the number), one of them, required")
	case n.Type == NodeSMS && n.Var != "" && !scriptVarName.MatchString(n.Var):
		return fmt.Errorf("var is not a variable name")
	case n.Type == NodeEmail && !emailAddress.MatchString(n.To):
		return fmt.Errorf("to is not an email address")
	case len(n.Subject) > 255:
		return fmt.Errorf("subject over 255 bytes")
	}
	return nil
}
