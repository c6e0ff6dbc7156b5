package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"
)

// MaxBatch is the most alerts one request body may carry. It bounds the
// work of one ingest transaction; senders with more split their batches.
const MaxBatch = 1000

// Decode parses a request body holding one alert object, a JSON array of
// them, or NDJSON (one object per line; blank lines ignored). The first
// non-space byte decides: '[' is an array; '{' is one object, or NDJSON
// when more than one top-level value follows. Every problem in the body is
// returned at once as a *ValidationError; valid alerts are normalized.
//
// Each object is decoded field by field from a map of raw values, so a
// wrong type in one field does not hide the problems of the others. Field
// names match exactly (no case folding) and unknown fields are ignored.
func Decode(body []byte) ([]Alert, error) {
	raws, errs := splitBody(body)
	alerts := make([]Alert, 0, len(raws))
	for i, raw := range raws {
		if raw == nil {
			continue // a syntax error already reported for this entry
		}
		a, fe := decodeAlert(raw)
		for _, e := range fe {
			e.Index = i
			errs = append(errs, e)
		}
		if len(fe) == 0 {
			a.Normalize()
			alerts = append(alerts, a)
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Index < errs[j].Index })
		return nil, &ValidationError{Fields: errs}
	}
	return alerts, nil
}

// splitBody cuts the body into one raw value per alert. A nil entry stands
// for an NDJSON line that did not parse (its error is in the list).
func splitBody(body []byte) ([]json.RawMessage, []FieldError) {
	if !utf8.Valid(body) {
		return nil, bodyError(0, fmt.Sprintf("invalid UTF-8 at byte %d", firstInvalidUTF8(body)))
	}
	start := skipSpace(body, 0)
	if bytes.HasPrefix(body[start:], []byte("\uFEFF")) {
		// A byte order mark is noise some tools add; tolerate it.
		start = skipSpace(body, start+3)
	}
	if start == len(body) {
		return nil, bodyError(0, "empty body: send an alert object, an array of them, or NDJSON")
	}
	switch body[start] {
	case '[':
		return splitArray(body, start)
	case '{':
		return splitStream(body, start)
	default:
		return nil, bodyError(0, "must be a JSON object, an array of objects, or NDJSON (one object per line)")
	}
}

func splitArray(body []byte, start int) ([]json.RawMessage, []FieldError) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body[start:], &raws); err != nil {
		return nil, bodyError(0, syntaxReason(body, start, err))
	}
	switch {
	case len(raws) == 0:
		return nil, bodyError(0, "empty array: send at least one alert")
	case len(raws) > MaxBatch:
		return nil, bodyError(0, fmt.Sprintf("too many alerts: %d, at most %d per request", len(raws), MaxBatch))
	}
	return raws, nil
}

// splitStream reads top-level values one after another: one value is a
// single alert, several are NDJSON. When the stream does not parse and the
// body looks like NDJSON, each line is parsed on its own so that every bad
// line is reported, not only the first.
func splitStream(body []byte, start int) ([]json.RawMessage, []FieldError) {
	dec := json.NewDecoder(bytes.NewReader(body[start:]))
	var raws []json.RawMessage
	for {
		base := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return raws, nil
		}
		if err != nil {
			if lines := ndjsonLines(body); len(lines) > 1 {
				return splitLines(body, lines)
			}
			return nil, bodyError(len(raws), syntaxReason(body, start+int(base), err))
		}
		if len(raws) == MaxBatch {
			return nil, bodyError(0, fmt.Sprintf("too many alerts: more than %d per request", MaxBatch))
		}
		raws = append(raws, raw)
	}
}

// line is one non-blank line of a body: its bytes and where it starts.
type line struct {
	start, end int
}

// ndjsonLines returns the non-blank lines of body when every one of them
// starts with '{' (so it reads as NDJSON), and nil otherwise.
func ndjsonLines(body []byte) []line {
	var lines []line
	for pos := 0; pos < len(body); {
		end := bytes.IndexByte(body[pos:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += pos
		}
		first := skipSpace(body[:end], pos)
		if first < end {
			if body[first] != '{' {
				return nil
			}
			lines = append(lines, line{start: first, end: end})
		}
		pos = end + 1
	}
	return lines
}

func splitLines(body []byte, lines []line) ([]json.RawMessage, []FieldError) {
	if len(lines) > MaxBatch {
		return nil, bodyError(0, fmt.Sprintf("too many alerts: %d, at most %d per request", len(lines), MaxBatch))
	}
	raws := make([]json.RawMessage, len(lines))
	var errs []FieldError
	for i, l := range lines {
		var raw json.RawMessage
		if err := json.Unmarshal(body[l.start:l.end], &raw); err != nil {
			errs = append(errs, bodyError(i, syntaxReason(body, l.start, err))...)
			continue
		}
		raws[i] = raw
	}
	return raws, errs
}

func bodyError(index int, reason string) []FieldError {
	return []FieldError{{Index: index, Field: "body", Reason: reason}}
}

// syntaxReason describes a JSON parse error with its line and column in
// the whole body; base is where the parsed part of the body starts.
func syntaxReason(body []byte, base int, err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read including the offending one; an
		// error at the very end has no offending byte.
		off := base + int(se.Offset)
		if off < len(body) && off > base {
			off--
		}
		off = min(off, len(body))
		return fmt.Sprintf("invalid JSON at %s: %s", position(body, off), se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("invalid JSON at %s: unexpected end of input", position(body, len(body)))
	default:
		return "invalid JSON: " + err.Error()
	}
}

// position renders a byte offset as "line L, column C (byte N)", counting
// columns in characters.
func position(body []byte, off int) string {
	before := body[:off]
	lineNo := 1 + bytes.Count(before, []byte("\n"))
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col := 1 + utf8.RuneCount(before[lineStart:])
	return fmt.Sprintf("line %d, column %d (byte %d)", lineNo, col, off)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
