package autotask

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// netEscaped re-encodes a JSON document token by token (key order and
// number text kept, insignificant whitespace dropped) with the string
// escaping of .NET's default encoder, the bytes Autotask signs. It is the
// fallback of signature verification for bodies re-encoded in transit.
func netEscaped(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	type level struct {
		object bool
		n      int // tokens written at this level
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			out.WriteRune(rune(d))
			continue
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			switch {
			case top.object && top.n%2 == 1:
				out.WriteByte(':')
			case top.n > 0:
				out.WriteByte(',')
			}
			top.n++
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteRune(rune(v))
			stack = append(stack, level{object: v == '{'})
		case string:
			writeNetString(&out, v)
		case json.Number:
			out.WriteString(v.String())
		case bool:
			fmt.Fprint(&out, v)
		case nil:
			out.WriteString("null")
		}
	}
	return out.Bytes(), nil
}

// writeNetString quotes s as .NET's JavaScriptEncoder.Default does: the
// HTML-sensitive & < > ' " + ` and everything outside printable ASCII as
// \uXXXX (upper-case hex, surrogate pairs above the BMP); \ and the common
// control characters with their short escapes.
func writeNetString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			writeNetRune(b, r)
		}
	}
	b.WriteByte('"')
}

func writeNetRune(b *bytes.Buffer, r rune) {
	switch {
	case r == '&', r == '<', r == '>', r == '\'', r == '"', r == '+', r == '`':
		fmt.Fprintf(b, `\u%04X`, r)
	case r >= 0x20 && r < 0x7f:
		b.WriteRune(r)
	case r > 0xffff && r <= utf8.MaxRune:
		hi, lo := utf16.EncodeRune(r)
		fmt.Fprintf(b, `\u%04X\u%04X`, hi, lo)
	default:
		fmt.Fprintf(b, `\u%04X`, r)
	}
}
