package lessons

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ParseVarFlags reads --var flags written name=value.
func ParseVarFlags(flags []string) (map[string]string, error) {
	m := map[string]string{}
	for _, f := range flags {
		name, val, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--var %q: write it as name=value, such as --var user=ada", f)
		}
		m[name] = val
	}
	return m, nil
}

// CheckVarNames holds variables given on the command line to the one policy
// for names: each must be a variable of at least one of the lessons (a
// lesson that does not have it ignores it), so that a misspelt name is
// caught rather than silently unused.
func CheckVarNames(given map[string]string, ls []*Lesson) error {
	var errs []error
	for _, name := range sortedKeys(given) {
		known := false
		var names []string
		for _, l := range ls {
			_, ok := l.Var(name)
			known = known || ok
			for _, v := range l.Vars {
				names = appendOnce(names, v.Name)
			}
		}
		if known {
			continue
		}
		what := "none of the lessons"
		if len(ls) == 1 {
			what = "lesson " + ls[0].ID
		}
		switch {
		case len(ls) == 0:
			errs = append(errs, fmt.Errorf("--var %s: there is no lesson to give it to", name))
		case len(names) == 0 && len(ls) == 1:
			errs = append(errs, fmt.Errorf("--var %s: lesson %s has no variables", name, ls[0].ID))
		case len(names) == 0:
			errs = append(errs, fmt.Errorf("--var %s: the lessons have no variables", name))
		case len(ls) == 1:
			errs = append(errs, fmt.Errorf("--var %s: %s has no such variable; its variables are %s", name, what, strings.Join(names, ", ")))
		default:
			errs = append(errs, fmt.Errorf("--var %s: %s has such a variable; theirs are %s", name, what, strings.Join(names, ", ")))
		}
	}
	return errors.Join(errs...)
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Values are where Resolve takes a lesson's variable values from, in this
// order: Given (the --var flags), Saved (the learner's answers from before),
// Ask (the learner, who is offered the default), then the default.
type Values struct {
	Given map[string]string
	Saved map[string]string
	// Ask asks for a value; nil when there is nobody to ask.
	Ask func(v Var) (string, error)
	// Home is the learner's home folder, for a ~ in path values; empty
	// leaves them as they are.
	Home string
}

// MissingVarError says that a variable got no value: there is nobody to
// ask and it has no default.
type MissingVarError struct {
	Lesson string
	Var    Var
}

func (e *MissingVarError) Error() string {
	what := ""
	if e.Var.Prompt != "" {
		what = " (" + e.Var.Prompt + ")"
	}
	return fmt.Sprintf("lesson %s needs a value for the variable %s%s: pass --var %s=VALUE", e.Lesson, e.Var.Name, what, e.Var.Name)
}

// Resolve gives every variable of the lesson a value, the one way every
// command does. Given names the lesson does not have are ignored (see
// CheckVarNames). A given value that does not fit its variable is an
// error; a saved one that no longer fits (the lesson changed) is not used.
func (l *Lesson) Resolve(src Values) (map[string]string, error) {
	out := make(map[string]string, len(l.Vars))
	for _, v := range l.Vars {
		if val, ok := src.Given[v.Name]; ok {
			if err := v.Check(val); err != nil {
				return nil, fmt.Errorf("--var %s=%s: %w", v.Name, val, err)
			}
			out[v.Name] = v.Normalize(val, src.Home)
			continue
		}
		if val, ok := src.Saved[v.Name]; ok && v.Check(val) == nil {
			out[v.Name] = val
			continue
		}
		if src.Ask != nil {
			val, err := src.Ask(v)
			if err != nil {
				return nil, err
			}
			out[v.Name] = v.Normalize(val, src.Home)
			continue
		}
		if v.Default == "" {
			return nil, &MissingVarError{Lesson: l.ID, Var: v}
		}
		out[v.Name] = v.Default
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
