package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	moderncsqlite "modernc.org/sqlite"
)

// dbError is what reaches callers instead of the driver's message, which can
// quote the statement or the offending values (a duplicate password hash, a
// search term). The class and code are enough to tell what went wrong; the
// slow-query log has the parameterised SQL for whoever needs more.
type dbError struct {
	class string
	code  string
	is    error
}

func (e *dbError) Error() string {
	if e.code == "" {
		return e.class
	}
	return e.class + " (" + e.code + ")"
}

func (e *dbError) Unwrap() error { return e.is }

func classify(err error) error {
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		class, is := mysqlClass(me.Number)
		return &dbError{class: class, code: fmt.Sprintf("mysql %d", me.Number), is: is}
	}
	var se *moderncsqlite.Error
	if errors.As(err, &se) {
		class, is := sqliteClass(se.Code(), se.Error())
		return &dbError{class: class, code: fmt.Sprintf("sqlite %d", se.Code()), is: is}
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, ctxErr) {
			return ctxErr
		}
	}
	switch {
	case errors.Is(err, gorm.ErrMissingWhereClause):
		return &dbError{class: "missing conditions", is: err}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &dbError{class: "duplicate key", is: ErrDuplicate}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		// Network errors name the address, never the credentials.
		return &dbError{class: "connection failed: " + ne.Error(), is: ne}
	}
	// What remains comes from gorm or database/sql themselves (unsupported
	// type, closed pool, invalid value): fixed texts without SQL or values.
	return err
}

func mysqlClass(n uint16) (string, error) {
	switch n {
	case 1062, 1586:
		return "duplicate key", ErrDuplicate
	case 1451, 1452, 1216, 1217:
		return "foreign key violated", ErrConstraint
	case 1048, 1364:
		return "missing required column", ErrConstraint
	case 3819:
		return "check constraint violated", ErrConstraint
	case 1406:
		return "value too long for column", nil
	case 1366, 1292, 1264, 1265:
		return "invalid value for column", nil
	case 1213:
		return "deadlock, retry", nil
	case 1205:
		return "lock wait timeout", nil
	case 1146:
		return "missing table (not migrated?)", nil
	case 1054:
		return "unknown column", nil
	case 1064, 1149:
		return "SQL syntax error", nil
	case 1045, 1044, 1142, 1143:
		return "access denied", nil
	case 1049:
		return "unknown database", nil
	case 1040, 1203:
		return "too many connections", nil
	case 2006, 2013:
		return "connection lost", nil
	case 1290, 1836:
		return "server is read-only", nil
	}
	return "database error", nil
}

func sqliteClass(code int, msg string) (string, error) {
	switch code {
	case 2067, 1555:
		return "duplicate key", ErrDuplicate
	case 787:
		return "foreign key violated", ErrConstraint
	case 1299:
		return "missing required column", ErrConstraint
	case 275:
		return "check constraint violated", ErrConstraint
	}
	switch code & 0xff {
	case 5:
		return "database busy", nil
	case 6:
		return "database table locked", nil
	case 8:
		return "database is read-only", nil
	case 9:
		return "interrupted", nil
	case 11, 26:
		return "database file corrupt", nil
	case 13:
		return "disk full", nil
	case 14:
		return "cannot open database file", nil
	case 19:
		return "constraint violated", ErrConstraint
	case 1:
		switch {
		case strings.Contains(msg, "no such table"):
			return "missing table (not migrated?)", nil
		case strings.Contains(msg, "no such column"), strings.Contains(msg, "has no column"):
			return "unknown column", nil
		case strings.Contains(msg, "syntax error"):
			return "SQL syntax error", nil
		}
	}
	return "database error", nil
}
