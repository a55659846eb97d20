package core

import (
	"context"
	"fmt"
)

// BlockEntry is one number to block or unblock; Campaign "" means every
// campaign.
type BlockEntry struct {
	Phone    string
	Campaign string
	Reason   string
}

// BlockNumbers puts every entry on the do-not-call list in one
// transaction: a bad entry refuses the whole batch, nothing half-written.
// An entry already blocked is left as it is.
func (e *Engine) BlockNumbers(ctx context.Context, entries []BlockEntry) error {
	const op = "BlockNumbers"
	rows, err := blockRows(op, entries)
	if err != nil {
		return err
	}
	now := e.now()
	err = e.store.Tx(ctx, func(tx Store) error {
		for _, r := range rows {
			n, err := tx.Count(ctx, &DNCEntry{}, Eq("phone", r.Phone).Eq("campaign", r.Campaign))
			if err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if err := tx.Create(ctx, &DNCEntry{Phone: r.Phone, Campaign: r.Campaign, Reason: clip(r.Reason, 255), CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	return Internal(op, err)
}

// UnblockNumbers removes the entries from the do-not-call list in one
// transaction; an entry that is not there is not an error.
func (e *Engine) UnblockNumbers(ctx context.Context, entries []BlockEntry) error {
	const op = "UnblockNumbers"
	rows, err := blockRows(op, entries)
	if err != nil {
		return err
	}
	err = e.store.Tx(ctx, func(tx Store) error {
		for _, r := range rows {
			if err := tx.Delete(ctx, &DNCEntry{}, Eq("phone", r.Phone).Eq("campaign", r.Campaign)); err != nil {
				return err
			}
		}
		return nil
	})
	return Internal(op, err)
}

func blockRows(op string, entries []BlockEntry) ([]BlockEntry, error) {
	if len(entries) == 0 {
		return nil, &Error{Code: EINVALID, Op: op, Message: "no number given"}
	}
	out := make([]BlockEntry, 0, len(entries))
	for i, en := range entries {
		p := normalizePhone(en.Phone)
		if p == "" || len(p) > 32 || len(en.Campaign) > 64 {
			return nil, &Error{Code: EINVALID, Op: op, Message: fmt.Sprintf("entry %d: a phone number (up to 32 digits) and a campaign are required", i+1)}
		}
		out = append(out, BlockEntry{Phone: p, Campaign: en.Campaign, Reason: en.Reason})
	}
	return out, nil
}
