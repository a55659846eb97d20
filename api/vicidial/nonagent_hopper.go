package vicidial

import (
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// hopperBulkInsert is hopper_bulk_insert: each lead of lead_ids, in the
// order asked, is made due for its campaign's dialer at once with
// hopper_priority (Callgate has no hopper table: see doc.go), with the
// script's NOTICE per lead and its summary line.
func (c *naCall) hopperBulkInsert() {
	prio, _ := strconv.Atoi(c.p.get("hopper_priority"))
	var notices strings.Builder
	added, failed, missing := 0, 0, 0
	hopperID := ""
	for _, raw := range strings.Split(c.p.get("lead_ids"), ",") {
		id, err := strconv.ParseUint(raw, 10, 64)
		var l core.Lead
		if err == nil {
			l, err = c.h.eng.Lead(c.ctx, id)
		}
		if err != nil || !c.listAllowed(l.ListID) {
			missing++
			notices.WriteString("NOTICE: hopper_bulk_insert NOT ADDED TO HOPPER, LEAD NOT FOUND - " + raw + "\n")
			continue
		}
		lid := strconv.FormatUint(l.ID, 10)
		if core.HopperState(l) != "" {
			failed++
			notices.WriteString("NOTICE: hopper_bulk_insert NOT ADDED TO HOPPER, LEAD IS ALREADY IN THE HOPPER - " + lid + "\n")
			continue
		}
		if _, err := c.h.eng.FindCampaign(c.ctx, l.Campaign); err != nil {
			failed++
			notices.WriteString("NOTICE: hopper_bulk_insert CAMPAIGN DOES NOT EXIST - " + strconv.FormatUint(l.ListID, 10) + "|" + lid + "\n")
			continue
		}
		if c.outsideLocalTime(l, func() {
			notices.WriteString("NOTICE: hopper_bulk_insert NOT ADDED TO HOPPER, OUTSIDE OF LOCAL TIME, - " + lid + "|" + l.GMTOffset + "|" + l.State + "|0\n")
		}) {
			failed++
			continue
		}
		if err := c.h.eng.QueueLeadNow(c.ctx, l.ID, prio); err != nil {
			// The script's insert cannot be refused; the engine refuses a
			// lead whose status its dialer does not call.
			failed++
			notices.WriteString("NOTICE: hopper_bulk_insert NOT ADDED TO HOPPER, LEAD HOPPER INSERT ERROR - " + lid + "\n")
			continue
		}
		added++
		hopperID = lid
		notices.WriteString("NOTICE: hopper_bulk_insert LEAD ADDED TO HOPPER - " + l.PhoneNumber + "|" + lid + "|" + lid + "|" + c.user + "\n")
	}
	c.out.WriteString(notices.String())
	n := func(v int) string { return strconv.Itoa(v) }
	if added > 0 {
		c.line("SUCCESS", "hopper_bulk_insert LEADS HAVE BEEN INSERTED INTO THE HOPPER", n(added)+"|"+n(failed)+"|"+hopperID+"|"+n(missing)+"|"+n(failed),
			"SUCCESS: hopper_bulk_insert LEADS HAVE BEEN INSERTED INTO THE HOPPER - "+n(added)+"|"+n(failed)+"|"+hopperID+"|"+c.user)
		return
	}
	c.line("ERROR", "hopper_bulk_insert NO LEADS HAVE BEEN INSERTED INTO THE HOPPER", n(added)+"|"+hopperID+"|"+n(missing)+"|"+n(failed),
		"ERROR: hopper_bulk_insert NO LEADS HAVE BEEN INSERTED INTO THE HOPPER - "+n(failed)+"|"+n(missing)+"|"+c.user)
}
