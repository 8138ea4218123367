package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"gopkg.in/yaml.v3"
)

func init() {
	builtinChecks["dockerfile"] = compileDockerfile
	engineFree["dockerfile"] = true
}

// dockerfileCheck reads the learner's Dockerfile with Docker's own parser and
// passes when it starts FROM the image given and has the instructions given,
// in order when asked.
type dockerfileCheck struct {
	path  string
	from  *imageRef
	has   []instruction
	order bool
}

// instruction is a Dockerfile line in the form that Docker treats as equal
// for all the ways of writing it.
type instruction struct {
	keyword string // upper case
	norm    string // keyword, flags and arguments, normalised
	line    int    // line in the Dockerfile
}

var dockerfileKeywords = []string{"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}

func compileDockerfile(n *yaml.Node) (Check, error) {
	var d decoder
	c := &dockerfileCheck{path: "Dockerfile"}
	d.fields(n, []string{"path", "from", "has", "order"}, "{from: python:3, has: [EXPOSE 5000]}", func(key string, v *yaml.Node) {
		switch key {
		case "path":
			c.path = d.str(key, v)
		case "from":
			r := d.image(key, v)
			c.from = &r
		case "has":
			items := d.strNodes(key, v)
			for i, it := range items {
				l := it.Value
				ins, err := parseInstructions(l)
				switch {
				case err != nil:
					d.errorf(items[i], "has: %q is not a Dockerfile instruction: %v", l, err)
				case len(ins) != 1:
					d.errorf(items[i], "has: %q must be one Dockerfile instruction", l)
				case !contains(dockerfileKeywords, ins[0].keyword):
					d.errorf(items[i], "has: %q: %s is not a Dockerfile instruction; they are %s", l, ins[0].keyword, strings.Join(dockerfileKeywords, ", "))
				default:
					c.has = append(c.has, ins[0])
				}
			}
		case "order":
			c.order = d.boolean(key, v)
		}
	})
	return c, d.err()
}

// parseInstructions parses Dockerfile text into normalised instructions.
func parseInstructions(text string) ([]instruction, error) {
	res, err := parser.Parse(bytes.NewReader([]byte(text)))
	if err != nil {
		return nil, err
	}
	var out []instruction
	for _, n := range res.AST.Children {
		out = append(out, instruction{keyword: strings.ToUpper(n.Value), norm: normalise(n), line: n.StartLine})
	}
	return out, nil
}

// normalise writes an instruction the one way among those Docker treats as
// equal: keyword in upper case, single spaces, exec-form JSON as
// ["a", "b"], ENV and LABEL pairs as KEY=value.
func normalise(n *parser.Node) string {
	kw := strings.ToUpper(n.Value)
	parts := []string{kw}
	parts = append(parts, n.Flags...)
	var args []string
	for a := n.Next; a != nil; a = a.Next {
		args = append(args, a.Value)
	}
	switch {
	case n.Attributes["json"]:
		b, _ := json.Marshal(args)
		parts = append(parts, strings.ReplaceAll(string(b), `","`, `", "`))
	case kw == "ENV" || kw == "LABEL":
		for i := 0; i+1 < len(args); i += 3 {
			parts = append(parts, args[i]+"="+args[i+1])
		}
	case kw == "FROM":
		for i, a := range args {
			if i == 1 && strings.EqualFold(a, "as") {
				a = "AS"
			}
			parts = append(parts, a)
		}
	default:
		parts = append(parts, strings.Fields(strings.Join(args, " "))...)
	}
	return strings.Join(parts, " ")
}

func (c *dockerfileCheck) Kind() string { return "dockerfile" }

func (c *dockerfileCheck) Evaluate(ctx context.Context, env *Env) Result {
	p := c.path
	if !filepath.IsAbs(p) {
		p = filepath.Join(env.Dir, p)
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Result{Kind: "dockerfile", Message: c.notFound(p, env.Dir)}
	}
	if err != nil {
		return Result{Kind: "dockerfile", Message: fmt.Sprintf("cannot read %s: %v", p, unwrapPath(err))}
	}
	got, err := parseInstructions(string(b))
	if err != nil {
		return Result{Kind: "dockerfile", Message: fmt.Sprintf("Docker cannot read %s: %v", p, err)}
	}
	var wrong []string
	if c.from != nil {
		var froms []string
		ok := false
		for _, in := range got {
			if in.keyword != "FROM" {
				continue
			}
			img := strings.Fields(in.norm)[1:]
			if len(img) > 0 {
				froms = append(froms, img[0])
				if c.from.matches(img[0]) {
					ok = true
				}
			}
		}
		switch {
		case ok:
		case len(froms) == 0:
			wrong = append(wrong, fmt.Sprintf("it has no FROM line: start it with FROM %s", c.from.raw))
		default:
			wrong = append(wrong, fmt.Sprintf("it starts FROM %s, want FROM %s", strings.Join(froms, ", "), c.from.raw))
		}
	}
	at := make([]int, len(c.has)) // index in got of each wanted line, -1 if absent
	for i, want := range c.has {
		at[i] = -1
		for j, in := range got {
			if in.norm == want.norm {
				at[i] = j
				break
			}
		}
		if at[i] < 0 {
			wrong = append(wrong, missingInstruction(want, got))
		}
	}
	if c.order && len(wrong) == 0 {
		for i := 1; i < len(at); i++ {
			if at[i] < at[i-1] {
				wrong = append(wrong, fmt.Sprintf("`%s` (line %d) must come after `%s` (line %d)", c.has[i].norm, got[at[i]].line, c.has[i-1].norm, got[at[i-1]].line))
				break
			}
		}
	}
	if len(wrong) > 0 {
		return Result{Kind: "dockerfile", Message: fmt.Sprintf("in %s, %s", c.path, strings.Join(wrong, "; "))}
	}
	return Result{Kind: "dockerfile", Passed: true, Message: c.path + " is as wanted"}
}

// missingInstruction names the wanted line and the closest line there is:
// the most alike of the same keyword, else the most alike of all.
func missingInstruction(want instruction, got []instruction) string {
	msg := fmt.Sprintf("there is no line `%s`", want.norm)
	var best *instruction
	bestD := -1
	for i := range got {
		d := distance(got[i].norm, want.norm)
		if got[i].keyword != want.keyword {
			d += 1000 // prefer any line of the same instruction
		}
		if bestD < 0 || d < bestD {
			best, bestD = &got[i], d
		}
	}
	switch {
	case best == nil:
		return msg + " (the Dockerfile is empty)"
	case best.keyword == want.keyword:
		return msg + fmt.Sprintf("; the closest is `%s` (line %d)", best.norm, best.line)
	case bestD-1000 <= len(want.norm)/2:
		return msg + fmt.Sprintf("; the closest is `%s` (line %d)", best.norm, best.line)
	}
	return msg + fmt.Sprintf(" and no %s line: add `%s`", want.keyword, want.norm)
}

// notFound explains a missing Dockerfile: where it was looked for, and any
// Dockerfile one folder down (building in the wrong folder is a classic
// mistake) or with the name in another case.
func (c *dockerfileCheck) notFound(p, dir string) string {
	msg := fmt.Sprintf("no %s in %s (looked for %s)", filepath.Base(c.path), filepath.Dir(p), p)
	var found []string
	if entries, err := os.ReadDir(filepath.Dir(p)); err == nil {
		for _, e := range entries {
			name, want := e.Name(), filepath.Base(p)
			switch {
			case strings.EqualFold(name, want) && name != want:
				found = append(found, name+" (the name must be written "+want+")")
			case len(name) > len(want) && strings.EqualFold(name[:len(want)+1], want+"."):
				// Dockerfile.txt: an editor added an extension.
				found = append(found, fmt.Sprintf("%s (the name has no extension: mv %s %s)", name, name, want))
			}
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*", filepath.Base(c.path))); len(matches) > 0 {
		for _, m := range matches {
			rel, _ := filepath.Rel(dir, m)
			found = append(found, rel)
		}
		msg += fmt.Sprintf("; there is %s: work in the folder that holds the Dockerfile (cd %s)", strings.Join(found, ", "), filepath.Dir(found[len(found)-1]))
		return msg
	}
	if len(found) > 0 {
		return msg + "; there is " + strings.Join(found, ", ")
	}
	return msg + ": create it there, or cd to the folder that holds it"
}
