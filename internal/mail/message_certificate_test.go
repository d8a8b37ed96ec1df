package mail

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

func TestRenderCertificate(t *testing.T) {
	ev := testEvent(t)
	for lang, want := range map[string][]string{
		"de": {"Ihre Teilnahmebescheinigung: Stadt – Land – Flucht", "Guten Tag Erika Mustermann,", "„Stadt – Land – Flucht“ am Donnerstag, 26. Juni 2025", "Im Anhang", "Netzwerk BLEIBdran+"},
		"en": {"Your certificate of attendance: Stadt – Land – Flucht", "Hello Erika Mustermann,", "is attached as a PDF"},
	} {
		r, err := RenderCertificate(testMessage(KindCertificate, lang), ev)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		all := r.Subject + "\n" + r.Text
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: mail lacks %q:\n%s", lang, w, all)
			}
		}
		if r.ICS != nil || !strings.Contains(r.HTML, "<p>") {
			t.Errorf("%s: calendar %v or no HTML paragraphs", lang, r.ICS != nil)
		}
	}
}

// The worker draws the PDF when it sends; a registration without a
// certificate (deleted since) fails that mail for good.
func TestWorkerAttachesCertificate(t *testing.T) {
	pool := dbtest.NewChecked(t)
	eventID := importEvent(t, pool)
	sink := mailtest.Start(t)
	pdf := []byte("%PDF-1.7 certificate of a")
	for _, to := range []string{"a@example.org", "gone@example.org"} {
		m := Message{Kind: KindCertificate, EventID: eventID, To: to, Name: "Person", Language: "de", Bookings: []Booking{}}
		if err := Enqueue(context.Background(), pool, m); err != nil {
			t.Fatal(err)
		}
	}
	var calls int
	draw := func(_ context.Context, id string) ([]byte, error) {
		calls++
		if calls == 1 {
			return pdf, nil
		}
		return nil, Permanent(errors.New("certificate not found"))
	}
	stop := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 1, CertificatePDF: draw}))
	defer stop()
	waitStatus(t, pool, "sent", 1, 30*time.Second)
	if got := statusCounts(waitStatus(t, pool, "failed", 1, 30*time.Second)); got["sent"] != 1 || got["failed"] != 1 {
		t.Fatalf("outbox %v, want one sent, one failed", got)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 {
		t.Fatalf("mails %+v, want one with one attachment", msgs)
	}
	a := msgs[0].Attachments[0]
	if a.Filename != "Teilnahmebescheinigung.pdf" || !strings.HasPrefix(a.ContentType, "application/pdf") || !bytes.Equal(a.Data, pdf) {
		t.Errorf("attachment %s %s %q, want Teilnahmebescheinigung.pdf, application/pdf, the PDF", a.Filename, a.ContentType, a.Data)
	}
}
