package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"90d", 90 * 24 * time.Hour, false},
		{"1d", 24 * time.Hour, false},
		{"0d", 0, false},
		{"0", 0, false},
		{"2160h", 2160 * time.Hour, false},
		{"36h30m", 36*time.Hour + 30*time.Minute, false},
		{"36500d", 36500 * 24 * time.Hour, false},
		{"36501d", 0, true},
		{"-1d", 0, true},
		{"-2h", 0, true},
		{"1.5d", 0, true},
		{"d", 0, true},
		{"90", 0, true}, // a bare number has no unit
		{"90 days", 0, true},
		{"", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseAge(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("parseAge(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

// TestRetention: the flag wins over the environment, which wins over the
// default; a value that does not parse or is under a day is refused by
// Validate with what to set.
func TestRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     string
		args    []string
		want    time.Duration
		problem string // in Validate's error; "" for none
	}{
		{"default", "", nil, 90 * 24 * time.Hour, ""},
		{"env days", "30d", nil, 30 * 24 * time.Hour, ""},
		{"env off", "0", nil, 0, ""},
		{"flag over env", "30d", []string{"--retention", "2160h"}, 2160 * time.Hour, ""},
		{"flag fixes a bad env", "ninety", []string{"--retention", "7d"}, 7 * 24 * time.Hour, ""},
		{"bad env", "ninety", nil, 0, "TICKETBRIDGE_RETENTION"},
		{"under a day", "", []string{"--retention", "12h"}, 12 * time.Hour, "less than a day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c Config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.RegisterServe(fs, func(name string) string {
				if name == "TICKETBRIDGE_RETENTION" {
					return tc.env
				}
				return ""
			})
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if c.Retention != tc.want {
				t.Errorf("Retention = %v, want %v", c.Retention, tc.want)
			}
			err := c.Validate()
			switch {
			case tc.problem == "" && err != nil:
				t.Errorf("Validate: %v, want no problem", err)
			case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
				t.Errorf("Validate: %v, want a problem naming %q", err, tc.problem)
			}
		})
	}
}

func TestRetentionFlagRefusesBadValues(t *testing.T) {
	t.Parallel()
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterServe(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--retention", "3 months"}); err == nil {
		t.Error("--retention '3 months' parsed, want an error")
	}
}

// TestValidateProcessSettings: a log level, log format or retry setting
// that does not parse is an error naming it, not a silent default.
func TestValidateProcessSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		problem string
	}{
		{nil, nil, ""},
		{[]string{"--log-level", "debug", "--log-format", "text"}, nil, ""},
		{[]string{"--log-level", "verbose"}, nil, `log-level: "verbose"`},
		{[]string{"--log-format", "xml"}, nil, `log-format: "xml"`},
		{nil, map[string]string{"TICKETBRIDGE_GIVE_UP_AFTER": "a day"}, "TICKETBRIDGE_GIVE_UP_AFTER"},
		{[]string{"--give-up-after", "-1h"}, nil, "give-up-after"},
		{[]string{"--max-attempts", "-2"}, nil, "max-attempts"},
		{[]string{"--smtp-addr", "127.0.0.1:2525", "--smtp-tls-cert", "c.pem", "--smtp-tls-key", "k.pem"}, nil, ""},
		{[]string{"--smtp-tls-cert", "c.pem"}, nil, "smtp-tls-cert, smtp-tls-key"},
		{nil, map[string]string{"TICKETBRIDGE_SMTP_ADDR": ":2525", "TICKETBRIDGE_SMTP_MAX_BYTES": "10"}, "smtp-max-bytes"},
		{[]string{"--unready-after", "30m"}, nil, ""},
		{[]string{"--unready-after", "-1m"}, nil, "unready-after"},
		{[]string{"--public-url", "https://tickets.msp.example"}, nil, ""},
		{[]string{"--public-url", "tickets.msp.example"}, nil, "public-url"},
		{nil, map[string]string{"TICKETBRIDGE_PUBLIC_URL": "ftp://x"}, "public-url"},
		{nil, map[string]string{"TICKETBRIDGE_PPROF_ADDR": "127.0.0.1:6060"}, ""},
		{nil, map[string]string{"TICKETBRIDGE_PPROF_ADDR": "[::1]:6060"}, ""},
		{nil, map[string]string{"TICKETBRIDGE_PPROF_ADDR": "localhost:0"}, ""},
		{nil, map[string]string{"TICKETBRIDGE_PPROF_ADDR": ":6060"}, "TICKETBRIDGE_PPROF_ADDR"},
		{nil, map[string]string{"TICKETBRIDGE_PPROF_ADDR": "0.0.0.0:6060"}, "TICKETBRIDGE_PPROF_ADDR"},
		{nil, map[string]string{"TICKETBRIDGE_PPROF_ADDR": "6060"}, "TICKETBRIDGE_PPROF_ADDR"},
	} {
		var c Config
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		c.RegisterServe(fs, func(k string) string { return tc.env[k] })
		if err := fs.Parse(tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		err := c.Validate()
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("%v %v: %v, want no problem", tc.args, tc.env, err)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("%v %v: %v, want a problem naming %q", tc.args, tc.env, err, tc.problem)
		}
	}
}
