package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestExternalIDsNameOneEntityPerDialectID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		ids := core.NewExternalIDs(st)
		must(t, ids.Set(ctx, core.EntityCall, "d1", "X-7", 7))
		steps := []struct {
			name                      string
			entity, dialect, external string
			internal                  uint64
			wantErr                   error
		}{
			{name: "same pair again is a no-op", entity: core.EntityCall, dialect: "d1", external: "X-7", internal: 7},
			{name: "the id of another call is refused", entity: core.EntityCall, dialect: "d1", external: "X-7", internal: 8, wantErr: core.ErrDuplicate},
			{name: "another dialect may use the same id", entity: core.EntityCall, dialect: "d2", external: "X-7", internal: 8},
			{name: "another entity may use the same id", entity: core.EntityLead, dialect: "d1", external: "X-7", internal: 9},
			{name: "an empty id is invalid", entity: core.EntityCall, dialect: "d1", internal: 10, wantErr: core.ErrInvalid},
		}
		for _, s := range steps {
			err := ids.Set(ctx, s.entity, s.dialect, s.external, s.internal)
			if (s.wantErr == nil) != (err == nil) || (s.wantErr != nil && !errors.Is(err, s.wantErr)) {
				t.Fatalf("%s: %v, want %v", s.name, err, s.wantErr)
			}
		}
		lookups := []struct {
			entity, dialect, external string
			internal                  uint64
		}{
			{core.EntityCall, "d1", "X-7", 7},
			{core.EntityCall, "d2", "X-7", 8},
			{core.EntityLead, "d1", "X-7", 9},
		}
		for _, l := range lookups {
			if got, err := ids.Internal(ctx, l.entity, l.dialect, l.external); err != nil || got != l.internal {
				t.Fatalf("Internal(%s, %s, %s) = %d, %v; want %d", l.entity, l.dialect, l.external, got, err, l.internal)
			}
			if got, err := ids.External(ctx, l.entity, l.dialect, l.internal); err != nil || got != l.external {
				t.Fatalf("External(%s, %s, %d) = %q, %v; want %q", l.entity, l.dialect, l.internal, got, err, l.external)
			}
		}
		if _, err := ids.Internal(ctx, core.EntityAgent, "d1", "X-7"); !errors.Is(err, core.ErrNoRecord) {
			t.Fatalf("unknown id: %v, want ErrNoRecord", err)
		}
		if _, err := ids.External(ctx, core.EntityCall, "d1", 8); !errors.Is(err, core.ErrNoRecord) {
			t.Fatalf("call without a d1 id: %v, want ErrNoRecord", err)
		}
	})
}

// Externals reads several entities' ids at once and agrees with External
// for each: the first id given, none for an entity without one, nothing
// of another dialect or entity.
func TestExternalsAgreeWithExternalForEachEntity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		ids := core.NewExternalIDs(st)
		must(t, ids.Set(ctx, core.EntityCampaign, "d1", "101", 1))
		must(t, ids.Set(ctx, core.EntityCampaign, "d1", "102", 2))
		must(t, ids.Set(ctx, core.EntityCampaign, "d1", "202", 2)) // a second id: the first one counts
		must(t, ids.Set(ctx, core.EntityCampaign, "d2", "999", 3))
		must(t, ids.Set(ctx, core.EntityLead, "d1", "777", 3))
		got, err := ids.Externals(ctx, core.EntityCampaign, "d1", []uint64{1, 2, 3, 4})
		must(t, err)
		want := map[uint64]string{1: "101", 2: "102"}
		if len(got) != len(want) || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("Externals: %v, want %v", got, want)
		}
		for internal, ext := range want {
			if one, err := ids.External(ctx, core.EntityCampaign, "d1", internal); err != nil || one != ext {
				t.Fatalf("External(%d) = %q, %v; Externals said %q", internal, one, err, ext)
			}
		}
		if none, err := ids.Externals(ctx, core.EntityCampaign, "d1", nil); err != nil || len(none) != 0 {
			t.Fatalf("no entities: %v, %v", none, err)
		}
	})
}
