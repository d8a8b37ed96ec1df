package certificate

import (
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// missingGlyph stands in for a character the fonts cannot draw.
const missingGlyph = '?'

// faces are the two fonts the PDF embeds, parsed once to ask which
// characters they hold.
var faces = sync.OnceValue(func() []*sfnt.Font {
	var out []*sfnt.Font
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			panic("certificate: embedded Go font does not parse: " + err.Error())
		}
		out = append(out, f)
	}
	return out
})

// printable replaces every character the fonts cannot draw: a letter
// with an accent they lack by its base letter (Vietnamese "ễ" as "e"),
// anything else (an emoji in a name, say, or a script the Go fonts lack)
// by missingGlyph. The PDF writer refuses some such characters outright,
// and the others would print as nothing. Tabs become spaces.
func printable(s string) string {
	var buf sfnt.Buffer
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case drawable(&buf, r):
			return r
		}
		if base := []rune(norm.NFD.String(string(r)))[0]; base != r && drawable(&buf, base) {
			return base
		}
		return missingGlyph
	}, s)
}

// drawable reports whether both fonts hold a glyph for r.
func drawable(buf *sfnt.Buffer, r rune) bool {
	for _, f := range faces() {
		if i, err := f.GlyphIndex(buf, r); err != nil || i == 0 {
			return false
		}
	}
	return true
}

// printable is d with every text made printable.
func (d Document) printable() Document {
	for _, s := range []*string{&d.Name, &d.EventTitle, &d.Date, &d.Place, &d.Organiser, &d.Body,
		&d.SignerName, &d.SignerRole, &d.IssuedOn, &d.VerifyURL} {
		*s = printable(*s)
	}
	ws := make([]string, len(d.Workshops))
	for i, w := range d.Workshops {
		ws[i] = printable(w)
	}
	d.Workshops = ws
	return d
}
