package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// Custom fields: a list may define extra lead fields (VICIdial's
// vicidial_lists_fields and custom_<list_id> tables). A lead's values are
// kept per entry list, so a lead moved to another list keeps the values it
// was loaded with, as VICIdial's entry_list_id does.

// ListField is one custom field a list defines.
type ListField struct {
	ID     uint   `gorm:"primaryKey" json:"id"`
	ListID uint64 `gorm:"uniqueIndex:list_field_label,priority:1" json:"list_id"`
	// Label is the field's variable name (field_label): letters, digits
	// and underscore, as the APIs send it.
	Label       string `gorm:"size:50;uniqueIndex:list_field_label,priority:2" json:"label"`
	Name        string `gorm:"size:255" json:"name"`
	Description string `gorm:"size:255" json:"description"`
	// Type is VICIdial's field_type: TEXT, AREA, SELECT, MULTI, RADIO,
	// CHECKBOX, DATE, TIME, DISPLAY, SCRIPT, HIDDEN, READONLY, HIDEBLOB,
	// SWITCH or BUTTON.
	Type      string    `gorm:"size:16" json:"type"`
	Rank      int       `json:"rank"`
	Order     int       `json:"order"`
	Size      int       `json:"size"`
	Max       int       `json:"max"`
	Default   string    `gorm:"size:255" json:"default"`
	Options   string    `gorm:"type:text" json:"options"`
	Required  bool      `json:"required"`
	CreatedAt time.Time `json:"created_at"`
}

// LeadFieldValue is a lead's value of one custom field of a list.
type LeadFieldValue struct {
	ID     uint64 `gorm:"primaryKey" json:"id"`
	LeadID uint64 `gorm:"uniqueIndex:lead_field_value,priority:1" json:"lead_id"`
	ListID uint64 `gorm:"uniqueIndex:lead_field_value,priority:2" json:"list_id"`
	Label  string `gorm:"size:50;uniqueIndex:lead_field_value,priority:3" json:"label"`
	Value  string `gorm:"type:text" json:"value"`
}

// FieldTypes are the custom field types a list may define.
var FieldTypes = []string{"TEXT", "AREA", "SELECT", "MULTI", "RADIO", "CHECKBOX", "DATE", "TIME", "DISPLAY",
	"SCRIPT", "HIDDEN", "READONLY", "HIDEBLOB", "SWITCH", "BUTTON"}

// holdsValue reports whether a field type stores a value per lead: display
// fields (DISPLAY, SCRIPT, BUTTON, SWITCH) only show text.
func holdsValue(typ string) bool {
	switch typ {
	case "DISPLAY", "SCRIPT", "BUTTON", "SWITCH":
		return false
	}
	return true
}

var fieldLabel = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,49}$`)

// leadColumnLabels are the lead's own columns: a custom field cannot take
// their names (VICIdial refuses them too).
var leadColumnLabels = map[string]bool{"lead_id": true, "entry_date": true, "modify_date": true, "status": true,
	"user": true, "vendor_lead_code": true, "source_id": true, "list_id": true, "gmt_offset_now": true,
	"called_since_last_reset": true, "phone_code": true, "phone_number": true, "title": true, "first_name": true,
	"middle_initial": true, "last_name": true, "address1": true, "address2": true, "address3": true, "city": true,
	"state": true, "province": true, "postal_code": true, "country_code": true, "gender": true,
	"date_of_birth": true, "alt_phone": true, "email": true, "security_phrase": true, "comments": true,
	"called_count": true, "last_local_call_time": true, "rank": true, "owner": true, "entry_list_id": true}

// ListFields returns a list's custom fields in display order (rank, order,
// label); an empty slice when it defines none.
func (e *Engine) ListFields(ctx context.Context, listID uint64) ([]ListField, error) {
	var out []ListField
	if err := e.store.Find(ctx, &out, Eq("list_id", listID)); err != nil {
		return nil, fmt.Errorf("list fields: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Label < b.Label
	})
	return out, nil
}

// AddListField defines a custom field on an existing list. A label in use
// on the list is ECONFLICT; a bad label or type EINVALID.
func (e *Engine) AddListField(ctx context.Context, f ListField) (ListField, error) {
	if _, err := e.FindList(ctx, f.ListID); err != nil {
		return f, err
	}
	if !fieldLabel.MatchString(f.Label) || leadColumnLabels[f.Label] {
		return f, Errorf(EINVALID, "field label %q", f.Label)
	}
	if !validFieldType(f.Type) {
		return f, Errorf(EINVALID, "field type %q", f.Type)
	}
	n, err := e.store.Count(ctx, &ListField{}, Eq("list_id", f.ListID).Eq("label", f.Label))
	if err != nil {
		return f, fmt.Errorf("add list field: %w", err)
	}
	if n > 0 {
		return f, Errorf(ECONFLICT, "list %d already has field %s", f.ListID, f.Label)
	}
	f.ID, f.CreatedAt = 0, e.now()
	if err := e.store.Create(ctx, &f); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return f, Errorf(ECONFLICT, "list %d already has field %s", f.ListID, f.Label)
		}
		return f, fmt.Errorf("add list field: %w", err)
	}
	return f, nil
}

func validFieldType(t string) bool {
	for _, v := range FieldTypes {
		if v == t {
			return true
		}
	}
	return false
}

// UpdateListField changes a list's custom field (found by f.ListID and
// f.Label) to f's definition; values longer than a smaller Max are kept
// (VICIdial does not cut stored values either). A field the list does not
// define is ENOTFOUND; a bad type EINVALID.
func (e *Engine) UpdateListField(ctx context.Context, f ListField) (ListField, error) {
	var old ListField
	if err := e.store.First(ctx, &old, Eq("list_id", f.ListID).Eq("label", f.Label)); err != nil {
		return f, Errorf(ENOTFOUND, "list %d field %s", f.ListID, f.Label)
	}
	if !validFieldType(f.Type) {
		return f, Errorf(EINVALID, "field type %q", f.Type)
	}
	cols := map[string]any{"name": f.Name, "description": f.Description, "type": f.Type, "rank": f.Rank,
		"order": f.Order, "size": f.Size, "max": f.Max, "default": f.Default, "options": f.Options, "required": f.Required}
	if err := e.store.Updates(ctx, &ListField{ID: old.ID}, cols); err != nil {
		return f, fmt.Errorf("update list field: %w", err)
	}
	f.ID, f.CreatedAt = old.ID, old.CreatedAt
	return f, nil
}

// DeleteListField removes a list's custom field and every lead's value of
// it, and returns the field as it was. A field the list does not define
// is ENOTFOUND.
func (e *Engine) DeleteListField(ctx context.Context, listID uint64, label string) (ListField, error) {
	var f ListField
	if err := e.store.First(ctx, &f, Eq("list_id", listID).Eq("label", label)); err != nil {
		return f, Errorf(ENOTFOUND, "list %d field %s", listID, label)
	}
	err := e.store.Tx(ctx, func(tx Store) error {
		if err := tx.Delete(ctx, &LeadFieldValue{}, Eq("list_id", listID).Eq("label", label)); err != nil {
			return err
		}
		return tx.Delete(ctx, &ListField{}, Eq("id", f.ID))
	})
	if err != nil {
		return f, fmt.Errorf("delete list field: %w", err)
	}
	return f, nil
}

// SetLeadFieldValues writes a lead's values of the custom fields of list
// (fields the list does not define, and display-only fields, are skipped)
// and makes list the lead's entry list. It returns how many values it
// wrote; with none it changes nothing.
func (e *Engine) SetLeadFieldValues(ctx context.Context, leadID, listID uint64, values map[string]string) (int, error) {
	fields, err := e.ListFields(ctx, listID)
	if err != nil {
		return 0, err
	}
	var rows []LeadFieldValue
	for _, f := range fields {
		v, ok := values[f.Label]
		if f.Max > 0 && len(v) > f.Max {
			v = v[:f.Max]
		}
		if ok && holdsValue(f.Type) {
			rows = append(rows, LeadFieldValue{LeadID: leadID, ListID: listID, Label: f.Label, Value: v})
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if _, err := e.Lead(ctx, leadID); err != nil {
		return 0, err
	}
	err = e.store.Tx(ctx, func(tx Store) error {
		for _, r := range rows {
			f := Eq("lead_id", leadID).Eq("list_id", listID).Eq("label", r.Label)
			if err := tx.Delete(ctx, &LeadFieldValue{}, f); err != nil {
				return err
			}
			if err := tx.Create(ctx, &r); err != nil {
				return err
			}
		}
		return tx.Updates(ctx, &Lead{ID: leadID}, map[string]any{"entry_list_id": listID, "modify_date": e.now()})
	})
	if err != nil {
		return 0, fmt.Errorf("set lead fields: %w", err)
	}
	return len(rows), nil
}

// LeadFieldValues returns a lead's values of the custom fields of list, by
// label; a field with no value is absent.
func (e *Engine) LeadFieldValues(ctx context.Context, leadID, listID uint64) (map[string]string, error) {
	var rows []LeadFieldValue
	if err := e.store.Find(ctx, &rows, Eq("lead_id", leadID).Eq("list_id", listID)); err != nil {
		return nil, fmt.Errorf("lead fields: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Label] = r.Value
	}
	return out, nil
}

// DeleteLeadFieldValues removes a lead's custom values of list (every list
// when list is 0) and clears its entry list; it returns how many values
// went.
func (e *Engine) DeleteLeadFieldValues(ctx context.Context, leadID, listID uint64) (int64, error) {
	f := Eq("lead_id", leadID)
	if listID != 0 {
		f = f.Eq("list_id", listID)
	}
	var n int64
	err := e.store.Tx(ctx, func(tx Store) error {
		var err error
		if n, err = tx.Count(ctx, &LeadFieldValue{}, f); err != nil {
			return err
		}
		if err := tx.Delete(ctx, &LeadFieldValue{}, f); err != nil {
			return err
		}
		return tx.Updates(ctx, &Lead{ID: leadID}, map[string]any{"entry_list_id": 0})
	})
	if err != nil {
		return 0, fmt.Errorf("delete lead fields: %w", err)
	}
	return n, nil
}

// CopyListFields copies the custom field definitions of list from to list
// to: APPEND adds the fields to lacks, UPDATE rewrites the definitions of
// the fields both have, REPLACE drops to's fields (and their values) and
// copies from's. It returns how many definitions it wrote.
func (e *Engine) CopyListFields(ctx context.Context, from, to uint64, method string) (int, error) {
	src, err := e.ListFields(ctx, from)
	if err != nil {
		return 0, err
	}
	if _, err := e.FindList(ctx, to); err != nil {
		return 0, err
	}
	have, err := e.ListFields(ctx, to)
	if err != nil {
		return 0, err
	}
	byLabel := map[string]ListField{}
	for _, f := range have {
		byLabel[f.Label] = f
	}
	n := 0
	err = e.store.Tx(ctx, func(tx Store) error {
		if method == "REPLACE" {
			if err := tx.Delete(ctx, &LeadFieldValue{}, Eq("list_id", to)); err != nil {
				return err
			}
			if err := tx.Delete(ctx, &ListField{}, Eq("list_id", to)); err != nil {
				return err
			}
			byLabel = map[string]ListField{}
		}
		for _, f := range src {
			old, exists := byLabel[f.Label]
			f.ListID, f.CreatedAt = to, e.now()
			switch {
			case method == "UPDATE" && exists:
				f.ID = old.ID
				if err := tx.Save(ctx, &f); err != nil {
					return err
				}
			case method != "UPDATE" && !exists:
				f.ID = 0
				if err := tx.Create(ctx, &f); err != nil {
					return err
				}
			default:
				continue
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("copy list fields: %w", err)
	}
	return n, nil
}
