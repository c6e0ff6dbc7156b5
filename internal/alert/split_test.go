package alert

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// checkSplit compares splitObject with json.Unmarshal on one input. Its
// callers hand it valid UTF-8 and valid JSON only (json.Unmarshal would
// turn a bad byte in a key into U+FFFD; the body check refuses it before),
// so that is where the two must agree:
// the same members for an object, a refusal for anything else. Invalid
// input must merely not break it.
func checkSplit(t *testing.T, in string) {
	t.Helper()
	got, ok := splitObject([]byte(in))
	if !utf8.ValidString(in) || !json.Valid([]byte(in)) {
		return
	}
	var want object
	isObject := json.Unmarshal([]byte(in), &want) == nil && want != nil
	switch {
	case isObject != ok:
		t.Errorf("splitObject(%q) ok = %v, want %v", in, ok, isObject)
	case ok:
		if diff := cmp.Diff(stringify(want), stringify(got)); diff != "" {
			t.Errorf("splitObject(%q) (-json.Unmarshal +split):\n%s", in, diff)
		}
	}
}

func stringify(o object) map[string]string {
	m := make(map[string]string, len(o))
	for k, v := range o {
		m[k] = string(v)
	}
	return m
}

func TestSplitObjectMatchesUnmarshal(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : "x" , "b":[1,{"c":"}"}] ,"d":null}`,
		`{"a":"q\"uote\\","b":true,"c":false,"d":-1.5e3}`,
		`{"a":1,"a":2}`,                          // last wins
		`{"\u0069d":"x","i\"d":"y"}`,             // escaped keys
		`{"nested":{"deep":{"deeper":[[],{}]}}}`, // depth
		`{"s":"{[\"]}"}`,                         // brackets inside strings
		"{\n\t\"a\"\t:\r\n\"b\"\n}",
		`{"a":"é ü 漢字"}`,
		`[1,2]`, `"x"`, `null`, `1`, ``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`,
		`{"a":"unterminated}`, `{"a":[1,2}`, `{a:1}`,
	} {
		checkSplit(t, in)
	}
}

// FuzzSplitObject holds splitObject to json.Unmarshal on any input.
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[{"c":"d"}]}`, `{"a":"\\\""}`, `{"a":1,"a":2}`, `[1]`, `{"a":}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSplit(t, in)
	})
}
