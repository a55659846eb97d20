package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Setting scopes: a dialect's system-wide switches, a campaign's options,
// an agent's (user's) options, a lead list's options (owner: the list id).
const (
	ScopeSystem   = "system"
	ScopeCampaign = "campaign"
	ScopeUser     = "user"
	ScopeList     = "list"
)

// Kinds of setting value. Every value is stored as text, as the products
// themselves keep them (VICIdial's 'Y'/'N' enums, numbers in varchar).
const (
	SettingText = "text" // any text up to MaxLen (default 255)
	SettingInt  = "int"  // a base-10 integer between Min and Max when set
	SettingEnum = "enum" // one of Choices
)

// Setting is one value a deployment changed from a dialect's default. A
// setting nobody changed has no row: its value is the declared default.
type Setting struct {
	ID        uint   `gorm:"primaryKey" json:"id"`
	Dialect   string `gorm:"size:16;uniqueIndex:setting_by_key,priority:1" json:"dialect"`
	Scope     string `gorm:"size:16;uniqueIndex:setting_by_key,priority:2" json:"scope"`
	Owner     string `gorm:"size:64;uniqueIndex:setting_by_key,priority:3" json:"owner"` // campaign name or agent username; empty for system
	Name      string `gorm:"size:64;uniqueIndex:setting_by_key,priority:4" json:"name"`
	Value     string `gorm:"size:1024" json:"value"`
	UpdatedAt time.Time
}

// SettingDef declares one setting of a dialect: its scope, the kind of
// value, and the default the real product ships with.
type SettingDef struct {
	Name    string   `json:"name"`
	Scope   string   `json:"scope"`
	Kind    string   `json:"kind"`
	Default string   `json:"default"`
	Choices []string `json:"choices,omitempty"`
	Min     int64    `json:"min,omitempty"`
	Max     int64    `json:"max,omitempty"`
	MaxLen  int      `json:"max_len,omitempty"`
	Doc     string   `json:"doc"`
	// Check, when set, also checks a value (a format the kinds cannot say).
	Check func(string) error `json:"-"`
	// Secret values (a backend's password) are sealed at rest and never
	// shown: the admin API lists them as "********" (settings_secret.go).
	Secret bool `json:"secret,omitempty"`
}

// SettingValue is a setting's effective value as the admin API shows it.
type SettingValue struct {
	SettingDef
	Value string `json:"value"`
	// Changed is true when the value comes from the store, false when it
	// is the default.
	Changed bool `json:"changed"`
}

var settingDefs = struct {
	sync.RWMutex
	m map[string]map[string]SettingDef // dialect → scope/name → def
	// byScope: dialect → scope → name → def, read-only once built (a
	// declaration builds a new map), so declared hands it out as is:
	// VICIdial reads its system scope on every request.
	byScope map[string]map[string]map[string]SettingDef
}{m: map[string]map[string]SettingDef{}, byScope: map[string]map[string]map[string]SettingDef{}}

// DeclareSettings registers a dialect's settings and their defaults. A
// dialect package calls it from init; declaring the same name twice is a
// programming error.
func DeclareSettings(dialect string, defs ...SettingDef) {
	settingDefs.Lock()
	defer settingDefs.Unlock()
	m := settingDefs.m[dialect]
	if m == nil {
		m = map[string]SettingDef{}
		settingDefs.m[dialect] = m
	}
	for _, d := range defs {
		if d.Kind == "" {
			d.Kind = SettingText
		}
		k := d.Scope + "/" + d.Name
		if _, dup := m[k]; dup {
			panic("core: setting declared twice: " + dialect + " " + k)
		}
		if err := d.check(d.Default); err != nil {
			panic("core: default of " + dialect + " " + k + ": " + err.Error())
		}
		m[k] = d
	}
	scopes := map[string]map[string]SettingDef{}
	for _, d := range m {
		if scopes[d.Scope] == nil {
			scopes[d.Scope] = map[string]SettingDef{}
		}
		scopes[d.Scope][d.Name] = d
	}
	settingDefs.byScope[dialect] = scopes
}

// SettingDialects lists the dialects that declared settings.
func SettingDialects() []string {
	settingDefs.RLock()
	defer settingDefs.RUnlock()
	out := make([]string, 0, len(settingDefs.m))
	for d := range settingDefs.m {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// declared returns the dialect's definitions of one scope, by name
// (read-only: shared by every caller).
func declared(dialect, scope string) (map[string]SettingDef, bool) {
	settingDefs.RLock()
	defer settingDefs.RUnlock()
	scopes, ok := settingDefs.byScope[dialect]
	if !ok {
		return nil, false
	}
	return scopes[scope], true
}

// check tells whether v is a valid value for d.
func (d SettingDef) check(v string) error {
	if err := d.checkKind(v); err != nil {
		return err
	}
	if d.Check != nil {
		return d.Check(v)
	}
	return nil
}

func (d SettingDef) checkKind(v string) error {
	switch d.Kind {
	case SettingEnum:
		if !slices.Contains(d.Choices, v) {
			return fmt.Errorf("must be one of %s", strings.Join(d.Choices, ", "))
		}
	case SettingInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errors.New("must be an integer")
		}
		if (d.Min != 0 || d.Max != 0) && (n < d.Min || n > d.Max) {
			return fmt.Errorf("must be between %d and %d", d.Min, d.Max)
		}
	default:
		max := d.MaxLen
		if max == 0 {
			max = 255
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max || strings.ContainsAny(v, "\x00\r\n") {
			return fmt.Errorf("must be one line of at most %d characters", max)
		}
	}
	return nil
}

// SettingValues are the effective values of one scope, by name.
type SettingValues map[string]string

// String is the value of name ("" when undeclared).
func (v SettingValues) String(name string) string { return v[name] }

// Bool reads the products' spellings of yes: Y, 1, true, yes.
func (v SettingValues) Bool(name string) bool {
	switch strings.ToLower(v[name]) {
	case "y", "1", "true", "yes":
		return true
	}
	return false
}

// Int is the value of name as an integer (0 when not a number).
func (v SettingValues) Int(name string) int64 {
	n, _ := strconv.ParseInt(v[name], 10, 64)
	return n
}

// Settings is the service dialect settings are read and changed through.
type Settings struct {
	st    Store
	cache *authCache // nil: every read goes to the store
}

// NewSettings serves the settings kept in st.
func NewSettings(st Store) *Settings { return &Settings{st: st} }

// Settings is the engine's settings service.
func (e *Engine) Settings() *Settings { return &Settings{st: e.store, cache: e.auth} }

// scopeDefs validates dialect/scope/owner and returns the scope's defs.
func (s *Settings) scopeDefs(ctx context.Context, op, dialect, scope, owner string) (map[string]SettingDef, error) {
	defs, ok := declared(dialect, scope)
	if !ok {
		return nil, &Error{Code: ENOTFOUND, Op: op, Message: "no settings declared for dialect " + strconv.Quote(dialect)}
	}
	switch scope {
	case ScopeSystem:
		if owner != "" {
			return nil, &Error{Code: EINVALID, Op: op, Message: "system settings have no owner"}
		}
	case ScopeCampaign:
		if err := s.ownerExists(ctx, op, &Campaign{}, "name", "campaign", owner); err != nil {
			return nil, err
		}
	case ScopeUser:
		if err := s.ownerExists(ctx, op, &Agent{}, "username", "agent", owner); err != nil {
			return nil, err
		}
	case ScopeList:
		id, err := strconv.ParseUint(owner, 10, 64)
		if err != nil || id == 0 || strconv.FormatUint(id, 10) != owner {
			return nil, &Error{Code: EINVALID, Op: op, Message: "list id " + strconv.Quote(owner) + " is not a list number"}
		}
		if err := s.ownerExists(ctx, op, &List{}, "id", "list", owner); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{Code: EINVALID, Op: op, Message: "scope must be system, campaign, user or list"}
	}
	return defs, nil
}

func (s *Settings) ownerExists(ctx context.Context, op string, model any, field, what, owner string) error {
	if owner == "" {
		return &Error{Code: EINVALID, Op: op, Message: what + " is required"}
	}
	n, err := s.st.Count(ctx, model, Eq(field, owner))
	if err != nil {
		return &Error{Code: EINTERNAL, Op: op, Message: "cannot read " + what, Err: err}
	}
	if n == 0 {
		return &Error{Code: ENOTFOUND, Op: op, Message: what + " " + strconv.Quote(owner) + " not found"}
	}
	return nil
}

// stored loads the changed values of one scope, by name.
func (s *Settings) stored(ctx context.Context, st Store, dialect, scope, owner string) (map[string]Setting, error) {
	var rows []Setting
	if err := st.Find(ctx, &rows, Eq("dialect", dialect).Eq("scope", scope).Eq("owner", owner)); err != nil {
		return nil, err
	}
	out := make(map[string]Setting, len(rows))
	for _, r := range rows {
		out[r.Name] = r
	}
	return out, nil
}

// current is stored through the engine's cache (read-only map).
func (s *Settings) current(ctx context.Context, dialect, scope, owner string) (map[string]Setting, error) {
	load := func() (map[string]Setting, error) { return s.stored(ctx, s.st, dialect, scope, owner) }
	if s.cache == nil {
		return load()
	}
	return lookup(s.cache, s.cache.settings, settingsKey{dialect, scope, owner}, load)
}

// Values are the effective values of a scope: stored values over the
// declared defaults. A campaign or user that does not exist simply gets
// the defaults, so a dialect can read settings for any owner it is given.
//
// The map is read-only: with the engine's cache it is shared by every
// caller until a setting is written (a scope holding a secret is never
// kept, its values are revealed for each caller).
func (s *Settings) Values(ctx context.Context, dialect, scope, owner string) (SettingValues, error) {
	defs, ok := declared(dialect, scope)
	if !ok {
		return nil, &Error{Code: ENOTFOUND, Op: "settings", Message: "no settings declared for dialect " + strconv.Quote(dialect)}
	}
	if s.cache == nil || anySecret(defs) {
		return s.values(ctx, defs, dialect, scope, owner)
	}
	return lookup(s.cache, s.cache.values, settingsKey{dialect, scope, owner}, func() (SettingValues, error) {
		return s.values(ctx, defs, dialect, scope, owner)
	})
}

func anySecret(defs map[string]SettingDef) bool {
	for _, d := range defs {
		if d.Secret {
			return true
		}
	}
	return false
}

func (s *Settings) values(ctx context.Context, defs map[string]SettingDef, dialect, scope, owner string) (SettingValues, error) {
	rows, err := s.current(ctx, dialect, scope, owner)
	if err != nil {
		return nil, &Error{Code: EINTERNAL, Op: "settings", Message: "cannot read settings", Err: err}
	}
	out := make(SettingValues, len(defs))
	for name, d := range defs {
		out[name] = d.Default
		if r, ok := rows[name]; ok {
			if v, err := s.reveal(d, r.Value); err == nil && d.check(v) == nil {
				out[name] = v
			}
		}
	}
	return out, nil
}

// List describes every setting of a scope with its effective value,
// sorted by name.
func (s *Settings) List(ctx context.Context, dialect, scope, owner string) ([]SettingValue, error) {
	defs, err := s.scopeDefs(ctx, "settings", dialect, scope, owner)
	if err != nil {
		return nil, err
	}
	rows, err := s.current(ctx, dialect, scope, owner)
	if err != nil {
		return nil, &Error{Code: EINTERNAL, Op: "settings", Message: "cannot read settings", Err: err}
	}
	return describe(defs, rows), nil
}

func describe(defs map[string]SettingDef, rows map[string]Setting) []SettingValue {
	out := make([]SettingValue, 0, len(defs))
	for name, d := range defs {
		v := SettingValue{SettingDef: d, Value: d.Default}
		if r, ok := rows[name]; ok && (d.Secret || d.check(r.Value) == nil) {
			v.Value, v.Changed = masked(d, r.Value), true
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Set changes some settings of a scope at once: a nil value puts the
// setting back to its default. Every name and value is checked first; one
// bad entry refuses the whole change (EINVALID) and nothing is written.
func (s *Settings) Set(ctx context.Context, dialect, scope, owner string, changes map[string]*string) ([]SettingValue, error) {
	const op = "settings.set"
	defs, err := s.scopeDefs(ctx, op, dialect, scope, owner)
	if err != nil {
		return nil, err
	}
	if err := checkChanges(op, defs, changes); err != nil {
		return nil, err
	}
	if changes, err = s.sealSecrets(op, defs, changes); err != nil {
		return nil, err
	}
	var rows map[string]Setting
	err = s.st.Tx(ctx, func(tx Store) error {
		for _, name := range sortedKeys(changes) {
			if err := writeSetting(ctx, tx, Setting{Dialect: dialect, Scope: scope, Owner: owner, Name: name}, changes[name]); err != nil {
				return err
			}
		}
		var err error
		rows, err = s.stored(ctx, tx, dialect, scope, owner)
		return err
	})
	if err != nil {
		return nil, &Error{Code: EINTERNAL, Op: op, Message: "cannot save settings", Err: err}
	}
	return describe(defs, rows), nil
}

func checkChanges(op string, defs map[string]SettingDef, changes map[string]*string) error {
	var bad []string
	for _, name := range sortedKeys(changes) {
		d, ok := defs[name]
		if !ok {
			bad = append(bad, strconv.Quote(name)+": unknown setting")
			continue
		}
		if v := changes[name]; v != nil {
			if err := d.check(*v); err != nil {
				bad = append(bad, strconv.Quote(name)+": "+err.Error())
			}
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EINVALID, Op: op, Message: strings.Join(bad, "; ")}
	}
	return nil
}

// writeSetting stores, replaces or (v nil) deletes one setting row.
func writeSetting(ctx context.Context, tx Store, key Setting, v *string) error {
	f := Eq("dialect", key.Dialect).Eq("scope", key.Scope).Eq("owner", key.Owner).Eq("name", key.Name)
	if v == nil {
		return tx.Delete(ctx, &Setting{}, f)
	}
	var cur Setting
	switch err := tx.First(ctx, &cur, f); {
	case errors.Is(err, ErrNoRecord):
		key.Value = *v
		return tx.Create(ctx, &key)
	case err != nil:
		return err
	}
	return tx.Updates(ctx, &cur, map[string]any{"value": *v})
}

// Settings is the settings service over the same store, for a provisioning
// API that runs without an engine.
func (r *Records) Settings() *Settings { return NewSettings(r.st) }
