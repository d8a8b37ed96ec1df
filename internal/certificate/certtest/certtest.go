// Package certtest reads the text of a certificate PDF for tests, with
// pdftotext from poppler-utils: a real PDF reader, not the writer's own
// idea of what it wrote. Without pdftotext the test is skipped, except
// under CI=true, where that is a failure (.ci/run installs it).
package certtest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Text returns the text of pdf as pdftotext reads it, in reading order.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext not found (apt-get install poppler-utils)")
	}
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return out.String()
}

// Squeeze drops all white space, so a text wrapped over lines can be
// compared with the text as written.
func Squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
