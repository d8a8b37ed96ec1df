package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/mail"
)

// The participant's side of certificates: the download behind the
// personal link, and the public verification page of a code.

// certDownload is the participant's certificate, once issued.
func (s *Server) certDownload(w http.ResponseWriter, r *http.Request) error {
	reg, _, err := s.registration(r)
	if err != nil {
		return err
	}
	pdf, err := s.certs.PDF(r.Context(), reg.ID, s.verifyLink)
	if err != nil {
		return err
	}
	return writePDF(w, "attachment", i18n.T(reg.Language, "mail.certificate.file"), pdf)
}

// verifyLink is the address of a code's verification page.
func (s *Server) verifyLink(code string) string {
	return strings.TrimRight(s.opts.BaseURL, "/") + "/v/" + code
}

// MailCertificate gives the mail worker the PDF of a registration's
// certificate; one that no longer exists (deleted with the person's data)
// is a permanent failure of that mail.
func (s *Server) MailCertificate(ctx context.Context, registrationID string) ([]byte, error) {
	pdf, err := s.certs.PDF(ctx, registrationID, s.verifyLink)
	if errors.Is(err, certificate.ErrNotFound) {
		return nil, mail.Permanent(err)
	}
	return pdf, err
}

type verifyView struct {
	Valid    bool
	Verified certificate.Verified
}

// verifyPage answers a code with name, event and date, or, for every
// unknown or malformed code alike, one and the same "not known" page.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.certs.Verify(r.Context(), chi.URLParam(r, "code"))
	if errors.Is(err, certificate.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "verify", i18n.T(requestLang(r), "cert.verify_title"), verifyView{})
		return nil
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "verify", i18n.T(requestLang(r), "cert.verify_title"), verifyView{Valid: true, Verified: v})
	return nil
}
