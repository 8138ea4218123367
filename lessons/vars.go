package lessons

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
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
// or, when it has none, 8080 for a port and its own name for others. Lint
// uses it to validate checks whose fields hold variables.
func (l *Lesson) SampleVars() map[string]string {
	m := make(map[string]string, len(l.Vars))
	for _, v := range l.Vars {
		switch {
		case v.Default != "":
			m[v.Name] = v.Default
		case v.Type == VarPort:
			m[v.Name] = "8080"
		default:
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

// The types a variable can have. Each checks an answer by its own rule and
// says the rule in words when an answer breaks it.
const (
	// VarPort is a TCP port for the learner's machine: a whole number from
	// 1024 to 65535 (lower ports need root on Linux).
	VarPort = "port"
	// VarName is a name for an image, container or Docker Hub account:
	// lower-case letters and digits, with -, _ or . between them.
	VarName = "name"
	// VarPath is a folder or file on the learner's machine; a leading ~ is
	// their home folder.
	VarPath = "path"
)

// VarTypes are the types a variable can have, as front matter spells them.
var VarTypes = []string{VarPort, VarName, VarPath}

var nameRule = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*$`)

// Check says, in words, why value is not a valid answer for the variable,
// or returns nil when it is. The value is checked against the variable's
// type, then its pattern; a pattern the value does not match is explained by
// the variable's message, never shown to the learner.
func (v Var) Check(value string) error {
	if strings.TrimSpace(value) == "" {
		return errors.New("please give a value")
	}
	// The type's rule, in its own words unless the lesson gave some.
	var typeErr string
	switch v.Type {
	case VarPort:
		if n, err := strconv.Atoi(value); err != nil || n < 1024 || n > 65535 {
			typeErr = "is not a port between 1024 and 65535, such as 8080"
		}
	case VarName:
		if !nameRule.MatchString(value) {
			typeErr = "is not a name: use lower-case letters and digits, with - _ . inside"
		}
	}
	fits := typeErr == "" && (v.Pattern == "" || MatchPattern(v.Pattern, value))
	switch {
	case fits:
		return nil
	case v.Message != "":
		return fmt.Errorf("%q does not fit: %s", value, v.Message)
	case typeErr != "":
		return fmt.Errorf("%q %s", value, typeErr)
	}
	return fmt.Errorf("%q does not fit what is asked: %s", value, v.Prompt)
}

// ExpandHome replaces a leading ~ or ~/ in path with the home folder, as
// a shell does; other paths, and ~user, are returned as they are.
func ExpandHome(path, home string) string {
	switch {
	case home == "":
		return path
	case path == "~":
		return home
	case strings.HasPrefix(path, "~/"):
		return filepath.Join(home, path[2:])
	}
	return path
}

// Normalize returns the answer as the lesson uses it: a path's leading ~
// becomes home.
func (v Var) Normalize(value, home string) string {
	if v.Type == VarPath {
		return ExpandHome(value, home)
	}
	return value
}
