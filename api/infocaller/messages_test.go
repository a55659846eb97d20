package infocaller

import (
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/mail"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// mailbox is a loopback SMTP server keeping every message it accepts.
type mailbox struct {
	addr string
	got  chan mailMsg
}

type mailMsg struct{ from, to, data string }

func newMailbox(t *testing.T) *mailbox {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	m := &mailbox{addr: ln.Addr().String(), got: make(chan mailMsg, 8)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go m.session(c)
		}
	}()
	return m
}

// session speaks just enough SMTP for net/smtp (no STARTTLS, no AUTH).
func (m *mailbox) session(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	var msg mailMsg
	reply := func(s string) { _ = tp.PrintfLine("%s", s) }
	reply("220 mailbox ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		upper := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(upper, "EHLO"), strings.HasPrefix(upper, "HELO"):
			reply("250-mailbox\r\n250 8BITMIME")
		case strings.HasPrefix(upper, "MAIL FROM:"):
			msg.from = addrOf(line[10:])
			reply("250 ok")
		case strings.HasPrefix(upper, "RCPT TO:"):
			msg.to = addrOf(line[8:])
			reply("250 ok")
		case upper == "DATA":
			reply("354 go on")
			lines, err := tp.ReadDotLines()
			if err != nil {
				return
			}
			msg.data = strings.Join(lines, "\n")
			m.got <- msg
			reply("250 queued")
		case upper == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

// addrOf is the <address> of a MAIL or RCPT argument (parameters after).
func addrOf(arg string) string {
	arg = strings.TrimSpace(arg)
	if i := strings.IndexByte(arg, '>'); i >= 0 {
		arg = arg[:i]
	}
	return strings.TrimPrefix(arg, "<")
}

// A script enters a sub-script that texts the number held in a variable,
// comes back and mails the team through the configured SMTP server; FIN
// lists the sub-script, the SMS and the email among the events.
func TestScriptSendsSMSAndEmailFromASubScript(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	core.NewScriptRunner(e.eng)
	box := newMailbox(t)
	e.eng.SetEmailSender(mail.SMTP{Addr: box.addr, From: "callgate@example.com", Now: func() time.Time { return testNow }})
	rcv := newReceiver(t, func(string) (int, string) { return 200, "OK" })
	setLineURLs(t, e, rcv.srv.URL, nil)
	for _, rec := range []any{
		&core.Script{Name: "AVISOS", Nodes: `[
 {"id":"sub","type":"subscript","script":"SMS","next":"mail"},
 {"id":"mail","type":"email","to":"equipo@example.com","subject":"Pedido {{PEDIDO}}","text":"Llamada a {{_NUMLLAMADO}}\n.pedido {{PEDIDO}}","next":"fin","else":"fin"},
 {"id":"fin","type":"end"}]`},
		&core.Script{Name: "SMS", Nodes: `[{"id":"texto","type":"sms","var":"MOVIL","text":"Su pedido {{PEDIDO}} está en camino"}]`},
		&core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "AVISOS", Kind: core.RuleGroupEmission, Script: "AVISOS"},
	} {
		must(t, e.st.Create(e.ctx, rec))
	}
	sub, err := e.eng.Bus().Subscribe(0, 256)
	must(t, err)
	defer sub.Close()
	_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111666", "AVISOS",
		`"CustVars":{"CustVar":[{"VarName":"PEDIDO","VarValue":"77"},{"VarName":"MOVIL","VarValue":"600999888"}]}`))
	if idcall.FindStringSubmatch(body) == nil {
		t.Fatalf("answer %q", body)
	}
	if s := nextStep(t, sub, "texto"); s.Script != "SMS" || s.Result != "sent" {
		t.Fatalf("sms step %+v", s)
	}
	if s := nextStep(t, sub, "mail"); s.Result != "sent" {
		t.Fatalf("email step %+v", s)
	}
	texts := e.pbx.Texts()
	if len(texts) != 1 || texts[0].To != "pjsip:600999888" || texts[0].Body != "Su pedido 77 está en camino" || texts[0].From != demo.InfocallerLine {
		t.Fatalf("texts %+v", texts)
	}
	select {
	case m := <-box.got:
		if m.from != "callgate@example.com" || m.to != "equipo@example.com" || !strings.Contains(m.data, "Subject: Pedido 77") ||
			!strings.HasSuffix(m.data, "Llamada a 600111666\n.pedido 77") {
			t.Fatalf("mail %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no mail")
	}
	fin := rcv.await("/fin")["/fin"]
	var types []string
	for _, ev := range fin.doc.ApiCall.Status.Events.Event {
		types = append(types, ev["EventType"]+":"+ev["EventName"])
	}
	want := "14:AVISOS 13:SMS 12:600999888 11:equipo@example.com 7:fin"
	if strings.Join(types, " ") != want {
		t.Fatalf("FIN events %v, want %s", types, want)
	}
}

// With no SMTP server configured the email node takes its error branch
// and FIN records the failure.
func TestEmailWithoutSMTPTakesTheErrorBranch(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	core.NewScriptRunner(e.eng)
	must(t, e.st.Create(e.ctx, &core.Script{Name: "M", Nodes: `[
 {"id":"mail","type":"email","to":"a@example.com","text":"x","next":"ok","else":"bad"},
 {"id":"ok","type":"transfer","queue":"8001"},
 {"id":"bad","type":"end"}]`}))
	must(t, e.st.Create(e.ctx, &core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "M", Kind: core.RuleGroupEmission, Script: "M"}))
	sub, err := e.eng.Bus().Subscribe(0, 256)
	must(t, err)
	defer sub.Close()
	_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111777", "M"))
	m := idcall.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("answer %q", body)
	}
	if s := nextStep(t, sub, "mail"); !strings.Contains(s.Result, "no SMTP server") {
		t.Fatalf("email step %+v", s)
	}
	nextStep(t, sub, "bad")
}
