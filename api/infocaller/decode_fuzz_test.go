package infocaller

import (
	"net/url"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The fuzzers post arbitrary documents through the real handler: every
// answer is a callRequest document, and nothing but an accepted request
// stores a job.
func fuzzIntake(f *testing.F, form string, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	e := newEnv(f, storetest.Open(f, storetest.SQLite))
	f.Fuzz(func(t *testing.T, doc string) {
		before, _ := e.st.Count(e.ctx, &core.OriginationJob{}, core.All)
		_, _, body := postTo(t, e.srv.URL, url.Values{form: {doc}}.Encode())
		if !strings.Contains(body, "callRequest") || !strings.Contains(body, "Resultado") {
			t.Fatalf("answer %q", body)
		}
		after, _ := e.st.Count(e.ctx, &core.OriginationJob{}, core.All)
		accepted := strings.Contains(body, "Aceptada")
		if (after != before) != accepted {
			t.Fatalf("accepted=%v but jobs %d -> %d: %q", accepted, before, after, body)
		}
	})
}

func FuzzEmissionJSON(f *testing.F) {
	good := firma(demo.InfocallerLine, demo.InfocallerPassword)
	fuzzIntake(f, "apiCALLjson", []string{
		callJSON(demo.InfocallerLine, good, "600111222", "EMISION"),
		callJSON(demo.InfocallerLine, good, "600111222", "EMISION", `"Reintentos":4`, `"EsperaMax":null`),
		callJSON(demo.InfocallerLine, good, "+34600111222", "EMISION", `"CustVars":{"CustVar":[{"VarName":"A","VarValue":"\u00e9"}]}`),
		`{"callRequest":null}`, `{"callRequest":{"UserID":[]}}`, `[]`, `"`, "\xff\xfe",
	})
}

func FuzzEmissionXML(f *testing.F) {
	good := firma(demo.InfocallerLine, demo.InfocallerPassword)
	fuzzIntake(f, "apiCALLxml", []string{
		callXML(demo.InfocallerLine, good, "600111222", "EMISION"),
		"<?xml version='1.0' encoding='ISO-8859-1'?>" + callXML(demo.InfocallerLine, good, "600111222", "EMISION", "<Reintentos>1</Reintentos>"),
		"<?xml version='1.0' encoding='EBCDIC'?><CallRequest/>",
		"<CallRequest><callData><CustVars><CustVar><VarName>&lt;</VarName></CustVar></CustVars></callData></CallRequest>",
		"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><CallRequest>&a;</CallRequest>", "<", "\xe9",
	})
}
