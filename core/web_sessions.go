package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// Browser sessions live in the store, so every gateway behind a balancer
// knows them and a restart logs nobody out. The store keeps only the
// SHA-256 of a session's token: a copy of the table hands out no session.

// WebSession is one browser session (web pages).
type WebSession struct {
	ID        uint64    `gorm:"primaryKey"`
	TokenHash string    `gorm:"size:64;uniqueIndex:web_session_token"`
	Kind      string    `gorm:"size:16"`
	Name      string    `gorm:"size:64"`
	AgentID   uint      // agents
	UserGroup string    `gorm:"size:64"` // supervisors: their scope is re-read from it on every use
	CreatedAt time.Time `gorm:"index"`
	SeenAt    time.Time `gorm:"index"`
}

const (
	// WebSessionIdle ends a session unused this long; WebSessionMax ends
	// any session this long after its login.
	WebSessionIdle = 8 * time.Hour
	WebSessionMax  = 24 * time.Hour
	// webSessionTouch: a session's last use is written at most this often.
	webSessionTouch = time.Minute
)

func webTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// OpenWebSession stores a session for the principal and returns its token
// (256 random bits, URL-safe base64); expired sessions are removed.
func (e *Engine) OpenWebSession(ctx context.Context, p Principal) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", Internal("OpenWebSession", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := e.now()
	_ = e.store.Delete(ctx, &WebSession{}, All.Lt("seen_at", now.Add(-WebSessionIdle)))
	_ = e.store.Delete(ctx, &WebSession{}, All.Lt("created_at", now.Add(-WebSessionMax)))
	s := WebSession{TokenHash: webTokenHash(token), Kind: string(p.Kind), Name: p.Name, AgentID: p.AgentID,
		UserGroup: p.Group, CreatedAt: now, SeenAt: now}
	if err := e.store.Create(ctx, &s); err != nil {
		return "", Internal("OpenWebSession", err)
	}
	return token, nil
}

// WebSessionPrincipal is the principal of a live session: EUNAUTHORIZED
// when the token is unknown or its session expired. A supervisor's scope
// is its group's as it is now.
func (e *Engine) WebSessionPrincipal(ctx context.Context, token string) (Principal, error) {
	var s WebSession
	if token == "" {
		return Principal{}, Errorf(EUNAUTHORIZED, "no session")
	}
	if err := e.store.First(ctx, &s, Eq("token_hash", webTokenHash(token))); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return Principal{}, Errorf(EUNAUTHORIZED, "session expired")
		}
		return Principal{}, Internal("WebSession", err)
	}
	now := e.now()
	if now.Sub(s.SeenAt) > WebSessionIdle || now.Sub(s.CreatedAt) > WebSessionMax {
		_ = e.store.Delete(ctx, &WebSession{}, Eq("id", s.ID))
		return Principal{}, Errorf(EUNAUTHORIZED, "session expired")
	}
	if now.Sub(s.SeenAt) > webSessionTouch {
		_ = e.store.Updates(ctx, &s, map[string]any{"seen_at": now})
	}
	p := Principal{Kind: PrincipalKind(s.Kind), Name: s.Name, AgentID: s.AgentID, Group: s.UserGroup}
	// A deactivated or deleted agent or supervisor loses its sessions at
	// once.
	switch p.Kind {
	case PrincipalAdmin:
		p.Scope = Scope{All: true}
	case PrincipalAgent:
		if ag, err := e.FindAgent(ctx, s.Name); err != nil || !ag.Active || ag.ID != s.AgentID {
			return Principal{}, Errorf(EUNAUTHORIZED, "the agent can no longer log in")
		}
	case PrincipalSupervisor:
		if u, err := e.APIUser(ctx, WebDialect, s.Name); err != nil || !u.Active {
			return Principal{}, Errorf(EUNAUTHORIZED, "the supervisor can no longer log in")
		}
		sc, err := e.GroupScope(ctx, s.UserGroup)
		if err != nil {
			return Principal{}, Errorf(EUNAUTHORIZED, "the supervisor's user group is gone")
		}
		p.Scope = sc
	}
	return p, nil
}

// CloseWebSession ends a session (log out).
func (e *Engine) CloseWebSession(ctx context.Context, token string) error {
	return e.store.Delete(ctx, &WebSession{}, Eq("token_hash", webTokenHash(token)))
}
