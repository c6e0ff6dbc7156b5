package integration

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v4"
)

// Pick is a PSA value written by name ("Security", "Critical") and resolved
// to the PSA's id at apply time. In YAML it is a plain name; in the stored
// JSON it carries both, so rules run on ids and export writes names.
type Pick struct {
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
}

// IsZero reports whether no value is set.
func (p Pick) IsZero() bool { return p.Name == "" && p.ID == "" }

// String returns the name, or the id when no name is known.
func (p Pick) String() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// UnmarshalYAML reads a scalar name.
func (p *Pick) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a name, got a %s", n.Line, kindName(n.Kind))
	}
	*p = Pick{Name: n.Value}
	return nil
}

// MarshalYAML writes the name.
func (p Pick) MarshalYAML() (any, error) { return p.String(), nil }

// UnmarshalJSON accepts the stored object form or a bare name.
func (p *Pick) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		*p = Pick{Name: name}
		return nil
	}
	type plain Pick
	return json.Unmarshal(b, (*plain)(p))
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}
