package core

import (
	"context"
	"errors"
	"strings"
	"time"
)

// RecordedCallFilter selects finished calls (CDR rows) for a recordings
// search. Empty fields do not filter.
type RecordedCallFilter struct {
	From, To    time.Time
	Agent       string
	Campaign    string
	Source      string
	Destination string
	Tag         string // a tag put on the call (TagCall, a disposition's tag)
	// HourFrom/HourTo ("HH:MM") keep calls started within those hours of
	// each day.
	HourFrom, HourTo string
	MinDuration      int
	Exclude          string // a number neither source nor destination
	OnlyRecorded     bool
	MinCount         int // the number (source or destination) appears at least this often in the result
	Offset, Limit    int
}

// RecordedCall is one finished call with what is known of it.
type RecordedCall struct {
	CDR          CDR
	Call         Call
	Recordings   []Recording
	Lead         *Lead
	ListName     string
	Alternatives []string
	Tags         []string
	Comment      string
}

// maxRecordedScan bounds the rows a search filters in memory.
const maxRecordedScan = 5000

// RecordedCalls searches finished calls, oldest first, then pages.
func (e *Engine) RecordedCalls(ctx context.Context, f RecordedCallFilter) ([]RecordedCall, error) {
	const op = "RecordedCalls"
	q := All.Since("start", f.From, time.Time{})
	if !f.To.IsZero() {
		q = q.Lte("start", f.To)
	}
	for col, v := range map[string]string{"agent": f.Agent, "campaign": f.Campaign, "src": f.Source, "dst": f.Destination} {
		if v != "" {
			q = q.Eq(col, v)
		}
	}
	if f.MinDuration > 0 {
		q = q.Gte("duration", f.MinDuration)
	}
	var cdrs []CDR
	if err := e.store.Find(ctx, &cdrs, q.Asc("id").Take(maxRecordedScan)); err != nil {
		return nil, Internal(op, err)
	}
	var out []RecordedCall
	for _, c := range cdrs {
		if f.Exclude != "" && (c.Src == f.Exclude || c.Dst == f.Exclude) || !inHourRange(c.Start, f.HourFrom, f.HourTo) {
			continue
		}
		rc, err := e.recordedCall(ctx, c)
		if err != nil {
			return nil, Internal(op, err)
		}
		if f.OnlyRecorded && len(rc.Recordings) == 0 || f.Tag != "" && !hasTag(rc.Tags, f.Tag) {
			continue
		}
		out = append(out, rc)
	}
	out = minCount(out, f.MinCount)
	if f.Offset >= len(out) {
		return nil, nil
	}
	out = out[f.Offset:]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func inHourRange(t time.Time, from, to string) bool {
	hm := t.Format("15:04")
	return (from == "" || hm >= from) && (to == "" || hm <= to)
}

func hasTag(tags []string, want string) bool {
	for _, t := range tags {
		if strings.Contains(strings.ToLower(t), strings.ToLower(want)) {
			return true
		}
	}
	return false
}

func minCount(rows []RecordedCall, n int) []RecordedCall {
	if n <= 1 {
		return rows
	}
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.CDR.Src]++
		if r.CDR.Dst != r.CDR.Src {
			seen[r.CDR.Dst]++
		}
	}
	var out []RecordedCall
	for _, r := range rows {
		if seen[r.CDR.Src] >= n || seen[r.CDR.Dst] >= n {
			out = append(out, r)
		}
	}
	return out
}

func (e *Engine) recordedCall(ctx context.Context, c CDR) (RecordedCall, error) {
	rc := RecordedCall{CDR: c}
	if err := e.store.First(ctx, &rc.Call, ByID(c.CallID)); err != nil && !errors.Is(err, ErrNoRecord) {
		return rc, err
	}
	if err := e.store.Find(ctx, &rc.Recordings, Eq("call_id", c.CallID).Asc("id")); err != nil {
		return rc, err
	}
	var logs []QueueLogEntry
	if err := e.store.Find(ctx, &logs, Eq("call_id", c.CallID).In("event", []string{QLTag, QLDisposition}).Asc("id")); err != nil {
		return rc, err
	}
	for _, l := range logs {
		if l.Data2 != "" {
			rc.Tags = append(rc.Tags, l.Data2)
		}
		if l.Event == QLDisposition && l.Data5 != "" {
			rc.Comment = l.Data5
		}
	}
	if rc.Call.LeadID != 0 {
		var l Lead
		if err := e.store.First(ctx, &l, ByID(rc.Call.LeadID)); err == nil {
			rc.Lead = &l
			rc.Alternatives = e.leadPhones(ctx, l)[1:]
			var list List
			if l.ListID != 0 && e.store.First(ctx, &list, ByID(l.ListID)) == nil {
				rc.ListName = list.Name
			}
		}
	}
	return rc, nil
}

// RecordingByGUID finds a recording by its own GUID or its call's (the
// call's latest recording); folder, when given, is the recording's day
// as YYYYMMDD and must match it.
func (e *Engine) RecordingByGUID(ctx context.Context, guid, folder string) (Recording, error) {
	const op = "RecordingByGUID"
	var rec Recording
	notFound := &Error{Code: ENOTFOUND, Op: op, Message: "recording not found"}
	if guid == "" || len(guid) > 40 {
		return rec, notFound
	}
	err := e.store.First(ctx, &rec, Eq("guid", guid))
	if errors.Is(err, ErrNoRecord) {
		var c Call
		if e.store.First(ctx, &c, Eq("guid", guid)) != nil {
			return rec, notFound
		}
		err = e.store.First(ctx, &rec, Eq("call_id", c.ID).Desc("id"))
	}
	if errors.Is(err, ErrNoRecord) {
		return rec, notFound
	}
	if err != nil {
		return rec, Internal(op, err)
	}
	if folder != "" && rec.Start.Format("20060102") != folder {
		return rec, notFound
	}
	return rec, nil
}
