package core

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input rules of provisioned records. Every adapter that writes records
// (the admin API today) calls Validate before storing, so that a value the
// engine later copies into a dial string, a queue log line or a recording
// file name is known to be harmless, and no column takes more than it holds.
//
// Three kinds of strings:
//   - identifiers (usernames, queue/campaign/group names, disposition codes,
//     dialects): [A-Za-z0-9_.@+-], no spaces, no '/': they name things in
//     other protocols (VICIdial user=, queue log, file names);
//   - display text (agent and break names, descriptions): any Unicode
//     ("Baño") but valid UTF-8 and no control characters;
//   - long text (scripts, form options): newlines and tabs allowed too.
//
// Lengths come from each field's column size (`size:N` in its gorm tag,
// read here through reflection only: core does not import gorm); text
// columns are capped at MaxLongText bytes.

// MaxLongText is the cap of unsized text columns (MySQL's TEXT).
const MaxLongText = 65535

// ValidationError names the offending field by its JSON name. It wraps
// ErrInvalid so that every adapter can map it onto its own error.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// identChar is the character set of identifiers.
func identChar(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("_.@+-", r))
}

// CheckIdentifier reports whether v (possibly empty: required fields are
// checked by the caller) is a valid identifier for field.
func CheckIdentifier(field, v string) error {
	for _, r := range v {
		if !identChar(r) {
			return invalid(field, "only letters, digits and _ . @ + - are allowed (found %q)", r)
		}
	}
	if v == "." || v == ".." {
		return invalid(field, "%q is not a valid identifier", v)
	}
	return nil
}

// checkIdentList checks a list of identifiers separated by spaces (a
// campaign's in-groups) or commas.
func checkIdentList(field, v string) error {
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
		if err := CheckIdentifier(field, p); err != nil {
			return err
		}
	}
	return nil
}

// checkDialString checks an endpoint or dial template (PJSIP/1064,
// Local/555@ctx, PJSIP/{number}@trunk): identifier characters plus the
// separators of Asterisk dial strings, never spaces or controls.
func checkDialString(field, v string) error {
	for _, r := range v {
		if !identChar(r) && !strings.ContainsRune("/:#*{}", r) {
			return invalid(field, "not a dial string (found %q)", r)
		}
	}
	return nil
}

// checkPhone checks a phone number or DID: identifier characters plus the
// '*' and '#' of feature codes.
func checkPhone(field, v string) error {
	for _, r := range v {
		if !identChar(r) && r != '*' && r != '#' {
			return invalid(field, "not a phone number (found %q)", r)
		}
	}
	return nil
}

// checkLimits applies the generic rules to every string field of the
// record v points to: valid UTF-8, no control characters (newlines and
// tabs only in unsized text columns), at most the column's size.
func checkLimits(v any) error {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if f.Type.Kind() != reflect.String || !f.IsExported() {
			continue
		}
		s := rv.Field(i).String()
		if s == "" {
			continue
		}
		name := jsonName(f)
		if !utf8.ValidString(s) {
			return invalid(name, "not valid UTF-8")
		}
		gormTag := f.Tag.Get("gorm")
		long := strings.Contains(gormTag, "type:text")
		size := gormSize(gormTag)
		if size == 0 {
			size = MaxLongText
			long = true
		}
		if long {
			if len(s) > size {
				return invalid(name, "longer than %d bytes", size)
			}
		} else if n := utf8.RuneCountInString(s); n > size {
			return invalid(name, "longer than %d characters", size)
		}
		secret := f.Tag.Get("json") == "-"
		for _, r := range s {
			if unicode.IsControl(r) && !(long && (r == '\n' || r == '\r' || r == '\t')) && !secret {
				return invalid(name, "control characters are not allowed")
			}
		}
	}
	return nil
}

func gormSize(tag string) int {
	for _, p := range strings.Split(tag, ";") {
		if v, ok := strings.CutPrefix(p, "size:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// jsonName is the field's name on the wire; write-only fields (json:"-")
// are named as their input field (ConsolePassword -> eccp_password).
func jsonName(f reflect.StructField) string {
	if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n != "" && n != "-" {
		return n
	}
	var b strings.Builder
	rs := []rune(f.Name)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// first returns the first non-nil error, in the order the fields are listed.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Validate checks an agent's fields. The ECCP name is Type+Number
// ("Agent/9000", "SIP/1064"): Type is a word, Number an identifier.
func (a *Agent) Validate() error {
	return first(checkLimits(a),
		CheckIdentifier("username", a.Username), CheckIdentifier("number", a.Number),
		checkWord("type", a.Type), checkDialString("extension", a.Extension),
		CheckIdentifier("user_group", a.UserGroup), CheckIdentifier("campaign", a.Campaign),
		CheckIdentifier("phone_login", a.PhoneLogin))
}

// checkWord: letters and digits only (the channel class of an ECCP name).
func checkWord(field, v string) error {
	for _, r := range v {
		if r >= utf8.RuneSelf || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return invalid(field, "only letters and digits are allowed (found %q)", r)
		}
	}
	return nil
}

// Validate checks a queue's fields.
func (q *Queue) Validate() error {
	return first(checkLimits(q), CheckIdentifier("name", q.Name), CheckIdentifier("moh_class", q.MOHClass),
		checkPhone("did", q.DID), CheckIdentifier("campaign", q.Campaign))
}

// Validate checks a campaign's fields.
func (c *Campaign) Validate() error {
	return first(checkLimits(c), CheckIdentifier("name", c.Name), CheckIdentifier("queue", c.Queue),
		checkDialString("trunk", c.Trunk), checkPhone("dial_prefix", c.DialPrefix),
		checkIdentList("ingroups", c.Ingroups), checkIdentList("form_ids", c.FormIDs))
}

// Validate checks a lead list's fields.
func (l *List) Validate() error {
	return first(checkLimits(l), CheckIdentifier("campaign", l.Campaign))
}

// Validate checks a lead's fields (free text, except the number dialed).
func (l *Lead) Validate() error {
	return first(checkLimits(l), checkPhone("phone_number", l.PhoneNumber), CheckIdentifier("campaign", l.Campaign))
}

// Validate checks a pause code. Its code may be derived from an ECCP break
// name ("Baño"), so it is display text, not an identifier.
func (p *PauseCode) Validate() error {
	return first(checkLimits(p), CheckIdentifier("campaign", p.Campaign))
}

// Validate checks a disposition (VICIdial status codes are identifiers).
func (d *Disposition) Validate() error {
	return first(checkLimits(d), CheckIdentifier("code", d.Code), CheckIdentifier("campaign", d.Campaign))
}

// Validate checks an API user.
func (u *APIUser) Validate() error {
	return first(checkLimits(u), CheckIdentifier("dialect", u.Dialect), CheckIdentifier("username", u.Username))
}

// Validate checks a user group.
func (g *UserGroup) Validate() error {
	return first(checkLimits(g), CheckIdentifier("name", g.Name))
}

// Validate checks an inbound route.
func (r *Route) Validate() error {
	return first(checkLimits(r), checkPhone("did", r.DID), CheckIdentifier("queue", r.Queue), CheckIdentifier("campaign", r.Campaign))
}

// Validate checks a do-not-call entry.
func (d *DNCEntry) Validate() error {
	return first(checkLimits(d), checkPhone("phone", d.Phone), CheckIdentifier("campaign", d.Campaign))
}

// Validate checks a callback.
func (c *Callback) Validate() error {
	return first(checkLimits(c), checkPhone("phone", c.Phone), CheckIdentifier("campaign", c.Campaign),
		CheckIdentifier("agent", c.Agent), CheckIdentifier("status", c.Status))
}

// Validate checks a form.
func (f *Form) Validate() error { return checkLimits(f) }

// Validate checks a form field.
func (f *FormField) Validate() error { return checkLimits(f) }

// fileNamePart turns a value into a piece of a file name that cannot
// leave its folder or confuse a shell: identifier characters except '.'
// and '@' survive, anything else becomes '_', capped at 64 bytes. Records
// are validated on write, but rows written before validation existed (or
// by another tool) reach the engine too.
func fileNamePart(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			break
		}
		if identChar(r) && r != '.' && r != '@' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
