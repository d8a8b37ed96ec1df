package certificate_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/certificate"
)

func jpegLogo() []byte {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 30, 10)), nil)
	return buf.Bytes()
}

func gifLogo() []byte {
	var buf bytes.Buffer
	_ = gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 10, 10), []color.Color{color.White}), nil)
	return buf.Bytes()
}

// hugePNG claims 20000 × 20000 pixels in a header with a correct
// checksum: a decompression bomb's opening.
func hugePNG() []byte {
	b := bytes.Clone(pngLogo())
	binary.BigEndian.PutUint32(b[16:], 20000)
	binary.BigEndian.PutUint32(b[20:], 20000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestSaveSettingsRefusesBadInputAndSavesNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	audit := auth.Entry{Actor: "test", Action: "event.certificate_settings", EventID: f.ev.ID}
	good := certificate.Input{Body: "Gilt als Fortbildung.", Hours: "6,5", SignerName: "Dr. Jürgen Weiß", SignerRole: "Vorstand", Logo: pngLogo()}
	if err := f.svc.SaveSettings(ctx, f.ev.ID, good, audit); err != nil {
		t.Fatalf("SaveSettings(good): %v", err)
	}
	saved, err := f.svc.Settings(ctx, f.ev.ID)
	if err != nil || saved.Hours == nil || *saved.Hours != 6.5 || saved.LogoType != "image/png" || saved.SignerName != "Dr. Jürgen Weiß" {
		t.Fatalf("Settings after a good save = %+v, %v", saved, err)
	}
	tests := []struct {
		name  string
		in    func(in *certificate.Input)
		field string
		key   string
	}{
		{"hours not a number", func(in *certificate.Input) { in.Hours = "sechs" }, "hours", "cert.err_hours"},
		{"hours zero", func(in *certificate.Input) { in.Hours = "0" }, "hours", "cert.err_hours"},
		{"hours above a day", func(in *certificate.Input) { in.Hours = "24,5" }, "hours", "cert.err_hours"},
		{"hours too precise", func(in *certificate.Input) { in.Hours = "6,125" }, "hours", "cert.err_hours"},
		{"unknown placeholder", func(in *certificate.Input) { in.Body = "Für {vorname} am {date}" }, "body", "cert.err_placeholder"},
		{"body too long", func(in *certificate.Input) { in.Body = strings.Repeat("ä", certificate.MaxBody+1) }, "body", "cert.err_body_long"},
		{"control character", func(in *certificate.Input) { in.Body = "Text\x00" }, "body", "err.control_char"},
		{"signer with a line break", func(in *certificate.Input) { in.SignerName = "Dr. Weiß\nVorstand" }, "signer_name", "err.line_break"},
		{"role too long", func(in *certificate.Input) { in.SignerRole = strings.Repeat("x", certificate.MaxSigner+1) }, "signer_role", "cert.err_signer_long"},
		{"logo empty", func(in *certificate.Input) { in.Logo = []byte{} }, "logo", "cert.err_logo_empty"},
		{"logo over 1 MiB", func(in *certificate.Input) { in.Logo = bytes.Repeat([]byte{0x89}, certificate.MaxLogoBytes+1) }, "logo", "cert.err_logo_large"},
		{"logo is a GIF", func(in *certificate.Input) { in.Logo = gifLogo() }, "logo", "cert.err_logo_type"},
		{"logo is text named .png", func(in *certificate.Input) { in.Logo = []byte("<svg>not an image</svg>") }, "logo", "cert.err_logo_type"},
		{"logo cut off", func(in *certificate.Input) { l := pngLogo(); in.Logo = l[:len(l)*2/3] }, "logo", "cert.err_logo_broken"},
		{"logo claims 20000 × 20000", func(in *certificate.Input) { in.Logo = hugePNG() }, "logo", "cert.err_logo_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := certificate.Input{Body: "Neuer Text", Hours: "5", SignerName: "Neu", SignerRole: "Neu", Logo: jpegLogo()}
			tt.in(&in)
			err := f.svc.SaveSettings(ctx, f.ev.ID, in, audit)
			var verr *certificate.ValidationError
			if !errors.As(err, &verr) || verr.Fields[tt.field] != tt.key {
				t.Fatalf("SaveSettings = %v, want %s: %s", err, tt.field, tt.key)
			}
			if got, _ := f.svc.Settings(ctx, f.ev.ID); !sameSettings(got, saved) {
				t.Errorf("a refused save changed the settings: %+v", got)
			}
		})
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'event.certificate_settings'`); n != 1 {
		t.Errorf("audit entries = %d, want 1 (the good save only)", n)
	}
}

func sameSettings(a, b certificate.Settings) bool {
	return a.Body == b.Body && *a.Hours == *b.Hours && a.SignerName == b.SignerName && a.SignerRole == b.SignerRole &&
		bytes.Equal(a.Logo, b.Logo) && a.LogoType == b.LogoType
}

func TestSaveSettingsLogoKeptReplacedRemoved(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	audit := auth.Entry{Actor: "test", Action: "event.certificate_settings", EventID: f.ev.ID}
	steps := []struct {
		name     string
		in       certificate.Input
		wantType string
	}{
		{"PNG uploaded", certificate.Input{Logo: pngLogo()}, "image/png"},
		{"no file: kept", certificate.Input{Body: "Text"}, "image/png"},
		{"JPEG replaces it", certificate.Input{Logo: jpegLogo()}, "image/jpeg"},
		{"removed", certificate.Input{RemoveLogo: true}, ""},
	}
	for _, s := range steps {
		if err := f.svc.SaveSettings(ctx, f.ev.ID, s.in, audit); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		st, err := f.svc.Settings(ctx, f.ev.ID)
		if err != nil || st.LogoType != s.wantType || (len(st.Logo) > 0) != (s.wantType != "") {
			t.Errorf("%s: logo type %q (%d bytes), %v; want %q", s.name, st.LogoType, len(st.Logo), err, s.wantType)
		}
		if st.Hours != nil {
			t.Errorf("%s: hours %v, want none (from the programme)", s.name, *st.Hours)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	for typed, want := range map[string]string{
		"7k2m-9qxh-4tpa": "7K2M9QXH4TPA", " 7K2M 9QXH 4TPA ": "7K2M9QXH4TPA", "7K2M-9QXH-4TPO": "7K2M9QXH4TP0",
		"7K2M-9QXH-4TPI": "7K2M9QXH4TP1", "7K2M-9QXH-4TP": "", "7K2M-9QXH-4TPU": "", "": "",
	} {
		got, ok := certificate.NormalizeCode(typed)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q", typed, got, ok, want)
		}
	}
}
