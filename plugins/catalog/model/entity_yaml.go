package model

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// MarshalYAML writes the entity as YAML with the same key order as its JSON encoding.
func (e Entity) MarshalYAML() (any, error) {
	data, err := e.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, fmt.Errorf("marshal entity yaml: %w", err)
	}
	// JSON parses as flow-style YAML; switch to block style and let the encoder quote strings
	// only where needed.
	var plain func(*yaml.Node)
	plain = func(x *yaml.Node) {
		x.Style = 0
		for _, c := range x.Content {
			plain(c)
		}
	}
	plain(&n)
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return n.Content[0], nil
	}
	return &n, nil
}

// UnmarshalYAML decodes an entity strictly, like [Entity.UnmarshalJSON]. Use [ParseDescriptor]
// to read descriptor files with every problem and its line.
func (e *Entity) UnmarshalYAML(n *yaml.Node) error {
	conv := nodeConverter{}
	v, p := conv.value(n, 0)
	if p != nil {
		return fmt.Errorf("decode entity yaml: %w", p)
	}
	d, err := DecodeEntity(v)
	if d != nil {
		*e = *d
	}
	return err
}
