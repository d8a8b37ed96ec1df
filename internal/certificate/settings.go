package certificate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// Settings are an event's own parts of its certificates.
type Settings struct {
	Body       string   // the organiser's paragraph; may use the placeholders
	Hours      *float64 // the certified hours; nil: from the event's times and breaks
	SignerName string   // printed under the signature line
	SignerRole string
	Logo       []byte // PNG or JPEG; nil for none
	LogoType   string // "image/png" or "image/jpeg"; "" for none
}

// Placeholders the organiser's text may use; the page lists them.
const (
	PlaceholderName  = "{name}"
	PlaceholderEvent = "{event}"
	PlaceholderDate  = "{date}"
	PlaceholderHours = "{hours}"
)

// Placeholders lists them in the order the page shows them.
var Placeholders = []string{PlaceholderName, PlaceholderEvent, PlaceholderDate, PlaceholderHours}

// Limits of the settings.
const (
	MaxBody     = 2000
	MaxSigner   = 120
	MaxHours    = 24
	hoursDigits = 2 // decimal places a number of hours may have
)

// Input is the settings form as typed. Logo is a new upload (nil keeps
// the current one); a caller reads at most MaxLogoBytes+1 bytes of it, so
// a larger file is still recognised as too large.
type Input struct {
	Body, Hours, SignerName, SignerRole string
	Logo                                []byte
	RemoveLogo                          bool
}

var placeholderRE = regexp.MustCompile(`\{[^{}\s]{1,30}\}`)

// settings validates in; every wrong field is named at once.
func (in Input) settings() (Settings, error) {
	fields := map[string]string{}
	st := Settings{Body: strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n")),
		SignerName: strings.TrimSpace(in.SignerName), SignerRole: strings.TrimSpace(in.SignerRole)}
	switch {
	case utf8.RuneCountInString(st.Body) > MaxBody:
		fields["body"] = "cert.err_body_long"
	case hasControl(st.Body, "\n\t"):
		fields["body"] = "err.control_char"
	case unknownPlaceholder(st.Body) != "":
		fields["body"] = "cert.err_placeholder"
	}
	for field, v := range map[string]string{"signer_name": st.SignerName, "signer_role": st.SignerRole} {
		switch {
		case utf8.RuneCountInString(v) > MaxSigner:
			fields[field] = "cert.err_signer_long"
		case hasControl(v, ""):
			fields[field] = "err.line_break"
		}
	}
	if h, ok := parseHours(in.Hours); !ok {
		fields["hours"] = "cert.err_hours"
	} else {
		st.Hours = h
	}
	if in.Logo != nil && !in.RemoveLogo {
		logo, typ, key := checkLogo(in.Logo)
		if key != "" {
			fields["logo"] = key
		}
		st.Logo, st.LogoType = logo, typ
	}
	if len(fields) > 0 {
		return Settings{}, &ValidationError{Fields: fields}
	}
	return st, nil
}

// unknownPlaceholder is the first {word} of body that is no placeholder.
func unknownPlaceholder(body string) string {
	for _, p := range placeholderRE.FindAllString(body, -1) {
		known := false
		for _, k := range Placeholders {
			known = known || p == k
		}
		if !known {
			return p
		}
	}
	return ""
}

func hasControl(s, allowed string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !strings.ContainsRune(allowed, r)
	}) >= 0
}

// parseHours reads "6", "6,5" or "6.5"; "" is nil (from the programme).
func parseHours(raw string) (*float64, bool) {
	raw = strings.ReplaceAll(strings.TrimSpace(raw), ",", ".")
	if raw == "" {
		return nil, true
	}
	if _, frac, ok := strings.Cut(raw, "."); ok && len(frac) > hoursDigits {
		return nil, false
	}
	h, err := strconv.ParseFloat(raw, 64)
	if err != nil || !(h > 0 && h <= MaxHours) {
		return nil, false
	}
	return &h, true
}

// logoChange says what a save did to the logo, for the audit entry.
func logoChange(in Input) string {
	switch {
	case in.RemoveLogo:
		return "removed"
	case in.Logo != nil:
		return "uploaded"
	}
	return "kept"
}

const selectSettings = `
SELECT body, hours::float8, signer_name, signer_role, logo, logo_type
FROM certificate_settings WHERE event_id = $1`

// LoadSettings reads the event's settings; none saved is the zero value.
func LoadSettings(ctx context.Context, q db.Conn, eventID int64) (Settings, error) {
	var st Settings
	err := q.QueryRow(ctx, selectSettings, eventID).Scan(&st.Body, &st.Hours, &st.SignerName, &st.SignerRole, &st.Logo, &st.LogoType)
	if errors.Is(err, pgx.ErrNoRows) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("load certificate settings: %w", err)
	}
	return st, nil
}

// The logo is replaced only by an upload ($6 not null) and removed only
// on request ($8); otherwise it stays.
const upsertSettings = `
INSERT INTO certificate_settings (event_id, body, hours, signer_name, signer_role, logo, logo_type)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (event_id) DO UPDATE SET
    body = EXCLUDED.body, hours = EXCLUDED.hours,
    signer_name = EXCLUDED.signer_name, signer_role = EXCLUDED.signer_role,
    logo = CASE WHEN $8 THEN NULL ELSE coalesce(EXCLUDED.logo, certificate_settings.logo) END,
    logo_type = CASE WHEN $8 THEN '' WHEN EXCLUDED.logo IS NOT NULL THEN EXCLUDED.logo_type
                     ELSE certificate_settings.logo_type END,
    updated_at = now()`

func saveSettings(ctx context.Context, tx pgx.Tx, eventID int64, st Settings, removeLogo bool) error {
	_, err := tx.Exec(ctx, upsertSettings, eventID, st.Body, st.Hours, st.SignerName, st.SignerRole, st.Logo, st.LogoType, removeLogo)
	if err != nil {
		return fmt.Errorf("save certificate settings: %w", err)
	}
	return nil
}
