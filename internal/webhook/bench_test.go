package webhook_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/webhook"
)

// BenchmarkQueue is what a sign-up spends in the service on its webhook
// statement: the payload encoded and queued on the pipelined batch. (In
// PostgreSQL the statement finds no endpoint in an index probe; see the
// README's webhooks section for its measured cost.)
func BenchmarkQueue(b *testing.B) {
	data := webhook.RegistrationData{Event: "stadt-land-flucht-2024", Registration: webhook.Registration{
		ID: "0b6f5c5e-3f3a-4a8e-9d7e-6a1c2b3d4e5f", Name: "Maria Beispiel", Email: "maria@example.org",
		Organisation: "Jobcenter Musterstadt", Role: "Beratung", Language: "de", Status: registration.Confirmed,
		Bookings: []registration.Booking{{Slot: "r1", Workshop: "A", Status: registration.Confirmed}}}}
	m := webhook.Message{Type: webhook.RegistrationCreated, EventID: 1, Data: data}
	b.ReportAllocs()
	for b.Loop() {
		batch := &pgx.Batch{}
		if err := webhook.Queue(batch, m); err != nil {
			b.Fatal(err)
		}
	}
}
