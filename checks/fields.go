package checks

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/lessons"
)

// decoder reads a check's YAML fields and collects every problem it finds,
// each at the line of the node at fault.
type decoder struct {
	errs []error
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, lessons.AtLine(n.Line, fmt.Errorf(format, args...)))
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

// fields calls each for every key of the mapping n, after rejecting keys not
// in known. example shows the form a mapping takes, for messages.
func (d *decoder) fields(n *yaml.Node, known []string, example string, each func(key string, v *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		line := &yaml.Node{Line: 0}
		if n != nil {
			line = n
		}
		d.errorf(line, "want fields such as %s", example)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(known, k.Value) {
			d.errorf(k, "unknown field %q; the fields are %s", k.Value, strings.Join(known, ", "))
			continue
		}
		if seen[k.Value] {
			d.errorf(k, "field %q is given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		each(k.Value, v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str reads a text field.
func (d *decoder) str(key string, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, "%s must be text, not %s", key, nodeKind(v))
		return ""
	}
	if v.Value == "" {
		d.errorf(v, "%s is empty", key)
	}
	return v.Value
}

// strs reads a field that is text or a list of texts.
func (d *decoder) strs(key string, v *yaml.Node) []string {
	var out []string
	for _, n := range d.strNodes(key, v) {
		out = append(out, n.Value)
	}
	return out
}

// strNodes is strs keeping each text's node, for errors about one item.
func (d *decoder) strNodes(key string, v *yaml.Node) []*yaml.Node {
	switch v.Kind {
	case yaml.ScalarNode:
		d.str(key, v)
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode {
				d.errorf(it, "each item of %s must be text, not %s", key, nodeKind(it))
				continue
			}
			d.str(key, it)
			out = append(out, it)
		}
		if len(v.Content) == 0 {
			d.errorf(v, "%s is an empty list", key)
		}
		return out
	}
	d.errorf(v, "%s must be text or a list of texts, not %s", key, nodeKind(v))
	return nil
}

// integer reads a whole number field.
func (d *decoder) integer(key string, v *yaml.Node) int {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, "%s must be a whole number, not %s", key, nodeKind(v))
		return 0
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil {
		d.errorf(v, "%s must be a whole number, not %q", key, v.Value)
	}
	return n
}

// boolean reads a true/false field.
func (d *decoder) boolean(key string, v *yaml.Node) bool {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		d.errorf(v, "%s must be true or false, not %q", key, v.Value)
	}
	return b
}

// duration reads a duration such as 5s or 2m; a bare number is seconds.
func (d *decoder) duration(key string, v *yaml.Node) time.Duration {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, "%s must be a duration such as 10s, not %s", key, nodeKind(v))
		return 0
	}
	if n, err := strconv.Atoi(v.Value); err == nil {
		return time.Duration(n) * time.Second
	}
	t, err := time.ParseDuration(v.Value)
	if err != nil || t <= 0 {
		d.errorf(v, "%s must be a positive duration such as 10s, not %q", key, v.Value)
	}
	return t
}

// pairs reads a field that is a mapping of text to text, or a list of
// "KEY=value" texts (as env and labels are written).
func (d *decoder) pairs(key string, v *yaml.Node) map[string]string {
	out := map[string]string{}
	switch v.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				d.errorf(val, "%s: the value of %s must be text, not %s", key, k.Value, nodeKind(val))
				continue
			}
			out[k.Value] = val.Value
		}
		return out
	case yaml.SequenceNode, yaml.ScalarNode:
		for _, s := range d.strs(key, v) {
			name, val, ok := strings.Cut(s, "=")
			if !ok || name == "" {
				d.errorf(v, "%s: %q must be written NAME=value", key, s)
				continue
			}
			out[name] = val
		}
		return out
	}
	d.errorf(v, "%s must be a mapping such as {NAME: value} or a list of NAME=value, not %s", key, nodeKind(v))
	return nil
}

// regexp reads a regular expression field.
func (d *decoder) regexp(key string, v *yaml.Node) *regexp.Regexp {
	s := d.str(key, v)
	re, err := regexp.Compile(s)
	if err != nil {
		d.errorf(v, "%s is not a valid regular expression: %v", key, err)
		return nil
	}
	return re
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "text"
}
