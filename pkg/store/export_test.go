package store

import "gorm.io/gorm"

// GormDB exposes the writer of s to the schema tests of package store_test,
// which run gorm's own schema comparison against a migrated database.
func GormDB(s *Store) *gorm.DB { return s.w }
