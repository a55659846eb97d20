package store

import (
	"context"
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/callgate/callgate/core"
)

// Secret fields are the record fields tagged secret:"hash" (compared by
// equality: stored as a slow hash) or secret:"seal" (needed in clear by a
// protocol: stored encrypted). Protecting them in gorm's create and update
// callbacks covers every write path (generic admin CRUD, seeds, engine
// saves, map updates, transactions) without each caller remembering to.
const secretTag = "secret"

// UseSecrets makes every later write through s hash or seal the secret
// fields of the record written. Values already in protected form are kept,
// so a record read and saved again is not hashed twice. A value that cannot
// be sealed (no key) fails the write.
func (s *Store) UseSecrets(sec core.Secrets) error {
	s.sec = sec
	cb := s.w.Callback()
	if err := cb.Create().Before("gorm:create").Register("callgate:secrets", protectCallback(sec)); err != nil {
		return wrap("secrets", "", err)
	}
	// After setup_reflect_value: a map update's record is then the model.
	if err := cb.Update().After("gorm:setup_reflect_value").Before("gorm:update").Register("callgate:secrets", protectCallback(sec)); err != nil {
		return wrap("secrets", "", err)
	}
	return nil
}

// Secrets is the facility set by UseSecrets (nil before); the engine
// verifies and opens with it (core.SecretsProvider).
func (s *Store) Secrets() core.Secrets { return s.sec }

type secretField struct {
	f    *schema.Field
	seal bool
}

func secretFields(sch *schema.Schema) []secretField {
	if sch == nil {
		return nil
	}
	var out []secretField
	for _, f := range sch.Fields {
		switch f.Tag.Get(secretTag) {
		case "hash":
			out = append(out, secretField{f: f})
		case "seal":
			out = append(out, secretField{f: f, seal: true})
		}
	}
	return out
}

// protect returns the stored form of one value of field f of record rec
// (for SecretDeriver); empty stays empty (no secret set).
func protect(sec core.Secrets, sf secretField, rec reflect.Value, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if sf.seal {
		if sec.IsSealed(v) {
			return v, nil
		}
		return sec.Seal(v)
	}
	if sec.IsHash(v) {
		return v, nil
	}
	if rec.IsValid() && rec.CanAddr() {
		if d, ok := rec.Addr().Interface().(core.SecretDeriver); ok {
			v = d.SecretInput(sf.f.Name, v)
		}
	}
	return sec.Hash(v)
}

func protectCallback(sec core.Secrets) func(*gorm.DB) {
	return func(db *gorm.DB) {
		st := db.Statement
		if db.Error != nil || st.Schema == nil {
			return
		}
		fields := secretFields(st.Schema)
		if len(fields) == 0 {
			return
		}
		ctx := st.Context
		rv := reflect.Indirect(st.ReflectValue)
		// Updates(map) and Update(col, v) carry the new values in a map;
		// the record SecretDeriver sees is then the model passed, so an
		// ECCP client's secret updated that way needs its Dialect set.
		var cols map[string]any
		switch d := st.Dest.(type) {
		case map[string]any:
			cols = d
		case *map[string]any:
			cols = *d
		}
		for _, sf := range fields {
			for _, key := range []string{sf.f.DBName, sf.f.Name} {
				v, ok := cols[key].(string)
				if !ok {
					continue
				}
				rec := reflect.Value{}
				if rv.Kind() == reflect.Struct {
					rec = rv
				}
				p, err := protect(sec, sf, rec, v)
				if err != nil {
					_ = db.AddError(fmt.Errorf("store: %s.%s: %w", st.Table, sf.f.DBName, err))
					return
				}
				cols[key] = p
			}
		}
		protectRecord := func(rec reflect.Value) bool {
			for _, sf := range fields {
				cur, _ := sf.f.ValueOf(ctx, rec)
				v, ok := cur.(string)
				if !ok {
					continue
				}
				p, err := protect(sec, sf, rec, v)
				if err != nil {
					_ = db.AddError(fmt.Errorf("store: %s.%s: %w", st.Table, sf.f.DBName, err))
					return false
				}
				if p != v {
					if err := sf.f.Set(ctx, rec, p); err != nil {
						_ = db.AddError(err)
						return false
					}
				}
			}
			return true
		}
		switch rv.Kind() {
		case reflect.Struct:
			protectRecord(rv)
		case reflect.Slice, reflect.Array:
			for i := 0; i < rv.Len(); i++ {
				if !protectRecord(reflect.Indirect(rv.Index(i))) {
					return
				}
			}
		}
	}
}

// MigrateSecrets rewrites, once, the secret fields still in clear text
// (rows written before the facility existed, or by hand), and checks that
// the configured key opens the sealed ones. It fails when sealed values
// exist or would be written and the facility has no key (or another key),
// so a gateway never starts unable to read its own secrets. Idempotent.
func (s *Store) MigrateSecrets(ctx context.Context) error {
	if s.sec == nil {
		return nil
	}
	db := s.w.WithContext(ctx)
	for _, model := range core.AllModels() {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(model); err != nil {
			return wrap("migrate secrets", "", err)
		}
		fields := secretFields(stmt.Schema)
		if len(fields) == 0 {
			continue
		}
		rows := reflect.New(reflect.SliceOf(reflect.TypeOf(model).Elem()))
		if err := db.Model(model).Find(rows.Interface()).Error; err != nil {
			return wrap("migrate secrets", stmt.Schema.Table, err)
		}
		list := rows.Elem()
		for i := 0; i < list.Len(); i++ {
			rec := list.Index(i)
			cols := map[string]any{}
			for _, sf := range fields {
				v, _ := sf.f.ReflectValueOf(ctx, rec).Interface().(string)
				switch {
				case v == "":
				case sf.seal && s.sec.IsSealed(v):
					if _, err := s.sec.Open(v); err != nil {
						return fmt.Errorf("store: %s.%s: %w", stmt.Schema.Table, sf.f.DBName, err)
					}
				case !sf.seal && s.sec.IsHash(v):
				default:
					cols[sf.f.DBName] = v
				}
			}
			if len(cols) == 0 {
				continue
			}
			// The update callback protects the values; the record gives
			// SecretDeriver its other fields (an ECCP client's dialect).
			if err := db.Model(rec.Addr().Interface()).Updates(cols).Error; err != nil {
				return fmt.Errorf("store: migrate secrets %s: %w", stmt.Schema.Table, err)
			}
		}
	}
	return nil
}
