package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds a form body. It is far above what any field may
// hold, so an over-long field is answered by its own check (422, naming
// the field), and only a body no form produces is refused as too large.
const maxFormBytes = 1 << 20

// parseForm reads a form body of at most maxFormBytes into r.PostForm.
// Larger is errTooLarge (413); a body that is not proper URL encoding (a
// broken % escape) is a *formError (400) naming the field it is in.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errTooLarge
	case err != nil:
		return &formError{}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		if field, broken := brokenField(string(body)); broken {
			return &formError{field: field}
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		return &formError{}
	}
	return nil
}

// brokenField finds the first name=value pair of a URL-encoded body that
// does not decode and returns its name ("" when the name itself is
// broken).
func brokenField(body string) (string, bool) {
	for pair := range strings.SplitSeq(body, "&") {
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return "", true
		}
		if _, err := url.QueryUnescape(v); err != nil {
			return name, true
		}
	}
	return "", false
}
