package server

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/fachtag/fachtag/internal/booking"
)

// duplicateKeyError refuses a (valid) JSON body in which one object holds
// the same key twice, such as a slot chosen twice in "choices": the field
// is named by its path ("choices.r1"), and the answer is 422 like any
// other invalid field.
func duplicateKeyError(body []byte) error {
	path, dup, err := walkJSON(json.NewDecoder(bytes.NewReader(body)), "")
	if err != nil || !dup {
		return nil // the body has been decoded already: it is valid JSON
	}
	key := path
	if i := bytes.LastIndexByte([]byte(path), '.'); i >= 0 {
		key = path[i+1:]
	}
	return &booking.ValidationError{Fields: map[string]booking.FieldError{path: {Key: "json.duplicate_key", Args: []any{key}}}}
}

// walkJSON reads one value from dec and reports the path of the first key
// that appears twice in one object within it.
func walkJSON(dec *json.Decoder, path string) (string, bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return "", false, err
			}
			key, _ := t.(string)
			at := key
			if path != "" {
				at = path + "." + key
			}
			if seen[key] {
				return at, true, nil
			}
			seen[key] = true
			if p, dup, err := walkJSON(dec, at); dup || err != nil {
				return p, dup, err
			}
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if p, dup, err := walkJSON(dec, path+"["+strconv.Itoa(i)+"]"); dup || err != nil {
				return p, dup, err
			}
		}
	default:
		return "", false, nil
	}
	_, err = dec.Token() // the closing delimiter
	return "", false, err
}
