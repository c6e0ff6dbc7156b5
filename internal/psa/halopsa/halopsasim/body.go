package halopsasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// record is one element of an array body, keys lower-cased: Halo binds
// property names case-insensitively.
type record map[string]json.RawMessage

// readArray reads a POST body, which Halo takes as a JSON array of
// records.
func readArray(r *http.Request) ([]record, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, badf("could not read the request body")
	}
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		return nil, badf("The request body must be a JSON array of objects")
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, badf("The request body is not valid JSON: %v", err)
	}
	out := make([]record, len(raw))
	for i, m := range raw {
		out[i] = record{}
		for k, v := range m {
			out[i][strings.ToLower(k)] = v
		}
	}
	return out, nil
}

// has reports whether the record carries key (null counts as absent).
func (rc record) has(key string) bool {
	v, ok := rc[key]
	return ok && string(v) != "null"
}

func (rc record) int(key string) (int, bool, error) {
	if !rc.has(key) {
		return 0, false, nil
	}
	var f float64
	if err := json.Unmarshal(rc[key], &f); err != nil || f != float64(int(f)) {
		return 0, true, badf("Error converting value %s to type 'System.Int32'. Path '%s'", rc[key], key)
	}
	return int(f), true, nil
}

func (rc record) str(key string) (string, bool, error) {
	if !rc.has(key) {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(rc[key], &s); err != nil {
		return "", true, badf("Error converting value %s to type 'System.String'. Path '%s'", rc[key], key)
	}
	return s, true, nil
}

func (rc record) bool(key string) (bool, bool, error) {
	if !rc.has(key) {
		return false, false, nil
	}
	var b bool
	if err := json.Unmarshal(rc[key], &b); err != nil {
		return false, true, badf("Error converting value %s to type 'System.Boolean'. Path '%s'", rc[key], key)
	}
	return b, true, nil
}

func (rc record) num(key string) (float64, bool, error) {
	if !rc.has(key) {
		return 0, false, nil
	}
	var f float64
	if err := json.Unmarshal(rc[key], &f); err != nil {
		return 0, true, badf("Error converting value %s to type 'System.Double'. Path '%s'", rc[key], key)
	}
	return f, true, nil
}

// answerSaved answers one saved object, or an array for several.
func answerSaved[T any](w http.ResponseWriter, saved []T) {
	if len(saved) == 1 {
		writeJSON(w, http.StatusOK, saved[0])
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

// message is an error worded as Halo words it to API clients.
type message string

func (m message) Error() string { return string(m) }

// badf formats a Halo error message.
func badf(format string, a ...any) error { return message(fmt.Sprintf(format, a...)) }

// unmarshalRecords reads a nested array of records, keys lower-cased.
func unmarshalRecords(raw json.RawMessage, out *[]record) error {
	var maps []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &maps); err != nil {
		return badf("Error converting value to type 'List<InvoiceDetail>'. Path 'lines'")
	}
	for _, m := range maps {
		rc := record{}
		for k, v := range m {
			rc[strings.ToLower(k)] = v
		}
		*out = append(*out, rc)
	}
	return nil
}
