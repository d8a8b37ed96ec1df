package certificate_test

import (
	"context"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// BenchmarkRender draws one certificate with a logo: the work the mail
// worker does per certificate mail, and a download.
func BenchmarkRender(b *testing.B) {
	d := sampleDocument("de", longName)
	var size int
	for b.Loop() {
		pdf, err := certificate.Render(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

// BenchmarkSend1000 issues and queues the certificates of 1,000
// checked-in participants in one send (the transaction the organiser's
// click runs).
func BenchmarkSend1000(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		// Registrations written straight into the table hold no seats
		// or mails, which the checked database would refuse at the end.
		pool, _ := dbtest.New(b)
		f := setupOn(b, pool)
		f.exec(b, `INSERT INTO registrations (event_id, name, email, consent_privacy, status, checked_in_at)
			SELECT $1, 'Teilnehmerin ' || i, 'p' || i || '@example.org', now(), 'confirmed', now()
			FROM generate_series(1, 1000) i`, f.ev.ID)
		b.StartTimer()
		n, err := f.svc.Send(context.Background(), f.ev, false, auth.Entry{Actor: "bench", Action: "event.certificates_sent", EventID: f.ev.ID})
		if err != nil || n != 1002 {
			b.Fatalf("Send = %d, %v", n, err)
		}
	}
}
