package demo

import (
	"context"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedInfocaller) }

// The Infocaller documents' line: main number 123456789 (34123456789 in
// international form), phone password 3956, so that
// firma = md5("123456789" + "3956").
const (
	InfocallerLine     = "123456789"
	InfocallerPassword = "3956"
)

// seedInfocaller creates the line and its rule groups: EMISION for calls
// placed through the emission API (script EMISION: message, menu 1/2,
// query CLIENTE, transfer to queue 8000) and NORMAL, active, for calls to the line.
func seedInfocaller(ctx context.Context, st core.Store) error {
	line := core.Line{Number: InfocallerLine, International: "34" + InfocallerLine, PhonePassword: InfocallerPassword,
		State: core.LineOn, Capacity: 10, WebhookFormat: "JSON"}
	if _, err := ensure(ctx, st, core.Eq("number", InfocallerLine), &line); err != nil {
		return err
	}
	for _, sc := range []core.Script{
		{Name: "EMISION", Description: "Message, menu 1 (query CLIENTE, then agents) / 2 (goodbye), transfer to queue 8000", Nodes: emisionNodes},
		{Name: "NORMAL", Description: "Incoming calls: welcome and queue 8000", Nodes: normalNodes},
	} {
		if _, err := ensure(ctx, st, core.Eq("name", sc.Name), &sc); err != nil {
			return err
		}
	}
	for _, g := range []core.RuleGroup{
		{LineNumber: InfocallerLine, Name: "EMISION", Kind: core.RuleGroupEmission, Script: "EMISION"},
		{LineNumber: InfocallerLine, Name: "NORMAL", Kind: core.RuleGroupInbound, Active: true, Script: "NORMAL"},
	} {
		if _, err := ensure(ctx, st, core.Eq("line_number", g.LineNumber).Eq("name", g.Name), &g); err != nil {
			return err
		}
	}
	return nil
}

// emisionNodes: the CLIENTE query asks the line's interactive URL about
// the customer; answered or not, the call goes on to queue 8000.
const emisionNodes = `[
 {"id":"hola","type":"message","sound":"hello-world","next":"menu"},
 {"id":"menu","type":"menu","sound":"press-1-or-2","options":{"1":"cliente","2":"adios"},"default":"adios","timeout_sec":10},
 {"id":"cliente","type":"query","query":"CLIENTE","timeout_sec":5,"next":"agente","else":"agente"},
 {"id":"agente","type":"transfer","queue":"8000"},
 {"id":"adios","type":"message","sound":"goodbye","next":"fin"},
 {"id":"fin","type":"end"}
]`

const normalNodes = `[
 {"id":"hola","type":"message","sound":"welcome","next":"cola"},
 {"id":"cola","type":"transfer","queue":"8000"}
]`
