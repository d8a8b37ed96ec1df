package mail

import (
	"bytes"
	"fmt"
	netmail "net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Compose builds the MIME message of one mail: text and HTML alternatives
// and, when rendered, the calendar file and further files. messageID is
// the row's local part; the Message-ID header is
// <messageID@domain-of-from>, so a resend after a crash carries the same
// id. A recipient that is not a mail address is a
// permanent error.
func Compose(from *netmail.Address, to, name, messageID string, r Rendered) (*gomail.Msg, error) {
	rcpt, err := netmail.ParseAddress(to)
	if err != nil {
		return nil, Permanent(fmt.Errorf("recipient %q: %w", to, err))
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(&netmail.Address{Name: oneLine(from.Name), Address: from.Address})
	m.ToMailAddress(&netmail.Address{Name: oneLine(name), Address: rcpt.Address})
	m.Subject(oneLine(r.Subject))
	m.SetMessageIDWithValue(messageID + "@" + domainOf(from.Address))
	m.SetDate()
	// Tell auto-responders and out-of-office replies to stay quiet.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, r.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	if r.ICS != nil {
		err := m.AttachReader("fachtag.ics", bytes.NewReader(r.ICS),
			gomail.WithFileContentType("text/calendar; charset=utf-8; method=PUBLISH"))
		if err != nil {
			return nil, fmt.Errorf("attach calendar: %w", err)
		}
	}
	for _, f := range r.Files {
		if err := m.AttachReader(f.Name, bytes.NewReader(f.Data), gomail.WithFileContentType(gomail.ContentType(f.ContentType))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", f.Name, err)
		}
	}
	return m, nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}
