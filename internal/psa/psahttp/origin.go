package psahttp

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrOtherOrigin is what SameOrigin returns, wrapped with the reason, for a
// link that leaves the API's origin.
var ErrOtherOrigin = errors.New("link leaves the API's origin")

// SameOrigin returns nil when next, resolved against base as a browser
// would, has base's scheme, host and port and carries no userinfo, and an
// error wrapping ErrOtherOrigin otherwise. Connectors follow the next-page
// links a PSA returns (a nextPageUrl field, a Link header) with
// credentials on every request; a link to
// any other origin would hand them over, so every connector checks links
// here rather than each in its own way.
//
// Hosts compare case-insensitively and a default port (80 for http, 443
// for https) matches its omission, since both reach the same server.
// Userinfo is refused even on the right host: no PSA puts it in a link,
// and Go's client would turn it into an Authorization header.
func SameOrigin(base, next *url.URL) error {
	if base == nil || next == nil || base.Host == "" {
		return fmt.Errorf("%w: no absolute base to compare with", ErrOtherOrigin)
	}
	if next.User != nil {
		return fmt.Errorf("%w: it carries userinfo", ErrOtherOrigin)
	}
	u := base.ResolveReference(next)
	switch {
	case !strings.EqualFold(u.Scheme, base.Scheme):
		return fmt.Errorf("%w: scheme %q is not %q", ErrOtherOrigin, u.Scheme, base.Scheme)
	case !strings.EqualFold(u.Hostname(), base.Hostname()):
		return fmt.Errorf("%w: host %q is not %q", ErrOtherOrigin, u.Hostname(), base.Hostname())
	case port(u) != port(base):
		return fmt.Errorf("%w: port %q is not %q", ErrOtherOrigin, port(u), port(base))
	}
	return nil
}

// CheckLink is SameOrigin for URLs as text, as connectors hold them: it
// also refuses a base or link that does not parse.
func CheckLink(base, link string) error {
	bu, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("parse base url: %w", err)
	}
	lu, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("parse link: %w", err)
	}
	return SameOrigin(bu, lu)
}

// port is u's port, or its scheme's default when it names none.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}
