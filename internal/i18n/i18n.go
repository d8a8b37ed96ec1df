// Package i18n is fachtag's one catalogue of the German and English texts
// it shows to people — pages, API errors, event-file problems and mails —
// and picks a language from a request. A test checks that every key the
// code and the templates use is here in both languages and that every key
// here is used.
package i18n

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Languages fachtag speaks; the first is the default.
var Languages = []string{"de", "en"}

// Normalize returns lang if supported, else German.
func Normalize(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "de"
}

// FromAcceptLanguage picks the first supported language of an
// Accept-Language header, German if none is.
func FromAcceptLanguage(header string) string {
	for _, part := range strings.Split(header, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		base := strings.SplitN(tag, "-", 2)[0]
		if base == "de" || base == "en" {
			return base
		}
	}
	return "de"
}

// T returns the text for key in lang, formatted with args. A missing key
// returns the key itself so a gap shows up instead of an empty string.
func T(lang, key string, args ...any) string {
	texts, ok := catalog[key]
	if !ok {
		return key
	}
	s := texts[0]
	if lang == "en" {
		s = texts[1]
	}
	if len(args) > 0 {
		return sprintf(s, args...)
	}
	return s
}

// LongDate writes t's day as readers of lang expect: "Donnerstag,
// 26. Juni 2025", "Thursday, 26 June 2025".
func LongDate(lang string, t time.Time) string {
	weekday := T(lang, fmt.Sprintf("date.weekday_%d", t.Weekday()))
	return T(lang, "date.long", weekday, t.Day(), Month(lang, t.Month()), t.Year())
}

// Month is the name of m in lang.
func Month(lang string, m time.Month) string { return T(lang, fmt.Sprintf("date.month_%d", m)) }

// TimeSpan writes the clock times from–to in lang ("09:30–16:00 Uhr").
func TimeSpan(lang string, from, to time.Time) string {
	return T(lang, "date.span", from.Format("15:04"), to.Format("15:04"))
}

// Namespaces are the first parts of the catalogue's keys ("org", "msg",
// …): a page showing a word like "org.something" shows a key nobody
// translated.
func Namespaces() []string {
	seen := map[string]bool{}
	var out []string
	for key := range catalog {
		ns, _, _ := strings.Cut(key, ".")
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}
