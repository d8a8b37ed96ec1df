// Package i18n is fachtag's one catalogue of the German and English texts
// it shows to people — pages, API errors, event-file problems and mails —
// and picks a language from a request. A test checks that every key the
// code and the templates use is here in both languages and that every key
// here is used.
package i18n

import (
	"fmt"
	"strings"
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
		return fmt.Sprintf(s, args...)
	}
	return s
}
