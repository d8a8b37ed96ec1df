package i18n

// certificateTexts holds the texts of attendance certificates: the PDF,
// its mail, the organiser's page, the participant's download and the
// verification page.
var certificateTexts = map[string][2]string{
	"cert.pdf_title":      {"Teilnahmebescheinigung", "Certificate of attendance"},
	"cert.pdf_certify":    {"Hiermit wird bestätigt, dass", "This is to certify that"},
	"cert.pdf_event":      {"an der Veranstaltung", "attended the event"},
	"cert.pdf_when_where": {"am %s in %s teilgenommen hat.", "on %s at %s."},
	"cert.pdf_when":       {"am %s teilgenommen hat.", "on %s."},
	"cert.pdf_date":       {"%d. %s %d", "%d %s %d"},
	"cert.pdf_hours":      {"Umfang: %s Zeitstunden", "Duration: %s hours"},
	"cert.pdf_hour":       {"Umfang: %s Zeitstunde", "Duration: %s hour"},
	"cert.pdf_workshops":  {"Besuchte Workshops:", "Workshops attended:"},
	"cert.pdf_issued":     {"Ausgestellt am %s", "Issued on %s"},
	"cert.pdf_code":       {"Prüfcode: %s", "Verification code: %s"},
	"cert.pdf_verify":     {"Echtheit prüfen: %s", "Check that it is genuine: %s"},
	"cert.pdf_sample":     {"MUSTER – diese Vorschau ist keine gültige Bescheinigung", "SAMPLE – this preview is not a valid certificate"},

	"mail.certificate.subject": {"Ihre Teilnahmebescheinigung: %s", "Your certificate of attendance: %s"},
	"mail.certificate.body": {"vielen Dank für Ihre Teilnahme an „%s“ am %s. Im Anhang finden Sie Ihre Teilnahmebescheinigung als PDF.\n\nSie können die Bescheinigung auch jederzeit über Ihren persönlichen Link aus der Anmeldebestätigung herunterladen.",
		"thank you for attending “%s” on %s. Your certificate of attendance is attached as a PDF.\n\nYou can also download it at any time through the personal link in your registration confirmation."},
	"mail.certificate.file":  {"Teilnahmebescheinigung.pdf", "Certificate-of-attendance.pdf"},
	"lists.mail_certificate": {"Teilnahmebescheinigung", "Certificate of attendance"},

	"cert.err_body_long":   {"Bitte höchstens 2.000 Zeichen.", "Please use at most 2,000 characters."},
	"cert.err_placeholder": {"Unbekannter Platzhalter. Möglich sind {name}, {event}, {date} und {hours}.", "Unknown placeholder. You can use {name}, {event}, {date} and {hours}."},
	"cert.err_signer_long": {"Bitte höchstens 120 Zeichen.", "Please use at most 120 characters."},
	"cert.err_hours":       {"Bitte eine Stundenzahl über 0 und bis 24 mit höchstens zwei Nachkommastellen (z. B. 6 oder 6,5) oder leer lassen.", "Please give a number of hours above 0 and up to 24 with at most two decimals (e.g. 6 or 6.5), or leave it empty."},
	"cert.err_logo_empty":  {"Die Datei ist leer.", "The file is empty."},
	"cert.err_logo_large":  {"Das Logo ist größer als 1 MiB. Bitte eine kleinere Datei wählen.", "The logo is larger than 1 MiB. Please choose a smaller file."},
	"cert.err_logo_type":   {"Bitte ein Bild im Format PNG oder JPEG wählen.", "Please choose a PNG or JPEG image."},
	"cert.err_logo_size":   {"Das Bild hat zu viele Pixel (höchstens 5000 × 5000).", "The image has too many pixels (at most 5000 × 5000)."},
	"cert.err_logo_broken": {"Die Bilddatei ist beschädigt und lässt sich nicht lesen.", "The image file is damaged and cannot be read."},
}
