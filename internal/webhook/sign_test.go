package webhook_test

import (
	"net/http"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/fachtag/fachtag/internal/webhook"
)

// The signature must be what the official Standard Webhooks library
// computes and accepts; the secret and message are the specification's
// own example.
func TestSignMatchesStandardWebhooks(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	body := `{"test": 2432232314}`
	ts := int64(1614265330)
	got, err := webhook.Sign(secret, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want the specification's %s", got, want)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := wh.Sign(id, time.Unix(ts, 0), []byte(body))
	if err != nil || theirs != got {
		t.Errorf("library signs %s (%v), we sign %s", theirs, err, got)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", got)
	if err := wh.VerifyIgnoringTimestamp([]byte(body), h); err != nil {
		t.Errorf("library does not accept our signature: %v", err)
	}
	if _, err := webhook.Sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id, ts, body); err == nil {
		t.Error("Sign accepted a secret without whsec_")
	}
}
