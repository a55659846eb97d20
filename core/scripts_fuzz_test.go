package core_test

import (
	"testing"

	"github.com/callgate/callgate/core"
)

// ParseScript reads admin input: it never panics, and a script it accepts
// only points at its own nodes.
func FuzzParseScript(f *testing.F) {
	for _, s := range []string{
		`[{"id":"a","type":"end"}]`,
		`[{"id":"m","type":"menu","sound":"s","options":{"1":"q","#":"m"},"default":"q"},{"id":"q","type":"transfer","queue":"8000"}]`,
		`[{"id":"i","type":"input","var":"PIN","max_digits":4,"terminator":"#","next":"c"},{"id":"c","type":"condition","var":"PIN","op":"lt","value":"5","then":"i"}]`,
		`[{"id":"g","type":"goto","next":"g"}]`,
		`[{"id":"q","type":"query","query":"Q","next":"s","else":"e"},{"id":"s","type":"sms","var":"N","text":"t","else":"e"},{"id":"e","type":"email","to":"a@b.c","text":"x"},{"id":"u","type":"subscript","script":"X"}]`, `[]`, `{}`, `[null]`, `[{"id":"a","type":"menu","options":{"":"a"}}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nodes, err := core.ParseScript(s)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("error code %q", core.ErrorCode(err))
			}
			return
		}
		ids := map[string]bool{}
		for _, n := range nodes {
			ids[n.ID] = true
		}
		for _, n := range nodes {
			for _, to := range jumps(n) {
				if to != "" && !ids[to] {
					t.Fatalf("accepted a jump to %q: %s", to, s)
				}
			}
		}
	})
}

// jumps are the targets the runner follows for the node's type (fields
// of other types are ignored by the runner).
func jumps(n core.ScriptNode) []string {
	switch n.Type {
	case core.NodeMenu:
		out := []string{n.Default}
		for _, v := range n.Options {
			out = append(out, v)
		}
		return out
	case core.NodeCondition:
		return []string{n.Then, n.Else}
	case core.NodeMessage, core.NodeInput, core.NodeGoto, core.NodeSubScript:
		return []string{n.Next}
	case core.NodeQuery, core.NodeSMS, core.NodeEmail, core.NodeCall:
		return []string{n.Next, n.Else}
	}
	return nil
}

// ParseLineRules reads admin input: it never panics and what it accepts
// has an action it knows.
func FuzzParseLineRules(f *testing.F) {
	for _, s := range []string{
		`[{"callers":["X","600*"],"days":[1,7],"from":"22:00","to":"06:00","action":"script","script":"S"}]`,
		`[{"dates":["2026-12-25"],"action":"reject"}]`, `[{"action":"end"}]`, ``, `{}`, `[null]`, `[{"action":"script"}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := core.ParseLineRules(s)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("error code %q", core.ErrorCode(err))
			}
			return
		}
		for _, r := range rules {
			if r.Action != core.RuleScript && r.Action != core.RuleEnd && r.Action != core.RuleReject {
				t.Fatalf("accepted action %q", r.Action)
			}
		}
	})
}
