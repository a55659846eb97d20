package vicidial

import (
	"strings"
	"testing"
)

func TestParseQueryNormalisesLikeAPIPHP(t *testing.T) {
	tests := []struct {
		name, get, post, param, want string
	}{
		{"user keeps word characters", "user=6'6\"6%5C6;6+6%236", "", "user", "6666666"},
		{"pass keeps its own class", "pass=a.b%2Bc/d=e_f%23g", "", "pass", "a.b+c/d=e_fg"},
		{"pass loses spaces", "pass=12+34", "", "pass", "1234"},
		{"source drops underscores", "source=my_crm", "", "source", "mycrm"},
		{"value drops dots spaces hashes stars", "value=1.2+3%234*5|x_y-z", "", "value", "12345|x_y-z"},
		{"alt_user alphanumerics only", "alt_user=crm-10_00", "", "alt_user", "crm1000"},
		{"blended uppercase only", "blended=yes", "", "blended", ""},
		{"consultative forced to NO", "consultative=yes", "", "consultative", "NO"},
		{"consultative YES kept", "consultative=YES", "", "consultative", "YES"},
		{"consultative missing is NO", "", "", "consultative", "NO"},
		{"phone_code digits and X", "phone_code=%2B1x9X", "", "phone_code", "19X"},
		{"phone_number keeps star hash letters", "phone_number=*72+(555)%23AB", "", "phone_number", "*72555#AB"},
		{"lead_id digits", "lead_id=12a3", "", "lead_id", "123"},
		{"ingroup_choices plus is space", "ingroup_choices=+TEST_IN+SALES.LINE+-", "", "ingroup_choices", " TEST_IN SALESLINE -"},
		{"encoded plus in ingroups is a space too", "ingroup_choices=%2BA%2BB", "", "ingroup_choices", " A B"},
		{"notes", "notes=Hi%2Bthere!+ok.", "", "notes", "Hi there ok."},
		{"callback_datetime", "callback_datetime=2012-01-25+12:00:00", "", "callback_datetime", "2012-01-25 12:00:00"},
		{"vendor_id drops semicolon and hash", "vendor_id=A%3BB%23C%2BD", "", "vendor_id", "ABC D"},
		{"first_name plus to space after filter", "first_name=Jo%2BAnn+O'Neil%21", "", "first_name", "Jo Ann O'Neil"},
		{"address keeps punctuation", "address1=1+Main+St.+%231/2@x:y", "", "address1", "1 Main St. 1/2@x:y"},
		{"state", "state=F.L", "", "state", "FL"},
		{"postal_code twice filtered", "postal_code=33%2B60'1", "", "postal_code", "33 601"},
		{"email keeps percent", "email=a%25b%40c.com", "", "email", "a%b@c.com"},
		{"country_code uppercase", "country_code=usA", "", "country_code", "A"},
		{"group_alias", "group_alias=TEST_ING", "", "group_alias", "TESTING"},
		{"stage only drops quotes", "stage=_MID+CALL%27;", "", "stage", "_MID CALL"},
		{"multi_dial_phones", "multi_dial_phones=555-1234,5559", "", "multi_dial_phones", "5551234,5559"},
		{"recipient_type", "recipient_type=USER_GROUP1", "", "recipient_type", "USER_GROUP"},
		{"show_confetti", "show_confetti=yes", "", "show_confetti", "y"},
		{"notification_date", "notification_date=2025-01-22T10:00", "", "notification_date", "2025-01-2210:00"},
		{"multibyte letters dropped", "first_name=Jos%C3%A9", "", "first_name", "Jos"},
		{"GET wins over POST", "value=1", "value=2&function=x", "value", "1"},
		{"POST used when GET lacks it", "value=1", "value=2&function=x", "function", "x"},
		{"last duplicate wins", "value=1&value=2", "", "value", "2"},
		{"malformed escape kept", "source=ab%zz", "", "source", "abzz"},
		{"array parameter prints as Array", "value[]=1", "", "value", "Array"},
		{"later scalar replaces an array", "value[]=1&value=PAUSE", "", "value", "PAUSE"},
		{"later array replaces a scalar", "value=PAUSE&value[x]=1", "", "value", "Array"},
		{"GET array wins over POST scalar", "value[]=1", "value=PAUSE", "value", "Array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseQuery(tt.get, tt.post)
			if got := p.get(tt.param); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.param, got, tt.want)
			}
		})
	}
}

func TestQueryStringKeepsBothMethods(t *testing.T) {
	tests := []struct{ get, post, want string }{
		{"a=1&b='2'", "", "a=1&b=2"},
		{"", "x=1;&y=%22", "x=1&y=&GET-AND-POST=Y&x=1&y="},
		{"a=1", "x=2", "a=1&GET-AND-POST=Y&x=2"},
		{"a=1", "x", "a=1"},
	}
	for _, tt := range tests {
		if got := parseQuery(tt.get, tt.post).query; got != tt.want {
			t.Errorf("query(%q, %q) = %q, want %q", tt.get, tt.post, got, tt.want)
		}
	}
}

func TestPHPComparisons(t *testing.T) {
	less := []struct {
		s    string
		n    int
		want bool
	}{{"", 4, true}, {"3", 4, true}, {"12", 4, false}, {"ABC", 4, false}, {"0", 1, true}, {"START", 1, false}, {" 2", 4, true}}
	for _, tt := range less {
		if got := phpLessThan(tt.s, tt.n); got != tt.want {
			t.Errorf("%q < %d = %v, want %v", tt.s, tt.n, got, tt.want)
		}
	}
	gt := []struct {
		s    string
		want bool
	}{{"1", true}, {"", false}, {"0", false}, {"abc", true}, {"-", false}, {"Y", true}}
	for _, tt := range gt {
		if got := phpGreaterThanZero(tt.s); got != tt.want {
			t.Errorf("%q > 0 = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// FuzzParseQuery checks that no input breaks the parser and that every
// variable only ever holds bytes its api.php filter keeps.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"source=test&user=6666&pass=1234&agent_user=1000&function=external_status&value=CALLBK&callback_datetime=2012-01-25+12:00:00&callback_type=USERONLY&callback_comments=x+y&qm_dispo_code=1234",
		"function=update_fields&first_name=Bob&emailreload=1&state=FL",
		"a=%&b=%2&c=%zz&&=&value[]=1&+user=x",
		"ingroup_choices=+TEST_IN+SALESLINE+-&consultative=yes",
		"pass=12%2334;'\"\\",
	} {
		f.Add(s, "")
		f.Add("", s)
	}
	charsets := map[string]*byteClass{
		"user": clsWord, "pass": clsPass, "agent_user": clsWord, "function": clsWord, "value": clsValue, "source": clsAlnum,
		"alt_user": clsAlnum, "phone_code": clsPhoneCode, "lead_id": clsDigits, "phone_number": clsPhone, "blended": clsUpper,
		"ingroup_choices": clsIngroups, "callback_datetime": clsCBDate, "notes": clsNotes, "multi_dial_phones": clsMulti,
	}
	f.Fuzz(func(t *testing.T, get, post string) {
		p := parseQuery(get, post)
		for name, c := range charsets {
			v := p.get(name)
			for i := 0; i < len(v); i++ {
				if !c[v[i]] {
					t.Fatalf("%s=%q holds byte %q", name, v, v[i])
				}
			}
		}
		if cv := p.get("consultative"); cv != "YES" && cv != "NO" {
			t.Fatalf("consultative = %q", cv)
		}
		if strings.ContainsAny(p.query, "'\"\\;") {
			t.Fatalf("query string keeps quotes: %q", p.query)
		}
		for _, v := range []string{p.get("first_name"), p.get("comments"), p.get("vendor_id")} {
			if strings.Contains(v, "+") {
				t.Fatalf("plus survived: %q", v)
			}
		}
	})
}
