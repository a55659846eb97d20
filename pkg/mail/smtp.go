// Package mail sends the email of call-script nodes through an SMTP server
// (core.EmailSender).
package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// SMTP sends through one server: STARTTLS when the server offers it, PLAIN
// authentication when a user is set (net/smtp refuses it over a clear
// connection to anything but localhost).
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// Now stamps the Date header (time.Now when nil).
	Now func() time.Time
}

// SendEmail delivers m, bounded by ctx's deadline (30 s when none).
func (s SMTP) SendEmail(ctx context.Context, m core.Email) error {
	if strings.ContainsAny(m.To+s.From, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return core.Errorf(core.EINVALID, "email: line breaks in an address or the subject")
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	defer c.Close()
	if err := s.session(c, host, m); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return c.Quit()
}

func (s SMTP) session(c *smtp.Client, host string, m core.Email) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(s.message(m)); err != nil {
		return err
	}
	return w.Close()
}

// message is the RFC 5322 text: UTF-8, the subject word-encoded.
func (s SMTP) message(m core.Email) []byte {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	body := strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n", "\r\n")
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", s.From, m.To,
		mime.QEncoding.Encode("utf-8", m.Subject), now().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(body)
	b.WriteString("\r\n")
	return []byte(b.String())
}
