package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
	// first, with order, wants no earlier copy of a line either: with
	// order: first, COPY . . above RUN pip install breaks the build cache
	// even if another COPY . . follows it.
	first bool
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
			if v.Kind == yaml.ScalarNode && v.Value == "first" {
				c.order, c.first = true, true
			} else {
				c.order = d.boolean(key, v)
			}
		}
	})
	// A relative path in a wanted line is taken in the WORKDIR the lines
	// before it set, as it would be in a Dockerfile made of them.
	wd := ""
	for i := range c.has {
		c.has[i].workdir = wd
		if c.has[i].keyword == "WORKDIR" && len(c.has[i].args) == 1 {
			wd = resolveDir(c.has[i].args[0], wd)
		}
	}
	return c, d.err()
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
			if len(in.args) > 0 {
				froms = append(froms, in.args[0])
				if c.from.matches(in.args[0]) {
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
	for _, want := range c.has {
		if !slices.ContainsFunc(got, func(in instruction) bool { return sameInstruction(want, in, false) }) {
			wrong = append(wrong, missingInstruction(want, got))
		}
	}
	if c.order && len(wrong) == 0 {
		if msg := c.outOfOrder(got); msg != "" {
			wrong = append(wrong, msg)
		}
	}
	if len(wrong) > 0 {
		return Result{Kind: "dockerfile", Message: fmt.Sprintf("in %s, %s", c.path, strings.Join(wrong, "; "))}
	}
	return Result{Kind: "dockerfile", Passed: true, Message: c.path + " is as wanted"}
}

// outOfOrder explains why the wanted lines are not in order, or returns ""
// when they are. Any line that matches will do: the earliest one after the
// line chosen for the one before it.
func (c *dockerfileCheck) outOfOrder(got []instruction) string {
	prev := -1
	for i, want := range c.has {
		next := -1
		for j := prev + 1; j < len(got); j++ {
			if sameInstruction(want, got[j], true) {
				next = j
				break
			}
		}
		if next < 0 {
			last := 0
			for j := range got {
				if sameInstruction(want, got[j], false) {
					last = j
				}
			}
			return fmt.Sprintf("`%s` (line %d) must come after `%s` (line %d)", want.norm, got[last].line, c.has[i-1].norm, got[prev].line)
		}
		prev = next
	}
	if !c.first {
		return ""
	}
	// The first line of each kind comes after the one wanted before it.
	for i := 1; i < len(c.has); i++ {
		before := slices.IndexFunc(got, func(in instruction) bool { return sameInstruction(c.has[i-1], in, true) })
		early := slices.IndexFunc(got, func(in instruction) bool { return sameInstruction(c.has[i], in, true) })
		if early < before {
			return fmt.Sprintf("`%s` (line %d) comes before `%s` (line %d): everything from there on is built again whenever its files change; remove line %d, keeping only the `%s` after it",
				c.has[i].norm, got[early].line, c.has[i-1].norm, got[before].line, got[early].line, c.has[i].norm)
		}
	}
	return ""
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
	case best.keyword == want.keyword && want.exec && !best.exec && strings.HasPrefix(best.text, "[") && strings.Contains(best.text, "'"):
		return msg + fmt.Sprintf("; `%s` (line %d) has single quotes, so Docker does not read it as a list but as a shell command: use double quotes", best.norm, best.line)
	case best.keyword == want.keyword && want.exec != best.exec && sameButForm(want, *best):
		form := "the shell form, which runs the program under /bin/sh -c; the lesson uses the list (exec) form, which runs it directly"
		if best.exec {
			form = "the list (exec) form; the lesson uses the shell form"
		}
		return msg + fmt.Sprintf("; `%s` (line %d) is %s", best.norm, best.line, form)
	case best.keyword == want.keyword:
		return msg + fmt.Sprintf("; the closest is `%s` (line %d)", best.norm, best.line)
	case bestD-1000 <= len(want.norm)/2:
		return msg + fmt.Sprintf("; the closest is `%s` (line %d)", best.norm, best.line)
	}
	return msg + fmt.Sprintf(" and no %s line: add `%s`", want.keyword, want.norm)
}

// sameButForm reports whether two CMD or ENTRYPOINT lines run the same
// words, one in the exec form and one in the shell form.
func sameButForm(want, got instruction) bool {
	if want.keyword != "CMD" && want.keyword != "ENTRYPOINT" || want.exec == got.exec || !got.simple {
		return false
	}
	want.exec = got.exec
	return sameInstruction(want, got, false)
}

// notFound explains a missing Dockerfile: where it was looked for, and any
// Dockerfile one folder down (building in the wrong folder is a classic
// mistake) or with the name in another case.
func (c *dockerfileCheck) notFound(p, dir string) string {
	msg := fmt.Sprintf("no %s in %s (looked for %s)", filepath.Base(c.path), filepath.Dir(p), p)
	found := misnamed(p)
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

// misnamed lists the files beside path p that are p misnamed, each with how
// to rename it: another case (dockerfile), or an extension an editor added
// (Dockerfile.txt, .dockerignore.txt).
func misnamed(p string) []string {
	var found []string
	entries, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		return nil
	}
	for _, e := range entries {
		name, want := e.Name(), filepath.Base(p)
		switch {
		case strings.EqualFold(name, want) && name != want:
			found = append(found, fmt.Sprintf("%s (the name must be written %s: mv %s %s)", name, want, name, want))
		case len(name) > len(want) && strings.EqualFold(name[:len(want)+1], want+"."):
			found = append(found, fmt.Sprintf("%s (the name has no extension: mv %s %s)", name, name, want))
		}
	}
	return found
}
