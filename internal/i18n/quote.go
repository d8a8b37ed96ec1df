package i18n

import (
	"fmt"
	"strings"
)

// Quotation marks. A text such as „%s“ quotes a title; a title that
// brings its own marks („Wir zusammen“ Netzwerktreffen) is shown as it is,
// since quoting it again doubles the marks („„Wir zusammen“ …“).
const (
	openingMarks = "„“‚‘\"«»›‹"
	closingMarks = "“”‘’\"»«‹›"
)

// hasQuotes reports whether s brings quotation marks of its own.
func hasQuotes(s string) bool { return strings.ContainsAny(s, openingMarks+closingMarks) }

// sprintf is fmt.Sprintf, except that a %s argument with quotation marks of
// its own loses the marks the format puts around it. The catalogue uses
// plain one-letter verbs only (%s, %d, %q).
func sprintf(format string, args ...any) string {
	parts := splitVerbs(format) // literal, verb, literal, verb, …, literal
	for k := 1; k < len(parts); k += 2 {
		n := k / 2
		if parts[k] != "%s" || n >= len(args) {
			continue
		}
		if s, ok := args[n].(string); ok && hasQuotes(s) {
			parts[k-1], parts[k+1] = dropMarks(parts[k-1], parts[k+1])
		}
	}
	return fmt.Sprintf(strings.Join(parts, ""), args...)
}

// splitVerbs splits a format into literals and verbs, alternating, starting
// and ending with a literal ("%%" stays inside its literal).
func splitVerbs(format string) []string {
	parts := []string{}
	start := 0
	for i := 0; i+1 < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if format[i+1] == '%' {
			i++
			continue
		}
		parts = append(parts, format[start:i], format[i:i+2])
		start = i + 2
		i++
	}
	return append(parts, format[start:])
}

// dropMarks removes an opening mark at the end of before and a closing mark
// at the start of after, but only both together.
func dropMarks(before, after string) (string, string) {
	for _, o := range openingMarks {
		head, ok := strings.CutSuffix(before, string(o))
		if !ok {
			continue
		}
		for _, c := range closingMarks {
			if tail, ok := strings.CutPrefix(after, string(c)); ok {
				return head, tail
			}
		}
	}
	return before, after
}
