package connectwisesim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// tokKind classifies a token of the conditions language.
type tokKind int

const (
	tokEOF tokKind = iota
	tokLParen
	tokRParen
	tokComma
	tokOp   // = != <> < <= > >=
	tokWord // a field path or a keyword
	tokLit  // a quoted string, a number or a [datetime]
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based column, for messages
	lit  literal
}

// litKind is a literal's type; its name appears in ConnectWise's
// "Expected a boolean value, not a numeric" messages.
type litKind int

const (
	litString litKind = iota
	litNumber
	litBool
	litDate
	litNull
)

func (k litKind) String() string {
	return [...]string{"string", "numeric", "boolean", "datetime", "null"}[k]
}

type literal struct {
	kind litKind
	s    string
	n    float64
	b    bool
	t    time.Time
}

// lexConditions splits a conditions string into tokens.
func lexConditions(text string) ([]token, error) {
	var toks []token
	for i := 0; i < len(text); {
		ch := text[i]
		start := i
		var tok token
		var err error
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
			continue
		case ch == '(' || ch == ')' || ch == ',':
			tok, i = token{kind: map[byte]tokKind{'(': tokLParen, ')': tokRParen, ',': tokComma}[ch], text: string(ch)}, i+1
		case strings.ContainsRune("=!<>", rune(ch)):
			tok, i, err = lexOp(text, i)
		case ch == '"' || ch == '\'':
			tok, i, err = lexString(text, i)
		case ch == '[':
			tok, i, err = lexDate(text, i)
		case isDigit(ch) || (ch == '-' && i+1 < len(text) && isDigit(text[i+1])):
			tok, i, err = lexNumber(text, i)
		case isWordStart(ch):
			j := i + 1
			for j < len(text) && isWordChar(text[j]) {
				j++
			}
			tok, i = token{kind: tokWord, text: text[i:j]}, j
		default:
			err = badRequest("Unexpected character '%c' at position %d in conditions. %s", ch, i+1, literalHelp)
		}
		if err != nil {
			return nil, err
		}
		tok.pos = start + 1
		toks = append(toks, tok)
	}
	return append(toks, token{kind: tokEOF, pos: len(text) + 1}), nil
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isWordChar(c byte) bool  { return isWordStart(c) || isDigit(c) || c == '/' || c == '.' }

func lexOp(text string, i int) (token, int, error) {
	for _, op := range []string{"!=", "<>", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(text[i:], op) {
			if op == "<>" {
				return token{kind: tokOp, text: "!="}, i + 2, nil
			}
			return token{kind: tokOp, text: op}, i + len(op), nil
		}
	}
	return token{}, i, badRequest("Unexpected character '!' at position %d in conditions.", i+1)
}

// lexString reads a quoted string; a backslash escapes the next character.
func lexString(text string, i int) (token, int, error) {
	quote := text[i]
	var b strings.Builder
	for j := i + 1; j < len(text); j++ {
		switch c := text[j]; {
		case c == '\\' && j+1 < len(text):
			j++
			b.WriteByte(text[j])
		case c == quote:
			return token{kind: tokLit, text: text[i : j+1], lit: literal{kind: litString, s: b.String()}}, j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return token{}, i, badRequest("Unterminated string value starting at position %d in conditions. %s", i+1, literalHelp)
}

// dateLayouts are the datetime literal forms accepted inside brackets.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

func lexDate(text string, i int) (token, int, error) {
	end := strings.IndexByte(text[i:], ']')
	if end < 0 {
		return token{}, i, badRequest("Unterminated DateTime value starting at position %d in conditions. %s", i+1, literalHelp)
	}
	raw := strings.TrimSpace(text[i+1 : i+end])
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, raw); err == nil {
			return token{kind: tokLit, text: text[i : i+end+1], lit: literal{kind: litDate, t: t.UTC()}}, i + end + 1, nil
		}
	}
	return token{}, i, badRequest("Invalid DateTime value [%s] at position %d in conditions. %s", raw, i+1, literalHelp)
}

func lexNumber(text string, i int) (token, int, error) {
	j := i + 1
	for j < len(text) && (isDigit(text[j]) || text[j] == '.') {
		j++
	}
	n, err := strconv.ParseFloat(text[i:j], 64)
	if err != nil || (j < len(text) && isWordChar(text[j])) {
		return token{}, i, badRequest("Invalid numeric value at position %d in conditions. %s", i+1, literalHelp)
	}
	return token{kind: tokLit, text: text[i:j], lit: literal{kind: litNumber, n: n}}, j, nil
}

// String describes a token in messages.
func (t token) String() string {
	if t.kind == tokEOF {
		return "end of conditions"
	}
	return fmt.Sprintf("'%s'", t.text)
}
