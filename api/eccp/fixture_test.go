package eccp

import (
	"context"
	"testing"

	"github.com/callgate/callgate/core"
)

// seedFixture loads the data the transcripts run against. It mirrors the
// ECCP part of the demo data set (pkg/demo) but is private to these tests,
// so golden files do not change when the demo grows.
func seedFixture(t testing.TB, st core.Store) {
	t.Helper()
	ctx := context.Background()
	create := func(v any) {
		t.Helper()
		if err := st.Create(ctx, v); err != nil {
			t.Fatalf("fixture %T: %v", v, err)
		}
	}
	create(&core.Campaign{Name: "TESTCAMP", Description: "Test campaign", Type: core.CampaignOutbound,
		DialMethod: core.DialManual, CallerID: "7275550000", DialTimeout: 30, MaxRetries: 3, RetryDelay: 600,
		DialRatio: 1, Active: true, Script: "Hello, this is a call from the Callgate demo.", FormIDs: "1"})
	create(&core.Campaign{Name: "INBOUND8000", Description: "Incoming campaign of queue 8000",
		Type: core.CampaignInbound, DialMethod: core.DialManual, Queue: "8000", Active: true, FormIDs: "1"})
	create(&core.Queue{Name: "8000", Description: "Ventas", Strategy: core.StrategyRingAll, RingTimeout: 15, DID: "5558000", Campaign: "INBOUND8000", Active: true})
	create(&core.Queue{Name: "8001", Description: "Soporte", Strategy: core.StrategyRingAll, RingTimeout: 15, DID: "5558001", Active: true, Script: "Texto a mostrar al agente."})
	create(&core.Queue{Name: "TEST_IN", Description: "Test in-group", Strategy: core.StrategyLeastRecent, RingTimeout: 15, Campaign: "TESTCAMP", Active: true})
	agents := []*core.Agent{
		{Username: "1000", Number: "1000", Type: "SIP", Extension: "SIP/1000", Name: "Demo Agent 1000", Password: "1234", Campaign: "TESTCAMP", Active: true},
		{Username: "9000", Number: "9000", Type: "Agent", Name: "Agente 9000", ConsolePassword: "unaclavesecreta", Persistent: true, Active: true},
		{Username: "1064", Number: "1064", Type: "SIP", Extension: "SIP/1064", Name: "Agente 1064", ConsolePassword: "unaclavesecreta", Active: true},
		{Username: "6666", Number: "6666", Type: "SIP", Extension: "SIP/6666", Name: "Supervisor 6666", Password: "1234", UserLevel: 9, Supervisor: true, Active: true},
	}
	for _, a := range agents {
		create(a)
	}
	for _, m := range []struct {
		q     string
		qid   uint
		agent *core.Agent
	}{{"8000", 1, agents[1]}, {"8000", 1, agents[2]}, {"8001", 2, agents[1]}, {"8001", 2, agents[2]}, {"TEST_IN", 3, agents[0]}} {
		create(&core.QueueMember{QueueID: m.qid, AgentID: m.agent.ID, Queue: m.q, Agent: m.agent.Username})
	}
	for _, p := range []*core.PauseCode{
		{ID: 1, Code: "HOLD", Name: "Hold", Type: "H", Description: "Hold", Active: true},
		{ID: 2, Code: "BANO", Name: "Baño", Type: "B", Description: "Para ir al baño", Active: true},
		{ID: 3, Code: "ALMUER", Name: "Almuerzo", Type: "B", Description: "Para salir a comer", Active: true},
		{ID: 4, Code: "BREAK", Name: "Break", Campaign: "TESTCAMP", Type: "B", Description: "Short break", Active: true},
		{ID: 5, Code: "OLD", Name: "Retired", Type: "B", Description: "", Active: true},
	} {
		create(p)
	}
	// An inactive break, which getpauses lists with status I and
	// pauseagent refuses; gorm skips a false
	// default on create.
	if err := st.Updates(ctx, &core.PauseCode{ID: 5}, map[string]any{"active": false}); err != nil {
		t.Fatal(err)
	}
	// A provisioned phone nobody logs in on: loginagent on it reaches the
	// "already connected" check, where an unknown extension stops at 404.
	create(&core.Phone{Extension: "1065", Login: "phone1065", Protocol: "SIP", Active: true})
	create(&core.APIUser{Dialect: "eccp", Username: "agentconsole", Secret: "agentconsole", Active: true})
	// The VICIdial API user of the cross-dialect test.
	create(&core.APIUser{Dialect: "vicidial", Username: "6666", Secret: "1234", Active: true, UserLevel: 8,
		APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"})
	create(&core.Route{DID: "5558000", Queue: "8000", Campaign: "INBOUND8000"})
	create(&core.Route{DID: "5558001", Queue: "8001"})
	create(&core.List{ID: 101, Name: "Demo list", Campaign: "TESTCAMP", Active: true})
	for _, l := range []*core.Lead{
		{VendorLeadCode: "1234567890", PhoneCode: "1", PhoneNumber: "7275551212", FirstName: "Bob", LastName: "Smith", City: "Clearwater"},
		{VendorLeadCode: "1234567", PhoneCode: "1", PhoneNumber: "7275551213", FirstName: "Alice", LastName: "Jones", Address1: "1 Main St", City: "Tampa"},
		{VendorLeadCode: "DEMO-0003", PhoneCode: "1", PhoneNumber: "7275551214", FirstName: "Carlos", LastName: "Pérez", City: "Miami",
			Attributes: `{"Nombre":"Carlos","Apellido":"Pérez","Campo1":"gato & perro","Edad":41}`},
		{VendorLeadCode: "DEMO-0004", PhoneCode: "593", PhoneNumber: "042123456", FirstName: "María", LastName: "Gonçalves", City: "Guayaquil"},
		{VendorLeadCode: "DEMO-0005", PhoneCode: "1", PhoneNumber: "7275551216", FirstName: "Dana", LastName: "White", City: "Orlando"},
	} {
		l.ListID, l.Campaign, l.Status = 101, "TESTCAMP", "NEW"
		create(l)
	}
	form := &core.Form{Name: "Prueba", Description: "Formulario de prueba", Active: true}
	create(form)
	for _, f := range []*core.FormField{
		{Label: "CampoDeTexto", Type: "TEXT", Order: 1},
		{Label: "CampoDeLista", Type: "LIST", Options: "aaa,bbb,ccc,", Order: 2},
		{Label: "CampoDeFecha", Type: "DATE", Options: "2011-01-01", Order: 3},
		{Label: "CampoDeTextarea", Type: "TEXTAREA", Options: "Un texto bien grande", Order: 4},
		{Label: "CampoDeEtiqueta", Type: "LABEL", Order: 5},
	} {
		f.FormID = form.ID
		create(f)
	}
}
