package lessons

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// splitFrontMatter finds YAML front matter between two "---" lines at the
// top of src. It returns the YAML text, the number of lines the front matter
// takes (fences included) and whether it was found. A front matter that
// opens but never closes is an error.
func splitFrontMatter(src []byte) (yml []byte, lines int, found bool, err error) {
	first, rest, ok := bytes.Cut(src, []byte("\n"))
	if !ok || string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, 0, false, nil
	}
	lines = 1
	start := len(first) + 1
	off := start
	for {
		line, next, more := bytes.Cut(rest, []byte("\n"))
		lines++
		t := string(bytes.TrimRight(line, " \t\r"))
		if t == "---" || t == "..." {
			return src[start:off], lines, true, nil
		}
		if !more {
			return nil, 0, false, fmt.Errorf("the front matter opened with --- on line 1 is never closed: end it with a line holding only ---")
		}
		off += len(line) + 1
		rest = next
	}
}

// blankOut replaces every byte of the first n lines of src, other than line
// breaks, with a space, so that the Markdown parser skips them while every
// offset and line number stays what it is in the file.
func blankOut(src []byte, n int) []byte {
	out := bytes.Clone(src)
	line := 0
	for i := range out {
		if line >= n {
			break
		}
		if out[i] == '\n' {
			line++
			continue
		}
		out[i] = ' '
	}
	return out
}

// clampLines keeps the line of n and of every node below it within lo..hi.
func clampLines(n *yaml.Node, lo, hi int) {
	if n == nil {
		return
	}
	n.Line = min(max(n.Line, lo), hi)
	for _, c := range n.Content {
		clampLines(c, lo, hi)
	}
}

// shiftLines adds off to the line of n and of every node below it, so that
// lines count from the top of the lesson file rather than of a YAML snippet.
func shiftLines(n *yaml.Node, off int) {
	if n == nil {
		return
	}
	n.Line += off
	for _, c := range n.Content {
		shiftLines(c, off)
	}
}

// parseFrontMatter fills in the lesson's front-matter fields from the YAML
// document node (whose lines are already file lines).
func (p *parser) parseFrontMatter(doc *yaml.Node) {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		p.errorf(doc.Line, "the front matter must be a YAML mapping of keys such as format, title and summary")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if seen[k.Value] {
			p.errorf(k.Line, "front matter key %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "format":
			n, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				p.errorf(v.Line, "format must be a whole number; this dockstep reads format: %d", FormatVersion)
				continue
			}
			if n != FormatVersion {
				p.errorf(v.Line, "format %d is not one this dockstep reads (it reads format: %d); upgrade dockstep or write the lesson for format %d", n, FormatVersion, FormatVersion)
				continue
			}
			p.l.Format = n
		case "title":
			p.l.Title = p.scalar(k, v)
		case "summary":
			p.l.Summary = p.scalar(k, v)
		case "workspace":
			p.l.Workspace = p.workspace(v)
		case "images":
			if v.Kind != yaml.SequenceNode {
				p.errorf(v.Line, "images must be a list of image references, such as [busybox, python:3]")
				continue
			}
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode || item.Value == "" {
					p.errorf(item.Line, "each entry of images must be an image reference, such as busybox:latest")
					continue
				}
				p.l.Images = append(p.l.Images, item.Value)
			}
		case "vars":
			p.vars(v)
		case "tools":
			p.tools(v)
		default:
			p.errorf(k.Line, "unknown front matter key %q; the keys are format, title, summary, vars, images, tools and workspace", k.Value)
		}
	}
	if !seen["format"] {
		p.errorf(doc.Line, "the front matter has no format; add format: %d", FormatVersion)
	}
	if !seen["title"] {
		p.errorf(doc.Line, "the front matter has no title; add title: followed by the lesson's title")
	}
}

func (p *parser) scalar(k, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		p.errorf(v.Line, "%s must be text", k.Value)
		return ""
	}
	if v.Value == "" {
		p.errorf(v.Line, "%s is empty", k.Value)
	}
	return v.Value
}

func (p *parser) workspace(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode || v.Value == "" {
		p.errorf(v.Line, "workspace must name a folder beside the lesson file")
		return ""
	}
	rel := path.Clean(v.Value)
	if path.IsAbs(rel) || rel == ".." || len(rel) > 2 && rel[:3] == "../" || rel == "." {
		p.errorf(v.Line, "workspace %q must be a folder beside the lesson file, not above it or the lesson folder itself", v.Value)
		return ""
	}
	full := path.Join(path.Dir(p.name), rel)
	if p.fsys != nil {
		st, err := fs.Stat(p.fsys, full)
		if err != nil || !st.IsDir() {
			p.errorf(v.Line, "workspace folder %q does not exist beside the lesson; create it or fix the name", v.Value)
			return ""
		}
	}
	return full
}

func (p *parser) vars(v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errorf(v.Line, "vars must be a mapping from each variable's name to its prompt, default and pattern")
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, spec := v.Content[i], v.Content[i+1]
		if !varName.MatchString(k.Value) {
			p.errorf(k.Line, "variable name %q must start with a letter and hold only letters, digits, _ and -", k.Value)
			continue
		}
		if _, dup := p.l.Var(k.Value); dup {
			p.errorf(k.Line, "variable %q is declared twice", k.Value)
			continue
		}
		vr := Var{Name: k.Value, Pos: p.pos(k.Line)}
		if spec.Kind != yaml.MappingNode {
			p.errorf(spec.Line, "variable %q needs prompt, and may have default, type, pattern and message, such as {prompt: \"Your Docker Hub name\", default: me}", k.Value)
			continue
		}
		for j := 0; j+1 < len(spec.Content); j += 2 {
			fk, fv := spec.Content[j], spec.Content[j+1]
			if fv.Kind != yaml.ScalarNode {
				p.errorf(fv.Line, "variable %q: %s must be text", k.Value, fk.Value)
				continue
			}
			switch fk.Value {
			case "prompt":
				vr.Prompt = fv.Value
			case "default":
				vr.Default = fv.Value
			case "pattern":
				if _, err := regexp.Compile(fv.Value); err != nil {
					p.errorf(fv.Line, "variable %q: pattern is not a valid regular expression: %v", k.Value, err)
					continue
				}
				vr.Pattern = fv.Value
			case "type":
				if !slices.Contains(VarTypes, fv.Value) {
					p.errorf(fv.Line, "variable %q: unknown type %q; the types are %s", k.Value, fv.Value, strings.Join(VarTypes, ", "))
					continue
				}
				vr.Type = fv.Value
			case "message":
				vr.Message = fv.Value
			default:
				p.errorf(fk.Line, "variable %q: unknown key %q; a variable has prompt, default, type, pattern and message", k.Value, fk.Value)
			}
		}
		if vr.Prompt == "" {
			p.errorf(k.Line, "variable %q has no prompt; add prompt: with the question the learner is asked", k.Value)
		}
		if vr.Default != "" {
			typed := vr
			typed.Pattern = ""
			if err := typed.Check(vr.Default); err != nil {
				p.errorf(k.Line, "variable %q: default: %v", k.Value, err)
			} else if vr.Pattern != "" && !MatchPattern(vr.Pattern, vr.Default) {
				p.errorf(k.Line, "variable %q: default %q does not match its pattern %q", k.Value, vr.Default, vr.Pattern)
			}
		}
		p.l.Vars = append(p.l.Vars, vr)
	}
}

// MatchPattern reports whether the whole of value matches the variable
// pattern. An invalid pattern matches nothing.
func MatchPattern(pattern, value string) bool {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	return err == nil && re.MatchString(value)
}

// KnownTools are the tools besides the docker command that a lesson can say
// it needs, in its front matter's tools list, with what each is.
var KnownTools = map[string]string{
	"compose": "the docker compose plugin (docker compose version)",
}

// tools reads the front matter's list of tools the lesson needs.
func (p *parser) tools(v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, "tools must be a list, such as [compose]")
		return
	}
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode || KnownTools[item.Value] == "" {
			p.errorf(item.Line, "%q is not a tool dockstep knows; tools can be: compose", item.Value)
			continue
		}
		p.l.Tools = append(p.l.Tools, item.Value)
	}
}
