package checks

import (
	"bytes"
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// This file says when two Dockerfile lines are the same instruction: when
// Docker builds the same image from either. docs/lesson-format.md lists the
// rules for lesson authors; TestSameInstruction holds them.

// instruction is one Dockerfile line, read by Docker's own parser.
type instruction struct {
	keyword string // upper case
	norm    string // the line written one way: for messages and "closest" lines
	flags   []string
	// args are the instruction's words: the items of the exec (JSON) form,
	// or the shell form's words once quotes are taken off. simple is false
	// when the shell form uses the shell beyond words and quotes ($, |, ;,
	// globs and so on): then text is compared as it is.
	args   []string
	exec   bool
	simple bool
	text   string // the arguments as written, spaces collapsed
	line   int    // line in the Dockerfile
	// workdir is the WORKDIR in effect at this line: "" when unknown (the
	// base image's, or none yet).
	workdir string
}

// parseInstructions parses Dockerfile text into instructions, following the
// WORKDIR each line runs in.
func parseInstructions(text string) ([]instruction, error) {
	res, err := parser.Parse(bytes.NewReader([]byte(text)))
	if err != nil {
		return nil, err
	}
	var out []instruction
	wd := ""
	for _, n := range res.AST.Children {
		in := readInstruction(n)
		if in.keyword == "FROM" {
			wd = "" // a new stage starts from its base image's WORKDIR
		}
		in.workdir = wd
		if in.keyword == "WORKDIR" && len(in.args) == 1 {
			wd = resolveDir(in.args[0], wd)
		}
		out = append(out, in)
	}
	return out, nil
}

func readInstruction(n *parser.Node) instruction {
	in := instruction{keyword: strings.ToUpper(n.Value), flags: n.Flags, line: n.StartLine, exec: n.Attributes["json"]}
	var raw []string
	for a := n.Next; a != nil; a = a.Next {
		raw = append(raw, a.Value)
	}
	parts := append([]string{in.keyword}, n.Flags...)
	switch {
	case in.exec:
		in.args, in.simple = raw, true
		in.text = jsonList(raw)
	case in.keyword == "ENV" || in.keyword == "LABEL":
		// The parser gives name, value, separator for each pair.
		for i := 0; i+1 < len(raw); i += 3 {
			v := raw[i+1]
			if w, ok := shellWords(v); ok {
				v = strings.Join(w, " ")
			}
			in.args = append(in.args, raw[i]+"="+v)
		}
		in.simple = true
		in.text = strings.Join(in.args, " ")
	case in.keyword == "FROM":
		for i, a := range raw {
			if i == 1 && strings.EqualFold(a, "as") {
				a = "AS"
			}
			in.args = append(in.args, a)
		}
		in.simple = true
		in.text = strings.Join(in.args, " ")
	default:
		in.text = strings.Join(strings.Fields(strings.Join(raw, " ")), " ")
		in.args, in.simple = shellWords(strings.Join(raw, " "))
	}
	in.norm = strings.Join(append(parts, in.text), " ")
	if in.text == "" {
		in.norm = strings.Join(parts, " ")
	}
	return in
}

func jsonList(items []string) string {
	b, _ := json.Marshal(items)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// sameInstruction reports whether got, a line of the learner's Dockerfile,
// is the instruction want asks for. A relative path in want is taken in
// got's WORKDIR, or, inOrder, in the WORKDIR that the lesson's lines before
// want set (when they set one): then COPY . . before WORKDIR /usr/src/app
// is not the COPY . . that the lesson wants after it.
func sameInstruction(want, got instruction, inOrder bool) bool {
	if want.keyword != got.keyword || !slices.Equal(want.flags, got.flags) {
		return false
	}
	wwd := want.workdir
	if wwd == "" || !inOrder {
		wwd = got.workdir
	}
	return meaning(want, wwd) == meaning(got, got.workdir)
}

// meaning writes an instruction the one way among those that build the
// same image, with its paths taken in workdir.
func meaning(in instruction, workdir string) string {
	if !in.simple {
		return "text:" + in.text
	}
	args := slices.Clone(in.args)
	switch in.keyword {
	case "CMD", "ENTRYPOINT":
		// The exec form runs the program itself, the shell form runs it
		// under /bin/sh -c: a different main process, which Ctrl-C and
		// docker stop reach differently. After the program, an argument
		// that names a file is the same however it is written.
		form := "shell:"
		if in.exec {
			form = "exec:"
		}
		for i := 1; i < len(args); i++ {
			args[i] = samePath(args[i], workdir)
		}
		return form + strings.Join(args, "\x00")
	case "COPY", "ADD":
		// Sources are in the build context; the destination is in the
		// image, relative to WORKDIR.
		if len(args) < 2 {
			break
		}
		last := len(args) - 1
		for i := 0; i < last; i++ {
			if !strings.Contains(args[i], "://") {
				args[i] = path.Clean(args[i])
			}
		}
		dir := strings.HasSuffix(args[last], "/")
		args[last] = resolveDir(args[last], workdir)
		if dir || args[last] == resolveDir(".", workdir) {
			args[last] += "/"
		}
	case "WORKDIR":
		if len(args) == 1 {
			args[0] = resolveDir(args[0], workdir)
		}
	case "EXPOSE":
		for i, a := range args {
			a = strings.ToLower(a)
			if !strings.Contains(a, "/") {
				a += "/tcp"
			}
			args[i] = a
		}
	case "FROM":
		if len(args) > 0 {
			if r, err := parseImageRef(args[0]); err == nil {
				args[0] = r.named.String()
			}
		}
	}
	// RUN and the rest: the exec form equals the shell form with the same
	// words, since the shell only splits them.
	return "words:" + strings.Join(args, "\x00")
}

// resolveDir is a folder as Docker resolves it: an absolute path, or a
// relative one taken in workdir (kept relative when workdir is unknown).
func resolveDir(p, workdir string) string {
	if path.IsAbs(p) || workdir == "" {
		return path.Clean(p)
	}
	return path.Join(workdir, p)
}

// samePath writes a program argument that may name a file one way:
// ./app.py and app.py are the same file, and so is /usr/src/app/app.py
// when the program runs in /usr/src/app. Options (-u) are left alone.
func samePath(a, workdir string) string {
	if a == "" || strings.HasPrefix(a, "-") || strings.Contains(a, "://") {
		return a
	}
	if workdir == "" || !path.IsAbs(a) {
		c := path.Clean(a)
		if workdir != "" {
			c = path.Join(workdir, c)
		}
		return c
	}
	return path.Clean(a)
}

// shellWords splits a shell-form command line into words, taking off quotes
// and backslashes. It reports false when the line uses the shell for more
// than that: variables, pipes, redirections, globs, command lists.
func shellWords(s string) ([]string, bool) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				switch s[i] {
				case '$', '`':
					return nil, false
				case '\\':
					if i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
						i++
					}
				}
				w.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, false
			}
			inWord = true
		case c == '\\':
			if i+1 == len(s) {
				return nil, false
			}
			i++
			w.WriteByte(s[i])
			inWord = true
		case strings.IndexByte("$`|&;<>()*?[]#~{}!", c) >= 0:
			return nil, false
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, true
}
