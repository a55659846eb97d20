package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// SlowQuery is the duration above which a statement is logged.
const SlowQuery = 200 * time.Millisecond

// gormLogger reports slow statements and gorm's own warnings through slog.
// Failed statements are not logged here: the error goes back to the caller,
// who decides whether it is worth a log line.
type gormLogger struct{ level logger.LogLevel }

var (
	_ logger.Interface  = gormLogger{}
	_ gorm.ParamsFilter = gormLogger{}
)

func newLogger() gormLogger { return gormLogger{level: logger.Warn} }

func (l gormLogger) LogMode(level logger.LogLevel) logger.Interface {
	l.level = level
	return l
}

func (l gormLogger) Info(ctx context.Context, msg string, args ...any) {
	if l.level >= logger.Info {
		slog.InfoContext(ctx, "store: "+fmt.Sprintf(msg, args...))
	}
}

func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	if l.level >= logger.Warn {
		slog.WarnContext(ctx, "store: "+fmt.Sprintf(msg, args...))
	}
}

func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	if l.level >= logger.Error {
		slog.ErrorContext(ctx, "store: "+fmt.Sprintf(msg, args...))
	}
}

func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if l.level < logger.Warn {
		return
	}
	elapsed := time.Since(begin)
	if elapsed < SlowQuery || errors.Is(err, context.Canceled) {
		return
	}
	sql, rows := fc()
	slog.WarnContext(ctx, "store: slow query", "elapsed", elapsed, "rows", rows, "sql", sql)
}

// ParamsFilter keeps bound values (secrets, phone numbers) out of the log:
// the SQL is logged with its placeholders.
func (gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
