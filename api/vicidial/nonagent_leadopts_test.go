package vicidial

import (
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// userSetting stores a VICIdial user-scope setting as the admin API does.
func (n *naEnv) userSetting(user, name, value string) {
	n.t.Helper()
	if _, err := n.eng.Settings().Set(n.ctx, Dialect, core.ScopeUser, user, map[string]*string{name: &value}); err != nil {
		n.t.Fatalf("setting %s=%s for %s: %v", name, value, user, err)
	}
}

func TestNonAgentAddLeadDuplicateAndPhoneChecks(t *testing.T) {
	runNAGolden(t, "add_lead_checks", []naStep{
		{name: "lead with alt phone and names", query: naq("function=add_lead&phone_number=7275550001&alt_phone=7275550002&title=MR&first_name=Ann&last_name=Lee&list_id=101")},
		{name: "phone or alt in list, alt matches", query: naq("function=add_lead&phone_number=7275550002&list_id=101&duplicate_check=DUPPHONEALTLIST")},
		{name: "phone or alt in campaign lists, phone matches", query: naq("function=add_lead&phone_number=7275550001&list_id=101&duplicate_check=DUPPHONEALTCAMP")},
		{name: "phone or alt in system", query: naq("function=add_lead&phone_number=7275550002&list_id=102&duplicate_check=DUPPHONEALTSYS")},
		{name: "title and alt phone in list", query: naq("function=add_lead&phone_number=7275550009&title=MR&alt_phone=7275550002&list_id=101&duplicate_check=DUPTITLEALTPHONELIST")},
		{name: "title and alt phone in system", query: naq("function=add_lead&phone_number=7275550009&title=MR&alt_phone=7275550002&list_id=102&duplicate_check=DUPTITLEALTPHONESYS")},
		{name: "name and phone in system", query: naq("function=add_lead&phone_number=7275550001&first_name=Ann&last_name=Lee&list_id=102&duplicate_check=DUPNAMEPHONESYS")},
		{name: "name and phone, other name is no duplicate", query: naq("function=add_lead&phone_number=7275550001&first_name=Bob&last_name=Lee&list_id=101&duplicate_check=DUPNAMEPHONELIST"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if ls, _ := n.eng.FindLeads(n.ctx, core.LeadQuery{Phone: "7275550001"}); len(ls) != 2 {
					t.Errorf("want two leads with 7275550001, got %d", len(ls))
				}
			}},
		{name: "a lead entered ten days ago is outside 7 days", setup: func(n *naEnv) {
			n.create(&core.Lead{ListID: 998, Campaign: "TESTCAMP", Status: "NEW", PhoneCode: "1", PhoneNumber: "7275557777",
				EntryDate: testNow.AddDate(0, 0, -10), ModifyDate: testNow.AddDate(0, 0, -10)})
		}, query: naq("function=add_lead&phone_number=7275557777&list_id=102&duplicate_check=DUPSYS7DAY")},
		{name: "and inside 14 days (21DAY also contains 1DAY)", query: naq("function=add_lead&phone_number=7275557777&list_id=101&duplicate_check=DUPCAMP21DAY")},
		{name: "lead added today is within 30 days", query: naq("function=add_lead&phone_number=7275550001&list_id=102&duplicate_check=DUPSYS30DAY")},
		{name: "several checks, the first duplicate answers", query: naq("function=add_lead&phone_number=7275550002&list_id=101&duplicate_check=DUPLIST-DUPPHONEALTSYS")},
		{name: "usacan prefix", query: naq("function=add_lead&phone_number=7271551212&list_id=101&usacan_prefix_check=Y")},
		{name: "usacan area code", query: naq("function=add_lead&phone_number=1115551212&list_id=101&usacan_areacode_check=Y")},
		{name: "nanpa check has no prefix data", query: naq("function=add_lead&phone_number=7275550020&list_id=101&nanpa_ac_prefix_check=Y")},
		{name: "short list id is list 999", query: naq("function=add_lead&phone_number=7275550021&list_id=12")},
		{name: "multi alt phones", query: naq("function=add_lead&phone_number=7275550030&list_id=101&multi_alt_phones=7275550031_1_work!7275550032_1_home"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275550030")
				var ps []core.LeadPhone
				if err := n.st.Find(n.ctx, &ps, core.Eq("lead_id", l.ID).Asc("order")); err != nil || len(ps) != 2 ||
					ps[0].Phone != "7275550031" || ps[1].Label != "home" || l.Gender != "U" {
					t.Errorf("lead %+v phones %+v %v", l, ps, err)
				}
			}},
		{name: "callback holds the lead and files its status", query: naq("function=add_lead&phone_number=7275550040&list_id=101&callback=Y&campaign_id=TESTCAMP&callback_datetime=2DAYS&callback_status=SALE&callback_comments=call+back"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275550040")
				cbs, _ := n.eng.LeadCallbacks(n.ctx, l.ID)
				if l.Status != "CBHOLD" || len(cbs) != 1 || cbs[0].LeadStatus != "SALE" || !cbs[0].When.Equal(testNow.AddDate(0, 0, 2)) ||
					cbs[0].Agent != "" || cbs[0].Comments != "call back" {
					t.Errorf("lead %+v callbacks %+v", l, cbs)
				}
			}},
		{name: "callback needs campaign_id, not the list's", query: naq("function=add_lead&phone_number=7275550041&list_id=101&callback=Y")},
	})
}

func TestNonAgentUpdateLeadCallbacks(t *testing.T) {
	runNAGolden(t, "update_lead_callbacks", []naStep{
		{name: "callback filed for a lead without one", query: naq("function=update_lead&lead_id=1&callback=Y&campaign_id=TESTCAMP&callback_datetime=NOW&callback_type=USERONLY&callback_user=1000"),
			check: func(t *testing.T, n *naEnv, _ string) {
				cbs, _ := n.eng.LeadCallbacks(n.ctx, 1)
				if len(cbs) != 1 || cbs[0].Agent != "1000" || !cbs[0].AgentOnly || cbs[0].LeadStatus != "CALLBK" {
					t.Errorf("callbacks %+v", cbs)
				}
			}},
		{name: "callback rescheduled", query: naq("function=update_lead&lead_id=1&first_name=Rob&callback=Y&callback_datetime=2025-02-01+10:00:00&callback_status=SALE&callback_type=ANYONE"),
			check: func(t *testing.T, n *naEnv, _ string) {
				cbs, _ := n.eng.LeadCallbacks(n.ctx, 1)
				want := time.Date(2025, 2, 1, 10, 0, 0, 0, testNow.Location())
				if len(cbs) != 1 || !cbs[0].When.Equal(want) || cbs[0].LeadStatus != "SALE" || cbs[0].AgentOnly {
					t.Errorf("callbacks %+v", cbs)
				}
			}},
		{name: "callback with nothing to change", query: naq("function=update_lead&lead_id=1&callback=Y")},
		{name: "callback removed", query: naq("function=update_lead&lead_id=1&callback=REMOVE"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if cbs, _ := n.eng.LeadCallbacks(n.ctx, 1); len(cbs) != 0 {
					t.Errorf("callbacks left %+v", cbs)
				}
			}},
		{name: "user_field and list_id_field", query: naq("function=update_lead&lead_id=1&user_field=1000&list_id_field=102"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l, _ := n.eng.Lead(n.ctx, 1)
				if l.User != "1000" || l.ListID != 102 || l.Campaign != "OUTONLY" {
					t.Errorf("lead %+v", l)
				}
			}},
		{name: "list exists check on list_id_field", query: naq("function=update_lead&lead_id=1&list_id_field=4444&list_exists_check=Y")},
		{name: "vendor code first, then phone", query: naq("function=update_lead&search_method=VENDOR_LEAD_CODE_PHONE_NUMBER&vendor_lead_code=NOSUCH&phone_number=3125550199&city=Tampa"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if l, _ := n.eng.Lead(n.ctx, 2); l.City != "Tampa" || l.VendorLeadCode != "NOSUCH" {
					t.Errorf("lead 2 %+v", l)
				}
			}},
		{name: "search within the campaign's lists", query: naq("function=update_lead&search_method=PHONE_NUMBER&phone_number=3125550199&search_location=CAMPAIGN&list_id=102&city=Miami")},
		{name: "by phone, the newest lead is updated", setup: func(n *naEnv) {
			for _, days := range []int{-2, -1} {
				n.create(&core.Lead{ListID: 998, Campaign: "TESTCAMP", Status: "NEW", PhoneCode: "1", PhoneNumber: "7275559001",
					EntryDate: testNow.AddDate(0, 0, days), ModifyDate: testNow.AddDate(0, 0, days)})
			}
		}, query: naq("function=update_lead&search_method=PHONE_NUMBER&phone_number=7275559001&comments=newest"),
			check: func(t *testing.T, n *naEnv, _ string) {
				ls, _ := n.eng.FindLeads(n.ctx, core.LeadQuery{Phone: "7275559001"})
				if len(ls) != 2 || ls[0].Comments != "" || ls[1].Comments != "newest" {
					t.Errorf("leads %+v", ls)
				}
			}},
	})
}

func TestNonAgentCustomFieldsAndListRestrict(t *testing.T) {
	runNAGolden(t, "custom_fields", []naStep{
		{name: "custom fields disabled", query: naq("function=list_custom_fields&list_id=101")},
		{name: "add needs custom_fields_modify", setup: func(n *naEnv) {
			n.settings(testSettings{"": {setCustomFieldsEnabled: "1"}})
		}, query: naq("function=update_list&list_id=101&custom_fields_add=Y&field_label=plan&field_name=Plan&field_size=10&field_type=TEXT&field_rank=1")},
		{name: "add a field", setup: func(n *naEnv) { n.userSetting("6666", setCustomFieldsModify, "1") },
			query: naq("function=update_list&list_id=101&custom_fields_add=Y&field_label=plan&field_name=Plan&field_size=10&field_max=10&field_type=TEXT&field_rank=1")},
		{name: "add a second field", query: naq("function=update_list&list_id=101&custom_fields_add=Y&field_label=agent_note&field_name=Note&field_size=40&field_type=AREA&field_rank=2")},
		{name: "same label again is refused", query: naq("function=update_list&list_id=101&custom_fields_add=Y&field_label=plan&field_name=Plan&field_size=10&field_type=TEXT&field_rank=1")},
		{name: "missing field variables", query: naq("function=update_list&list_id=101&custom_fields_add=Y&field_label=x")},
		{name: "update a field", query: naq("function=update_list&list_id=101&custom_fields_update=Y&field_label=agent_note&field_name=Agent_note&field_max=80&field_description=--BLANK--&field_required=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				fields, _ := n.eng.ListFields(n.ctx, 101)
				for _, f := range fields {
					if f.Label == "agent_note" && (f.Name != "Agent_note" || f.Max != 80 || !f.Required || f.Type != "AREA" || f.Size != 40) {
						t.Errorf("updated field %+v", f)
					}
				}
			}},
		{name: "update a field it lacks", query: naq("function=update_list&list_id=101&custom_fields_update=Y&field_label=nope&field_type=TEXT")},
		{name: "update to a bad type", query: naq("function=update_list&list_id=101&custom_fields_update=Y&field_label=plan&field_type=WILD")},
		{name: "list_custom_fields", query: naq("function=list_custom_fields&list_id=101&header=YES")},
		{name: "list_custom_fields all lists alpha", query: naq("function=list_custom_fields&list_id=---ALL---&custom_order=alpha_up")},
		{name: "add_lead with custom values", query: naq("function=add_lead&phone_number=7275556000&list_id=101&custom_fields=Y&plan=Gold+Plus&agent_note=hello"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275556000")
				v, _ := n.eng.LeadFieldValues(n.ctx, l.ID, 101)
				if l.EntryListID != 101 || v["plan"] != "Gold Plus" || v["agent_note"] != "hello" {
					t.Errorf("lead %+v values %v", l, v)
				}
			}},
		{name: "add_lead to a list without fields", query: naq("function=add_lead&phone_number=7275556001&list_id=102&custom_fields=Y&plan=x")},
		{name: "lead_all_info with custom fields", query: naq("function=lead_all_info&lead_id=3&custom_fields=Y&header=YES")},
		{name: "lead_field_info custom value", query: naq("function=lead_field_info&lead_id=3&field_name=plan&custom_fields=Y")},
		{name: "lead_field_info custom field not defined", query: naq("function=lead_field_info&lead_id=3&field_name=nope&custom_fields=Y")},
		{name: "update_lead custom value", query: naq("function=update_lead&lead_id=3&custom_fields=Y&plan=Silver"),
			check: func(t *testing.T, n *naEnv, _ string) {
				v, _ := n.eng.LeadFieldValues(n.ctx, 3, 101)
				if v["plan"] != "Silver" || v["agent_note"] != "hello" {
					t.Errorf("values %v", v)
				}
			}},
		{name: "update_lead writes to a forced entry list", query: naq("function=update_lead&lead_id=4&custom_fields=Y&force_entry_list_id=101&plan=Bronze")},
		{name: "lead_all_info reads the lead's entry list", query: naq("function=lead_all_info&lead_id=4&custom_fields=Y")},
		{name: "update_lead deletes custom data", query: naq("function=update_lead&lead_id=3&delete_cf_data=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				v, _ := n.eng.LeadFieldValues(n.ctx, 3, 101)
				l, _ := n.eng.Lead(n.ctx, 3)
				if len(v) != 0 || l.EntryListID != 0 {
					t.Errorf("values %v lead %+v", v, l)
				}
			}},
		{name: "copy fields to another list", query: naq("function=update_list&list_id=102&custom_fields_copy=101"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if fs, _ := n.eng.ListFields(n.ctx, 102); len(fs) != 2 || fs[0].Label != "plan" {
					t.Errorf("list 102 fields %+v", fs)
				}
			}},
		{name: "copy from a list without fields", query: naq("function=update_list&list_id=101&custom_fields_copy=998&custom_copy_method=REPLACE")},
		{name: "delete a field", query: naq("function=update_list&list_id=101&custom_fields_delete=Y&field_label=plan")},
		{name: "delete a field not there", query: naq("function=update_list&list_id=101&custom_fields_delete=Y&field_label=plan")},
		{name: "list restrict refuses an unknown list", setup: func(n *naEnv) { n.userSetting("6666", setAPIListRestrict, "1") },
			query: naq("function=add_lead&phone_number=7275556002&list_id=555")},
		{name: "list restrict allows the group's lists", query: naq("function=add_lead&phone_number=7275556002&list_id=101")},
		{name: "list restrict on update_lead search", query: naq("function=update_lead&lead_id=1&list_id=555&search_location=LIST&first_name=X")},
	})
}
