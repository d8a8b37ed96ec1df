package widget

import (
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// Limits of the list of origins: a Content-Security-Policy header of 50
// origins stays far below what proxies accept.
const (
	MaxOrigins    = 50
	maxLineLength = 300
)

// LineError is what is wrong with one line of the list: Key and Args name
// the reason in the catalogue of package i18n.
type LineError struct {
	Line int    // 1-based
	Text string // the line as typed, trimmed
	Key  string
	Args []any
}

// OriginsError lists every line of the list that is not a valid origin,
// in the order of the lines.
type OriginsError struct{ Lines []LineError }

func (e *OriginsError) Error() string {
	var b strings.Builder
	b.WriteString("invalid origins:")
	for _, l := range e.Lines {
		b.WriteString(" line " + strconv.Itoa(l.Line) + " (" + l.Key + ")")
	}
	return b.String()
}

// ParseOrigins reads one origin per line (blank lines are skipped) and
// returns them normalised, in their order, each once: scheme and host in
// lower case, an international host name in its ASCII (Punycode) form,
// the scheme's default port and a trailing "/" left out. Supported is
// exactly scheme://host[:port]: https, or http for localhost and
// 127.0.0.1 (and for every host when allowHTTP); a host name or an IPv4
// address. Not supported, each with its own error: paths, queries and
// fragments, user names, wildcards (list every site), IPv6 addresses
// (a Content-Security-Policy cannot name them).
func ParseOrigins(text string, allowHTTP bool) ([]string, error) {
	var (
		out  = []string{}
		errs []LineError
		seen = map[string]bool{}
	)
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		origin, key, args := parseOrigin(line, allowHTTP)
		switch {
		case key != "":
			errs = append(errs, LineError{Line: i + 1, Text: line, Key: key, Args: args})
		case seen[origin]:
		case len(out) == MaxOrigins:
			errs = append(errs, LineError{Line: i + 1, Text: line, Key: "widget.err_too_many", Args: []any{MaxOrigins}})
		default:
			seen[origin] = true
			out = append(out, origin)
		}
	}
	if errs != nil {
		return nil, &OriginsError{Lines: errs}
	}
	return out, nil
}

// parseOrigin normalises one origin or says, as a catalogue key with its
// arguments, why it is not one.
func parseOrigin(s string, allowHTTP bool) (origin, key string, args []any) {
	switch {
	case len(s) > maxLineLength:
		return "", "widget.err_too_long", []any{maxLineLength}
	case strings.Contains(s, "*"):
		return "", "widget.err_wildcard", nil
	case !strings.Contains(s, "://"):
		return "", "widget.err_no_scheme", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "widget.err_invalid", nil
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "https" && scheme != "http":
		return "", "widget.err_scheme", nil
	case u.User != nil:
		return "", "widget.err_user", nil
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "":
		return "", "widget.err_path", []any{scheme + "://" + u.Host}
	case strings.HasPrefix(u.Host, "["):
		return "", "widget.err_ipv6", nil
	}
	host, ok := asciiHost(u.Hostname())
	if !ok {
		return "", "widget.err_host", nil
	}
	port, ok := normalPort(u.Port(), scheme, strings.HasSuffix(u.Host, ":"))
	if !ok {
		return "", "widget.err_port", nil
	}
	if scheme == "http" && !allowHTTP && host != "localhost" && host != "127.0.0.1" {
		return "", "widget.err_http", []any{"https://" + host + port}
	}
	return scheme + "://" + host + port, "", nil
}

// asciiHost is the host name in lower-case ASCII, international names in
// Punycode, if it is a valid DNS name or IPv4 address.
func asciiHost(h string) (string, bool) {
	a, err := idna.Lookup.ToASCII(h)
	if err != nil || a == "" || len(a) > 253 {
		return "", false
	}
	for _, label := range strings.Split(a, ".") {
		if !validLabel(label) {
			return "", false
		}
	}
	return a, true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, c := range []byte(l) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// normalPort is ":port", or "" for none and for the scheme's default;
// emptyColon is a host that ends in ":" with no port after it.
func normalPort(p, scheme string, emptyColon bool) (string, bool) {
	if p == "" {
		return "", !emptyColon
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 || p[0] == '0' {
		return "", false
	}
	if scheme == "https" && n == 443 || scheme == "http" && n == 80 {
		return "", true
	}
	return ":" + p, true
}
