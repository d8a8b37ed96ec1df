package certificate

import (
	"bytes"
	"image"
	"image/draw"
	_ "image/jpeg" // the JPEG decoder, found by image.Decode
	"image/png"
)

// MaxLogoBytes is the largest logo file accepted: 1 MiB.
const MaxLogoBytes = 1 << 20

// maxLogoPixels bounds the decoded size, so a small file that claims a
// huge picture is refused before it is decoded into memory.
const maxLogoPixels = 5000 * 5000

// checkLogo accepts a PNG or JPEG of at most MaxLogoBytes that decodes as
// a whole. It returns what to store and its type, or a catalogue key that
// says what is wrong. A PNG is stored re-encoded as plain 8-bit RGBA: the
// PDF writer reads neither interlaced nor 16-bit PNGs.
func checkLogo(data []byte) (stored []byte, typ, errKey string) {
	switch {
	case len(data) == 0:
		return nil, "", "cert.err_logo_empty"
	case len(data) > MaxLogoBytes:
		return nil, "", "cert.err_logo_large"
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, "", "cert.err_logo_type"
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > maxLogoPixels {
		return nil, "", "cert.err_logo_size"
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", "cert.err_logo_broken"
	}
	if format == "jpeg" {
		return data, "image/jpeg", ""
	}
	rgba := image.NewNRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, rgba); err != nil {
		return nil, "", "cert.err_logo_broken"
	}
	return buf.Bytes(), "image/png", ""
}
