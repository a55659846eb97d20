package core_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func init() {
	core.DeclareSettings("coretest",
		core.SettingDef{Name: "flag", Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"Y", "N"}, Default: "N"},
		core.SettingDef{Name: "label", Scope: core.ScopeSystem, MaxLen: 8, Default: "x"},
		core.SettingDef{Name: "count", Scope: core.ScopeSystem, Kind: core.SettingInt, Min: 1, Max: 9, Default: "3"},
	)
}

// A value stored when it was valid but refused by today's declaration (a
// narrowed choice list, a hand-edited row) reads as the default: the
// dialect never sees a value it did not declare.
func TestStoredValuesOutsideTheDeclarationReadAsDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		must(t, st.Create(ctx, &core.Setting{Dialect: "coretest", Scope: core.ScopeSystem, Name: "flag", Value: "maybe"}))
		must(t, st.Create(ctx, &core.Setting{Dialect: "coretest", Scope: core.ScopeSystem, Name: "count", Value: "7"}))
		v, err := core.NewSettings(st).Values(ctx, "coretest", core.ScopeSystem, "")
		must(t, err)
		if v.String("flag") != "N" || v.Int("count") != 7 || v.String("label") != "x" {
			t.Fatalf("values %v", v)
		}
	})
}

// Whatever a client sends, Set either stores exactly what the declaration
// allows or refuses the whole change with EINVALID; it never panics.
func FuzzSettingsSet(f *testing.F) {
	for _, s := range []string{"Y", "N", "", "12345678", "123456789", "a\nb", "\x00", "5", "0", "10", "-1", "é", "\xff"} {
		f.Add("label", s)
		f.Add("count", s)
		f.Add("flag", s)
	}
	st := storetest.Open(f, storetest.SQLite)
	svc := core.NewSettings(st)
	f.Fuzz(func(t *testing.T, name, value string) {
		out, err := svc.Set(context.Background(), "coretest", core.ScopeSystem, "", map[string]*string{name: &value})
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("%q=%q: %v", name, value, err)
			}
			return
		}
		for _, v := range out {
			if v.Name == name && v.Value != value {
				t.Fatalf("%q stored %q, sent %q", name, v.Value, value)
			}
		}
		if name == "label" && (!utf8.ValidString(value) || strings.ContainsAny(value, "\r\n\x00") || utf8.RuneCountInString(value) > 8) {
			t.Fatalf("label %q accepted", value)
		}
	})
}

// TestEffectiveValuesFollowEveryWrite: the engine keeps a scope's
// effective values in memory (VICIdial reads them on every request), and
// a change through the settings service or a raw store write is seen by
// the very next read, with no store read while nothing changed.
func TestEffectiveValuesFollowEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		ctx := context.Background()
		st := &readCountingStore{Store: raw}
		e, _, _ := credEngine(t, st)
		read := func() (string, int64) {
			before := st.reads.Load()
			v, err := e.Settings().Values(ctx, "coretest", core.ScopeSystem, "")
			must(t, err)
			return v.String("label") + "/" + v.String("flag"), st.reads.Load() - before
		}
		y, z := "Y", "zz"
		steps := []struct {
			name      string
			write     func() error
			want      string
			wantReads int64
		}{
			{"defaults, read once", nil, "x/N", 1},
			{"again from memory", nil, "x/N", 0},
			{"a change through the service", func() error {
				_, err := e.Settings().Set(ctx, "coretest", core.ScopeSystem, "", map[string]*string{"flag": &y})
				return err
			}, "x/Y", 1},
			{"a raw store write", func() error {
				return raw.Create(ctx, &core.Setting{Dialect: "coretest", Scope: core.ScopeSystem, Name: "label", Value: z})
			}, "zz/Y", 1},
			{"then from memory again", nil, "zz/Y", 0},
		}
		for _, s := range steps {
			if s.write != nil {
				must(t, s.write())
			}
			if got, reads := read(); got != s.want || reads != s.wantReads {
				t.Errorf("%s: got %s with %d store reads, want %s with %d", s.name, got, reads, s.want, s.wantReads)
			}
		}
	})
}
