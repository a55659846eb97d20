package core

import (
	"context"
	"regexp"
)

// Script nodes that send messages: SMS through the engine's SMS service
// (messaging.go, the PBX's message routing) and email through the
// EmailSender port (an SMTP server the gateway is configured with).

// Email is one message a script sends.
type Email struct {
	To      string
	Subject string
	Text    string
}

// EmailSender delivers email (pkg/mail's SMTP sender is the real one).
type EmailSender interface {
	SendEmail(ctx context.Context, m Email) error
}

// SetEmailSender installs the sender of email nodes (nil: email nodes
// take their error branch).
func (e *Engine) SetEmailSender(s EmailSender) {
	e.scriptPorts.mu.Lock()
	e.scriptPorts.email = s
	e.scriptPorts.mu.Unlock()
}

func (e *Engine) emailSender() EmailSender {
	e.scriptPorts.mu.Lock()
	defer e.scriptPorts.mu.Unlock()
	return e.scriptPorts.email
}

var textVar = regexp.MustCompile(`\{\{([A-Za-z0-9_]{1,32})\}\}`)

// fill replaces {{VAR}} in text by the run's variables.
func (s *scriptRun) fill(text string) string {
	return textVar.ReplaceAllStringFunc(text, func(m string) string { return s.vars[m[2:len(m)-2]] })
}

// sms sends the node's text message.
func (s *scriptRun) sms(ctx context.Context, n ScriptNode) error {
	to := n.To
	if n.Var != "" {
		to = s.vars[n.Var]
	}
	if !isDigits(to) {
		return Errorf(EINVALID, "sms: %q is not a number", truncate(to, 32))
	}
	_, err := s.e.SendSMS(ctx, SMSRequest{To: []string{to}, From: s.vars["_NUMINFOCALLER"], Body: s.fill(n.Text), Origin: "script"})
	return err
}

// email sends the node's email.
func (s *scriptRun) email(ctx context.Context, n ScriptNode) error {
	sender := s.e.emailSender()
	if sender == nil {
		return Errorf(EUNAVAILABLE, "email: no SMTP server is configured")
	}
	return sender.SendEmail(ctx, Email{To: n.To, Subject: s.fill(n.Subject), Text: s.fill(n.Text)})
}
