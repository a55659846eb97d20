package core

import (
	"context"
	"crypto/rand"
	"fmt"
)

// Provisioning services for dialects that manage users and campaigns
// themselves (VICIdial's non-agent API): each write is followed by a
// reload so the engine's in-memory view follows at once.

// AddAgent creates an agent; a username in use is ECONFLICT.
func (e *Engine) AddAgent(ctx context.Context, a *Agent) error {
	if len(a.Username) < 2 {
		return Errorf(EINVALID, "agent username")
	}
	if _, err := e.FindAgent(ctx, a.Username); err == nil {
		return Errorf(ECONFLICT, "agent %s exists", a.Username)
	}
	if a.Number == "" {
		a.Number = a.Username
	}
	if err := e.store.Create(ctx, a); err != nil {
		return fmt.Errorf("add agent: %w", err)
	}
	return e.Reload(ctx)
}

// agentColumns are the agent columns UpdateAgent may set.
var agentColumns = map[string]bool{
	"name": true, "password": true, "user_level": true, "user_group": true, "active": true, "email": true,
	"phone_login": true, "phone_pass": true, "extension": true, "campaign": true, "alt_id": true,
	"custom_four": true,
}

// UpdateAgent sets columns of an agent (secrets are hashed or sealed by
// the store).
func (e *Engine) UpdateAgent(ctx context.Context, user string, cols map[string]any) error {
	a, err := e.FindAgent(ctx, user)
	if err != nil {
		return Errorf(ENOTFOUND, "agent %s", user)
	}
	for k := range cols {
		if !agentColumns[k] {
			return Errorf(EINVALID, "agent column %s", k)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	if err := e.store.Updates(ctx, &Agent{ID: a.ID}, cols); err != nil {
		return fmt.Errorf("update agent: %w", err)
	}
	return e.Reload(ctx)
}

// DeleteAgent removes an agent that is not logged in.
func (e *Engine) DeleteAgent(ctx context.Context, user string) error {
	a, err := e.FindAgent(ctx, user)
	if err != nil {
		return Errorf(ENOTFOUND, "agent %s", user)
	}
	if _, ok := e.Session(user); ok {
		return Errorf(ECONFLICT, "agent %s is logged in", user)
	}
	err = e.store.Tx(ctx, func(tx Store) error {
		if err := tx.Delete(ctx, &QueueMember{}, Eq("agent_id", a.ID)); err != nil {
			return err
		}
		return tx.Delete(ctx, &Agent{}, Eq("id", a.ID))
	})
	if err != nil {
		return fmt.Errorf("delete agent: %w", err)
	}
	return e.Reload(ctx)
}

// campaignColumns are the campaign columns UpdateCampaign may set.
var campaignColumns = map[string]bool{
	"description": true, "active": true, "dial_method": true, "dial_ratio": true, "dial_timeout": true,
	"dial_prefix": true, "caller_id": true, "max_retries": true, "retry_delay": true, "queue": true,
	"start_time": true, "end_time": true, "dial_statuses": true,
}

// UpdateCampaign sets columns of a campaign; its dialer follows at once.
func (e *Engine) UpdateCampaign(ctx context.Context, name string, cols map[string]any) error {
	c, err := e.FindCampaign(ctx, name)
	if err != nil {
		return Errorf(ENOTFOUND, "campaign %s", name)
	}
	for k := range cols {
		if !campaignColumns[k] {
			return Errorf(EINVALID, "campaign column %s", k)
		}
	}
	for _, k := range []string{"start_time", "end_time"} {
		if v, ok := cols[k].(string); ok && v != "" {
			if _, valid := hhmm(v); !valid || len(v) != 5 {
				return Errorf(EINVALID, "campaign %s %q is not HH:MM", k, v)
			}
		}
	}
	if len(cols) == 0 {
		return nil
	}
	if err := e.store.Updates(ctx, &Campaign{ID: c.ID}, cols); err != nil {
		return fmt.Errorf("update campaign: %w", err)
	}
	return e.Reload(ctx)
}

// passwordChars are the characters of a reset password (VICIdial's: no O).
const passwordChars = "0123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"

// ResetAgentPassword gives an agent a new random password of n characters
// (8 to 64) and emails it to email, as VICIdial's reset_password does; the
// password changes only once the mail is sent.
func (e *Engine) ResetAgentPassword(ctx context.Context, user, email string, n int) error {
	if n < 8 || n > 64 {
		return Errorf(EINVALID, "password length %d", n)
	}
	if _, err := e.FindAgent(ctx, user); err != nil {
		return err
	}
	sender := e.emailSender()
	if sender == nil {
		return Errorf(EUNAVAILABLE, "no SMTP server is configured")
	}
	b, err := randomText(n)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	msg := Email{To: email, Subject: "User Account Reset", Text: "Here is your new temporary password: " + string(b)}
	if err := sender.SendEmail(ctx, msg); err != nil {
		return Errorf(EUNAVAILABLE, "the mail could not be sent")
	}
	return e.UpdateAgent(ctx, user, map[string]any{"password": string(b)})
}

// randomText is n characters of passwordChars from crypto/rand, without
// modulo bias (bytes past the last whole multiple are drawn again).
func randomText(n int) ([]byte, error) {
	const limit = 256 - 256%len(passwordChars)
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return nil, err
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, passwordChars[int(c)%len(passwordChars)])
			}
		}
	}
	return out, nil
}
