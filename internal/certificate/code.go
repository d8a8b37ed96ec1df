package certificate

import (
	"crypto/rand"
	"strings"
)

// A verification code is 12 characters of Crockford's base32 (digits and
// letters without I, L, O and U, so nothing is misread): 60 random bits,
// far beyond guessing at the verification page's rate limit. It is shown
// in groups of four (ABCD-EFGH-JKMN); typed, the groups, case and the
// look-alikes O/I/L are forgiven.
const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeLen      = 12
)

// newCode draws a fresh code.
func newCode() string {
	b := make([]byte, codeLen)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[b[i]&31] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// NormalizeCode turns what someone typed into the stored form; ok is
// false when it cannot be a code.
func NormalizeCode(s string) (string, bool) {
	s = strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(strings.ToUpper(strings.TrimSpace(s)))
	if len(s) != codeLen {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

// FormatCode groups a stored code for reading: ABCD-EFGH-JKMN.
func FormatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}
