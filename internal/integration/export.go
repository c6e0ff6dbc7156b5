package integration

import (
	"bytes"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v4"
)

// Export renders settings as the YAML apply reads, one document per
// integration: PSA values by name (never ids), secrets as their env or
// file reference, or `stored: true` when only the database holds them.
// A secret value is never written.
func Export(all []Settings) ([]byte, error) {
	if len(all) == 0 {
		// Nothing stored is an empty file, which apply reads as nothing;
		// the YAML emitter refuses to close a stream it never opened.
		return nil, nil
	}
	var buf bytes.Buffer
	d, err := yaml.NewDumper(&buf, yaml.WithV4Defaults())
	if err != nil {
		return nil, fmt.Errorf("export settings: %w", err)
	}
	for _, s := range all {
		for _, ref := range s.Connection.SecretRefs() {
			*ref = redactRef(*ref)
		}
		var n yaml.Node
		if err := n.Encode(s); err != nil {
			return nil, fmt.Errorf("export settings %q: %w", s.Name, err)
		}
		sortPriorities(&n)
		if err := d.Dump(&n); err != nil {
			return nil, fmt.Errorf("export settings %q: %w", s.Name, err)
		}
	}
	if err := d.Close(); err != nil {
		return nil, fmt.Errorf("export settings: %w", err)
	}
	return buf.Bytes(), nil
}

// redactRef keeps where a secret comes from and drops its value.
func redactRef(r SecretRef) SecretRef {
	if r.Value != "" && r.Env == "" && r.File == "" {
		return SecretRef{Stored: true}
	}
	r.Value = ""
	return r
}

// sortPriorities puts ticket.priority in severity order (critical first)
// instead of YAML's alphabetical map order, which reads oddly.
func sortPriorities(doc *yaml.Node) {
	prio := mappingValue(mappingValue(doc, "ticket"), "priority")
	if prio == nil || len(prio.Content)%2 != 0 {
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(prio.Content)/2)
	for i := 0; i < len(prio.Content); i += 2 {
		pairs = append(pairs, pair{prio.Content[i], prio.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		return severityRank(pairs[i].k.Value) < severityRank(pairs[j].k.Value)
	})
	for i, p := range pairs {
		prio.Content[2*i], prio.Content[2*i+1] = p.k, p.v
	}
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
