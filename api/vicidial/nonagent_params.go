package vicidial

var (
	clsPhoneList  = class(",0~9")        // [,0-9]
	clsListIDs    = class("-,0~9")       // [-,0-9]
	clsCampList   = class("-_0~9a~zA~Z") // [-_0-9a-zA-Z]
	clsHopPrio    = class("-0~9")        // [-0-9]
	clsResetTime  = class("-_0~9")       // [-_0-9]
	clsWebForm    = class("- %=+.:/@?&_0~9a~zA~Z")
	clsListDesc   = class("- +.:/@?&_0~9a~zA~Z")
	clsDecimal    = class(".0~9")
	clsCustomUser = class("- +.:/@_0~9a~zA~Z")
	clsListOrder  = class(" 0~9a~zA~Z")
)

// nonAgentFilters are non_agent_api.php's input filters where they differ
// from api.php's or name variables api.php does not read; every other
// variable gets api.php's filter (filters).
var nonAgentFilters = map[string]filter{
	"phone_number":                 k(clsPhoneList),
	"list_id":                      k(clsDigits),
	"campaign_id":                  k(clsWord),
	"campaigns":                    k(clsValue),
	"user_groups":                  k(clsValue),
	"duplicate_check":              k(clsWord),
	"entry_list_id":                k(clsDigits),
	"user_field":                   k(clsWord),
	"force_entry_list_id":          k(clsDigits),
	"dnc_check":                    k(clsUpper),
	"campaign_dnc_check":           k(clsUpper),
	"usacan_prefix_check":          k(clsUpper),
	"usacan_areacode_check":        k(clsUpper),
	"nanpa_ac_prefix_check":        k(clsUpper),
	"lookup_state":                 k(clsUpper),
	"tz_method":                    k(clsWord),
	"local_call_time":              k(clsWord),
	"multi_alt_phones":             keepThenSpace(class("- +!:_0~9a~zA~Z")),
	"callback_datetime":            k(class("- +.:/@_0~9a~zA~Z")),
	"callback_comments":            k(class("- +.:/@_0~9a~zA~Z")),
	"remove_from_hopper":           k(clsUpper),
	"delete_cf_data":               k(clsUpper),
	"custom_fields_add":            k(class("_0~9a~zA~Z")),
	"custom_fields_update":         k(class("_0~9a~zA~Z")),
	"custom_fields_copy":           k(clsDigits),
	"custom_copy_method":           k(clsUpper),
	"custom_fields_delete":         k(class("_0~9a~zA~Z")),
	"custom_order":                 k(clsWord),
	"field_label":                  k(class("_0~9a~zA~Z")),
	"field_description":            k(class("- .,_0~9a~zA~Z")),
	"field_type":                   k(clsAlnum),
	"field_size":                   k(clsDigits),
	"field_max":                    k(clsDigits),
	"field_rank":                   k(clsDigits),
	"field_order":                  k(clsDigits),
	"field_required":               k(clsUpper),
	"field_default":                k(class("- .,_0~9a~zA~Z")),
	"field_options":                k(class("- .,_0~9a~zA~Z")),
	"add_to_hopper":                k(clsUpper),
	"hopper_priority":              k(clsHopPrio),
	"search_method":                k(clsWord),
	"search_location":              k(clsUpper),
	"records":                      k(clsDigits),
	"insert_if_not_found":          k(clsUpper),
	"no_update":                    k(clsUpper),
	"delete_lead":                  k(clsUpper),
	"reset_lead":                   k(clsUpper),
	"header":                       k(clsUpper),
	"time_format":                  k(clsUpper),
	"group_by_campaign":            k(clsAlnum),
	"query_time":                   k(class(":0~9")),
	"end_date":                     k(clsDOB),
	"end_time":                     k(class(":0~9")),
	"did_ids":                      k(clsWord),
	"did_patterns":                 k(clsWord),
	"users":                        k(clsWord),
	"status_breakdown":             k(class("1Y")),
	"show_percentages":             k(class("1Y")),
	"file_download":                k(clsDigits),
	"group":                        k(clsValue),
	"type":                         k(clsWord),
	"detail":                       k(clsUpper),
	"ignore_agentdirect":           k(clsUpper),
	"leads_counts":                 k(clsWord),
	"dialable_count":               k(class("_0~9a~zA~Z")),
	"stage":                        k(clsAlnum),
	"field_name":                   k(clsWord),
	"custom_fields":                k(clsUpper),
	"list_exists_check":            k(clsUpper),
	"show_sub_status":              k(clsUpper),
	"include_ip":                   k(clsUpper),
	"callback":                     k(clsUpper),
	"callback_status":              k(clsWord),
	"callback_user":                k(clsWord),
	"hopper_local_call_time_check": k(clsUpper),
	"called_count":                 k(clsDigits),
	"lead_ids":                     k(clsListIDs),
	"archived_lead":                k(clsUpper),
	"list_name":                    spaceThenKeep(clsNotes),
	"active":                       k(clsUpper),
	"reset_list":                   k(clsUpper),
	"group_alias_id":               k(class("_0~9a~zA~Z")),
	"group_alias_name":             k(class("- +_0~9a~zA~Z")),
	"caller_id_number":             k(clsDigits),
	"caller_id_name":               k(class("- +_0~9a~zA~Z")),
	"hotkeys_active":               k(clsDigits),
	"custom_one":                   k(clsCustomUser),
	"custom_two":                   k(clsCustomUser),
	"custom_three":                 k(clsCustomUser),
	"custom_four":                  k(clsCustomUser),
	"custom_five":                  k(clsCustomUser),
	"wrapup_seconds_override":      k(clsHopPrio),
	"campaign_rank":                k(clsResetTime),
	"campaign_grade":               k(clsDigits),
	"ingroup_rank":                 k(clsResetTime),
	"ingroup_grade":                k(clsDigits),
	"reset_password":               k(clsDigits),
	"date":                         k(clsDOB),
	"uniqueid":                     k(clsGMT),
	"extension":                    k(clsWord),
	"duration":                     k(clsUpper),
	"session_id":                   k(clsDigits),
	"phone_login":                  k(clsWord),
	"server_ip":                    k(clsGMT),
	"in_groups":                    k(clsValue),
	"query_date":                   k(clsDOB),
	"ingroups":                     k(clsValue),
	"statuses":                     k(clsValue),
	"datetime_start":               spaceThenKeep(clsNotifDate),
	"datetime_end":                 spaceThenKeep(clsNotifDate),
	"agent_pass":                   k(clsPass),
	"agent_user_level":             k(clsDigits),
	"agent_full_name":              spaceThenKeep(clsNotes),
	"agent_user_group":             k(clsWord),
	"source_user":                  k(clsWord),
	"delete_user":                  k(clsUpper),
	"phone_pass":                   k(clsPass),
	"campaign_name":                spaceThenKeep(class("- .,_0~9a~zA~Z")),
	"campaign_cid":                 k(clsDigits),
	"dial_timeout":                 k(clsDigits),
	"auto_dial_level":              k(clsDecimal),
	"adaptive_maximum_level":       k(clsDecimal),
	"campaign_vdad_exten":          k(clsDigits),
	"hopper_level":                 k(clsDigits),
	"lead_filter_id":               k(clsWord),
	"dispo_call_url":               k(clsWebForm),
	"webform_one":                  k(clsWebForm),
	"webform_two":                  k(clsWebForm),
	"webform_three":                k(clsWebForm),
	"list_order":                   k(clsListOrder),
	"list_order_randomize":         k(clsWord),
	"list_order_secondary":         k(clsWord),
	"dial_status_add":              k(clsWord),
	"dial_status_remove":           k(clsWord),
	"reset_hopper":                 k(class("NY")),
	"dial_method":                  k(clsWord),
	"dialplan_number":              k(clsDigits),
	"voicemail_id":                 k(clsDigits),
	"protocol":                     k(clsUpperDigit),
	"phone_full_name":              spaceThenKeep(clsNotes),
	"delete_phone":                 k(clsUpper),
	"call_id":                      k(clsAlnum),
	"update_phone_number":          k(clsUpper),
	"list_id_field":                k(clsDigits),
	"script":                       k(clsWord),
	"am_message":                   k(clsWord),
	"drop_inbound_group":           k(clsWord),
	"expiration_date":              k(clsWord),
	"reset_time":                   k(clsResetTime),
	"web_form_address":             k(clsWebForm),
	"web_form_address_two":         k(clsWebForm),
	"web_form_address_three":       k(clsWebForm),
	"list_description":             k(clsListDesc),
	"xferconf_one":                 k(clsWord),
	"xferconf_two":                 k(clsWord),
	"xferconf_three":               k(clsWord),
	"xferconf_four":                k(clsWord),
	"xferconf_five":                k(clsWord),
	"delete_list":                  k(clsUpper),
	"delete_leads":                 k(clsUpper),
}

// parseNonAgent builds the filtered variables, GET winning per variable.
func parseNonAgent(rawGet, rawPost string) *params {
	get := phpParse(rawGet)
	post := phpParse(rawPost)
	p := &params{v: make(map[string]string, 16), raw: make(map[string]string, len(get.last)+len(post.last))}
	for name, val := range post.last {
		p.raw[name] = val
	}
	for name, val := range get.last {
		p.raw[name] = val
	}
	apply := func(name string, f filter) {
		val, ok := get.last[name]
		if !ok {
			val, ok = post.last[name]
		}
		if ok {
			p.v[name] = f(val)
		}
	}
	for name, f := range filters {
		if _, own := nonAgentFilters[name]; !own {
			apply(name, f)
		}
	}
	for name, f := range nonAgentFilters {
		apply(name, f)
	}
	return p
}
