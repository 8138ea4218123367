package lessons

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// varRef matches {{name}}, with optional spaces inside the braces.
var varRef = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}`)

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// Expand fills in every {{name}} in s whose name is in vars. References to
// names not in vars are left as they are.
func Expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		name := varRef.FindStringSubmatch(m)[1]
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}

// refs returns the variable names used in s, in order, with the line (counted
// from 0) of each within s.
func refs(s string) (names []string, lines []int) {
	for _, m := range varRef.FindAllStringSubmatchIndex(s, -1) {
		names = append(names, s[m[2]:m[3]])
		lines = append(lines, strings.Count(s[:m[0]], "\n"))
	}
	return names, lines
}

// Expand returns a copy of the check's YAML value with {{vars}} filled in in
// every scalar.
func (c CheckSpec) Expand(vars map[string]string) *yaml.Node {
	return expandNode(c.Value, vars)
}

func expandNode(n *yaml.Node, vars map[string]string) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if c.Kind == yaml.ScalarNode {
		c.Value = Expand(c.Value, vars)
	}
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = expandNode(k, vars)
		}
	}
	return &c
}

// SampleVars returns a value for every variable of the lesson: its default,
// or its own name when it has none. Lint uses it to validate checks whose
// fields hold variables.
func (l *Lesson) SampleVars() map[string]string {
	m := make(map[string]string, len(l.Vars))
	for _, v := range l.Vars {
		if v.Default != "" {
			m[v.Name] = v.Default
		} else {
			m[v.Name] = strings.ToLower(v.Name)
		}
	}
	return m
}

// Var returns the variable with the given name.
func (l *Lesson) Var(name string) (Var, bool) {
	for _, v := range l.Vars {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}
