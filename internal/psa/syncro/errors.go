package syncro

import (
	"encoding/json"
	"sort"
	"strings"
)

// errorMessage reads Syncro's error bodies, whose shape differs per
// endpoint: "error" (a string or a list), "errors" (a string, a list or
// an object of field → list) and "message" (a string or a list), with or
// without "success": false and a "record" echo. It returns "" for a body
// that is none of them.
func errorMessage(body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	var parts []string
	for _, key := range []string{"error", "errors", "message"} {
		if raw, ok := m[key]; ok {
			parts = append(parts, texts(raw)...)
		}
	}
	if len(parts) == 0 {
		// {"customer_id": ["can't be blank"]}: field → messages.
		parts = fieldMessages(m)
	}
	return strings.Join(parts, "; ")
}

// texts reads a string, a list of strings or an object of lists.
func texts(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s = strings.TrimSpace(s); s != "" {
			return []string{s}
		}
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		return fieldMessages(obj)
	}
	return nil
}

func fieldMessages(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		if k == "success" || k == "params" || k == "record" {
			continue
		}
		var list []string
		if json.Unmarshal(m[k], &list) == nil {
			for _, msg := range list {
				out = append(out, k+" "+msg)
			}
		}
	}
	return out
}
