package core

import (
	"context"
	"fmt"
	"strconv"
)

// DeleteList removes a lead list, its custom field definitions and its
// dialect settings. Its leads stay, as in VICIdial, but leave the list's
// campaign: the dialer calls leads of existing lists only.
func (e *Engine) DeleteList(ctx context.Context, id uint64) error {
	if _, err := e.FindList(ctx, id); err != nil {
		return err
	}
	err := e.store.Tx(ctx, func(tx Store) error {
		if err := tx.Delete(ctx, &ListField{}, Eq("list_id", id)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, &Setting{}, Eq("scope", ScopeList).Eq("owner", strconv.FormatUint(id, 10))); err != nil {
			return err
		}
		if _, err := tx.UpdateWhere(ctx, &Lead{}, Eq("list_id", id), map[string]any{"campaign": ""}, Fence{}); err != nil {
			return err
		}
		return tx.Delete(ctx, &List{}, Eq("id", id))
	})
	if err != nil {
		return fmt.Errorf("delete list: %w", err)
	}
	return nil
}

// DeleteListLeads removes every lead of a list with its callbacks and
// custom values, except leads on a live call; it returns how many went.
func (e *Engine) DeleteListLeads(ctx context.Context, id uint64) (int, error) {
	var leads []Lead
	if err := e.store.Find(ctx, &leads, Eq("list_id", id)); err != nil {
		return 0, fmt.Errorf("delete list leads: %w", err)
	}
	ids := make([]uint64, 0, len(leads))
	for _, l := range leads {
		if !e.leadInFlight(l.ID) {
			ids = append(ids, l.ID)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		err := e.store.Tx(ctx, func(tx Store) error {
			for _, model := range []any{&Callback{}, &LeadFieldValue{}} {
				if err := tx.Delete(ctx, model, All.In("lead_id", chunk)); err != nil {
					return err
				}
			}
			return tx.Delete(ctx, &Lead{}, All.In("id", chunk))
		})
		if err != nil {
			return start, fmt.Errorf("delete list leads: %w", err)
		}
	}
	return len(ids), nil
}
