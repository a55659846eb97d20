package vicidial

import (
	"net/mail"
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// userEdit is update_user's edit of one agent: the core agent's columns
// and the dialect's user settings (vicidial_users columns the engine does
// not model).
type userEdit struct {
	optEdit
	agent  core.Agent
	queues []string // in_groups, when sent
}

// updateUser is update_user as the script runs it: the target must exist
// and be at most the API user's level; delete_user deletes it and, as in
// the script, the update section still runs after (with nothing to change
// it ends with NO UPDATES DEFINED); each option is checked in the script's
// order, the first bad one ending the function.
func (c *naCall) updateUser() {
	name := c.p.get("agent_user")
	if len(name) < 2 || len(name) > 20 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+name+"|")
		return
	}
	a, err := c.h.eng.FindAgent(c.ctx, name)
	if err != nil {
		c.colon("ERROR", "USER DOES NOT EXIST", "|"+c.user+"|")
		return
	}
	if a.UserLevel > c.api.UserLevel {
		// The script's data ends with a line feed of its own.
		c.colon("ERROR", "USER DOES NOT HAVE PERMISSION TO UPDATE THIS USER", "|"+c.user+"|"+name+"|<=|"+strconv.Itoa(c.api.UserLevel)+"\n")
		return
	}
	if c.p.get("delete_user") == "Y" && !c.deleteUser(name) {
		return
	}
	e := &userEdit{optEdit: newOptEdit(c), agent: a}
	e.identity()
	e.phone()
	e.extras()
	if e.refused() {
		return
	}
	e.ranks()
	e.resetPassword()
	if e.empty() && e.queues == nil {
		c.colon("ERROR", "NO UPDATES DEFINED", "|"+c.user+"|")
		return
	}
	if !e.save() {
		return
	}
	c.dash("SUCCESS", "USER HAS BEEN UPDATED", c.user+"|"+name+"|")
}

// deleteUser is delete_user=Y (delete_users: user level 9, see doc.go).
func (c *naCall) deleteUser(name string) bool {
	if c.api.UserLevel < 9 {
		c.colon("ERROR", "USER DOES NOT HAVE PERMISSION TO DELETE USERS", "|"+c.user+"|0")
		return false
	}
	if err := c.h.eng.DeleteAgent(c.ctx, name); err != nil {
		c.dash("ERROR", "USER HAS NOT BEEN DELETED", c.user+"|"+name+"|"+refusalText(err))
		return false
	}
	c.dash("SUCCESS", "USER HAS BEEN DELETED", c.user+"|"+name+"|")
	return true
}

func (e *userEdit) save() bool {
	c, name := e.c, e.agent.Username
	var err error
	if len(e.cols) > 0 {
		err = c.h.eng.UpdateAgent(c.ctx, name, e.cols)
	}
	if err == nil && len(e.settings) > 0 {
		_, err = c.h.eng.Settings().Set(c.ctx, Dialect, core.ScopeUser, name, e.settings)
	}
	if err == nil && e.queues != nil {
		err = c.h.eng.SetQueueMemberships(c.ctx, name, e.queues)
	}
	if err != nil {
		c.h.log.Error("vicidial: update_user", "user", name, "err", err)
		c.dash("ERROR", "USER HAS NOT BEEN UPDATED", c.user+"|"+name+"|"+refusalText(err))
		return false
	}
	return true
}

// identity: agent_pass, agent_full_name, agent_user_level,
// agent_user_group.
func (e *userEdit) identity() {
	e.opt("agent_pass", func(v string) { e.cols["password"] = v })
	e.opt("agent_full_name", func(v string) {
		switch {
		case v == "--BLANK--":
			e.cols["name"] = ""
		case len(v) > 50:
			e.refuse("YOU MUST USE A VALID FULL NAME", v)
		default:
			e.cols["name"] = v
		}
	})
	e.opt("agent_user_level", func(v string) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 9 || n > e.c.api.UserLevel {
			e.refuse("YOU MUST USE A VALID USER LEVEL", v+"|"+strconv.Itoa(e.c.api.UserLevel)+"|1")
			return
		}
		e.cols["user_level"] = n
	})
	e.opt("agent_user_group", func(v string) {
		if _, err := e.c.h.eng.UserGroup(e.c.ctx, v); err != nil || len(v) > 20 {
			e.refuse("YOU MUST USE A VALID USER GROUP", v+"|0")
			return
		}
		e.cols["user_group"] = v
	})
}

// phone: phone_login (a provisioned phone), phone_pass, hotkeys_active,
// voicemail_id, email.
func (e *userEdit) phone() {
	e.opt("phone_login", func(v string) {
		if v == "--BLANK--" {
			e.cols["phone_login"] = ""
			return
		}
		if _, err := e.c.h.eng.PhoneByLogin(e.c.ctx, v); err != nil || len(v) > 20 {
			e.refuse("YOU MUST USE A VALID PHONE LOGIN", v+"|0|0")
			return
		}
		e.cols["phone_login"] = v
	})
	e.blankableCol("phone_pass", "phone_pass", 1, 20, "YOU MUST USE A VALID PHONE PASSWORD")
	e.opt("hotkeys_active", func(v string) {
		if v != "0" && v != "1" {
			e.refuse("YOU MUST USE A VALID HOTKEYS SETTING", v)
			return
		}
		e.set("hotkeys_active", v)
	})
	e.blankable("voicemail_id", "voicemail_id", 2, 10, "YOU MUST USE A VALID VOICEMAIL ID")
	e.blankableCol("email", "email", 5, 100, "YOU MUST USE A VALID EMAIL")
}

// extras: custom_one..five (custom_three is the agent's alternate id,
// custom_four its column), active, wrapup_seconds_override, in_groups.
func (e *userEdit) extras() {
	for _, f := range []struct{ param, col string }{{"custom_one", ""}, {"custom_two", ""}, {"custom_three", "alt_id"},
		{"custom_four", "custom_four"}, {"custom_five", ""}} {
		reason := "YOU MUST USE A VALID " + strings.ToUpper(strings.ReplaceAll(f.param, "_", " "))
		if f.col == "" {
			e.blankable(f.param, f.param, 0, 100, reason)
		} else {
			e.blankableCol(f.param, f.col, 0, 100, reason)
		}
	}
	e.opt("active", func(v string) {
		if v != "Y" && v != "N" {
			e.refuse("ACTIVE MUST BE Y OR N", v)
			return
		}
		e.cols["active"] = v == "Y"
	})
	e.opt("wrapup_seconds_override", func(v string) {
		if n, err := strconv.Atoi(v); err != nil || n < -1 || n > 9999 {
			e.refuse("wrapup_seconds_override MUST BE A VALID DIGIT BETWEEN -1 AND 9999", v)
			return
		}
		e.set("wrapup_seconds_override", v)
	})
	e.opt("in_groups", func(v string) {
		e.queues = []string{}
		for _, q := range strings.FieldsFunc(v, func(r rune) bool { return r == '|' || r == ' ' }) {
			if q != "-" {
				e.queues = append(e.queues, q)
			}
		}
	})
}

// blankableCol is blankable for a core agent column.
func (e *userEdit) blankableCol(param, col string, min, max int, reason string) {
	e.opt(param, func(v string) {
		switch {
		case v == "--BLANK--":
			e.cols[col] = ""
		case len(v) < min || len(v) > max:
			e.refuse(reason, v)
		default:
			e.cols[col] = v
		}
	})
}

// ranks: campaign_rank/grade and ingroup_rank/grade are kept as the
// agent's settings (the engine's routing does not read them), with the
// script's NOTICEs; the script prints its refusal and carries on.
func (e *userEdit) ranks() {
	c := e.c
	for _, kind := range []struct{ prefix, what string }{{"campaign", "CAMPAIGN"}, {"ingroup", "IN-GROUP"}} {
		rank, grade := c.p.get(kind.prefix+"_rank"), c.p.get(kind.prefix+"_grade")
		if rank == "" && grade == "" {
			continue
		}
		changes := map[string]*string{}
		if n, err := strconv.Atoi(rank); rank != "" && (err != nil || n < -9 || n > 9) {
			c.colon("ERROR", "YOU MUST USE A VALID "+kind.what+" RANK, THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+rank)
		} else if rank != "" {
			changes[kind.prefix+"_rank"] = &rank
		}
		if n, err := strconv.Atoi(grade); grade != "" && (err != nil || n < 1 || n > 10) {
			c.colon("ERROR", "YOU MUST USE A VALID "+kind.what+" GRADE, THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+grade)
		} else if grade != "" {
			changes[kind.prefix+"_grade"] = &grade
		}
		if _, err := c.h.eng.Settings().Set(c.ctx, Dialect, core.ScopeUser, e.agent.Username, changes); err != nil {
			c.h.log.Warn("vicidial: update_user ranks", "user", e.agent.Username, "err", err)
			continue
		}
		c.dash("NOTICE", "USER "+kind.what+" RANKS/GRADES HAVE BEEN UPDATED", c.user+"|"+e.agent.Username+"|"+rank+"|"+grade)
	}
}

// resetPassword is reset_password=n (more than 7): a new password of n
// characters mailed to the agent's email (the request's, else its own).
func (e *userEdit) resetPassword() {
	c := e.c
	n, err := strconv.Atoi(c.p.get("reset_password"))
	if err != nil || n < 8 {
		return
	}
	email := c.p.get("email")
	if len(email) < 5 {
		email = e.agent.Email
	}
	data := c.user + "|" + e.agent.Username + "|" + email
	if _, err := mail.ParseAddress(email); err != nil || !strings.Contains(email, "@") {
		c.dash("NOTICE", "USER PASSWORD RESET FAILED: NO VALID EMAIL PROVIDED", data)
		return
	}
	if err := c.h.eng.ResetAgentPassword(c.ctx, e.agent.Username, email, min(n, 64)); err != nil {
		c.dash("NOTICE", "USER PASSWORD RESET FAILED: EMAIL FAILURE", data+"|"+refusalText(err))
		return
	}
	c.dash("NOTICE", "USER PASSWORD HAS BEEN RESET", data)
}
