package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// formField reads one posted value, trimmed.
func formField(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

// formChecked reports whether a checkbox was ticked: an unticked box
// sends nothing, so steps mark each section they showed with a hidden
// field and read its boxes only when the mark is there.
func formChecked(r *http.Request, name string) bool { return r.PostFormValue(name) != "" }

// formShown reports whether the page showed the section marked by name.
func formShown(r *http.Request, name string) bool { return r.PostFormValue(name) == "1" }

// keepDefault returns what was posted, except that the default a page
// shows as the starting value stays unset when it was unset: apply fills
// it in anyway, and writing it would show as a change in the plan.
func keepDefault(old, posted, def string) string {
	if old == "" && posted == def {
		return ""
	}
	return posted
}

// pickNamed is the pick a form names: the one held when the name is the
// same (it keeps the id a stored integration resolved), else a new pick
// by name for apply to resolve.
func pickNamed(old integration.Pick, name string) integration.Pick {
	if name == "" {
		return integration.Pick{}
	}
	if strings.EqualFold(old.Name, name) {
		return old
	}
	return integration.Pick{Name: name}
}

// formRows is the number of repeated rows a page posted (its hidden
// count field), bounded so a forged form cannot make the server loop.
func formRows(r *http.Request, name string) int {
	n, err := strconv.Atoi(r.PostFormValue(name))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, 500)
}

// parseAmount reads a money amount: blank is nil, anything else must be
// a number (the API checks the sign and says why).
func parseAmount(label, v string) (*float64, error) {
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
	if err != nil {
		return nil, fmt.Errorf("%s: write an amount like 2.50, or leave it blank", label)
	}
	return &f, nil
}

// showAmount is an amount as a form shows it; nil is blank.
func showAmount(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// lacks says what the draft's PSA does instead of the setting at path,
// and whether it lacks it at all.
func (c *Console) lacks(d draft, path string) (string, bool) {
	p, ok := c.cfg.Profiles.Lookup(d.Settings.PSA)
	if !ok {
		return "", false
	}
	return p.Lacks(path)
}

// psaTitle is the draft's PSA as people name it.
func (c *Console) psaTitle(d draft) string {
	if p, ok := c.cfg.Profiles.Lookup(d.Settings.PSA); ok {
		return p.Title
	}
	return d.Settings.PSA
}

// unauthorized reports whether err is the API refusing the session's
// token: that one ends the session instead of showing on a page.
func unauthorized(err error) bool {
	p, ok := err.(*problem)
	return ok && p.Status == http.StatusUnauthorized
}

// joinProblems joins a form's problems into one line for the page; nil
// when there are none.
func joinProblems(errs ...error) error {
	var parts []string
	for _, err := range errs {
		if err != nil {
			parts = append(parts, err.Error())
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return errors.New(strings.Join(parts, "; "))
}
