package integration

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Defaults, applied in one place by ApplyDefaults.
const (
	DefaultSince      = "now"
	DefaultGroupBy    = GroupUserAlert
	DefaultDueIn      = "24h"
	DefaultVisibility = "internal"
)

// Decode reads one or more YAML documents (separated by ---), each one
// integration. Decoding is strict: an unknown key is an error naming its
// line, the section it is in and the nearest known key. Empty documents are
// skipped; two integrations with one name are an error.
func Decode(r io.Reader) ([]Settings, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var out []Settings
	for doc := 1; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("decode settings document %d: %w", doc, err)
		}
		if emptyDocument(&n) {
			continue
		}
		var s Settings
		if err := n.Load(&s, yaml.WithKnownFields()); err != nil {
			return nil, fmt.Errorf("decode settings document %d: %w", doc, friendlyLoadError(err))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("decode settings: no integration found: write at least one document with name, psa, connection, companies, ticket and notes")
	}
	return out, duplicateNames(out)
}

func emptyDocument(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		n = n.Content[0]
	}
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func duplicateNames(all []Settings) error {
	seen := make(map[string]int, len(all))
	for i, s := range all {
		key := strings.ToLower(strings.TrimSpace(s.Name))
		if key == "" {
			continue // Validate reports the missing name with its fix
		}
		if j, ok := seen[key]; ok {
			return fmt.Errorf("decode settings: integrations %d and %d are both named %q: give each integration its own name", j+1, i+1, s.Name)
		}
		seen[key] = i
	}
	return nil
}

// sectionTypes names, for each Go type of the schema, where it sits in the
// YAML, so "field bogus not found in type integration.Ticket" becomes
// `unknown key "bogus" in ticket`.
var sectionTypes = map[string]struct {
	path string
	typ  reflect.Type
}{
	"Settings":      {"the integration", reflect.TypeFor[Settings]()},
	"Connection":    {"connection", reflect.TypeFor[Connection]()},
	"SecretRef":     {"a secret (connection.secret, connection.integration_code, connection.private_key, connection.client_id)", reflect.TypeFor[SecretRef]()},
	"Sync":          {"sync", reflect.TypeFor[Sync]()},
	"Companies":     {"companies", reflect.TypeFor[Companies]()},
	"CatchAll":      {"companies.catch_all", reflect.TypeFor[CatchAll]()},
	"CompanyFilter": {"companies.filter", reflect.TypeFor[CompanyFilter]()},
	"Mapping":       {"a companies.map entry", reflect.TypeFor[Mapping]()},
	"Ticket":        {"ticket", reflect.TypeFor[Ticket]()},
	"Override":      {"a ticket.overrides entry", reflect.TypeFor[Override]()},
	"Notes":         {"notes", reflect.TypeFor[Notes]()},
	"StatusSync":    {"status_sync", reflect.TypeFor[StatusSync]()},
	"StatusMap":     {"status_sync.issues or status_sync.incidents", reflect.TypeFor[StatusMap]()},
	"PSAStatusTo":   {"a status_sync from_psa entry", reflect.TypeFor[PSAStatusTo]()},
	"Contracts":     {"contracts", reflect.TypeFor[Contracts]()},
	"BillableUsers": {"contracts.billable_users", reflect.TypeFor[BillableUsers]()},
	"ContractMap":   {"a contracts.map entry", reflect.TypeFor[ContractMap]()},
}

var (
	unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type integration\.(\w+)$`)
	linePrefixRE   = regexp.MustCompile(`^line \d+: `)
)

// friendlyLoadError rewrites yaml's construct errors into one line per
// problem: "line 5: unknown key "queu" in ticket: did you mean "queue"?".
func friendlyLoadError(err error) error {
	var le *yaml.LoadErrors
	if !errors.As(err, &le) || len(le.Errors) == 0 {
		return err
	}
	msgs := make([]string, 0, len(le.Errors))
	for _, e := range le.Errors {
		msg := linePrefixRE.ReplaceAllString(e.Message, "") // Pick adds its own line
		if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
			msg = unknownKeyMessage(m[1], m[2])
		}
		if e.Mark.Line > 0 {
			msg = fmt.Sprintf("line %d: %s", e.Mark.Line, msg)
		}
		msgs = append(msgs, msg)
	}
	return errors.New(strings.Join(msgs, "; "))
}

func unknownKeyMessage(key, typeName string) string {
	sec, ok := sectionTypes[typeName]
	if !ok {
		return fmt.Sprintf("unknown key %q", key)
	}
	known := yamlKeys(sec.typ)
	msg := fmt.Sprintf("unknown key %q in %s", key, sec.path)
	if near := nearest(key, known, 3); len(near) > 0 {
		return msg + ": did you mean " + quoteList(near) + "?"
	}
	return msg + ": known keys are " + quoteList(known)
}

// yamlKeys lists the YAML keys of a struct type, in declaration order.
func yamlKeys(t reflect.Type) []string {
	keys := make([]string, 0, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// ApplyDefaults fills every default that does not depend on the PSA, in
// one place. It is idempotent and never overwrites a value that is set.
func ApplyDefaults(s *Settings) {
	s.PSA = strings.ToLower(strings.TrimSpace(s.PSA))
	if s.Enabled == nil {
		on := true
		s.Enabled = &on
	}
	setDefault(&s.Sync.Since, DefaultSince)
	setDefault((*string)(&s.Ticket.GroupBy), string(DefaultGroupBy))
	setDefault(&s.Ticket.DueIn, DefaultDueIn)
	setDefault(&s.Ticket.Subject, DefaultSubject)
	setDefault(&s.Notes.Visibility, DefaultVisibility)
	setDefault(&s.Notes.Title, DefaultNoteTitle)
	applyStatusDefaults(&s.StatusSync)
	applyContractDefaults(&s.Contracts)
}

// ApplyDefaults fills the PSA's connection defaults (request budget,
// calls in flight); ApplyDefaults fills the rest.
func (p Profile) ApplyDefaults(s *Settings) {
	if s.Connection.RequestsPerHour == 0 {
		s.Connection.RequestsPerHour = p.RequestsPerHour
	}
	if s.Connection.MaxConcurrent == 0 {
		s.Connection.MaxConcurrent = p.MaxConcurrent
	}
}

func setDefault(field *string, def string) {
	if strings.TrimSpace(*field) == "" {
		*field = def
	}
}
