package certificate_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/certificate/certtest"
)

// longName is longer than a line at any font size the name may take: it
// must wrap, and every letter must still be there.
const longName = "Maximiliane Theodora Friederike Gräfin von Hohenzollern-Sigmaringen-Weißenfels und Großkückelhausen"

func sampleDocument(lang, name string) certificate.Document {
	return certificate.Document{Lang: lang, Name: name, EventTitle: "Fachtag „Übergänge gestalten“ – Straßensozialarbeit",
		Date: "26. Juni 2024", Place: "Bürgerhaus Süd, Große Straße 5, Köln", Organiser: "Netzwerk Öffentliche Beratung e. V.",
		Hours: 6.5, Workshops: []string{"Ausländerbehörde & Jobcenter: Schnittstellen", "Übersetzen in der Beratung"},
		Body:       "Die Ärztekammer erkennt die Veranstaltung mit 6 Fortbildungspunkten an.",
		SignerName: "Dr. Jürgen Weiß", SignerRole: "Geschäftsführung", IssuedOn: "27. Juni 2024",
		Code: "7K2M9QXH4TPA", VerifyURL: "https://fachtag.example/v/7K2M-9QXH-4TPA", Logo: pngLogo(), LogoType: "image/png"}
}

// pngLogo is a small real PNG with transparency.
func pngLogo() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.NRGBA{R: uint8(x * 6), G: 80, B: 160, A: uint8(100 + y*7)})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func TestRenderTextExtracts(t *testing.T) {
	tests := []struct {
		name, lang, person string
		want               []string
	}{
		{"German", "de", "Jörg Weißmüller-Ähnlich", []string{"Teilnahmebescheinigung", "Hiermit wird bestätigt, dass",
			"Jörg Weißmüller-Ähnlich", "Fachtag „Übergänge gestalten“ – Straßensozialarbeit", "am 26. Juni 2024 in Bürgerhaus Süd",
			"Umfang: 6,5 Zeitstunden", "Ausländerbehörde & Jobcenter: Schnittstellen", "Übersetzen in der Beratung",
			"Die Ärztekammer erkennt", "Dr. Jürgen Weiß", "Geschäftsführung", "Netzwerk Öffentliche Beratung e. V.",
			"Ausgestellt am 27. Juni 2024", "Prüfcode: 7K2M-9QXH-4TPA", "https://fachtag.example/v/7K2M-9QXH-4TPA"}},
		{"English", "en", "Łukasz Şahin", []string{"Certificate of attendance", "This is to certify that", "Łukasz Şahin",
			"attended the event", "Duration: 6.5 hours", "Workshops attended:", "Verification code: 7K2M-9QXH-4TPA"}},
		{"long name", "de", longName, []string{certtest.Squeeze(longName), "Umfang: 6,5 Zeitstunden"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := certificate.Render(sampleDocument(tt.lang, tt.person))
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
			}
			text := certtest.Text(t, pdf)
			flat, squeezed := strings.Join(strings.Fields(text), " "), certtest.Squeeze(text)
			for _, w := range tt.want {
				if !strings.Contains(flat, w) && !strings.Contains(squeezed, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "MUSTER") {
				t.Errorf("a real certificate is marked as a sample:\n%s", text)
			}
		})
	}
}

// A name with characters the fonts lack still gets its certificate:
// Cyrillic and Greek print, an accent the fonts lack is left off, an
// emoji or Chinese becomes "?".
func TestRenderUnprintableCharacters(t *testing.T) {
	pdf, err := certificate.Render(sampleDocument("de", "Ольга Νίκη 李 🎉 Nguyễn"))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if text := certtest.Text(t, pdf); !strings.Contains(text, "Ольга Νίκη ? ? Nguyen") {
		t.Errorf("name not as expected:\n%s", text)
	}
}

// The name shrinks before it wraps: a name that fits at a smaller size
// stays on one line.
func TestRenderNameShrinksToOneLine(t *testing.T) {
	name := "Anna-Lena Schmidt-Großmann-Überländer von Hohenstein"
	pdf, err := certificate.Render(sampleDocument("de", name))
	if err != nil {
		t.Fatal(err)
	}
	if text := certtest.Text(t, pdf); !strings.Contains(text, name+"\n") {
		t.Errorf("name %q not on one line:\n%s", name, text)
	}
}

func TestRenderSampleIsMarked(t *testing.T) {
	d := sampleDocument("de", "Erika Mustermann")
	d.Sample, d.Logo, d.LogoType = true, nil, ""
	pdf, err := certificate.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if text := certtest.Text(t, pdf); !strings.Contains(text, "MUSTER – diese Vorschau ist keine gültige Bescheinigung") {
		t.Errorf("preview not marked as a sample:\n%s", text)
	}
}
