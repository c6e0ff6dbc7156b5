package tablerules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Request is one request as sent.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

var (
	tablePath = regexp.MustCompile(`^/api/now(?:/v1|/v2)?/table/([^/]+)(?:/([^/]+))?$`)
	sysID     = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// Check returns every way req breaks the rules; none for a good request.
// Requests to the OAuth token endpoint are checked as form posts.
func (r Rules) Check(req Request) []string {
	if req.URL.Path == "/oauth_token.do" {
		return checkToken(req)
	}
	m := tablePath.FindStringSubmatch(req.URL.Path)
	if m == nil {
		return []string{fmt.Sprintf("%s %s is not a Table API path", req.Method, req.URL.Path)}
	}
	table, id := m[1], m[2]
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if _, ok := r.Tables[table]; !ok {
		return []string{fmt.Sprintf("table %q is not in the notes", table)}
	}
	methods := r.Collection
	if id != "" {
		methods = r.Record
		if !sysID.MatchString(id) {
			fail("record id %q is not a sys_id", id)
		}
	}
	if !slices.Contains(methods, req.Method) {
		fail("%s is not allowed on %s", req.Method, req.URL.Path)
	}
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Accept")); mt != "application/json" {
		fail("Accept is %q, want application/json", req.Header.Get("Accept"))
	}
	bad = append(bad, r.checkQuery(table, req.URL.Query())...)
	if len(req.Body) > 0 || req.Method == http.MethodPost || req.Method == http.MethodPatch || req.Method == http.MethodPut {
		if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/json" {
			fail("Content-Type is %q, want application/json", req.Header.Get("Content-Type"))
		}
		bad = append(bad, r.checkBody(table, req.Body)...)
	}
	return bad
}

// field reports whether the notes give table the field.
func (r Rules) field(table, f string) bool {
	return slices.Contains(r.Tables[table], f) || slices.Contains(r.Common, f)
}

func (r Rules) checkQuery(table string, q url.Values) []string {
	var bad []string
	for k, vs := range q {
		if !slices.Contains(r.Sysparm, k) {
			bad = append(bad, fmt.Sprintf("query parameter %q is not a sysparm_* parameter of the notes", k))
			continue
		}
		if len(vs) != 1 {
			bad = append(bad, fmt.Sprintf("%s given %d times", k, len(vs)))
		}
		v := vs[0]
		switch k {
		case "sysparm_fields":
			for _, f := range strings.Split(v, ",") {
				if !r.field(table, f) {
					bad = append(bad, fmt.Sprintf("sysparm_fields names %s.%s, which the notes do not", table, f))
				}
			}
		case "sysparm_query":
			bad = append(bad, r.checkEncoded(table, v)...)
		case "sysparm_limit", "sysparm_offset":
			if n, err := strconv.Atoi(v); err != nil || n < 0 || (k == "sysparm_limit" && n == 0) {
				bad = append(bad, fmt.Sprintf("%s=%q is not a count", k, v))
			}
		case "sysparm_display_value":
			if v != "true" && v != "false" && v != "all" {
				bad = append(bad, fmt.Sprintf("sysparm_display_value=%q", v))
			}
		case "sysparm_exclude_reference_link", "sysparm_input_display_value", "sysparm_no_count", "sysparm_suppress_pagination_header":
			if v != "true" && v != "false" {
				bad = append(bad, fmt.Sprintf("%s=%q is not a boolean", k, v))
			}
		}
	}
	return bad
}

// checkEncoded checks each condition of an encoded query: a field of the
// table (one dot-walk allowed) and an operator of the notes.
func (r Rules) checkEncoded(table, q string) []string {
	var bad []string
	for _, alt := range strings.Split(q, "^NQ") {
		for _, part := range strings.Split(alt, "^") {
			if f, ok := strings.CutPrefix(part, "ORDERBYDESC"); ok {
				part = f
			} else if f, ok := strings.CutPrefix(part, "ORDERBY"); ok {
				part = f
			} else {
				part = strings.TrimPrefix(part, "OR")
			}
			i := strings.IndexFunc(part, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') })
			field, rest := part, ""
			if i >= 0 {
				field, rest = part[:i], part[i:]
			}
			head, _, _ := strings.Cut(field, ".")
			if !r.field(table, head) {
				bad = append(bad, fmt.Sprintf("sysparm_query names %s.%s, which the notes do not", table, head))
			}
			if rest != "" && !slices.ContainsFunc(r.Operators, func(op string) bool { return strings.HasPrefix(rest, op) }) {
				bad = append(bad, fmt.Sprintf("sysparm_query condition %q has no operator of the notes", part))
			}
		}
	}
	return bad
}

// checkBody checks a write: one JSON object of string values, fields of
// the table, none of them a read-only sys_ field.
func (r Rules) checkBody(table string, body []byte) []string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return []string{"body is not a JSON object: " + err.Error()}
	}
	var bad []string
	for k, raw := range obj {
		if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
			bad = append(bad, fmt.Sprintf("body field %s is %s, not a JSON string", k, raw))
		}
		if strings.HasPrefix(k, "sys_") {
			bad = append(bad, fmt.Sprintf("body writes read-only %s", k))
		} else if !r.field(table, k) {
			bad = append(bad, fmt.Sprintf("body writes %s.%s, which the notes do not name", table, k))
		}
	}
	return bad
}

// checkToken checks a token request: a form POST of a known grant.
func checkToken(req Request) []string {
	var bad []string
	if req.Method != http.MethodPost {
		bad = append(bad, "token request is not a POST")
	}
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		bad = append(bad, "token request is not a form")
	}
	form, err := url.ParseQuery(string(req.Body))
	if err != nil {
		return append(bad, "token form does not parse")
	}
	need := map[string][]string{"password": {"client_id", "client_secret", "username", "password"}, "refresh_token": {"client_id", "client_secret", "refresh_token"}}
	keys, ok := need[form.Get("grant_type")]
	if !ok {
		return append(bad, fmt.Sprintf("grant_type %q is neither password nor refresh_token", form.Get("grant_type")))
	}
	for _, k := range keys {
		if form.Get(k) == "" {
			bad = append(bad, "token form lacks "+k)
		}
	}
	return bad
}
