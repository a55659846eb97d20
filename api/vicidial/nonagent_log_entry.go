package vicidial

import (
	"strconv"

	"github.com/callgate/callgate/core"
)

// updateLogEntry is update_log_entry: the status of a call's log record
// (vicidial_log, or vicidial_closer_log when group is an in-group) is
// rewritten; the call is the newest of group whose lead is the call id's
// last ten digits. The script's guard is inverted (it refuses only when
// group, call_id and status are all long enough), and Callgate keeps it:
// clients already live with it. call_id reaches the script with its dots
// stripped, so its uniqueid search never runs; Callgate does the same.
func (c *naCall) updateLogEntry() {
	group, cid, status := c.p.get("group"), c.p.get("call_id"), c.p.get("status")
	data := c.user + "|" + group + "|" + cid + "|" + status
	if len(group) >= 2 && len(cid) >= 8 && len(status) >= 8 {
		c.line("ERROR", "update_log_entry INVALID SEARCH PARAMETERS", data, "ERROR: update_log_entry INVALID SEARCH PARAMETERS: "+data)
		return
	}
	inbound := false
	if _, err := c.h.eng.FindQueue(c.ctx, group); err == nil {
		inbound = true
	} else if _, err := c.h.eng.FindCampaign(c.ctx, group); err != nil {
		gdata := c.user + "|" + group
		c.line("ERROR", "update_log_entry GROUP NOT FOUND", gdata, "ERROR: update_log_entry GROUP NOT FOUND: "+gdata)
		return
	}
	lead := cid
	if len(lead) > 10 {
		lead = lead[len(lead)-10:]
	}
	leadID, _ := strconv.ParseUint(lead, 10, 64)
	call, err := c.h.eng.LoggedCall(c.ctx, group, inbound, "", leadID)
	if err != nil {
		c.line("ERROR", "update_log_entry NO RECORDS FOUND", data, "ERROR: update_log_entry NO RECORDS FOUND: "+data)
		return
	}
	id := strconv.FormatUint(call.ID, 10)
	if err := c.h.eng.SetLoggedCallStatus(c.ctx, call.ID, status); err != nil {
		// The script says so when its UPDATE changed no row; Callgate also
		// when the call is still live or the store failed.
		if core.ErrorCode(err) == core.EINTERNAL {
			c.h.log.Error("vicidial: update_log_entry", "err", err)
		}
		d := data + "|" + call.Status + "|" + id
		c.line("ERROR", "update_log_entry NO RECORDS UPDATED", d, "ERROR: update_log_entry NO RECORDS UPDATED: "+d)
		return
	}
	// The script's data ends with an unset variable: an empty last field.
	d := data + "|" + call.Status + "|" + id + "|"
	c.line("SUCCESS", "update_log_entry RECORD HAS BEEN UPDATED", d, "SUCCESS: update_log_entry RECORD HAS BEEN UPDATED - "+c.user+"|"+d)
}
