package server

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// The organiser's certificates page (/org/events/{slug}/certificates, in
// the Einrichten section): the text, logo, hours and signer of the
// event's certificates, a sample PDF, and the send with its confirmation.

type certForm struct {
	Body, Hours, SignerName, SignerRole string
}

type certView struct {
	Event        *event.Event
	Form         certForm
	Errors       map[string]string
	Notice       string
	HasLogo      bool
	DefaultHours string // what an empty hours field means
	Placeholders string
	Status       certificate.Status
	Started      bool   // the event has begun: sending is possible
	StartsAt     string // when it begins, for the hint before that
	Resend       bool   // the confirmation is for sending to everyone again
	Count        int    // the confirmation's number of mails
}

// orgCertSettings is the event of the URL and its certificate settings.
func (s *Server) orgCertSettings(r *http.Request) (*event.Event, certificate.Settings, error) {
	ev, err := s.orgEvent(r)
	if err != nil {
		return nil, certificate.Settings{}, err
	}
	st, err := s.certs.Settings(r.Context(), ev.ID)
	return ev, st, err
}

func (s *Server) certPage(w http.ResponseWriter, r *http.Request) error {
	ev, st, err := s.orgCertSettings(r)
	if err != nil {
		return err
	}
	v := certView{Event: ev, Form: formOfSettings(requestLang(r), st)}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Notice = i18n.T(requestLang(r), "cert.done_saved")
	case "sent":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		v.Notice = i18n.T(requestLang(r), "cert.done_sent", n)
	}
	return s.renderCerts(w, r, http.StatusOK, &v)
}

func formOfSettings(lang string, st certificate.Settings) certForm {
	f := certForm{Body: st.Body, SignerName: st.SignerName, SignerRole: st.SignerRole}
	if st.Hours != nil {
		f.Hours = certificate.FormatHours(lang, *st.Hours)
	}
	return f
}

// certSave stores the settings from the multipart form; a wrong field
// re-renders the form with the error next to it and saves nothing.
func (s *Server) certSave(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	in, err := readCertForm(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	err = s.certs.SaveSettings(r.Context(), ev.ID, in, a.Audit("event.certificate_settings", ev.ID, nil))
	var verr *certificate.ValidationError
	if errors.As(err, &verr) {
		v := certView{Event: ev, Form: certForm{Body: in.Body, Hours: in.Hours, SignerName: in.SignerName, SignerRole: in.SignerRole},
			Errors: map[string]string{}}
		for f, key := range verr.Fields {
			v.Errors[f] = i18n.T(requestLang(r), key)
		}
		return s.renderCerts(w, r, http.StatusUnprocessableEntity, &v)
	}
	if err != nil {
		return err
	}
	s.redirectCerts(w, r, ev, "done=saved")
	return nil
}

// maxCertBody bounds the whole form: the logo may be at most
// certificate.MaxLogoBytes, and a somewhat larger file is still read to
// its end (but kept only up to the limit) so the browser sees the answer
// that names the field instead of a broken upload.
const (
	maxCertBody  = 8 << 20
	maxCertField = 64 << 10
)

// readCertForm reads the multipart form part by part, holding at most
// MaxLogoBytes+1 bytes of the logo: never the whole body at once.
func readCertForm(w http.ResponseWriter, r *http.Request) (certificate.Input, error) {
	var in certificate.Input
	r.Body = http.MaxBytesReader(w, r.Body, maxCertBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, &formError{}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return in, nil
		}
		if err != nil {
			return in, bodyError(err)
		}
		if err := readCertPart(&in, part.FormName(), part.FileName(), part); err != nil {
			return in, bodyError(err)
		}
	}
}

func readCertPart(in *certificate.Input, name, filename string, part io.Reader) error {
	limit := int64(maxCertField)
	if name == "logo" {
		limit = certificate.MaxLogoBytes + 1
	}
	data, err := io.ReadAll(io.LimitReader(part, limit))
	if err == nil {
		_, err = io.Copy(io.Discard, part)
	}
	if err != nil {
		return err
	}
	value := string(data)
	switch name {
	case "logo":
		if filename != "" { // no file chosen: keep the logo
			in.Logo = data
		}
	case "body":
		in.Body = value
	case "hours":
		in.Hours = value
	case "signer_name":
		in.SignerName = value
	case "signer_role":
		in.SignerRole = value
	case "remove_logo":
		in.RemoveLogo = value != ""
	}
	return nil
}

// bodyError is a body beyond maxCertBody (413) or a broken one (400).
func bodyError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return errTooLarge
	}
	return &formError{}
}

func (s *Server) renderCerts(w http.ResponseWriter, r *http.Request, status int, v *certView) error {
	lang := requestLang(r)
	st, err := s.certs.Settings(r.Context(), v.Event.ID)
	if err != nil {
		return err
	}
	if v.Status, err = s.certs.Status(r.Context(), v.Event.ID); err != nil {
		return err
	}
	v.HasLogo = len(st.Logo) > 0
	v.DefaultHours = certificate.FormatHours(lang, certificate.DefaultHours(v.Event))
	v.Placeholders = strings.Join(certificate.Placeholders, ", ")
	v.Started = !time.Now().Before(v.Event.StartsAt)
	v.StartsAt = i18n.LongDate(lang, v.Event.StartsAt.In(v.Event.Location()))
	s.renderOrg(w, r, status, "org_certificates", i18n.T(lang, "cert.title"), v.Event, secSetup, v)
	return nil
}

func (s *Server) redirectCerts(w http.ResponseWriter, r *http.Request, ev *event.Event, query string) {
	http.Redirect(w, r, "/org/events/"+url.PathEscape(ev.Slug)+"/certificates?"+query+"&lang="+requestLang(r), http.StatusSeeOther)
}

// certPreview is a sample certificate with the saved settings.
func (s *Server) certPreview(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	pdf, err := s.certs.Preview(r.Context(), ev, requestLang(r), s.verifyLink)
	if err != nil {
		return err
	}
	return writePDF(w, "inline", i18n.T(requestLang(r), "mail.certificate.file"), pdf)
}

// certLogo shows the saved logo on the settings page.
func (s *Server) certLogo(w http.ResponseWriter, r *http.Request) error {
	_, st, err := s.orgCertSettings(r)
	if err != nil {
		return err
	}
	if len(st.Logo) == 0 {
		return errNotFound
	}
	w.Header().Set("Content-Type", st.LogoType)
	_, err = w.Write(st.Logo)
	return err
}

func writePDF(w http.ResponseWriter, disposition, filename string, pdf []byte) error {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", disposition+`; filename="`+filename+`"`)
	_, err := w.Write(pdf)
	return err
}

// certConfirm says how many mails a send would queue, counted from the
// rows the send uses, and asks to go ahead.
func (s *Server) certConfirm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	st, err := s.certs.Status(r.Context(), ev.ID)
	if err != nil {
		return err
	}
	v := certView{Event: ev, Status: st, Resend: r.URL.Query().Get("resend") == "1", Count: st.Due,
		Started: !time.Now().Before(ev.StartsAt)}
	if v.Resend {
		v.Count = st.CheckedIn
	}
	s.renderOrg(w, r, http.StatusOK, "org_certificates_send", i18n.T(requestLang(r), "cert.confirm_title"), ev, secSetup, v)
	return nil
}

// certSend issues and mails the certificates (audited in the same
// transaction).
func (s *Server) certSend(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	n, err := s.certs.Send(r.Context(), ev, r.PostForm.Get("resend") == "1", a.Audit("event.certificates_sent", ev.ID, nil))
	if err != nil {
		return err
	}
	s.redirectCerts(w, r, ev, "done=sent&n="+strconv.Itoa(n))
	return nil
}
