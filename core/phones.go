package core

import (
	"context"
	"fmt"
	"time"
)

// Phone is a provisioned telephone (VICIdial's phones table): a login
// that supervisors and agents use to name their handset, and the PBX
// endpoint it rings (Protocol/Extension).
type Phone struct {
	ID             uint   `gorm:"primaryKey" json:"id"`
	Extension      string `gorm:"size:100;uniqueIndex:phone_extension" json:"extension"`
	Login          string `gorm:"size:20;uniqueIndex:phone_login" json:"login"`
	Password       string `gorm:"size:255" secret:"seal" json:"-"`
	Protocol       string `gorm:"size:16" json:"protocol"` // SIP, PJSIP, IAX2
	DialplanNumber string `gorm:"size:20" json:"dialplan_number"`
	VoicemailID    string `gorm:"size:20" json:"voicemail_id"`
	Name           string `gorm:"size:64" json:"name"`
	Active         bool   `gorm:"default:true" json:"active"`
	CreatedAt      time.Time
}

// Endpoint is the PBX endpoint the phone rings.
func (p Phone) Endpoint() string {
	proto := p.Protocol
	if proto == "" {
		proto = "PJSIP"
	}
	return proto + "/" + p.Extension
}

// PhoneByLogin finds a phone by its login.
func (e *Engine) PhoneByLogin(ctx context.Context, login string) (Phone, error) {
	var p Phone
	if login == "" {
		return p, Errorf(ENOTFOUND, "phone login")
	}
	if err := e.store.First(ctx, &p, Eq("login", login)); err != nil {
		return p, Errorf(ENOTFOUND, "phone %s", login)
	}
	return p, nil
}

// AddPhone provisions a phone; an extension or login in use is ECONFLICT.
func (e *Engine) AddPhone(ctx context.Context, p *Phone) error {
	if p.Extension == "" || p.Login == "" {
		return Errorf(EINVALID, "phone extension and login")
	}
	n, err := e.store.Count(ctx, &Phone{}, Eq("extension", p.Extension))
	if err != nil {
		return err
	}
	m, err := e.store.Count(ctx, &Phone{}, Eq("login", p.Login))
	if err != nil {
		return err
	}
	if n+m > 0 {
		return Errorf(ECONFLICT, "phone %s exists", p.Extension)
	}
	p.CreatedAt = e.now()
	if err := e.store.Create(ctx, p); err != nil {
		return fmt.Errorf("add phone: %w", err)
	}
	return nil
}

// phoneColumns are the phone columns UpdatePhone may set.
var phoneColumns = map[string]bool{"password": true, "protocol": true, "dialplan_number": true, "voicemail_id": true, "name": true, "active": true}

// UpdatePhone sets columns of the phone with that extension, or deletes it.
func (e *Engine) UpdatePhone(ctx context.Context, extension string, cols map[string]any, remove bool) error {
	var p Phone
	if err := e.store.First(ctx, &p, Eq("extension", extension)); err != nil {
		return Errorf(ENOTFOUND, "phone %s", extension)
	}
	if remove {
		return e.store.Delete(ctx, &Phone{}, Eq("id", p.ID))
	}
	for k := range cols {
		if !phoneColumns[k] {
			return Errorf(EINVALID, "phone column %s", k)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	return e.store.Updates(ctx, &Phone{ID: p.ID}, cols)
}
