package mail

import (
	"context"
	"fmt"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// KindCertificate is a participant's attendance certificate after the
// event, the PDF attached. The PDF is not in the outbox row: the worker
// draws it when it sends (WorkerConfig.CertificatePDF), from the
// certificate the row's registration holds.
const KindCertificate Kind = "certificate"

// File is an attachment of a rendered mail.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// RenderCertificate writes the certificate mail for m, without its PDF.
func RenderCertificate(m Message, ev *event.Event) (Rendered, error) {
	v := orgBase(m, ev)
	t := func(key string, args ...any) string { return i18n.T(v.Lang, key, args...) }
	v.Subject = oneLine(t("mail.certificate.subject", ev.Title))
	body := t("mail.certificate.body", ev.Title, formatterFor(v.Lang, ev.Location()).date(ev.StartsAt))
	v.Paragraphs = paragraphs(body)
	var html strings.Builder
	if err := orgHTML.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("render certificate mail: %w", err)
	}
	return Rendered{Subject: v.Subject, Text: orgText(v, body), HTML: html.String()}, nil
}

// attachCertificate adds the PDF of m's registration to r. Without a
// function to draw it the mail cannot go out at all.
func (w *Worker) attachCertificate(ctx context.Context, m Message, r *Rendered) error {
	if w.cfg.CertificatePDF == nil {
		return Permanent(fmt.Errorf("certificate mail: no CertificatePDF configured"))
	}
	pdf, err := w.cfg.CertificatePDF(ctx, m.RegistrationID)
	if err != nil {
		return fmt.Errorf("draw certificate: %w", err)
	}
	name := i18n.T(i18n.Normalize(m.Language), "mail.certificate.file")
	r.Files = append(r.Files, File{Name: name, ContentType: "application/pdf", Data: pdf})
	return nil
}
