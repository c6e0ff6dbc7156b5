package alert

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadmeStatesTheLimits: the README's ingest limits are these.
func TestReadmeStatesTheLimits(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(raw)), " ")
	n := func(v int) string {
		if v >= 1000 {
			return fmt.Sprintf("%d,%03d", v/1000, v%1000)
		}
		return fmt.Sprint(v)
	}
	want := fmt.Sprintf("Limits, in characters: `id` %s, `type` %s, `title` %s, `description` %s, emails and names %s, `url` %s; at most %d `attributes` of %s characters each.",
		n(MaxIDLen), n(MaxTypeLen), n(MaxTitleLen), n(MaxDescriptionLen), n(MaxEmailLen), n(MaxURLLen), MaxAttributes, n(MaxAttributeLen))
	if MaxEmailLen != MaxNameLen {
		t.Fatalf("the README states one limit for emails and names, but they are %d and %d", MaxEmailLen, MaxNameLen)
	}
	if !strings.Contains(readme, want) {
		t.Errorf("the README does not say:\n%s", want)
	}
}
