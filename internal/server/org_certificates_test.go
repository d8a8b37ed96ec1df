package server_test

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/certificate/certtest"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

const certPath = "/org/events/" + slugOpen + "/certificates"

// certForm posts the certificates form as multipart, the logo (if any)
// last, as a browser sends it.
func (of *orgFixture) certForm(fields map[string]string, logo []byte, cookie []string) reply {
	of.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("logo", "logo.png")
	_, _ = fw.Write(logo) // no bytes: no file chosen is an empty file name, see below
	_ = mw.Close()
	body := buf.Bytes()
	if logo == nil { // a browser sends an empty part without a file name
		body = bytes.Replace(body, []byte(`filename="logo.png"`), []byte(`filename=""`), 1)
	}
	return of.do(http.MethodPost, certPath, bytes.NewReader(body), append([]string{"Content-Type", mw.FormDataContentType()}, cookie...)...)
}

func testPNG(w, h int) []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

func TestCertificateSettingsPage(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	r := of.get("/org/events/"+slugOpen+"/setup/basics", cookie...)
	wantContains(t, "setup page", r, `href="`+certPath+`?lang=de"`)
	r = of.get(certPath, cookie...)
	wantStatus(t, "certificates page", r, http.StatusOK)
	wantContains(t, "certificates page", r, "Teilnahmebescheinigungen", "{name}, {event}, {date}, {hours}",
		"Leer lassen für 7 Stunden", "Versenden können Sie, sobald die Veranstaltung begonnen hat", `aria-current`)

	var gifLogo bytes.Buffer
	_ = gif.Encode(&gifLogo, image.NewGray(image.Rect(0, 0, 4, 4)), nil)
	fields := map[string]string{"body": "{name} erhält 6 Punkte.", "hours": "6,5", "signer_name": "Dr. Jürgen Weiß"}
	bad := []struct {
		name   string
		fields map[string]string
		logo   []byte
		want   string
	}{
		{"GIF logo", fields, gifLogo.Bytes(), "Bitte ein Bild im Format PNG oder JPEG wählen."},
		{"logo over 1 MiB", fields, append(testPNG(10, 10), make([]byte, 1<<20)...), "Das Logo ist größer als 1 MiB."},
		{"bad hours", map[string]string{"hours": "viele"}, nil, "Bitte eine Stundenzahl"},
		{"unknown placeholder", map[string]string{"body": "für {vorname}"}, testPNG(10, 10), "Unbekannter Platzhalter."},
	}
	for _, tt := range bad {
		r := of.certForm(tt.fields, tt.logo, cookie)
		wantStatus(t, tt.name, r, http.StatusUnprocessableEntity)
		wantContains(t, tt.name, r, tt.want, `aria-invalid="true"`, "Gespeichert wurde nichts.")
	}
	if n := of.column(`SELECT event_id::text FROM certificate_settings`); len(n) != 0 {
		t.Errorf("refused saves left settings for events %v", n)
	}
	huge := make([]byte, 9<<20)
	wantStatus(t, "body beyond 8 MiB", of.certForm(fields, huge, cookie), http.StatusRequestEntityTooLarge)

	r = of.certForm(fields, testPNG(60, 20), cookie)
	wantStatus(t, "save", r, http.StatusSeeOther)
	r = of.get(r.header.Get("Location"), cookie...)
	wantContains(t, "after save", r, "Gespeichert.", "{name} erhält 6 Punkte.", `value="6,5"`, "Dr. Jürgen Weiß", certPath+"/logo")
	r = of.get(certPath+"/logo", cookie...)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
		t.Errorf("logo: %d %s, want a PNG", r.status, r.header.Get("Content-Type"))
	}
	r = of.get(certPath+"/preview.pdf", cookie...)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("preview: %d %s", r.status, r.header.Get("Content-Type"))
	}
	text := certtest.Text(t, r.body)
	for _, want := range []string{"MUSTER", "Erika Mustermann erhält 6 Punkte.", "Umfang: 6,5 Zeitstunden", "Dr. Jürgen Weiß"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	wantStatus(t, "another organiser's event", of.get(certPath, of.login("orgB")...), http.StatusNotFound)
	wantStatus(t, "check-in account", of.get(certPath, of.login("checkin")...), http.StatusForbidden)
}

// The whole way: check-in, send with confirmation, the mail with its PDF
// (read back by pdftotext), the download on the personal page, and the
// verification page.
func TestCertificatesSentMailedDownloadedVerified(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	sink := of.startMail()
	long := "Maximiliane Theodora Friederike Gräfin von Hohenzollern-Sigmaringen-Weißenfels und Großkückelhausen"
	here := of.register(map[string]any{"name": long, "email": "max@example.org",
		"consents": map[string]any{"privacy": true}, "choices": map[string]string{"r1": "B1", "r2": "C2"}})
	away := of.register(of.person(map[string]string{"r1": "B1"}))
	wantStatus(t, "check in", of.postForm("/org/events/"+slugOpen+"/checkin/"+here.ID, url.Values{"action": {"in"}}, cookie...), http.StatusSeeOther)
	of.drainOutbox(sink)

	wantContains(t, "before the event", of.get(certPath+"/send", cookie...), "Bescheinigungen gibt es erst, wenn die Veranstaltung begonnen hat.")
	wantStatus(t, "send before the event", of.postForm(certPath+"/send", url.Values{}, cookie...), http.StatusConflict)
	if _, err := of.pool.Exec(context.Background(), `UPDATE events SET starts_at = now() - interval '2 hours',
		ends_at = now() + interval '5 hours' WHERE slug = $1`, slugOpen); err != nil {
		t.Fatal(err)
	}
	wantContains(t, "page after the start", of.get(certPath, cookie...), "Eingecheckt: 1. Bescheinigung verschickt: 0.", "Noch ohne Bescheinigung: 1", "Bescheinigungen versenden")
	wantContains(t, "confirmation", of.get(certPath+"/send", cookie...), "Empfänger: 1 – alle Eingecheckten, die noch keine", "Ja, jetzt versenden (1)")
	r := of.postForm(certPath+"/send", url.Values{}, cookie...)
	wantStatus(t, "send", r, http.StatusSeeOther)
	wantContains(t, "after the send", of.get(r.header.Get("Location"), cookie...), "Bescheinigungen werden jetzt versendet: 1.")
	wantStatus(t, "second send", of.postForm(certPath+"/send", url.Values{}, cookie...), http.StatusConflict)

	code := of.column(`SELECT code FROM certificates WHERE registration_id = $1`, here.ID)
	if len(code) != 1 {
		t.Fatalf("certificates of the checked-in person: %v", code)
	}
	grouped := code[0][:4] + "-" + code[0][4:8] + "-" + code[0][8:]
	var msgs []mailtest.Received
	for _, m := range of.drainOutbox(sink) {
		if strings.HasPrefix(m.Subject, "Ihre Teilnahmebescheinigung") {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) != 1 || msgs[0].Subject != "Ihre Teilnahmebescheinigung: Fachtag Teilhabe" || msgs[0].To[0] != "max@example.org" {
		t.Fatalf("certificate mails: %v", subjects(msgs))
	}
	pdf := attachment(t, msgs[0], "application/pdf")
	text := certtest.Text(t, pdf)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Teilnahmebescheinigung", "Ausbildung und Betrieb", "Kommunen als Akteure",
		"Umfang: 7 Zeitstunden", "Prüfcode: " + grouped, of.url + "/v/" + grouped, "Netzwerk Teilhabe"} {
		if !strings.Contains(flat, want) {
			t.Errorf("mailed PDF lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(certtest.Squeeze(text), certtest.Squeeze(long)) {
		t.Errorf("mailed PDF lacks the whole long name:\n%s", text)
	}

	wantContains(t, "personal page", of.get("/r/"+here.Token), "Bescheinigung herunterladen (PDF)", "/r/"+here.Token+"/certificate.pdf")
	if r := of.get("/r/" + away.Token); strings.Contains(string(r.body), "certificate.pdf") {
		t.Error("the personal page of someone not checked in offers a certificate")
	}
	r = of.get("/r/" + here.Token + "/certificate.pdf")
	if r.status != http.StatusOK || !strings.Contains(certtest.Text(t, r.body), "Prüfcode: "+grouped) {
		t.Errorf("download: %d", r.status)
	}
	wantStatus(t, "download without certificate", of.get("/r/"+away.Token+"/certificate.pdf"), http.StatusNotFound)

	r = of.get("/v/" + strings.ToLower(grouped))
	wantStatus(t, "verify", r, http.StatusOK)
	wantContains(t, "verify", r, "Gültig", long, "Fachtag Teilhabe")
	unknown, malformed := of.get("/v/ABCD-EFGH-JKMN"), of.get("/v/hallo")
	wantStatus(t, "unknown code", unknown, http.StatusNotFound)
	wantStatus(t, "malformed code", malformed, http.StatusNotFound)
	// The pages differ only in the path of their own address (the language switch).
	same := bytes.ReplaceAll(malformed.body, []byte("/v/hallo"), []byte("/v/ABCD-EFGH-JKMN"))
	if !bytes.Equal(unknown.body, same) || strings.Contains(string(unknown.body), "Maximiliane") {
		t.Error("unknown and malformed codes are answered differently, or with a name")
	}
}

func attachment(t *testing.T, m mailtest.Received, contentType string) []byte {
	t.Helper()
	for _, a := range m.Attachments {
		if strings.HasPrefix(a.ContentType, contentType) {
			return a.Data
		}
	}
	t.Fatalf("no %s attachment in %+v", contentType, m.Attachments)
	return nil
}

// Codes cannot be tried faster than the rate limit, and checking codes
// does not use up the sign-up budget of the same address.
func TestVerifyIsRateLimited(t *testing.T) {
	f := newFixture(t, fixtureOpts{rateLimit: 3})
	for i := range 3 {
		wantStatus(t, "guess", f.get("/v/ABCD-EFGH-JKM"+string(rune('0'+i))), http.StatusNotFound)
	}
	wantStatus(t, "guess over the limit", f.get("/v/ABCD-EFGH-JKMZ"), http.StatusTooManyRequests)
	r := f.postJSON(regPath(slugOpen), f.person(map[string]string{"r1": "B1"}))
	wantStatus(t, "sign-up after the guesses", r, http.StatusCreated)
}
