package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Entities whose ids a dialect may spell its own way.
const (
	EntityCall     = "call"
	EntityLead     = "lead"
	EntityAgent    = "agent"
	EntityCampaign = "campaign"
)

// ExternalID maps a dialect's id of an entity to the engine's. Core knows
// nothing of how a dialect builds its ids; the adapter builds them by its
// own rules and keeps them here, so they survive a restart and can be
// looked up from either side through an index.
type ExternalID struct {
	ID         uint   `gorm:"primaryKey" json:"id"`
	Entity     string `gorm:"size:16;uniqueIndex:ext_by_external,priority:1;index:ext_by_internal,priority:1" json:"entity"`
	Dialect    string `gorm:"size:16;uniqueIndex:ext_by_external,priority:2;index:ext_by_internal,priority:2" json:"dialect"`
	ExternalID string `gorm:"size:64;uniqueIndex:ext_by_external,priority:3" json:"external_id"`
	InternalID uint64 `gorm:"index:ext_by_internal,priority:3" json:"internal_id"`
	CreatedAt  time.Time
}

// ExternalIDs is the service adapters keep their dialect ids in.
type ExternalIDs struct{ st Store }

// NewExternalIDs serves the external ids of st.
func NewExternalIDs(st Store) *ExternalIDs { return &ExternalIDs{st: st} }

// ExternalIDs is the engine's external-id service.
func (e *Engine) ExternalIDs() *ExternalIDs { return NewExternalIDs(e.store) }

// Set records that dialect calls entity internal by external. Setting the
// same pair again is a no-op; an external id already given to another
// entity is ErrDuplicate, so a dialect id never names two things.
func (x *ExternalIDs) Set(ctx context.Context, entity, dialect, external string, internal uint64) error {
	if entity == "" || dialect == "" || external == "" {
		return fmt.Errorf("external id: %w: entity, dialect and id are required", ErrInvalid)
	}
	err := x.st.Create(ctx, &ExternalID{Entity: entity, Dialect: dialect, ExternalID: external, InternalID: internal})
	if errors.Is(err, ErrDuplicate) {
		if got, gerr := x.Internal(ctx, entity, dialect, external); gerr == nil && got == internal {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("external id: %w", err)
	}
	return nil
}

// External is the dialect's id of entity internal (the first one given, if
// several were); ErrNoRecord when the dialect has none yet.
func (x *ExternalIDs) External(ctx context.Context, entity, dialect string, internal uint64) (string, error) {
	var r ExternalID
	if err := x.st.First(ctx, &r, Eq("entity", entity).Eq("dialect", dialect).Eq("internal_id", internal).Asc("id")); err != nil {
		return "", err
	}
	return r.ExternalID, nil
}

// Externals is External for several entities in one read: the dialect's
// id of each of internals that has one (the first one given).
func (x *ExternalIDs) Externals(ctx context.Context, entity, dialect string, internals []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(internals))
	if len(internals) == 0 {
		return out, nil
	}
	var rows []ExternalID
	if err := x.st.Find(ctx, &rows, Eq("entity", entity).Eq("dialect", dialect).In("internal_id", internals).Asc("id")); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if _, seen := out[r.InternalID]; !seen {
			out[r.InternalID] = r.ExternalID
		}
	}
	return out, nil
}

// Internal is the engine's id of what the dialect calls external;
// ErrNoRecord when unknown.
func (x *ExternalIDs) Internal(ctx context.Context, entity, dialect, external string) (uint64, error) {
	var r ExternalID
	if err := x.st.First(ctx, &r, Eq("entity", entity).Eq("dialect", dialect).Eq("external_id", external)); err != nil {
		return 0, err
	}
	return r.InternalID, nil
}
