package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// batchOf makes a body of n copies of the sample's first item, in the
// sample's own envelope when the format has one.
func batchOf(c *Compiled, sample []byte, n int) []byte {
	s := string(sample)
	list := gjson.Parse(s)
	if c.m.Items != "" {
		list = list.Get(c.m.Items)
	}
	item := s
	if list.IsArray() {
		item = list.Array()[0].Raw
	}
	items := "[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]"
	if c.m.Items == "" {
		return []byte(items)
	}
	return []byte(strings.Replace(s, list.Raw, items, 1))
}

// BenchmarkDecode decodes a body of 100 alerts of each built-in format,
// and of the canonical contract for the baseline: the decode's share of
// ingest, and what a profile of one format looks at.
func BenchmarkDecode(b *testing.B) {
	canon := `{"id":"sa-1","organization":{"id":"org-42","name":"Acme Corp"},"type":"Too Many Downloads","severity":"high",` +
		`"title":"Too many downloads by jane@acme.example","description":"412 files","user":{"email":"jane@acme.example"},"occurred_at":"2026-11-21T10:15:00Z"}`
	body := []byte("[" + strings.TrimSuffix(strings.Repeat(canon+",", 100), ",") + "]")
	b.Run(Canonical, func(b *testing.B) {
		for b.Loop() {
			if _, err := alert.Decode(body); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "alerts/s")
	})
	builtins := MustLoadBuiltins()
	for _, name := range builtins.Names()[1:] {
		c, _ := builtins.Get(name)
		sample, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		body := batchOf(c, sample, 100)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if as, err := c.Decode(body, testOptions()); err != nil || len(as) != 100 {
					b.Fatalf("%d alerts, %v", len(as), err)
				}
			}
			b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
