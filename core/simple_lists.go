package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Simple lists: named key/value tables a CRM maintains (caller id → the
// extension of the salesperson who owns the customer) and routing reads
// with LookupSimpleList.

// SimpleList is a named key/value list.
type SimpleList struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	Name        string    `gorm:"size:64;uniqueIndex:simple_list_name" json:"name"`
	Alias       string    `gorm:"size:128" json:"alias"`
	Description string    `gorm:"size:512" json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// SimpleListElement is one key of a simple list.
type SimpleListElement struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	ListID    uint64    `gorm:"uniqueIndex:simple_list_element_key,priority:1" json:"list_id"`
	Key       string    `gorm:"size:128;uniqueIndex:simple_list_element_key,priority:2" json:"key"`
	Value     string    `gorm:"size:1024" json:"value"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const (
	maxSimpleListKey   = 128
	maxSimpleListValue = 1024
)

// SimpleLists returns every simple list by id.
func (e *Engine) SimpleLists(ctx context.Context) ([]SimpleList, error) {
	var out []SimpleList
	if err := e.store.Find(ctx, &out, All.Asc("id")); err != nil {
		return nil, fmt.Errorf("simple lists: %w", err)
	}
	return out, nil
}

// SimpleListNamed loads a list by name (ENOTFOUND when there is none).
func (e *Engine) SimpleListNamed(ctx context.Context, name string) (SimpleList, error) {
	var l SimpleList
	if err := e.store.First(ctx, &l, Eq("name", name)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return l, Errorf(ENOTFOUND, "simple list %s", name)
		}
		return l, fmt.Errorf("simple list: %w", err)
	}
	return l, nil
}

// SimpleListElements returns a list's elements by key.
func (e *Engine) SimpleListElements(ctx context.Context, list string) ([]SimpleListElement, error) {
	l, err := e.SimpleListNamed(ctx, list)
	if err != nil {
		return nil, err
	}
	var out []SimpleListElement
	if err := e.store.Find(ctx, &out, Eq("list_id", l.ID).Asc("id")); err != nil {
		return nil, fmt.Errorf("simple list elements: %w", err)
	}
	return out, nil
}

// SimpleListElement loads one element (ENOTFOUND when the key is absent).
func (e *Engine) SimpleListElement(ctx context.Context, list, key string) (SimpleListElement, error) {
	l, err := e.SimpleListNamed(ctx, list)
	if err != nil {
		return SimpleListElement{}, err
	}
	var el SimpleListElement
	if err := e.store.First(ctx, &el, Eq("list_id", l.ID).Eq("key", key)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return el, Errorf(ENOTFOUND, "key %s of list %s", key, list)
		}
		return el, fmt.Errorf("simple list element: %w", err)
	}
	return el, nil
}

// AddSimpleListElement adds a key; ECONFLICT when the list already has it.
func (e *Engine) AddSimpleListElement(ctx context.Context, list, key, value string) (SimpleListElement, error) {
	if err := validElement(key, value); err != nil {
		return SimpleListElement{}, err
	}
	l, err := e.SimpleListNamed(ctx, list)
	if err != nil {
		return SimpleListElement{}, err
	}
	now := e.now()
	el := SimpleListElement{ListID: l.ID, Key: key, Value: value, CreatedAt: now, UpdatedAt: now}
	if err := e.store.Create(ctx, &el); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return el, Errorf(ECONFLICT, "key %s already in list %s", key, list)
		}
		return el, fmt.Errorf("add simple list element: %w", err)
	}
	return el, nil
}

// SetSimpleListElement changes a key's value (ENOTFOUND when absent).
func (e *Engine) SetSimpleListElement(ctx context.Context, list, key, value string) (SimpleListElement, error) {
	if err := validElement(key, value); err != nil {
		return SimpleListElement{}, err
	}
	el, err := e.SimpleListElement(ctx, list, key)
	if err != nil {
		return el, err
	}
	el.Value, el.UpdatedAt = value, e.now()
	if err := e.store.Save(ctx, &el); err != nil {
		return el, fmt.Errorf("set simple list element: %w", err)
	}
	return el, nil
}

// DeleteSimpleListElement removes a key and returns what it held.
func (e *Engine) DeleteSimpleListElement(ctx context.Context, list, key string) (SimpleListElement, error) {
	el, err := e.SimpleListElement(ctx, list, key)
	if err != nil {
		return el, err
	}
	if err := e.store.Delete(ctx, &SimpleListElement{}, Eq("id", el.ID)); err != nil {
		return el, fmt.Errorf("delete simple list element: %w", err)
	}
	return el, nil
}

// LookupSimpleList is what routing asks: the value of key in list, and
// whether there is one.
func (e *Engine) LookupSimpleList(ctx context.Context, list, key string) (string, bool) {
	el, err := e.SimpleListElement(ctx, list, key)
	return el.Value, err == nil
}

func validElement(key, value string) error {
	switch {
	case strings.TrimSpace(key) == "":
		return Errorf(EINVALID, "element needs a key")
	case len(key) > maxSimpleListKey || len(value) > maxSimpleListValue:
		return Errorf(EINVALID, "key or value too long")
	}
	return nil
}
