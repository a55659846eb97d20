package core

import (
	"context"
	"time"
)

// Read-only queries over provisioned phones and finished calls that
// reporting dialects list (eXpand extensionPbx and cdrData).

// maxCDRRows bounds one CDR listing so a wide period cannot exhaust memory.
const maxCDRRows = 10000

// Phones lists the active provisioned phones ordered by extension.
func (e *Engine) Phones(ctx context.Context) ([]Phone, error) {
	var out []Phone
	err := e.store.Find(ctx, &out, Eq("active", true).Asc("extension"))
	return out, err
}

// CDRByUniqueID returns the CDR rows of one call by its PBX unique id
// (one per call, more when a call was split).
func (e *Engine) CDRByUniqueID(ctx context.Context, uniqueID string) ([]CDR, error) {
	var out []CDR
	err := e.store.Find(ctx, &out, Eq("uniqueid", uniqueID).Asc("id"))
	return out, err
}

// CDRsBetween lists the calls that started in [from, to), oldest first,
// at most maxCDRRows of them.
func (e *Engine) CDRsBetween(ctx context.Context, from, to time.Time) ([]CDR, error) {
	var out []CDR
	err := e.store.Find(ctx, &out, All.Gte("start", from).Lt("start", to).Asc("start").Asc("id").Take(maxCDRRows))
	return out, err
}
