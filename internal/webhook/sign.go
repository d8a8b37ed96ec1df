package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// secretPrefix starts every secret, as in the Standard Webhooks
// libraries; the rest is the base64 of the key.
const secretPrefix = "whsec_"

// newSecret makes a secret of 32 random bytes.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// signatures is the webhook-signature header of an attempt of j: the
// signature with the secret and, during a rotation's overlap, the one
// with the old secret, space-separated as the specification allows.
func signatures(j job, ts int64) (string, error) {
	sig, err := Sign(j.secret, j.msgID, ts, j.payload)
	if err != nil || j.oldSecret == "" {
		return sig, err
	}
	old, err := Sign(j.oldSecret, j.msgID, ts, j.payload)
	return sig + " " + old, err
}

// Sign is the webhook-signature header of one attempt: "v1," and the
// base64 of HMAC-SHA256 over "id.timestamp.body", keyed with the decoded
// secret.
func Sign(secret, msgID string, timestamp int64, body string) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || !strings.HasPrefix(secret, secretPrefix) {
		return "", errors.New("webhook secret is not whsec_ and base64")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + strconv.FormatInt(timestamp, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
