package store

import (
	"context"
	"time"

	"github.com/callgate/callgate/core"
)

// QueueTallies implements core.Store: the database counts the rows (a
// day of a busy queue log is tens of thousands of them; reading each cost
// a wallboard 0.2-0.4 s a refresh).
func (s *Store) QueueTallies(ctx context.Context, queues []string, since, until time.Time) ([]core.QueueTally, error) {
	cast := "CAST(`data2` AS INTEGER)"
	if s.dialect == DialectMySQL {
		cast = "CAST(`data2` AS SIGNED)"
	}
	var rows []struct {
		Queue, Event, Wait, Cut string
		N                       int
		Talk                    int64
	}
	res := s.reader().WithContext(ctx).Model(&core.QueueLogEntry{}).
		Select("`queue`, `event`, CASE WHEN `event` = ? THEN `data1` ELSE '' END AS wait, "+
			"CASE WHEN `event` = ? THEN `data4` ELSE '' END AS cut, COUNT(*) AS n, "+
			"SUM(CASE WHEN `event` IN ? THEN "+cast+" ELSE 0 END) AS talk",
			core.QLConnect, core.QLSystemHangup, []string{core.QLCompleteCaller, core.QLCompleteAgent, core.QLSystemHangup}).
		Where("`queue` IN ? AND `time` >= ? AND `time` < ? AND `event` IN ?", queues, since, until, core.QueueTallyEvents).
		Group("`queue`, `event`, wait, cut").
		Scan(&rows)
	if res.Error != nil {
		return nil, wrap("find", res.Statement.Table, res.Error)
	}
	out := make([]core.QueueTally, len(rows))
	for i, r := range rows {
		out[i] = core.QueueTally{Queue: r.Queue, Event: r.Event, Wait: r.Wait, Cut: r.Cut, Rows: r.N, Talk: r.Talk}
	}
	return out, nil
}
