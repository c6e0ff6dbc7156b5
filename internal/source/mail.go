package source

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// MailMessage is one received mail as the MIME layer (internal/mailin)
// hands it over: headers that matter and the text of its body.
type MailMessage struct {
	From      string
	Subject   string
	MessageID string
	Date      time.Time
	Text      string
	// Raw is the whole message; its hash is the id of a message without
	// a Message-ID.
	Raw []byte
}

// MailRule turns matching mail into an alert. Subject and Body are
// patterns (Go regexp) a message must match; Extract maps a canonical
// field (type, severity, organization, user, device, title) to a pattern
// searched in the subject, then in the body, whose first group is the
// value. Type and Severity are used when nothing was extracted.
type MailRule struct {
	Name        string            `json:"name"`
	Subject     string            `json:"subject,omitempty"`
	Body        string            `json:"body,omitempty"`
	Extract     map[string]string `json:"extract,omitempty"`
	Kind        string            `json:"kind,omitempty"`
	Type        string            `json:"type,omitempty"`
	Severity    string            `json:"severity,omitempty"`
	SeverityMap map[string]string `json:"severity_map,omitempty"`
}

// MailSettings are a source's mail settings.
type MailSettings struct {
	// Builtin names a built-in rule set tried after Rules: "trendai"
	// (the default: TrendAI Vision One notification mails), "generic"
	// (any mail is an alert), or "none".
	Builtin string     `json:"builtin,omitempty"`
	Rules   []MailRule `json:"rules,omitempty"`
	// AllowSenders, when set, are the only senders taken: addresses, or
	// "@domain" for a whole domain.
	AllowSenders []string `json:"allow_senders,omitempty"`
	// IMAP, when set, is a mailbox folder polled for the source's mail
	// (for MSPs whose alert mail already lands in a mailbox).
	IMAP *IMAPSettings `json:"imap,omitempty"`
}

// IMAPSettings name a mailbox folder to poll. The password is never in
// the settings: PasswordEnv names the environment variable holding it.
type IMAPSettings struct {
	Addr        string `json:"addr"`
	Username    string `json:"username"`
	PasswordEnv string `json:"password_env"`
	Folder      string `json:"folder,omitempty"` // default INBOX
	// Insecure polls without TLS (a server on loopback or a trusted
	// network); the default is IMAPS.
	Insecure bool `json:"insecure,omitempty"`
}

// ErrNoMailRule marks a message no rule matched; it is kept as unmatched.
var ErrNoMailRule = errors.New("no mail rule matched")

var mailExtractFields = []string{"type", "severity", "organization", "user", "device", "title"}

// severityWords maps what mails write to canonical severities.
var severityWords = map[string]string{
	"critical": "critical", "high": "high", "medium": "medium", "moderate": "medium",
	"low": "low", "info": "info", "informational": "info", "warning": "medium",
}

// builtinMailRules are the rule sets a source may name. TrendAI does not
// publish its notification mail layout: these rules key on the alert type
// names (which are documented) anywhere in the subject, so a configured
// subject prefix does not matter; the extract patterns are guesses to
// adjust from a captured mail, and a mail they miss still becomes an
// alert of the right type.
var builtinMailRules = map[string][]MailRule{
	"trendai": {
		{Name: "trendai-high-risk", Subject: `(?i)high-risk (users|devices)`, Type: "New high-risk users/devices", Severity: "high",
			Extract: map[string]string{"user": `(?im)^\s*(?:user|account|user principal name)\s*:\s*(\S+@\S+)`, "device": `(?im)^\s*(?:device|device name|host)\s*:\s*(\S+)`}},
		{Name: "trendai-discovered-assets", Subject: `(?i)(newly )?discovered assets?`, Type: "Newly discovered assets", Severity: "info",
			Extract: map[string]string{"device": `(?im)^\s*(?:device|device name|host)\s*:\s*(\S+)`}},
		{Name: "trendai-risk-event", Subject: `(?i)risk event`, Type: "New risk event", Severity: "medium",
			Extract: map[string]string{"type": `(?im)^\s*risk event\s*:\s*(.+?)\s*$`, "severity": `(?i)risk level\s*:\s*(high|medium|low)`,
				"user": `(?im)^\s*(?:user|account)\s*:\s*(\S+@\S+)`, "device": `(?im)^\s*(?:device|host)\s*:\s*(\S+)`}},
		{Name: "trendai-workbench", Subject: `(?i)workbench alert`, Type: "New Workbench alert", Severity: "medium",
			Extract: map[string]string{"type": `(?im)^\s*(?:model|detection model)\s*:\s*(.+?)\s*$`, "severity": `(?i)severity\s*:\s*(critical|high|medium|low)`}},
	},
	"generic": {
		{Name: "generic", Type: "Email alert", Severity: "medium",
			Extract: map[string]string{"severity": `(?i)\b(critical|high|medium|low)\b`}},
	},
	"none": nil,
}

// compiledRule is a MailRule with its patterns compiled.
type compiledRule struct {
	MailRule
	subject, body *regexp.Regexp
	extract       map[string]*regexp.Regexp
}

// MailDecoder turns a source's mail into alerts by its rules.
type MailDecoder struct {
	imap   *IMAPSettings
	rules  []compiledRule
	allow  []string
	defOrg alert.Organization
}

// NewMailDecoder compiles a source's mail rules from its settings.
func NewMailDecoder(settings []byte) (*MailDecoder, error) {
	s, err := ParseSettings(settings)
	if err != nil {
		return nil, err
	}
	m := s.Mail
	if m == nil {
		m = &MailSettings{}
	}
	builtin := m.Builtin
	if builtin == "" {
		builtin = "trendai"
	}
	set, ok := builtinMailRules[builtin]
	if !ok {
		return nil, fmt.Errorf("%w: mail.builtin %q: use trendai, generic or none", ErrInvalidMapping, builtin)
	}
	if i := m.IMAP; i != nil && (i.Addr == "" || i.Username == "" || i.PasswordEnv == "") {
		return nil, fmt.Errorf("%w: mail.imap: addr, username and password_env are required", ErrInvalidMapping)
	}
	d := &MailDecoder{allow: m.AllowSenders, imap: m.IMAP}
	if s.DefaultOrganization != nil {
		d.defOrg = *s.DefaultOrganization
	}
	for i, r := range append(append([]MailRule{}, m.Rules...), set...) {
		c, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("%w: mail.rules[%d] %q: %w", ErrInvalidMapping, i, r.Name, err)
		}
		d.rules = append(d.rules, c)
	}
	return d, nil
}

func compileRule(r MailRule) (compiledRule, error) {
	c := compiledRule{MailRule: r, extract: map[string]*regexp.Regexp{}}
	var err error
	if r.Subject != "" {
		if c.subject, err = regexp.Compile(r.Subject); err != nil {
			return c, fmt.Errorf("subject: %w", err)
		}
	}
	if r.Body != "" {
		if c.body, err = regexp.Compile(r.Body); err != nil {
			return c, fmt.Errorf("body: %w", err)
		}
	}
	for field, p := range r.Extract {
		if !contains(mailExtractFields, field) {
			return c, fmt.Errorf("extract.%s: not one of %s", field, strings.Join(mailExtractFields, ", "))
		}
		if c.extract[field], err = regexp.Compile(p); err != nil {
			return c, fmt.Errorf("extract.%s: %w", field, err)
		}
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// IMAP returns the mailbox to poll, or nil.
func (d *MailDecoder) IMAP() *IMAPSettings { return d.imap }

// Allows reports whether the sender may send to this source.
func (d *MailDecoder) Allows(sender string) bool {
	if len(d.allow) == 0 {
		return true
	}
	sender = strings.ToLower(strings.Trim(sender, "<> "))
	for _, a := range d.allow {
		a = strings.ToLower(a)
		if sender == a || (strings.HasPrefix(a, "@") && strings.HasSuffix(sender, a)) {
			return true
		}
	}
	return false
}

// Decode turns a message into an alert by the first rule it matches:
// ErrNoMailRule when none does, an *alert.ValidationError when the alert
// it makes is not valid (no organization, say).
func (d *MailDecoder) Decode(m MailMessage, now time.Time) (alert.Alert, error) {
	for _, r := range d.rules {
		if (r.subject == nil || r.subject.MatchString(m.Subject)) && (r.body == nil || r.body.MatchString(m.Text)) {
			return d.build(r, m, now)
		}
	}
	return alert.Alert{}, ErrNoMailRule
}

func (d *MailDecoder) build(r compiledRule, m MailMessage, now time.Time) (alert.Alert, error) {
	get := func(field string) string {
		re := r.extract[field]
		if re == nil {
			return ""
		}
		for _, text := range []string{m.Subject, m.Text} {
			if g := re.FindStringSubmatch(text); len(g) > 1 {
				return strings.TrimSpace(g[1])
			}
		}
		return ""
	}
	a := alert.Alert{
		Kind: alert.Kind(r.Kind), Type: firstOf(get("type"), r.Type, "Email alert"),
		Title: firstOf(get("title"), strings.TrimSpace(m.Subject), r.Type), Description: truncate(m.Text, alert.MaxDescriptionLen),
		OccurredAt: m.Date.UTC(), Organization: d.defOrg,
		Attributes: map[string]string{"mail_from": truncate(m.From, alert.MaxAttributeLen), "mail_rule": r.Name},
	}
	if a.OccurredAt.IsZero() {
		a.OccurredAt = now.UTC()
	}
	a.Severity = alert.Severity(mailSeverity(get("severity"), r))
	if org := get("organization"); org != "" {
		a.Organization = alert.Organization{ID: org}
	}
	a.User = user(get("user"), "")
	if dev := get("device"); dev != "" {
		a.Device = &alert.Device{Name: dev}
	}
	a.ID = MailAlertID(m)
	a.Normalize()
	if errs := a.Validate(); len(errs) > 0 {
		return alert.Alert{}, &alert.ValidationError{Fields: errs}
	}
	return a, nil
}

func mailSeverity(word string, r compiledRule) string {
	w := strings.ToLower(word)
	if v, ok := r.SeverityMap[w]; ok {
		return v
	}
	if v, ok := severityWords[w]; ok {
		return v
	}
	return firstOf(r.Severity, "medium")
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// MailAlertID is the id of a mail's alert: the hash of its Message-ID, so
// a mail delivered twice (a retry after a lost 250) is one alert, or of
// the whole message when it has none.
func MailAlertID(m MailMessage) string {
	if strings.TrimSpace(m.MessageID) == "" {
		return "mail-" + itemHash(string(m.Raw))[len(hashPrefix):]
	}
	return "mail-" + itemHash(m.MessageID)[len(hashPrefix):]
}
