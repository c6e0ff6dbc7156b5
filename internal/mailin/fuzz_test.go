package mailin

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/source"
)

// FuzzMail runs arbitrary bytes through the MIME path and the built-in
// TrendAI and generic rules: no panic, and whatever becomes an alert is a
// valid one.
func FuzzMail(f *testing.F) {
	f.Add([]byte(mail))
	f.Add([]byte("Subject: =?utf-8?B?TmV3IHJpc2sgZXZlbnQ=?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nRisk level: Low\r\n--x--\r\n"))
	f.Add([]byte("Content-Type: text/html\r\nSubject: Newly discovered assets\r\n\r\n<b>Device name: PC-1</b>"))
	decs := make([]*source.MailDecoder, 0, 2)
	for _, set := range []string{"trendai", "generic"} {
		d, err := source.NewMailDecoder([]byte(`{"default_organization": {"id": "org-42"}, "mail": {"builtin": "` + set + `"}}`))
		if err != nil {
			f.Fatal(err)
		}
		decs = append(decs, d)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		for _, d := range decs {
			a, err := d.Decode(m, now)
			if err != nil {
				continue
			}
			if errs := a.Validate(); len(errs) > 0 {
				t.Fatalf("accepted an invalid alert: %v", errs)
			}
		}
	})
}
