package core

import (
	"context"
	"errors"
	"fmt"
)

// Reads of provisioned records that the dialects look up by their own keys.
// They go to the store (not the engine's caches) so inactive records are
// found too.

// PauseCode returns the pause code with that id, active or not.
func (e *Engine) PauseCode(ctx context.Context, id uint) (PauseCode, error) {
	var p PauseCode
	if err := e.store.First(ctx, &p, ByID(id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return p, fmt.Errorf("%w: %d", ErrUnknownPause, id)
		}
		return p, err
	}
	return p, nil
}

// AllPauseCodes lists every pause code, active or not, by id.
func (e *Engine) AllPauseCodes(ctx context.Context) ([]PauseCode, error) {
	var out []PauseCode
	err := e.store.Find(ctx, &out, All.Asc("id"))
	return out, err
}

// APIUser returns the credential of a dialect's API user or client;
// ErrNoRecord if there is none.
func (e *Engine) APIUser(ctx context.Context, dialect, user string) (APIUser, error) {
	var u APIUser
	err := e.store.First(ctx, &u, Eq("dialect", dialect).Eq("username", user))
	return u, err
}

// LeadsWithPhone lists up to limit leads whose main phone is phone, oldest
// first.
func (e *Engine) LeadsWithPhone(ctx context.Context, phone string, limit int) ([]Lead, error) {
	var out []Lead
	err := e.store.Find(ctx, &out, Eq("phone_number", phone).Asc("id").Take(limit))
	return out, err
}

// UncalledLeads counts a campaign's leads never dialled.
func (e *Engine) UncalledLeads(ctx context.Context, campaign string) (int64, error) {
	return e.store.Count(ctx, &Lead{}, Eq("campaign", campaign).Eq("called_count", 0))
}
