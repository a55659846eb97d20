package vicidial

import (
	"strings"

	"github.com/callgate/callgate/core"
)

// addGroupAlias is add_group_alias: a caller id the agent API's
// external_dial can name by group_alias_id (VICIdial's groups_alias). The
// alias goes into the system setting group_aliases (id=number pairs), so
// only its id and number are kept (see doc.go).
func (c *naCall) addGroupAlias() {
	id, name, number := c.p.get("group_alias_id"), c.p.get("group_alias_name"), c.p.get("caller_id_number")
	if len(number) < 6 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+id+"|"+name+"|"+number)
		return
	}
	if len(id) < 2 {
		id = number
	}
	if len(name) < 2 {
		name = number
	}
	name = strings.ReplaceAll(name, "+", " ")
	sys, err := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeSystem, "")
	if err != nil {
		c.h.log.Error("vicidial: add_group_alias", "err", err)
		c.colon("ERROR", "GROUP ALIAS HAS NOT BEEN ADDED", "|"+c.user+"|"+id)
		return
	}
	if _, ok := aliasCallerID(sys, id); ok {
		c.colon("ERROR", "GROUP ALIAS ALREADY EXISTS", "|"+c.user+"|"+id+"|"+number)
		return
	}
	list := strings.TrimSpace(strings.TrimSpace(sys.String(setGroupAliases)) + " " + trunc(id, 30) + "=" + trunc(number, 20))
	if _, err := c.h.eng.Settings().Set(c.ctx, Dialect, core.ScopeSystem, "", map[string]*string{setGroupAliases: &list}); err != nil {
		c.h.log.Warn("vicidial: add_group_alias", "err", err)
		c.colon("ERROR", "GROUP ALIAS HAS NOT BEEN ADDED", "|"+c.user+"|"+id)
		return
	}
	c.dash("SUCCESS", "GROUP ALIAS HAS BEEN ADDED", c.user+"|"+id+"|"+name+"|"+number)
}
