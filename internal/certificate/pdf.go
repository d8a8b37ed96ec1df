package certificate

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"rsc.io/qr"

	"github.com/fachtag/fachtag/internal/i18n"
)

// Document is everything one certificate shows, ready to draw.
type Document struct {
	Lang       string
	Name       string
	EventTitle string
	Date       string // the event's day, written out
	Place      string // venue and address
	Organiser  string
	Hours      float64
	Workshops  []string
	Body       string // the organiser's text, placeholders filled in
	SignerName string
	SignerRole string
	IssuedOn   string // the day it was issued, written out
	Code       string // stored form; printed grouped
	VerifyURL  string
	Logo       []byte
	LogoType   string
	Sample     bool // the organiser's preview: marked as not valid
}

// The Go fonts (BSD licence, golang.org/x/image) cover Latin-1 and Latin
// Extended-A, so umlauts, ß and names such as Łukasz or Şahin print as
// written; the PDF embeds only the glyphs it uses.
const font = "go"

// Page geometry in millimetres (A4 portrait).
const (
	pageW, margin   = 210.0, 25.0
	textW           = pageW - 2*margin
	logoW, logoH    = 50.0, 22.0
	nameMax, nameMn = 24.0, 14.0 // the name's font size: shrink, then wrap
)

// Render draws the certificate as a PDF. Characters the fonts lack print
// as a question mark (see printable).
func Render(d Document) ([]byte, error) {
	d = d.printable()
	t := func(key string, args ...any) string { return i18n.T(d.Lang, key, args...) }
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, 20, margin)
	p.SetAutoPageBreak(true, 28)
	p.AddUTF8FontFromBytes(font, "", goregular.TTF)
	p.AddUTF8FontFromBytes(font, "B", gobold.TTF)
	p.SetTitle(t("cert.pdf_title")+" – "+d.Name, true)
	p.SetCreator("fachtag", true)
	p.SetFooterFunc(func() { footer(p, d, t) })
	p.AddPage()
	header(p, d, t)
	body(p, d, t)
	signature(p, d, t)
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("draw certificate: %w", err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("write certificate: %w", err)
	}
	return buf.Bytes(), nil
}

// header: the organiser on the left, the logo on the right, and the
// sample mark on a preview.
func header(p *fpdf.Fpdf, d Document, t func(string, ...any) string) {
	p.SetFont(font, "", 10)
	p.SetTextColor(80, 80, 80)
	p.SetXY(margin, 20)
	p.MultiCell(textW-logoW-5, 5, d.Organiser, "", "L", false)
	if len(d.Logo) > 0 {
		drawLogo(p, d)
	}
	p.SetY(50)
	if d.Sample {
		p.SetTextColor(180, 0, 0)
		p.SetFont(font, "B", 11)
		p.MultiCell(textW, 6, t("cert.pdf_sample"), "", "C", false)
	}
	p.SetTextColor(0, 0, 0)
}

// drawLogo fits the logo into logoW × logoH at the top right, keeping
// its proportions.
func drawLogo(p *fpdf.Fpdf, d Document) {
	typ := map[string]string{"image/png": "PNG", "image/jpeg": "JPG"}[d.LogoType]
	info := p.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(d.Logo))
	if info == nil || p.Err() {
		return
	}
	w, h := info.Width(), info.Height()
	scale := min(logoW/w, logoH/h)
	w, h = w*scale, h*scale
	p.ImageOptions("logo", pageW-margin-w, 18, w, h, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
}

func body(p *fpdf.Fpdf, d Document, t func(string, ...any) string) {
	p.SetFont(font, "B", 26)
	p.MultiCell(textW, 13, t("cert.pdf_title"), "", "C", false)
	p.Ln(6)
	centred(p, 12, "", t("cert.pdf_certify"))
	p.Ln(2)
	drawName(p, d.Name)
	p.Ln(2)
	centred(p, 12, "", t("cert.pdf_event"))
	p.Ln(1)
	centred(p, 15, "B", d.EventTitle)
	p.Ln(1)
	if d.Place != "" {
		centred(p, 12, "", t("cert.pdf_when_where", d.Date, d.Place))
	} else {
		centred(p, 12, "", t("cert.pdf_when", d.Date))
	}
	p.Ln(4)
	hours := FormatHours(d.Lang, d.Hours)
	if d.Hours == 1 {
		centred(p, 12, "B", t("cert.pdf_hour", hours))
	} else {
		centred(p, 12, "B", t("cert.pdf_hours", hours))
	}
	if len(d.Workshops) > 0 {
		p.Ln(5)
		p.SetFont(font, "B", 11)
		p.MultiCell(textW, 6, t("cert.pdf_workshops"), "", "L", false)
		p.SetFont(font, "", 11)
		for _, w := range d.Workshops {
			p.MultiCell(textW, 5.5, "• "+w, "", "L", false)
		}
	}
	if d.Body != "" {
		p.Ln(5)
		p.SetFont(font, "", 11)
		for _, para := range strings.Split(d.Body, "\n\n") {
			p.MultiCell(textW, 5.5, strings.TrimSpace(para), "", "L", false)
			p.Ln(2)
		}
	}
}

// centred writes s centred over the text width, wrapping where needed.
func centred(p *fpdf.Fpdf, size float64, style, s string) {
	p.SetFont(font, style, size)
	p.MultiCell(textW, size*0.5, s, "", "C", false)
}

// drawName writes the name as large as fits on one line, down to nameMn
// points; a name longer still wraps at that size. It is never cut.
func drawName(p *fpdf.Fpdf, name string) {
	size := nameMax
	for ; size > nameMn; size-- {
		p.SetFont(font, "B", size)
		if p.GetStringWidth(name) <= textW {
			break
		}
	}
	centred(p, size, "B", name)
}

// signature: the issue date on the left, the line to sign on the right
// with the signer's name and role under it.
func signature(p *fpdf.Fpdf, d Document, t func(string, ...any) string) {
	p.Ln(18)
	if p.GetY() > 240 {
		p.AddPage()
		p.SetY(60)
	}
	y := p.GetY()
	col := textW/2 - 5
	p.SetFont(font, "", 11)
	p.SetXY(margin, y)
	p.MultiCell(col, 5.5, t("cert.pdf_issued", d.IssuedOn), "", "L", false)
	right := margin + textW - col
	p.SetDrawColor(0, 0, 0)
	p.Line(right, y+8, margin+textW, y+8)
	p.SetXY(right, y+10)
	who := d.SignerName
	if who == "" {
		who = d.Organiser
	}
	p.MultiCell(col, 5.5, who, "", "L", false)
	if d.SignerRole != "" {
		p.SetX(right)
		p.SetFont(font, "", 10)
		p.MultiCell(col, 5, d.SignerRole, "", "L", false)
	}
}

// footer: the code and where to check it, on every page, with the
// address as a QR code for a certificate on paper.
func footer(p *fpdf.Fpdf, d Document, t func(string, ...any) string) {
	p.SetY(-22)
	p.SetFont(font, "", 9)
	p.SetTextColor(60, 60, 60)
	p.MultiCell(textW-qrSize-4, 4.5, t("cert.pdf_code", FormatCode(d.Code)), "", "L", false)
	if d.VerifyURL != "" {
		p.MultiCell(textW-qrSize-4, 4.5, t("cert.pdf_verify", d.VerifyURL), "", "L", false)
		drawQR(p, d.VerifyURL)
	}
	p.SetTextColor(0, 0, 0)
}

// qrSize is the side of the verification QR code in millimetres.
const qrSize = 18.0

func drawQR(p *fpdf.Fpdf, url string) {
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		return // an address too long for a QR code is still printed as text
	}
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	p.RegisterImageOptionsReader("verify-qr", opts, bytes.NewReader(code.PNG()))
	p.ImageOptions("verify-qr", pageW-margin-qrSize, 297-8-qrSize, qrSize, qrSize, false, opts, 0, "")
}
