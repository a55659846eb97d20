package vicidial

import (
	"strings"
)

// params holds the request variables after VICIdial's input filtering
// (api.php, latin path). Clients see these values echoed back, so each
// filter keeps exactly the characters the PHP regular expressions keep.
type params struct {
	v map[string]string
	// arrays holds the variables sent as arrays (value[]=x).
	arrays map[string]bool
	// query is api.php's $query_string: the raw GET query (or the POST
	// body, or both joined with GET-AND-POST=Y) with quotes, backslashes
	// and semicolons removed. update_fields and refresh_panel detect
	// fields by substring search in it.
	query string
	// raw holds every variable as sent (GET winning over POST), for the
	// names only a list's custom fields define.
	raw map[string]string
}

func (p *params) get(name string) string { return p.v[name] }

// isArray is whether the variable came as an array (name[]=...).
func (p *params) isArray(names ...string) bool {
	for _, n := range names {
		if p.arrays[n] {
			return true
		}
	}
	return false
}

func (p *params) set(name, value string) { p.v[name] = value }

// byteClass is a set of bytes a filter keeps. PHP's preg_replace without
// the /u flag works on bytes, so a multi-byte UTF-8 letter is dropped byte
// by byte, like here.
type byteClass [256]bool

func class(spec string) *byteClass {
	var c byteClass
	add := func(lo, hi byte) {
		for b := int(lo); b <= int(hi); b++ {
			c[b] = true
		}
	}
	for i := 0; i < len(spec); i++ {
		switch {
		case i+2 < len(spec) && spec[i+1] == '~':
			// "a~z" marks a range; '-' itself is a literal member.
			add(spec[i], spec[i+2])
			i += 2
		default:
			c[spec[i]] = true
		}
	}
	return &c
}

var (
	clsWord       = class("-_0~9a~zA~Z")         // [-_0-9a-zA-Z]
	clsAlnum      = class("0~9a~zA~Z")           // [0-9a-zA-Z]
	clsValue      = class("-|_0~9a~zA~Z")        // [-|_0-9a-zA-Z]
	clsPass       = class("-.+/=_0~9a~zA~Z")     // [-.+/=_0-9a-zA-Z]
	clsUpper      = class("A~Z")                 // [A-Z]
	clsUpperDigit = class("0~9A~Z")              // [0-9A-Z]
	clsPhoneCode  = class("0~9X")                // [0-9X]
	clsPhone      = class("*#0~9a~zA~Z")         // [*#0-9a-zA-Z]
	clsDigits     = class("0~9")                 // [0-9]
	clsIngroups   = class("- _0~9a~zA~Z")        // [- _0-9a-zA-Z]
	clsNotes      = class("- ._0~9a~zA~Z")       // [- ._0-9a-zA-Z]
	clsCBDate     = class("- :._0~9a~zA~Z")      // [- :._0-9a-zA-Z]
	clsGMT        = class("-_.0~9")              // [-_.0-9]
	clsTitle      = class("- '_.0~9a~zA~Z")      // [- '_.0-9a-zA-Z]
	clsName       = class("- '+_.0~9a~zA~Z")     // [- '+_.0-9a-zA-Z]
	clsAddress    = class("- '+.:/@_0~9a~zA~Z")  // [- '+.:/@_0-9a-zA-Z]
	clsState      = class("- 0~9a~zA~Z")         // [- 0-9a-zA-Z]
	clsProvince   = class("- '+._0~9a~zA~Z")     // [- '+._0-9a-zA-Z]
	clsPostal     = class("- '+0~9a~zA~Z")       // [- '+0-9a-zA-Z]
	clsDOB        = class("-0~9")                // [-0-9]
	clsEmail      = class("- '+.:/@%_0~9a~zA~Z") // [- '+.:/@%_0-9a-zA-Z]
	clsQM         = class("-._0~9a~zA~Z")        // [-._0-9a-zA-Z]
	clsRecipType  = class("_a~zA~Z")             // [_a-zA-Z]
	clsYN         = class("YNyn")                // [YN] with /i
	clsFont       = class(",- a~zA~Z")           // [,- a-zA-Z]
	clsWeight     = class(",a~zA~Z")             // [,a-zA-Z]
	clsNotifDate  = class("- :0~9")              // [- :0-9]
	clsMulti      = class(",0~9")                // [,0-9]
	clsDebugAgent = class("- .:|_0~9a~zA~Z")     // [- .:|_0-9a-zA-Z]
)

func keep(s string, c *byteClass) string {
	for i := 0; i < len(s); i++ {
		if !c[s[i]] {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); j++ {
				if c[s[j]] {
					b = append(b, s[j])
				}
			}
			return string(b)
		}
	}
	return s
}

func drop(s, chars string) string {
	if !strings.ContainsAny(s, chars) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(chars, s[i]) < 0 {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func plusToSpace(s string) string { return strings.ReplaceAll(s, "+", " ") }

// filter is one variable's normalisation, in api.php's order of operations.
type filter func(string) string

func k(c *byteClass) filter { return func(s string) string { return keep(s, c) } }

// keepThenSpace keeps a class (which includes '+') and then turns '+' into a
// space, as the lead-field filters do.
func keepThenSpace(c *byteClass) filter {
	return func(s string) string { return plusToSpace(keep(s, c)) }
}

func spaceThenKeep(c *byteClass) filter {
	return func(s string) string { return keep(plusToSpace(s), c) }
}

func noSemiHash(s string) string { return plusToSpace(drop(s, ";#")) }

var filters = map[string]filter{
	"user":               func(s string) string { return keep(drop(s, "'\"\\; "), clsWord) },
	"pass":               func(s string) string { return keep(drop(s, "'\"\\; "), clsPass) },
	"agent_user":         k(clsWord),
	"function":           k(clsWord),
	"value":              k(clsValue),
	"focus":              k(clsWord),
	"preview":            k(clsWord),
	"notes":              spaceThenKeep(clsNotes),
	"search":             k(clsWord),
	"group_alias":        k(clsAlnum),
	"dial_prefix":        k(clsAlnum),
	"source":             k(clsAlnum),
	"format":             k(clsAlnum),
	"vtiger_callback":    k(clsUpper),
	"alt_dial":           k(clsUpperDigit),
	"blended":            k(clsUpper),
	"ingroup_choices":    spaceThenKeep(clsIngroups),
	"set_as_default":     k(clsUpper),
	"phone_code":         k(clsPhoneCode),
	"phone_number":       k(clsPhone),
	"lead_id":            k(clsDigits),
	"vendor_id":          noSemiHash,
	"vendor_lead_code":   noSemiHash,
	"source_id":          noSemiHash,
	"gmt_offset_now":     k(clsGMT),
	"title":              k(clsTitle),
	"first_name":         keepThenSpace(clsName),
	"middle_initial":     k(clsAlnum),
	"last_name":          keepThenSpace(clsName),
	"address1":           keepThenSpace(clsAddress),
	"address2":           keepThenSpace(clsAddress),
	"address3":           keepThenSpace(clsAddress),
	"city":               keepThenSpace(clsAddress),
	"state":              k(clsState),
	"province":           keepThenSpace(clsProvince),
	"postal_code":        func(s string) string { return keep(plusToSpace(keep(s, clsPostal)), clsNotes) },
	"country_code":       k(clsUpper),
	"gender":             k(clsUpper),
	"date_of_birth":      k(clsDOB),
	"alt_phone":          keepThenSpace(clsName),
	"email":              keepThenSpace(clsEmail),
	"security_phrase":    keepThenSpace(clsAddress),
	"comments":           noSemiHash,
	"rank":               k(clsDigits),
	"owner":              keepThenSpace(clsAddress),
	"dial_override":      k(clsUpper),
	"consultative":       k(clsUpper),
	"callback_datetime":  spaceThenKeep(clsCBDate),
	"callback_type":      k(clsUpper),
	"callback_comments":  spaceThenKeep(clsNotes),
	"qm_dispo_code":      k(clsQM),
	"alt_user":           k(clsAlnum),
	"agent_debug":        k(clsDebugAgent),
	"status":             k(clsWord),
	"dial_ingroup":       k(clsWord),
	"cid_choice":         k(clsWord),
	"outbound_cid":       k(clsWord),
	"recipient":          k(clsWord),
	"recipient_type":     k(clsRecipType),
	"notification_text":  noSemiHash,
	"notification_retry": k(clsYN),
	"text_size":          k(clsDigits),
	"text_font":          k(clsFont),
	"text_weight":        k(clsWeight),
	"text_color":         k(clsAlnum),
	"show_confetti":      k(clsYN),
	"duration":           k(clsDigits),
	"maxParticleCount":   k(clsDigits),
	"particleSpeed":      k(clsDigits),
	"stage":              func(s string) string { return drop(s, "'\"\\;") },
	"close_window_link":  k(clsWord),
	"dnc_check":          k(clsWord),
	"campaign_dnc_check": k(clsWord),
	"notification_date":  k(clsNotifDate),
	"multi_dial_phones":  k(clsMulti),
	"md_check":           k(clsAlnum),
	"tw_check":           k(clsAlnum),
	"DB":                 k(clsAlnum),
}

// parseQuery builds the filtered variables from the raw GET query and the
// raw urlencoded POST body, GET winning per variable like api.php's
// isset($_GET[x]) ... elseif (isset($_POST[x])) chains.
func parseQuery(rawGet, rawPost string) *params {
	get := phpParse(rawGet)
	post := phpParse(rawPost)
	p := &params{v: make(map[string]string, 16)}
	// Only the names the request carries can be set: visiting those, not
	// every filter, is the same result for a fraction of the lookups.
	for _, names := range []map[string]string{get.last, post.last} {
		for name := range names {
			p.fill(name, get, post)
		}
	}
	for _, names := range []map[string]bool{get.arr, post.arr} {
		for name := range names {
			p.fill(name, get, post)
		}
	}
	if _, set := p.v["value"]; !set && len(post.order) > 0 {
		// api.php builds $POST_URI with foreach($_POST as $key=>$value):
		// with no value variable in the request, $value keeps the last
		// POST variable's value.
		if last := post.order[len(post.order)-1]; !strings.HasSuffix(last, "[]") {
			p.v["value"] = filters["value"](post.last[last])
		}
	}
	if p.v["consultative"] != "YES" {
		p.v["consultative"] = "NO"
	}

	postURI := ""
	for i, kv := range post.pairs {
		if i > 0 {
			postURI += "&"
		}
		postURI += kv[0] + "=" + kv[1]
	}
	postURI = drop(postURI, "'\"\\;")
	q := rawGet
	if len(q) < 1 && len(postURI) > 2 {
		q = postURI
	}
	if len(q) > 0 && len(postURI) > 2 {
		q += "&GET-AND-POST=Y&" + postURI
	}
	p.query = drop(q, "'\"\\;")
	return p
}

// fill sets variable name from the request, GET winning over POST, when
// api.php reads it (it has a filter).
func (p *params) fill(name string, get, post phpForm) {
	f, known := filters[name]
	if !known {
		return
	}
	if _, done := p.v[name]; done {
		return
	}
	val, ok := get.last[name]
	arr := !ok && get.arr[name]
	if !ok && !arr {
		val, ok = post.last[name]
		arr = !ok && post.arr[name]
	}
	switch {
	case arr:
		// PHP prints an array variable as "Array"; using it as a string
		// where api.php measures it is a fatal error (fatal).
		if p.arrays == nil {
			p.arrays = map[string]bool{}
		}
		p.arrays[name] = true
		p.v[name] = "Array"
	case ok:
		p.v[name] = f(val)
	}
}

type phpForm struct {
	last  map[string]string
	pairs [][2]string // decoded key/value in order, for $POST_URI
	// order is the array's keys in PHP order (first occurrence); an
	// array variable appears as "name[]".
	order   []string
	ordered map[string]bool
	// arr holds the names whose last occurrence is an array (name[...]).
	arr map[string]bool
}

// phpParse decodes a query like PHP's parse_str: '&' separated, '+' is a
// space, malformed %-escapes are kept literally, the last duplicate wins,
// and a key "a[]" or "a[x]" is not the scalar "a".
func phpParse(raw string) phpForm {
	f := phpForm{last: map[string]string{}}
	for len(raw) > 0 {
		var part string
		if i := strings.IndexByte(raw, '&'); i >= 0 {
			part, raw = raw[:i], raw[i+1:]
		} else {
			part, raw = raw, ""
		}
		if part == "" {
			continue
		}
		key, val := part, ""
		if i := strings.IndexByte(part, '='); i >= 0 {
			key, val = part[:i], part[i+1:]
		}
		key = phpUnescape(key)
		val = phpUnescape(val)
		key = strings.TrimLeft(key, " ")
		if key == "" {
			continue
		}
		f.pairs = append(f.pairs, [2]string{key, val})
		if i := strings.IndexByte(key, '['); i >= 0 {
			if i > 0 && strings.IndexByte(key[i:], ']') > 0 {
				name := phpName(key[:i])
				f.addOrder(name + "[]")
				if f.arr == nil {
					f.arr = map[string]bool{}
				}
				f.arr[name] = true
				delete(f.last, name)
			}
			continue
		}
		key = phpName(key)
		f.addOrder(key)
		f.last[key] = val
		delete(f.arr, key)
	}
	return f
}

func (f *phpForm) addOrder(key string) {
	if f.ordered[key] {
		return
	}
	if f.ordered == nil {
		f.ordered = map[string]bool{}
	}
	f.ordered[key] = true
	f.order = append(f.order, key)
}

// phpName is a request variable's name as PHP stores it: spaces and dots
// become underscores.
func phpName(key string) string {
	if strings.IndexByte(key, ' ') < 0 && strings.IndexByte(key, '.') < 0 {
		return key
	}
	return phpNameReplacer.Replace(key)
}

var phpNameReplacer = strings.NewReplacer(" ", "_", ".", "_")

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func phpUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 < len(s) {
				h, ok1 := unhex(s[i+1])
				l, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					b = append(b, h<<4|l)
					i += 2
					continue
				}
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}
