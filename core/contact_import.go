package core

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContactImport is one uploaded dialer base: its lines are imported in the
// background, with progress and the error of every refused line kept on
// the record (admin API /api/v1/imports).
type ContactImport struct {
	ID        uint64     `gorm:"primaryKey" json:"id"`
	Campaign  string     `gorm:"size:64;index" json:"campaign"`
	FileName  string     `gorm:"size:255" json:"filename"`
	Username  string     `gorm:"size:64" json:"username"`
	TimeZone  string     `gorm:"size:64" json:"timezone"`
	Declared  int        `json:"declared"` // the record count the uploader announced
	Total     int        `json:"total"`    // lines in the file
	Processed int        `json:"processed"`
	Imported  int        `json:"imported"`
	Failed    int        `json:"failed"`
	Status    string     `gorm:"size:16;index" json:"status"` // running, done, interrupted
	Errors    string     `gorm:"type:text" json:"errors"`     // one "line N: reason" per line
	CreatedAt time.Time  `json:"created_at"`
	EndedAt   *time.Time `json:"ended_at"`
}

// ImportRequest is an uploaded base: lines of
// campaign;number;name=value:...;alt1:alt2;priority;agentphone.
type ImportRequest struct {
	Campaign string // the campaign the upload is for; every line's campaign must be it or empty
	FileName string
	Username string
	TimeZone string
	Declared int
	Content  []byte
	// CampaignName maps a line's campaign to the core name (nil: as is).
	CampaignName func(string) string
}

// Limits of an import: lines and line length.
const (
	maxImportLines = 200000
	maxImportLine  = 4096
)

// ImportContacts records the import and processes its lines in the
// background; the returned record's id follows the progress.
func (e *Engine) ImportContacts(ctx context.Context, req ImportRequest) (ContactImport, error) {
	const op = "ImportContacts"
	job := ContactImport{Campaign: clip(req.Campaign, 64), FileName: clip(req.FileName, 255), Username: clip(req.Username, 64),
		TimeZone: clip(req.TimeZone, 64), Declared: req.Declared, Status: "running", CreatedAt: e.now()}
	if _, ok := e.Campaign(req.Campaign); !ok {
		return job, &Error{Code: ENOTFOUND, Op: op, Message: "unknown campaign " + req.Campaign}
	}
	if req.TimeZone != "" {
		if _, err := time.LoadLocation(req.TimeZone); err != nil {
			return job, &Error{Code: EINVALID, Op: op, Message: "unknown time zone " + req.TimeZone}
		}
	}
	if !utf8.Valid(req.Content) {
		return job, &Error{Code: EINVALID, Op: op, Message: "the file is not UTF-8 text"}
	}
	lines, err := splitImportLines(req.Content)
	if err != nil {
		return job, &Error{Code: EINVALID, Op: op, Message: err.Error()}
	}
	job.Total = len(lines)
	if err := e.store.Create(ctx, &job); err != nil {
		return job, Internal(op, err)
	}
	done := make(chan struct{})
	e.importsMu.Lock()
	if e.imports == nil {
		e.imports = map[uint64]chan struct{}{}
	}
	e.imports[job.ID] = done
	e.importsMu.Unlock()
	go func() {
		defer close(done)
		e.runImport(context.WithoutCancel(ctx), job, lines, req)
	}()
	return job, nil
}

// ImportDone is closed when the import's lines are all processed (nil
// for an import this engine is not running).
func (e *Engine) ImportDone(id uint64) <-chan struct{} {
	e.importsMu.Lock()
	defer e.importsMu.Unlock()
	return e.imports[id]
}

// ContactImportStatus loads an import record.
func (e *Engine) ContactImportStatus(ctx context.Context, id uint64) (ContactImport, error) {
	var j ContactImport
	err := e.store.First(ctx, &j, ByID(id))
	return j, err
}

func splitImportLines(b []byte) ([]string, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 1024), maxImportLine)
	var out []string
	for sc.Scan() {
		if len(out) >= maxImportLines {
			return nil, fmt.Errorf("the file has more than %d lines", maxImportLines)
		}
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d is longer than %d bytes", len(out)+1, maxImportLine)
	}
	return out, nil
}

// runImport imports each line as a pooled contact, saving progress every
// 100 lines and at the end.
func (e *Engine) runImport(ctx context.Context, job ContactImport, lines []string, req ImportRequest) {
	var errs []string
	save := func() {
		cols := map[string]any{"processed": job.Processed, "imported": job.Imported, "failed": job.Failed, "errors": strings.Join(errs, "\n")}
		if job.Status != "running" {
			cols["status"], cols["ended_at"] = job.Status, job.EndedAt
		}
		if err := e.store.Updates(ctx, &ContactImport{ID: job.ID}, cols); err != nil {
			e.log.Warn("engine: import progress not saved", "import", job.ID, "err", err)
		}
	}
	for i, line := range lines {
		job.Processed++
		if strings.TrimSpace(line) == "" {
			continue
		}
		c, err := parseImportLine(line, req.Campaign, req.CampaignName)
		if err == nil {
			c.TimeZone, c.Source = req.TimeZone, "import "+strconv.FormatUint(job.ID, 10)
			_, err = e.PoolContact(ctx, c)
		}
		if err != nil {
			job.Failed++
			if len(errs) < 1000 {
				errs = append(errs, fmt.Sprintf("line %d: %s", i+1, ErrorMessage(err)))
			}
		} else {
			job.Imported++
		}
		if job.Processed%100 == 0 {
			save()
		}
	}
	now := e.now()
	job.Status, job.EndedAt = "done", &now
	save()
}

// parseImportLine reads campaign;number;params;alternatives;priority;agentphone.
func parseImportLine(line, campaign string, rename func(string) string) (Contact, error) {
	f := strings.Split(line, ";")
	if len(f) < 2 || len(f) > 6 {
		return Contact{}, fmt.Errorf("%w: expected campaign;number;params;alternatives;priority;agentphone", ErrInvalid)
	}
	for len(f) < 6 {
		f = append(f, "")
	}
	c := Contact{Campaign: strings.TrimSpace(f[0]), Phone: strings.TrimSpace(f[1]), Agent: strings.TrimSpace(f[5])}
	if rename != nil && c.Campaign != "" {
		c.Campaign = rename(c.Campaign)
	}
	if c.Campaign == "" {
		c.Campaign = campaign
	}
	if campaign != "" && c.Campaign != campaign {
		return c, &Error{Code: EINVALID, Message: fmt.Sprintf("campaign %q is not the upload's campaign %q", c.Campaign, campaign)}
	}
	if normalizePhone(c.Phone) == "" {
		return c, &Error{Code: EINVALID, Message: "no main number"}
	}
	data, err := ParseContactData(f[2])
	if err != nil {
		return c, &Error{Code: EINVALID, Message: fmt.Sprintf("parameters %q are not name=value separated by ':'", f[2])}
	}
	c.Data = data
	for _, a := range strings.Split(f[3], ":") {
		if a = strings.TrimSpace(a); a != "" {
			if normalizePhone(a) == "" {
				return c, &Error{Code: EINVALID, Message: fmt.Sprintf("alternative %q is not a number", a)}
			}
			c.Alternatives = append(c.Alternatives, a)
		}
	}
	if p := strings.TrimSpace(f[4]); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return c, &Error{Code: EINVALID, Message: fmt.Sprintf("priority %q is not a number", p)}
		}
		c.Priority = n
	}
	return c, nil
}

// closeInterruptedImports ends the imports a previous run left running:
// their file is not kept, so they cannot resume; the record says how far
// they got (progress is saved every 100 lines) so the rest can be
// uploaded again. Imports already re-uploaded are not duplicated: a line
// updates the campaign's contact with the same number.
func (e *Engine) closeInterruptedImports(ctx context.Context) {
	var running []ContactImport
	if err := e.store.Find(ctx, &running, Eq("status", "running")); err != nil {
		e.log.Warn("engine: interrupted imports not checked", "err", err)
		return
	}
	now := e.now()
	for _, j := range running {
		msg := fmt.Sprintf("interrupted by a restart after at least %d of %d lines; upload the rest again", j.Processed, j.Total)
		errs := strings.TrimSpace(j.Errors + "\n" + msg)
		if err := e.store.Updates(ctx, &ContactImport{ID: j.ID}, map[string]any{"status": "interrupted", "errors": errs, "ended_at": now}); err != nil {
			e.log.Warn("engine: interrupted import not closed", "import", j.ID, "err", err)
		}
	}
}
