package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	p := Params{Memory: 64, Time: 1, Threads: 1}
	h := hashPassword("richtig lang genug", p)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q: not a PHC argon2id string with the parameters", h)
	}
	if h == hashPassword("richtig lang genug", p) {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		password, encoded string
		want              bool
	}{
		{"richtig lang genug", h, true},
		{"falsch", h, false},
		{"richtig lang genug", strings.Replace(h, "m=64", "m=65", 1), false},
		{"richtig lang genug", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", false},
		{"richtig lang genug", "kaputt", false},
		{"richtig lang genug", "$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA", false},
	}
	for _, tt := range tests {
		if got := verifyPassword(tt.password, tt.encoded); got != tt.want {
			t.Errorf("verifyPassword(%q, %q) = %v, want %v", tt.password, tt.encoded, got, tt.want)
		}
	}
}

func TestDefaultParamsVerify(t *testing.T) {
	h := hashPassword("ein Passwort mit Umlauten: äöü", DefaultParams)
	if !verifyPassword("ein Passwort mit Umlauten: äöü", h) {
		t.Errorf("default parameters: the password does not verify")
	}
}

func TestOneTimePassword(t *testing.T) {
	a, b := OneTimePassword(), OneTimePassword()
	if a == b || len(a) < 26 || checkPassword(a) != nil {
		t.Errorf("one-time passwords %q, %q: want distinct, ≥26 characters, accepted by the policy", a, b)
	}
}
