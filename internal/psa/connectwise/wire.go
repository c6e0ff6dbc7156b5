package connectwise

import (
	"strconv"
	"strings"
	"time"
)

// ref is a ConnectWise reference object ({"id":N,"name":"…",…}).
type ref struct {
	ID         int64  `json:"id"`
	Name       string `json:"name,omitempty"`
	Identifier string `json:"identifier,omitempty"`
}

// idOf renders a reference's id, "" for an absent reference.
func idOf(r *ref) string {
	if r == nil || r.ID == 0 {
		return ""
	}
	return strconv.FormatInt(r.ID, 10)
}

// idRef builds a reference by id for a request body.
func idRef(id int64) map[string]int64 { return map[string]int64{"id": id} }

// info is the _info map every object carries.
type info map[string]string

// time reads one of its ISO-8601 fields; zero when absent or unreadable.
func (i info) time(key string) time.Time {
	return parseTime(i[key])
}

// parseTime reads ConnectWise datetimes ("2024-05-01T13:45:00Z"); zero
// when empty or unreadable, since a missing timestamp should not fail a
// whole listing.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// formatTime writes a datetime the way ConnectWise accepts it.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// parseID reads a ConnectWise integer id.
func parseID(what, id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, invalidID(what, id)
	}
	return n, nil
}

// parseIDs reads a list of integer ids.
func parseIDs(what string, ids []string) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		n, err := parseID(what, id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
