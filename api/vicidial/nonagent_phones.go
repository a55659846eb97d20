package vicidial

import (
	"github.com/callgate/callgate/core"
)

// protocols are the phone protocols Callgate can ring.
var protocols = map[string]bool{"SIP": true, "PJSIP": true, "IAX2": true}

// addPhone is add_phone: a provisioned phone, rung as protocol/extension.
func (c *naCall) addPhone() {
	ext, num, vm, login := c.p.get("extension"), c.p.get("dialplan_number"), c.p.get("voicemail_id"), c.p.get("phone_login")
	pass, proto := c.p.get("phone_pass"), defaulted(c.p.get("protocol"), "PJSIP")
	data := "|" + c.user + "|" + ext + "|" + num + "|" + vm + "|" + login + "|" + proto
	if len(ext) < 2 || len(num) < 1 || len(login) < 2 || len(pass) < 2 || !protocols[proto] {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", data)
		return
	}
	p := core.Phone{Extension: ext, DialplanNumber: num, VoicemailID: vm, Login: login, Password: pass, Protocol: proto,
		Name: c.p.get("phone_full_name"), Active: true}
	if err := c.h.eng.AddPhone(c.ctx, &p); err != nil {
		if core.ErrorCode(err) == core.ECONFLICT {
			c.colon("ERROR", "PHONE ALREADY EXISTS ON THIS SERVER", data)
			return
		}
		c.dash("ERROR", "PHONE HAS NOT BEEN ADDED", c.user+"|"+ext+"|"+refusalText(err))
		return
	}
	c.dash("SUCCESS", "PHONE HAS BEEN ADDED", c.user+"|"+ext+"|"+defaulted(c.h.opt.ServerIP, "127.0.0.1")+"|"+proto+"|"+num+"|"+login)
}

// updatePhone is update_phone: change or delete (delete_phone=Y) a phone.
func (c *naCall) updatePhone() {
	ext := c.p.get("extension")
	remove := c.p.get("delete_phone") == "Y"
	cols := map[string]any{}
	for param, col := range map[string]string{"phone_pass": "password", "dialplan_number": "dialplan_number",
		"voicemail_id": "voicemail_id", "phone_full_name": "name"} {
		if v := c.p.get(param); v != "" {
			cols[col] = v
		}
	}
	if v := c.p.get("protocol"); v != "" {
		if !protocols[v] {
			c.colon("ERROR", "PROTOCOL IS NOT VALID", "|"+c.user+"|"+ext+"|"+v)
			return
		}
		cols["protocol"] = v
	}
	if v := c.p.get("active"); v == "Y" || v == "N" {
		cols["active"] = v == "Y"
	}
	if len(ext) < 2 || !remove && len(cols) == 0 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+ext)
		return
	}
	if err := c.h.eng.UpdatePhone(c.ctx, ext, cols, remove); err != nil {
		if core.ErrorCode(err) == core.ENOTFOUND {
			c.colon("ERROR", "PHONE DOES NOT EXIST", "|"+c.user+"|"+ext)
			return
		}
		c.dash("ERROR", "PHONE HAS NOT BEEN UPDATED", c.user+"|"+ext+"|"+refusalText(err))
		return
	}
	if remove {
		c.dash("SUCCESS", "PHONE HAS BEEN DELETED", c.user+"|"+ext)
		return
	}
	c.dash("SUCCESS", "PHONE HAS BEEN UPDATED", c.user+"|"+ext)
}
