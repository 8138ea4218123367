package checks

import "gopkg.in/yaml.v3"

// shorthand decodes the shape most check kinds share: one scalar, which is
// the value of the kind's main field (file: app.py), or a mapping of
// fields in which main is required ({path: app.py, contains: Flask}).
// scalar receives the scalar; field each field of the mapping, as for
// fields. missing says what main is, for the error when it is left out.
func (d *decoder) shorthand(n *yaml.Node, main, missing string, known []string, example string, scalar func(v *yaml.Node), field func(key string, v *yaml.Node)) {
	if n != nil && n.Kind == yaml.ScalarNode {
		scalar(n)
		return
	}
	d.fields(n, known, example, field)
	if n != nil && n.Kind == yaml.MappingNode && !hasKey(n, main) {
		d.errorf(n, "%s is missing: %s", main, missing)
	}
}
