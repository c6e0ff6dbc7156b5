package simkit

import (
	"net/url"
	"strings"
)

// Link is one entry of an RFC 8288 Link header.
type Link struct {
	URL string
	Rel string
}

// String formats the entry as `<url>; rel="next"`.
func (l Link) String() string { return "<" + l.URL + `>; rel="` + l.Rel + `"` }

// LinkHeader joins entries into one Link header value, "" for none.
func LinkHeader(links []Link) string {
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = l.String()
	}
	return strings.Join(parts, ", ")
}

// QueryURL returns prefix followed by the query q with set applied to a
// copy of it: a value replaces the parameter, an empty value removes it.
// Parameters come out sorted by name, as url.Values.Encode writes them;
// there is no "?" when none are left.
func QueryURL(prefix string, q url.Values, set map[string]string) string {
	v := make(url.Values, len(q)+len(set))
	for k, vals := range q {
		v[k] = append([]string(nil), vals...)
	}
	for k, val := range set {
		if val == "" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	if len(v) == 0 {
		return prefix
	}
	return prefix + "?" + v.Encode()
}
