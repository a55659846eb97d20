package infocaller

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

const (
	demoLine = demo.InfocallerLine
	offLine  = "900000003"
	suspLine = "900000010"
	fullLine = "900000014"
	poorLine = "900000011" // balance spent, no credit
	debtLine = "900000012" // credit limit reached
)

// seedRefusals adds the lines and groups the refusal cases need.
func seedRefusals(t testing.TB, st core.Store) {
	ctx := context.Background()
	for _, l := range []core.Line{
		{Number: offLine, PhonePassword: "p", State: core.LineOff, WebhookFormat: "JSON"},
		{Number: suspLine, PhonePassword: "p", State: core.LineSuspended, WebhookFormat: "JSON"},
		{Number: fullLine, PhonePassword: "p", State: core.LineOn, Capacity: 1, WebhookFormat: "JSON"},
		{Number: poorLine, PhonePassword: "p", State: core.LineOn, WebhookFormat: "JSON", BalanceOn: true, Balance: 0},
		{Number: debtLine, PhonePassword: "p", State: core.LineOn, WebhookFormat: "JSON", BalanceOn: true, Balance: -5, CreditLimit: 5},
	} {
		if err := st.Create(ctx, &l); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []core.RuleGroup{
		{LineNumber: demoLine, Name: "VACIO", Kind: core.RuleGroupEmission},
		{LineNumber: fullLine, Name: "EMISION", Kind: core.RuleGroupEmission, Script: "EMISION"},
	} {
		if err := st.Create(ctx, &g); err != nil {
			t.Fatal(err)
		}
	}
	busy := core.OriginationJob{JobID: "busyjob", Origin: "line:" + fullLine, Status: core.OriginScheduled, Destination: "1"}
	if err := st.Create(ctx, &busy); err != nil {
		t.Fatal(err)
	}
}

func jsonAnswer(code, text string) string {
	return `{"callRequest":{"idcall":"","Resultado":"` + code + `","ResultadoTexto":"` + text + `"}}` + "\n"
}

func xmlAnswer(code, text string) string {
	return "<?xml version='1.0'?>\n<callRequest>\n  <idcall></idcall>\n  <Resultado>" + code +
		"</Resultado>\n  <ResultadoTexto>" + text + "</ResultadoTexto>\n</callRequest>\n"
}

func TestEmissionRefusalsAnswerTheDocumentsCodes(t *testing.T) {
	good := firma(demoLine, demo.InfocallerPassword)
	p := firma(offLine, "p")
	cases := []struct {
		name, form, doc string
		want            string
	}{
		{"no variable", "x", "", xmlAnswer("-99", "No se recibe el parámetro XML")},
		{"empty json", "apiCALLjson", " ", jsonAnswer("-99", "No se recibe el parámetro XML")},
		{"json not json", "apiCALLjson", "{callRequest", jsonAnswer("-3", "Formato XML no correcto")},
		{"json other root", "apiCALLjson", `{"x":1}`, jsonAnswer("-3", "Formato XML no correcto")},
		{"json trailing data", "apiCALLjson", callJSON(demoLine, good, "600111222", "EMISION") + "{}", jsonAnswer("-3", "Formato XML no correcto")},
		{"xml not xml", "apiCALLxml", "<CallRequest><UserID>", xmlAnswer("-3", "Formato XML no correcto")},
		{"xml other root", "apiCALLxml", "<Other/>", xmlAnswer("-3", "Formato XML no correcto")},
		{"no firma", "apiCALLjson", callJSON(demoLine, "", "600111222", "EMISION"), jsonAnswer("-2", "Identificación no indicada")},
		{"no idinfocaller", "apiCALLxml", callXML("", good, "600111222", "EMISION"), xmlAnswer("-2", "Identificación no indicada")},
		{"idinfocaller not a number", "apiCALLjson", callJSON("12a", good, "600111222", "EMISION"), jsonAnswer("-1", "Identificación no correcta")},
		{"wrong firma", "apiCALLjson", callJSON(demoLine, firma(demoLine, "0000"), "600111222", "EMISION"), jsonAnswer("1", "Firma no correcta")},
		{"wrong firma xml", "apiCALLxml", callXML(demoLine, strings.Repeat("0", 32), "600111222", "EMISION"), xmlAnswer("1", "Firma no correcta")},
		{"unknown line", "apiCALLjson", callJSON("555000111", good, "600111222", "EMISION"), jsonAnswer("2", "Línea infocaller no válida")},
		{"line off", "apiCALLjson", callJSON(offLine, p, "600111222", "EMISION"), jsonAnswer("3", "Línea infocaller apagada")},
		{"line suspended", "apiCALLxml", callXML(suspLine, firma(suspLine, "p"), "600111222", "EMISION"), xmlAnswer("10", "Línea suspendida")},
		{"bad fechahora", "apiCALLjson", callJSON(demoLine, good, "600111222", "EMISION", `"fechahora":"10/03/2026 12:00"`), jsonAnswer("4", "Fecha/Hora no válida")},
		{"past fechahora", "apiCALLxml", callXML(demoLine, good, "600111222", "EMISION", "<fechahora>2026-03-10T10:00:00</fechahora>"), xmlAnswer("4", "Fecha/Hora no válida")},
		{"no phone", "apiCALLjson", callJSON(demoLine, good, "", "EMISION"), jsonAnswer("5", "Teléfono no válido")},
		{"letters in phone", "apiCALLjson", callJSON(demoLine, good, "600ABC", "EMISION"), jsonAnswer("5", "Teléfono no válido")},
		{"EsperaMax over 300", "apiCALLjson", callJSON(demoLine, good, "600111222", "EMISION", `"EsperaMax":"301"`), jsonAnswer("6", "Valor Esperamax no válido")},
		{"EsperaMax not a number", "apiCALLxml", callXML(demoLine, good, "600111222", "EMISION", "<EsperaMax>x</EsperaMax>"), xmlAnswer("6", "Valor Esperamax no válido")},
		{"Reintentos 5", "apiCALLjson", callJSON(demoLine, good, "600111222", "EMISION", `"Reintentos":5`), jsonAnswer("7", "Valor reintentos no válido")},
		{"Reintentos negative", "apiCALLxml", callXML(demoLine, good, "600111222", "EMISION", "<Reintentos>-1</Reintentos>"), xmlAnswer("7", "Valor reintentos no válido")},
		{"no rule group", "apiCALLjson", callJSON(demoLine, good, "600111222", ""), jsonAnswer("8", "Grupo de reglas no existe o no es válido")},
		{"unknown rule group", "apiCALLjson", callJSON(demoLine, good, "600111222", "NOEXISTE"), jsonAnswer("8", "Grupo de reglas no existe o no es válido")},
		{"inbound rule group", "apiCALLxml", callXML(demoLine, good, "600111222", "NORMAL"), xmlAnswer("8", "Grupo de reglas no existe o no es válido")},
		{"rule group without script", "apiCALLjson", callJSON(demoLine, good, "600111222", "VACIO"), jsonAnswer("13", "Ninguna regla válida en el grupo de reglas")},
		{"line at capacity", "apiCALLjson", callJSON(fullLine, firma(fullLine, "p"), "600111222", "EMISION", `"EsperaMax":"0"`), jsonAnswer("14", "Excedido número máximo de emisión de llamadas. Contactar con Atención al Cliente.")},
		{"balance spent", "apiCALLjson", callJSON(poorLine, firma(poorLine, "p"), "600111222", "EMISION"), jsonAnswer("11", "Saldo insuficiente")},
		{"credit limit reached", "apiCALLxml", callXML(debtLine, firma(debtLine, "p"), "600111222", "EMISION"), xmlAnswer("12", "Límite de crédito excedido")},
		{"bad variable name", "apiCALLjson", callJSON(demoLine, good, "600111222", "EMISION", `"CustVars":{"CustVar":[{"VarName":"NO VALE","VarValue":"1"}]}`), jsonAnswer("-3", "Formato XML no correcto")},
	}
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		seedRefusals(t, st)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, ctype, body := e.post(tc.form, tc.doc)
				if status != http.StatusOK || body != tc.want {
					t.Fatalf("got %d %q\nwant %q", status, body, tc.want)
				}
				if !strings.HasSuffix(ctype, "charset=utf-8") {
					t.Fatalf("content type %q", ctype)
				}
			})
		}
		var n int64
		n, err := st.Count(e.ctx, &core.OriginationJob{}, core.All)
		if err != nil || n != 1 {
			t.Fatalf("refused requests stored jobs: %d %v", n, err)
		}
	})
}

var idcall = regexp.MustCompile(`"idcall":"([0-9a-f]+)"`)

func TestEmissionAcceptedStartsAJobRunningTheRuleGroupsScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		doc := callJSON(demoLine, firma(demoLine, demo.InfocallerPassword), "+34600111222", "EMISION",
			`"fechahora":"2026-03-10T12:30:00"`, `"EsperaMax":"10"`, `"Reintentos":"2"`,
			`"CustVars":{"CustVar":[{"VarName":"CLIENTE","VarValue":"José"},{"VarName":"IMPORTE","VarValue":120}]}`)
		_, _, body := e.post("apiCALLjson", doc)
		m := idcall.FindStringSubmatch(body)
		if m == nil || !strings.HasSuffix(body, `"Resultado":"0","ResultadoTexto":"Aceptada"}}`+"\n") {
			t.Fatalf("answer %q", body)
		}
		job, err := e.eng.Origination(e.ctx, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if job.Destination != "600111222" || job.Script != "EMISION" || job.BusyRetries != 2 || job.RetrySec != 300 ||
			job.CallerID != demoLine || job.Status != core.OriginScheduled || job.NotBefore == nil ||
			!job.NotBefore.Equal(time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC)) {
			t.Fatalf("job %+v", job)
		}
		for _, v := range []string{`"CLIENTE":"José"`, `"IMPORTE":"120"`, `"_NUMINFOCALLER":"123456789"`} {
			if !strings.Contains(job.Vars, v) {
				t.Fatalf("vars %s lack %s", job.Vars, v)
			}
		}
	})
}

func TestEmissionXMLInLatin1IsAccepted(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	doc := "<?xml version='1.0' encoding='ISO-8859-1'?>" + callXML(demoLine, firma(demoLine, demo.InfocallerPassword), "600111222", "EMISION",
		"<CustVars><CustVar><VarName>NOMBRE</VarName><VarValue>Mar\xeda</VarValue></CustVar></CustVars>")
	_, ctype, body := e.postRaw("apiCALLxml=" + url.QueryEscape(doc))
	m := regexp.MustCompile(`<idcall>([0-9a-f]+)</idcall>`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "<Resultado>0</Resultado>\n  <ResultadoTexto>Aceptada</ResultadoTexto>") || ctype != "text/xml; charset=utf-8" {
		t.Fatalf("answer %q", body)
	}
	job, err := e.eng.Origination(e.ctx, m[1])
	if err != nil || !strings.Contains(job.Vars, `"NOMBRE":"María"`) {
		t.Fatalf("job %+v %v", job, err)
	}
}

func TestEmissionOverTheBodyLimitIsAFormatError(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	_, _, body := e.post("apiCALLjson", strings.Repeat("x", 1<<17))
	if body != xmlAnswer("-3", "Formato XML no correcto") {
		t.Fatalf("answer %q", body)
	}
}

// internalEngine fails every call, as a store outage would.
type internalEngine struct{}

func (internalEngine) PlaceLineCall(context.Context, core.LineCallRequest) (core.OriginationJob, error) {
	return core.OriginationJob{}, &core.Error{Code: core.EINTERNAL, Err: errors.New("INSERT failed: secret SQL")}
}
func (internalEngine) Now() time.Time { return testNow }

func TestEmissionStoreFailureIsAnInternalErrorWithoutDetails(t *testing.T) {
	srv := httptest.NewServer(New(internalEngine{}, Options{Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	resp, err := http.PostForm(srv.URL+"/apicall/", url.Values{"apiCALLjson": {callJSON(demoLine, "ab", "600111222", "EMISION")}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := make([]byte, 512)
	n, _ := resp.Body.Read(b)
	if got := string(b[:n]); got != jsonAnswer("-100", "Error interno") {
		t.Fatalf("answer %q", got)
	}
}
