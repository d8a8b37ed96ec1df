package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

// TestPasswordResetMail sends an account mail, which belongs to no event,
// through the real worker and checks that its secret link is erased once
// sent.
func TestPasswordResetMail(t *testing.T) {
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	const link = "https://fachtag.example/org/reset/SECRET"
	for _, lang := range []string{"de", "en"} {
		m := Message{Kind: KindPasswordReset, To: "orga-" + lang + "@example.org", Language: lang, Link: link}
		if err := Enqueue(context.Background(), pool, m); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	stop := start(newTestWorker(t, pool, sink, WorkerConfig{}))
	defer stop()
	got := sink.WaitFor(t, 2, 10*time.Second)
	subjects := map[string]string{"de": "Passwort zurücksetzen", "en": "Reset your password"}
	for _, r := range got {
		lang := strings.TrimSuffix(strings.TrimPrefix(r.To[0], "orga-"), "@example.org")
		if !strings.HasPrefix(r.Subject, subjects[lang]) || !strings.Contains(r.Text, link) || !strings.Contains(r.HTML, link) {
			t.Errorf("%s mail: subject %q, text %q", lang, r.Subject, r.Text)
		}
	}
	for _, row := range waitStatus(t, pool, "sent", 2, 5*time.Second) {
		if _, ok := row.Payload["link"]; ok {
			t.Errorf("row %d still holds the link after sending: %v", row.ID, row.Payload)
		}
	}
}
