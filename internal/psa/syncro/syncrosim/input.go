package syncrosim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// errNotObject is the 422 message of a body that is not a JSON object,
// in Syncro's words (capitalised, as it shows them).
//
//lint:ignore ST1005 the message is shown to clients as Syncro words it
var errNotObject = errors.New("Request body is not a JSON object")

// body is a decoded JSON request body: present keys only, so a PUT can
// change just what it names.
type body map[string]json.RawMessage

// readBody decodes the request's JSON object; a body that is not one is
// an error message for a 422.
func readBody(r *http.Request) (body, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	b := body{}
	if len(raw) == 0 {
		return b, nil
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, errNotObject
	}
	return b, nil
}

func (b body) has(key string) bool {
	v, ok := b[key]
	return ok && string(v) != "null"
}

// str reads a string field; a number is taken as its text, as Rails does.
func (b body) str(key string) (string, bool) {
	v, ok := b[key]
	if !ok || string(v) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// id reads an integer field; a numeric string is accepted, as Rails
// casts it. ok false when absent; bad true when present but no integer.
func (b body) id(key string) (id int64, ok, bad bool) {
	s, ok := b.str(key)
	if !ok {
		return 0, b.has(key), b.has(key)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, true, true
	}
	return n, true, false
}
