package event

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Legal is a privacy notice or an imprint, as text or as the address of a
// page the organiser keeps elsewhere. The zero value means the event has
// none of its own and the installation's default applies.
type Legal struct {
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
}

// IsZero reports whether l says nothing.
func (l Legal) IsZero() bool { return l.Text == "" && l.URL == "" }

// Or is l, or def when l says nothing.
func (l Legal) Or(def Legal) Legal {
	if l.IsZero() {
		return def
	}
	return l
}

// maxLegalText is generous for a privacy notice, and keeps a pasted
// document of another kind out of every page load.
const maxLegalText = 100_000

// CheckLegal returns the catalogue key of what is wrong with l, or "".
// The installation's defaults are checked with it at boot.
func CheckLegal(l Legal) string {
	switch {
	case l.Text != "" && l.URL != "":
		return "file.legal_both"
	case l.URL != "" && !WebAddress(l.URL):
		return "file.legal_url"
	case utf8.RuneCountInString(l.Text) > maxLegalText:
		return "file.legal_too_long"
	case l.Text != "" && strings.TrimSpace(l.Text) == "":
		return "file.required"
	}
	return ""
}

// WebAddress reports whether s is an absolute http or https address.
func WebAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

func (f *File) validateLegal(p *Problems) {
	for path, l := range map[string]Legal{"$.privacy": f.Privacy, "$.imprint": f.Imprint} {
		switch key := CheckLegal(l); key {
		case "":
		case "file.legal_too_long":
			p.add(path, key, maxLegalText)
		default:
			p.add(path, key)
		}
	}
}
