package widget

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseOriginsNormalises(t *testing.T) {
	in := strings.Join([]string{
		"  https://www.Example.org/ ",
		"",
		"HTTPS://www.example.org:443",
		"https://anmeldung.example.org:8443",
		"http://localhost:8000",
		"http://127.0.0.1",
		"https://münchen.example",
		"https://www.example.org",
	}, "\n")
	got, err := ParseOrigins(in, false)
	if err != nil {
		t.Fatalf("ParseOrigins: %v", err)
	}
	want := []string{"https://www.example.org", "https://anmeldung.example.org:8443", "http://localhost:8000",
		"http://127.0.0.1", "https://xn--mnchen-3ya.example"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, err := ParseOrigins(" \n\n", false); err != nil || got == nil || len(got) != 0 {
		t.Errorf("blank list: got %q, %v; want an empty list", got, err)
	}
}

func TestParseOriginsRefusesWithTheLine(t *testing.T) {
	for _, tc := range []struct{ line, key string }{
		{"www.example.org", "widget.err_no_scheme"},
		{"ftp://example.org", "widget.err_scheme"},
		{"http://example.org", "widget.err_http"},
		{"https://example.org/anmeldung", "widget.err_path"},
		{"https://example.org/?a=1", "widget.err_path"},
		{"https://example.org#form", "widget.err_path"},
		{"https://*.example.org", "widget.err_wildcard"},
		{"https://user@example.org", "widget.err_user"},
		{"https://[::1]:8080", "widget.err_ipv6"},
		{"https://exa_mple.org", "widget.err_host"},
		{"https://-example.org", "widget.err_host"},
		{"https://example.org.", "widget.err_host"},
		{"https://example.org:0", "widget.err_port"},
		{"https://example.org:70000", "widget.err_port"},
		{"https://example.org:", "widget.err_port"},
		{"https://" + strings.Repeat("a", 300) + ".org", "widget.err_too_long"},
	} {
		_, err := ParseOrigins("https://ok.example.org\n"+tc.line, false)
		var oe *OriginsError
		if !errors.As(err, &oe) || len(oe.Lines) != 1 {
			t.Errorf("%q: got %v, want one line error", tc.line, err)
			continue
		}
		if l := oe.Lines[0]; l.Line != 2 || l.Key != tc.key || l.Text != tc.line {
			t.Errorf("%q: got line %d %q %s, want line 2 %s", tc.line, l.Line, l.Text, l.Key, tc.key)
		}
	}
}

func TestParseOriginsHTTPWhenAllowed(t *testing.T) {
	got, err := ParseOrigins("http://intranet.example:80", true)
	if err != nil || !slices.Equal(got, []string{"http://intranet.example"}) {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestParseOriginsAtMostMax(t *testing.T) {
	var lines []string
	for i := range MaxOrigins + 1 {
		lines = append(lines, "https://s"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))+".example")
	}
	_, err := ParseOrigins(strings.Join(lines, "\n"), false)
	var oe *OriginsError
	if !errors.As(err, &oe) || len(oe.Lines) != 1 || oe.Lines[0].Line != MaxOrigins+1 || oe.Lines[0].Key != "widget.err_too_many" {
		t.Errorf("got %v, want line %d refused as one too many", err, MaxOrigins+1)
	}
}
