package vicidial

import (
	"strconv"

	"github.com/callgate/callgate/core"
)

// addUser is add_user: a new agent. The new password is not echoed (see
// doc.go).
func (c *naCall) addUser() {
	agent, pass := c.p.get("agent_user"), c.p.get("agent_pass")
	levelRaw, name, group := c.p.get("agent_user_level"), c.p.get("agent_full_name"), c.p.get("agent_user_group")
	level, err := strconv.Atoi(levelRaw)
	if len(agent) < 2 || len(agent) > 20 || len(pass) < 2 || err != nil || level < 1 || level > 9 || len(name) < 1 || len(group) < 1 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+agent+"||"+levelRaw+"|"+name+"|"+group)
		return
	}
	if level > c.api.UserLevel {
		c.colon("ERROR", "USER DOES NOT HAVE PERMISSION TO ADD USERS IN THIS USER LEVEL", "|"+c.user+"|"+levelRaw+"|"+strconv.Itoa(c.api.UserLevel))
		return
	}
	if _, err := c.h.eng.UserGroup(c.ctx, group); err != nil {
		c.colon("ERROR", "USER GROUP DOES NOT EXIST", "|"+c.user+"|"+group)
		return
	}
	a := core.Agent{Username: agent, Password: pass, Name: name, UserLevel: level, UserGroup: group, Active: true,
		Email: c.p.get("email"), PhoneLogin: c.p.get("phone_login"), PhonePass: c.p.get("phone_pass"), Type: "Agent"}
	if err := c.h.eng.AddAgent(c.ctx, &a); err != nil {
		if core.ErrorCode(err) == core.ECONFLICT {
			c.colon("ERROR", "USER ALREADY EXISTS", "|"+c.user+"|"+agent)
			return
		}
		c.dash("ERROR", "USER HAS NOT BEEN ADDED", c.user+"|"+agent+"|"+refusalText(err))
		return
	}
	c.dash("SUCCESS", "USER HAS BEEN ADDED", c.user+"|"+agent+"||"+levelRaw+"|"+name+"|"+group)
}

// copyUser is copy_user: a new agent with source_user's settings, its own
// id, name and password.
func (c *naCall) copyUser() {
	agent, pass, name, from := c.p.get("agent_user"), c.p.get("agent_pass"), c.p.get("agent_full_name"), c.p.get("source_user")
	src, err := c.h.eng.FindAgent(c.ctx, from)
	if len(agent) < 2 || len(agent) > 20 || len(pass) < 2 || len(name) < 1 || err != nil {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+agent+"||"+name+"|"+from)
		return
	}
	if src.UserLevel > c.api.UserLevel {
		c.colon("ERROR", "USER DOES NOT HAVE PERMISSION TO ADD USERS IN THIS USER LEVEL", "|"+c.user+"|"+strconv.Itoa(src.UserLevel)+"|"+strconv.Itoa(c.api.UserLevel))
		return
	}
	a := core.Agent{Username: agent, Password: pass, Name: name, UserLevel: src.UserLevel, UserGroup: src.UserGroup,
		Active: true, Email: src.Email, Campaign: src.Campaign, Type: src.Type, Profile: src.Profile, Persistent: src.Persistent}
	if err := c.h.eng.AddAgent(c.ctx, &a); err != nil {
		if core.ErrorCode(err) == core.ECONFLICT {
			c.colon("ERROR", "USER ALREADY EXISTS", "|"+c.user+"|"+agent)
			return
		}
		c.dash("ERROR", "USER HAS NOT BEEN ADDED", c.user+"|"+agent+"|"+refusalText(err))
		return
	}
	c.dash("SUCCESS", "USER HAS BEEN COPIED", c.user+"|"+agent+"||"+name+"|"+from)
}
