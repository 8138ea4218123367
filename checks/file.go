package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

func init() {
	builtinChecks["file"] = compileFile
	engineFree["file"] = true
}

// fileCheck passes when a file exists in the learner's working directory and
// holds the text or matches the regular expression given.
type fileCheck struct {
	path     string
	contains string
	matches  *regexp.Regexp
	// want says in words what matches looks for: the learner is told it,
	// never the regular expression.
	want string
}

func compileFile(n *yaml.Node) (Check, error) {
	var d decoder
	c := &fileCheck{}
	d.shorthand(n, "path", "which file, such as path: app.py", []string{"path", "contains", "matches", "want"}, "{path: app.py, contains: Flask}",
		func(v *yaml.Node) { c.path = d.str("file", v) },
		func(key string, v *yaml.Node) {
			switch key {
			case "path":
				c.path = d.str(key, v)
			case "contains":
				c.contains = d.str(key, v)
			case "matches":
				c.matches = d.regexp(key, v)
			case "want":
				c.want = d.str(key, v)
			}
		})
	if n != nil && n.Kind == yaml.MappingNode {
		switch {
		case hasKey(n, "matches") && !hasKey(n, "want"):
			d.errorf(n, "matches needs want: what it looks for, in words the learner reads instead of the regular expression, such as want: a line name: visits")
		case hasKey(n, "want") && !hasKey(n, "matches"):
			d.errorf(n, "want goes with matches; contains says its text itself")
		}
	}
	return c, d.err()
}

func (c *fileCheck) Kind() string { return "file" }

func (c *fileCheck) Evaluate(ctx context.Context, env *Env) Result {
	p := c.path
	if !filepath.IsAbs(p) {
		p = filepath.Join(env.Dir, p)
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("no file %s (looked for %s)", c.path, p)
		if found := misnamed(p); len(found) > 0 {
			msg += "; there is " + strings.Join(found, ", ")
		}
		return Result{Kind: "file", Message: msg}
	}
	if err != nil {
		return Result{Kind: "file", Message: fmt.Sprintf("cannot read %s: %v", p, unwrapPath(err))}
	}
	text := string(b)
	if c.contains != "" && !strings.Contains(text, c.contains) {
		msg := fmt.Sprintf("%s does not contain %q", c.path, c.contains)
		if line, n := closestLine(text, c.contains); line != "" {
			msg += fmt.Sprintf("; the closest line is %q (line %d)", line, n)
		}
		return Result{Kind: "file", Message: msg}
	}
	if c.matches != nil && !c.matches.MatchString(text) {
		return Result{Kind: "file", Message: fmt.Sprintf("%s does not have %s", c.path, c.want)}
	}
	return Result{Kind: "file", Passed: true, Message: c.path + " is as wanted"}
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// closestLine returns the line of text most like want (a one-line text),
// with its 1-based number, or "" when want spans lines or text is empty.
func closestLine(text, want string) (string, int) {
	if strings.Contains(want, "\n") {
		return "", 0
	}
	best, bestN, bestD := "", 0, -1
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if d := distance(l, want); bestD < 0 || d < bestD {
			best, bestN, bestD = l, i+1, d
		}
	}
	if bestD > len(want) { // nothing alike
		return "", 0
	}
	return best, bestN
}
