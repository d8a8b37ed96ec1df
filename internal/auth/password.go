package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams follow the OWASP recommendation for argon2id
// (19 MiB, 2 iterations, 1 lane): about 20–40 ms on one core.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// MinPasswordLength is the shortest password accepted when setting one.
const MinPasswordLength = 10

const saltLen, keyLen = 16, 32

// hashPassword returns the PHC string of password with a fresh salt, so
// the parameters travel with the hash and can be raised later.
func hashPassword(password string, p Params) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verifyPassword reports whether password matches the PHC string.
func verifyPassword(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var p Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// OneTimePassword is a random password to hand out once: 26 base32
// characters, 128 random bits.
func OneTimePassword() string { return rand.Text() }

// checkPassword is the policy for a new password: length only, as NIST
// SP 800-63B advises; no composition rules.
func checkPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return ErrWeakPassword
	}
	return nil
}
