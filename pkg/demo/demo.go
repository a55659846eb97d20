// Package demo seeds the data set the demo gateway starts with. It is chosen
// so that the example requests in the vendor documents work as written:
// VICIdial's `user=6666&pass=1234&agent_user=1000` against campaign TESTCAMP,
// ECCP's client agentconsole with agents Agent/9000 and SIP/1064, breaks 2
// (Baño) and 3 (Almuerzo), queues 8000 and 8001.
//
// Seeding is idempotent: a record is created only when its natural key
// (user name, queue name, code...) is absent, and existing records are never
// overwritten, so operators' edits survive a restart.
package demo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// extraSeeds holds dialect-specific seeders (pkg/demo/vicidial.go,
// pkg/demo/eccp.go) registered from their init functions, so this file
// builds whether or not they exist yet.
var extraSeeds []func(context.Context, core.Store) error

// Well-known demo identities, exported for tests and documentation.
const (
	VicidialAPIUser = "6666"
	VicidialAPIPass = "1234"
	VicidialAgent   = "1000"
	VicidialAgentPw = "1234"
	ECCPClient      = "agentconsole"
	ECCPClientPass  = "agentconsole"
	ECCPAgentPass   = "unaclavesecreta"
	Campaign        = "TESTCAMP"
	InGroup         = "TEST_IN"
	DemoListID      = 101
)

// Seed loads the demo data set into st. The store must be migrated.
func Seed(ctx context.Context, st core.Store) error {
	steps := []struct {
		name string
		fn   func(context.Context, core.Store) error
	}{
		{"campaigns", seedCampaigns},
		{"queues", seedQueues},
		{"agents", seedAgents},
		{"queue members", seedMembers},
		{"pause codes", seedPauseCodes},
		{"dispositions", seedDispositions},
		{"api users", seedAPIUsers},
		{"routes", seedRoutes},
		{"leads", seedLeads},
	}
	for _, s := range steps {
		if err := s.fn(ctx, st); err != nil {
			return fmt.Errorf("demo seed %s: %w", s.name, err)
		}
	}
	for i, fn := range extraSeeds {
		if err := fn(ctx, st); err != nil {
			return fmt.Errorf("demo seed extra #%d: %w", i+1, err)
		}
	}
	return nil
}

// ensure creates v unless a record matching q exists. gorm leaves zero
// values of columns with a database default out of the INSERT and reads the
// default back (Selectable=false would come back true), so the wanted
// values are restored and saved again.
func ensure[T any](ctx context.Context, st core.Store, q core.Filter, v *T) (created bool, err error) {
	var existing T
	err = st.First(ctx, &existing, q)
	if err == nil {
		*v = existing
		return false, nil
	}
	if !errors.Is(err, core.ErrNoRecord) {
		return false, err
	}
	want := *v
	if err := st.Create(ctx, v); err != nil {
		return false, err
	}
	dst, src := reflect.ValueOf(v).Elem(), reflect.ValueOf(&want).Elem()
	for i := 0; i < dst.NumField(); i++ {
		switch dst.Type().Field(i).Name {
		case "ID", "CreatedAt", "UpdatedAt":
			continue
		}
		dst.Field(i).Set(src.Field(i))
	}
	return true, st.Save(ctx, v)
}

func seedCampaigns(ctx context.Context, st core.Store) error {
	camps := []core.Campaign{
		{
			Name: Campaign, Description: "Test campaign (VICIdial examples)", Type: core.CampaignOutbound,
			DialMethod: core.DialManual, CallerID: "7275550000", DialTimeout: 30, MaxRetries: 3, RetryDelay: 600,
			DialRatio: 1, Active: true, Ingroups: "TEST_IN SALESLINE",
			Script: "Hello, this is a call from the Callgate demo.", LoginPaused: true,
		},
		{
			Name: "INBOUND8000", Description: "Incoming campaign of queue 8000 (ECCP examples)",
			Type: core.CampaignInbound, DialMethod: core.DialManual, Queue: "8000", Active: true,
		},
	}
	for i := range camps {
		if _, err := ensure(ctx, st, core.Eq("name", camps[i].Name), &camps[i]); err != nil {
			return err
		}
	}
	return nil
}

func seedQueues(ctx context.Context, st core.Store) error {
	queues := []core.Queue{
		{Name: "8000", Description: "Ventas", Strategy: core.StrategyRingAll, RingTimeout: 15, ServiceLevel: 20, DID: "5558000", Campaign: "INBOUND8000", Active: true},
		{Name: "8001", Description: "Soporte", Strategy: core.StrategyRingAll, RingTimeout: 15, ServiceLevel: 20, DID: "5558001", Active: true},
		{Name: InGroup, Description: "Test in-group", Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 20, DID: "7275550100", Campaign: Campaign, Active: true},
		{Name: "SALESLINE", Description: "Sales line in-group", Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 20, Campaign: Campaign, Active: true},
	}
	for i := range queues {
		if _, err := ensure(ctx, st, core.Eq("name", queues[i].Name), &queues[i]); err != nil {
			return err
		}
	}
	return nil
}

func seedAgents(ctx context.Context, st core.Store) error {
	agents := []core.Agent{
		{
			Username: VicidialAgent, Number: "1000", Type: "SIP", Extension: "PJSIP/1000", Name: "Demo Agent 1000",
			Password: VicidialAgentPw, Campaign: Campaign, UserLevel: 1, UserGroup: "AGENTS",
			PhoneLogin: "1000", PhonePass: "test", Active: true,
		},
		{
			// ECCP static agent: its console logs in from any extension
			// (loginagent <extension>), so none is fixed here.
			Username: "9000", Number: "9000", Type: "Agent", Name: "Agente 9000",
			ConsolePassword: ECCPAgentPass, Persistent: true, UserLevel: 1, Active: true,
		},
		{
			Username: "1064", Number: "1064", Type: "SIP", Extension: "PJSIP/1064", Name: "Agente 1064",
			ConsolePassword: ECCPAgentPass, UserLevel: 1, Active: true,
		},
		{
			// The VICIdial examples also use 6666 as an agent_user.
			Username: VicidialAPIUser, Number: "6666", Type: "SIP", Extension: "PJSIP/6666", Name: "Supervisor 6666",
			Password: VicidialAPIPass, UserLevel: 9, UserGroup: "ADMIN", Supervisor: true, Active: true,
		},
	}
	for i := range agents {
		seeded := agents[i] // ensure overwrites agents[i] with the stored row
		if _, err := ensure(ctx, st, core.Eq("username", agents[i].Username), &agents[i]); err != nil {
			return err
		}
		if err := upgradeExtension(ctx, st, seeded); err != nil {
			return err
		}
	}
	return nil
}

// upgradeExtension moves an agent seeded by an older release from the
// chan_sip extension SIP/<n> (Asterisk 22 has no chan_sip, so it could not
// be rung) to the PJSIP endpoint of deploy/asterisk/pjsip.conf. Only the old
// seeded value is replaced: an extension an operator set is kept.
func upgradeExtension(ctx context.Context, st core.Store, seeded core.Agent) error {
	if !strings.HasPrefix(seeded.Extension, "PJSIP/") {
		return nil
	}
	old := "SIP/" + strings.TrimPrefix(seeded.Extension, "PJSIP/")
	var a core.Agent
	if err := st.First(ctx, &a, core.Eq("username", seeded.Username)); err != nil {
		return err
	}
	if a.Extension != old {
		return nil
	}
	if err := st.Updates(ctx, &a, map[string]any{"extension": seeded.Extension}); err != nil {
		return fmt.Errorf("agent %s extension: %w", seeded.Username, err)
	}
	return nil
}

func seedMembers(ctx context.Context, st core.Store) error {
	members := []struct{ queue, agent string }{
		{"8000", "9000"}, {"8000", "1064"}, {"8001", "9000"}, {"8001", "1064"},
		{InGroup, VicidialAgent}, {"SALESLINE", VicidialAgent},
	}
	for _, m := range members {
		var q core.Queue
		if err := st.First(ctx, &q, core.Eq("name", m.queue)); err != nil {
			return err
		}
		var a core.Agent
		if err := st.First(ctx, &a, core.Eq("username", m.agent)); err != nil {
			return err
		}
		qm := core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: q.Name, Agent: a.Username}
		if _, err := ensure(ctx, st, core.Eq("queue_id", q.ID).Eq("agent_id", a.ID), &qm); err != nil {
			return err
		}
	}
	return nil
}

func seedPauseCodes(ctx context.Context, st core.Store) error {
	codes := []core.PauseCode{
		// Break ids 2 and 3 are the ones in the ECCP getpauses example; id 1
		// is the hold pseudo-break Elastix reserves for internal use.
		{ID: 1, Code: "HOLD", Name: "Hold", Type: "H", Description: "Hold", Active: true},
		{ID: 2, Code: "BANO", Name: "Baño", Type: "B", Description: "Para ir al baño", Active: true},
		{ID: 3, Code: "ALMUER", Name: "Almuerzo", Type: "B", Description: "Para salir a comer", Active: true},
		// VICIdial pause codes (campaign-scoped, at most 6 characters).
		{Code: "BREAK", Name: "Break", Campaign: Campaign, Type: "B", Description: "Short break", Billable: false, Active: true},
		{Code: "LUNCH", Name: "Lunch", Campaign: Campaign, Type: "B", Description: "Lunch break", Active: true},
		{Code: "TRAIN", Name: "Training", Campaign: Campaign, Type: "B", Description: "Training", Billable: true, Active: true},
	}
	for i := range codes {
		if _, err := ensure(ctx, st, core.Eq("code", codes[i].Code), &codes[i]); err != nil {
			return err
		}
	}
	return nil
}

func seedDispositions(ctx context.Context, st core.Store) error {
	// VICIdial's system statuses; Campaign empty = usable by every campaign.
	ds := []core.Disposition{
		{Code: "SALE", Name: "Sale Made", Selectable: true, HumanAnswer: true, Sale: true, Completed: true},
		{Code: "NI", Name: "Not Interested", Selectable: true, HumanAnswer: true, Completed: true},
		{Code: "CALLBK", Name: "Call Back", Selectable: true, HumanAnswer: true, Callback: true, Action: "reschedule"},
		{Code: "DNC", Name: "DO NOT CALL", Selectable: true, HumanAnswer: true, DNC: true, Completed: true, Action: "blacklist"},
		{Code: "A", Name: "Answering Machine", Selectable: true, Action: "respool"},
		{Code: "B", Name: "Busy", Selectable: true, Action: "respool"},
		{Code: "N", Name: "No Answer", Selectable: true, Action: "respool"},
		{Code: "NA", Name: "No Answer AutoDial", Selectable: false, Action: "respool"},
		{Code: "DC", Name: "Disconnected Number", Selectable: true, Completed: true},
		{Code: "DROP", Name: "Agent Not Available", Selectable: false, Action: "respool"},
		{Code: "XFER", Name: "Call Transferred", Selectable: true, HumanAnswer: true, Completed: true},
		{Code: "INCALL", Name: "Lead Being Called", Selectable: false},
		{Code: "NEW", Name: "New Lead", Selectable: false},
	}
	for i := range ds {
		q := core.Eq("code", ds[i].Code).Eq("campaign", ds[i].Campaign)
		if _, err := ensure(ctx, st, q, &ds[i]); err != nil {
			return err
		}
	}
	return nil
}

func seedAPIUsers(ctx context.Context, st core.Store) error {
	// The ECCP client's secret is hashed of its MD5, the rule api/eccp
	// registers; the demo seeds without linking the adapter (whose tests
	// import the demo), so it states the rule itself.
	core.DeriveSecret("eccp", core.MD5Hex)
	users := []core.APIUser{
		{
			// Level 9, as VICIdial's default admin 6666: the reports and
			// list deletions of the vendor's examples need it.
			Dialect: "vicidial", Username: VicidialAPIUser, Secret: VicidialAPIPass, Active: true, UserLevel: 9,
			APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS", ModifyLeads: true, ChangeAgentCampaign: true,
			ModifyCampaigns: true, ManualDial: true,
		},
		{Dialect: "eccp", Username: ECCPClient, Secret: ECCPClientPass, Active: true, UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"},
	}
	for i := range users {
		q := core.Eq("dialect", users[i].Dialect).Eq("username", users[i].Username)
		if _, err := ensure(ctx, st, q, &users[i]); err != nil {
			return err
		}
	}
	return nil
}

func seedRoutes(ctx context.Context, st core.Store) error {
	routes := []core.Route{
		{DID: "5558000", Queue: "8000", Campaign: "INBOUND8000"},
		{DID: "5558001", Queue: "8001"},
		{DID: "7275550100", Queue: InGroup, Campaign: Campaign},
	}
	for i := range routes {
		if _, err := ensure(ctx, st, core.Eq("did", routes[i].DID), &routes[i]); err != nil {
			return err
		}
	}
	return nil
}

func seedLeads(ctx context.Context, st core.Store) error {
	list := core.List{ID: DemoListID, Name: "Demo list", Campaign: Campaign, Active: true}
	if _, err := ensure(ctx, st, core.Eq("id", list.ID), &list); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	leads := []core.Lead{
		{VendorLeadCode: "1234567890", PhoneCode: "1", PhoneNumber: "7275551212", FirstName: "Bob", LastName: "Smith", City: "Clearwater", State: "FL", CountryCode: "USA"},
		{VendorLeadCode: "1234567", PhoneCode: "1", PhoneNumber: "7275551213", FirstName: "Alice", LastName: "Jones", Address1: "1 Main St", City: "Tampa", State: "FL", CountryCode: "USA"},
		{VendorLeadCode: "DEMO-0003", PhoneCode: "1", PhoneNumber: "7275551214", FirstName: "Carlos", LastName: "Pérez", City: "Miami", State: "FL", CountryCode: "USA"},
		{VendorLeadCode: "DEMO-0004", PhoneCode: "593", PhoneNumber: "042123456", FirstName: "María", LastName: "Gonçalves", City: "Guayaquil", CountryCode: "ECU"},
		{VendorLeadCode: "DEMO-0005", PhoneCode: "1", PhoneNumber: "7275551216", FirstName: "Dana", LastName: "White", City: "Orlando", State: "FL", CountryCode: "USA"},
	}
	for i := range leads {
		l := &leads[i]
		l.ListID, l.Campaign, l.Status, l.GMTOffset = DemoListID, Campaign, "NEW", "-5.00"
		l.EntryDate, l.ModifyDate = now, now
		if _, err := ensure(ctx, st, core.Eq("vendor_lead_code", l.VendorLeadCode), l); err != nil {
			return err
		}
	}
	return nil
}
