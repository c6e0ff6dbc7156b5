package alert

import "encoding/json"

// splitObject cuts a JSON object into its members' raw values, as
// json.Unmarshal into an object would (a repeated key keeps its last
// value), in one pass and without reflection: decoding an object this way
// was most of the cost of ingesting an alert. It relies on raw being valid
// JSON, which the body split has checked; on anything it does not expect
// it answers ok false and the caller falls back to json.Unmarshal.
func splitObject(raw []byte) (o object, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	o = object{}
	if i = skipSpace(raw, i+1); i < len(raw) && raw[i] == '}' {
		return o, true
	}
	for i < len(raw) && raw[i] == '"' {
		end := stringEnd(raw, i)
		if end < 0 {
			return nil, false
		}
		key, ok := decodeString(raw[i:end])
		if !ok {
			return nil, false
		}
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		vend := valueEnd(raw, i)
		if vend < 0 {
			return nil, false
		}
		o[key] = json.RawMessage(raw[i:vend])
		if i = skipSpace(raw, vend); i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case '}':
			return o, true
		case ',':
			i = skipSpace(raw, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

// stringEnd returns the index just past the string starting at raw[i]
// (a '"'), or -1 when it does not end.
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++ // the escaped byte; \uXXXX's digits need no care
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at raw[i],
// or -1 when it does not end.
func valueEnd(raw []byte, i int) int {
	if i >= len(raw) {
		return -1
	}
	switch raw[i] {
	case '"':
		return stringEnd(raw, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(raw); j++ {
			switch raw[j] {
			case '"':
				if j = stringEnd(raw, j); j < 0 {
					return -1
				}
				j-- // the loop steps past the closing quote
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	// A number or a literal: it runs to the next delimiter.
	j := i
	for j < len(raw) && !isDelimiter(raw[j]) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
