package lessons

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"gopkg.in/yaml.v3"
)

// Validator gives meaning to the checks and engine-read quiz answers of a
// lesson. The checks package provides one; without it only the YAML structure
// of check blocks is validated.
type Validator interface {
	// ValidateCheck reports what is wrong with a check. Its fields are given
	// with the lesson's sample variable values filled in. Errors wrapped with
	// AtLine are reported at that line, others at the check's.
	ValidateCheck(spec CheckSpec, vars map[string]string) error
	// ValidateAnswer does the same for a quiz answer read from the engine.
	ValidateAnswer(spec CheckSpec, vars map[string]string) error
}

// Options adjust how lessons are read.
type Options struct {
	Validator Validator
	// builtin is set when reading the course built into dockstep: places
	// in it are named for the learner by lesson and step (Pos.Builtin).
	builtin bool
}

// Load reads every *.md file at the top of dir in fsys, in file-name order.
// display is how dir is shown in messages. It returns the lessons that could
// be read and every problem found in any of them.
func Load(fsys fs.FS, dir, display string, opts Options) ([]*Lesson, Problems) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, Problems{{Pos: Pos{File: display}, Msg: fmt.Sprintf("cannot read the lesson folder: %v", err)}}
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") && !strings.EqualFold(e.Name(), "README.md") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, Problems{{Pos: Pos{File: display}, Msg: "no lesson files (*.md) in this folder"}}
	}
	var out []*Lesson
	var probs Problems
	ids := map[string]string{}
	for _, n := range names {
		shown := n
		if display != "" {
			shown = path.Join(display, n)
		}
		l, ps := Parse(fsys, path.Join(dir, n), shown, opts)
		probs = append(probs, ps...)
		if l == nil {
			continue
		}
		if other, dup := ids[l.ID]; dup {
			probs = append(probs, Problem{Pos: l.Pos, Msg: fmt.Sprintf("lesson id %q is also the id of %s; rename one of the files", l.ID, other)})
			continue
		}
		ids[l.ID] = shown
		out = append(out, l)
	}
	return out, probs
}

// Parse reads one lesson file. display is the path shown in messages. The
// lesson is returned even when it has problems, as long as the file could be
// read.
func Parse(fsys fs.FS, name, display string, opts Options) (*Lesson, Problems) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Problems{{Pos: Pos{File: display}, Msg: fmt.Sprintf("cannot read the lesson: %v", err)}}
	}
	return ParseBytes(fsys, name, display, src, opts)
}

// ParseBytes is Parse on a file already read. fsys may be nil, in which case
// the workspace folder is not looked for.
func ParseBytes(fsys fs.FS, name, display string, src []byte, opts Options) (l *Lesson, probs Problems) {
	p := &parser{
		fsys:    fsys,
		name:    name,
		display: display,
		opts:    opts,
		l: &Lesson{
			ID: LessonID(path.Base(name)),
			FS: fsys,
		},
	}
	defer func() {
		// A lesson must never crash dockstep. A panic here is a bug in the
		// parser; report it against the file rather than dying with a stack.
		if r := recover(); r != nil {
			l = p.l
			probs = append(p.probs, Problem{Pos: Pos{File: display}, Msg: fmt.Sprintf("internal error while reading this lesson (please report it): %v", r)})
		}
	}()
	p.l.Pos = p.pos(1)
	p.parse(src)
	p.probs.Sort()
	return p.l, p.probs
}

// LessonID derives a lesson id from its file name: "04-first-image.md" is
// "first-image".
func LessonID(file string) string {
	id := strings.TrimSuffix(file, ".md")
	if m := leadingNumber.FindStringIndex(id); m != nil && m[1] < len(id) {
		id = id[m[1]:]
	}
	return id
}

var leadingNumber = regexp.MustCompile(`^[0-9]+[-_]`)

type parser struct {
	fsys    fs.FS
	name    string
	display string
	opts    Options
	l       *Lesson
	probs   Problems
	src     []byte
	lineOff []int // byte offset at which each line starts
}

// pos is the place of line in the file: the parser reads the file in
// order, so a place in a step is in the last step read so far.
func (p *parser) pos(line int) Pos {
	pos := Pos{File: p.display, Line: line}
	if p.opts.builtin {
		pos.Builtin = p.l.ID
		if n := len(p.l.Steps); n > 0 {
			pos.Builtin = fmt.Sprintf("%s, step %d", p.l.ID, n)
		}
	}
	return pos
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.probs = append(p.probs, Problem{Pos: p.pos(line), Msg: fmt.Sprintf(format, args...)})
}

// lineAt returns the 1-based line of a byte offset in the file.
func (p *parser) lineAt(off int) int {
	return sort.Search(len(p.lineOff), func(i int) bool { return p.lineOff[i] > off })
}

func (p *parser) parse(src []byte) {
	if !utf8.Valid(src) {
		p.errorf(1, "the file is not UTF-8 text; save it as UTF-8")
		src = bytes.ToValidUTF8(src, []byte("\uFFFD"))
	}
	p.lineOff = []int{0}
	for i, b := range src {
		if b == '\n' {
			p.lineOff = append(p.lineOff, i+1)
		}
	}
	yml, fmLines, found, err := splitFrontMatter(src)
	switch {
	case err != nil:
		p.errorf(1, "%v", err)
		return
	case !found:
		p.errorf(1, "the lesson has no front matter; start the file with a line ---, then format: %d and title: ..., then another line ---", FormatVersion)
	default:
		var doc yaml.Node
		if err := yaml.Unmarshal(yamlSource(string(yml)), &doc); err != nil {
			line, msg := yamlErrorLine(err)
			line = min(max(line, 1), fmLines-2)
			p.errorf(line+1, "front matter is not valid YAML: %s", msg)
		} else if doc.Kind == 0 {
			p.errorf(1, "the front matter is empty; it needs at least format: %d and title", FormatVersion)
		} else {
			shiftLines(&doc, 1)
			clampLines(&doc, 2, max(fmLines-1, 2))
			p.parseFrontMatter(&doc)
		}
	}
	body := src
	if found {
		body = blankOut(src, fmLines)
	}
	p.src = body
	doc := goldmark.New().Parser().Parse(text.NewReader(body))
	p.walk(doc)
	p.checkVarRefs(body, fmLines)
	if len(p.l.Steps) == 0 {
		p.errorf(1, "the lesson has no steps; each step starts with a level-two heading (## Title)")
	}
}

// checkVarRefs reports every {{name}} in the lesson body that is not declared.
func (p *parser) checkVarRefs(body []byte, from int) {
	portTyped := map[string]bool{} // port variables already reported
	for i := from; i < len(p.lineOff); i++ {
		end := len(body)
		if i+1 < len(p.lineOff) {
			end = p.lineOff[i+1]
		}
		line := string(body[p.lineOff[i]:end])
		names, _ := refs(line)
		for _, n := range names {
			v, ok := p.l.Var(n)
			if !ok {
				p.errorf(i+1, "variable {{%s}} is used but not declared; declare it under vars: in the front matter", n)
				continue
			}
			if v.Type != VarPort && !portTyped[n] && usedAsHostPort(line, n) {
				portTyped[n] = true
				p.errorf(i+1, "variable {{%s}} is a port on the learner's computer here; give it type: port (line %d), so that dockstep says a wrong answer in words and flags a port already in use", n, v.Pos.Line)
			}
		}
	}
}

// usedAsHostPort reports whether line uses {{name}} as a port of the
// learner's computer: published with -p or publish:, or in a localhost URL.
func usedAsHostPort(line, name string) bool {
	ref := regexp.QuoteMeta("{{" + name + "}}")
	re := regexp.MustCompile(`(-p\s+|--publish[ =]|publish:\s*"?|localhost:|127\.0\.0\.1:)` + ref)
	return re.MatchString(line)
}

// nodeLine is the line a block node starts on.
func (p *parser) nodeLine(n ast.Node) int {
	if pos := n.Pos(); pos >= 0 {
		return p.lineAt(pos)
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return p.lineAt(n.Lines().At(0).Start)
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if l := p.nodeLine(c); l > 0 {
			return l
		}
	}
	if t, ok := n.(*ast.Text); ok {
		return p.lineAt(t.Segment.Start)
	}
	return 0
}

func (p *parser) walk(doc ast.Node) {
	var step *Step
	titles := map[string]int{}
	add := func(b Block) {
		if step != nil {
			step.Body = append(step.Body, b)
		} else {
			p.l.Intro = append(p.l.Intro, b)
		}
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		line := p.nodeLine(n)
		switch n := n.(type) {
		case *ast.Heading:
			title := strings.TrimSpace(plainText(p.spans(n)))
			if n.Level == 2 {
				if title == "" {
					p.errorf(line, "a step heading is empty; write the step's title after ##")
				}
				if prev, dup := titles[title]; dup {
					p.errorf(line, "step title %q is also used on line %d; progress is kept by title, so give each step its own", title, prev)
				}
				titles[title] = line
				step = &Step{Index: len(p.l.Steps) + 1, Title: title}
				p.l.Steps = append(p.l.Steps, step)
				step.Pos = p.pos(line)
				continue
			}
			add(Block{Kind: Heading, Level: n.Level, Spans: p.spans(n), Pos: p.pos(line)})
		case *ast.FencedCodeBlock:
			p.fence(n, line, step, add)
		default:
			p.block(n, line, add)
		}
	}
	p.scopedReplays()
	for _, st := range p.l.Steps {
		var cmds []string
		for _, a := range st.Solution {
			if a.Kind == Run || a.Kind == Background {
				cmds = append(cmds, a.Text)
			}
		}
		for i := range st.Checks {
			st.Checks[i].Commands = cmds
		}
		if st.Quiz != nil && st.Quiz.AnswerFrom != nil {
			st.Quiz.AnswerFrom.Commands = cmds
		}
	}
}

// block converts a block node that has no special meaning in a lesson.
func (p *parser) block(n ast.Node, line int, add func(Block)) {
	switch n := n.(type) {
	case *ast.Heading:
		add(Block{Kind: Heading, Level: n.Level, Spans: p.spans(n), Pos: p.pos(line)})
	case *ast.FencedCodeBlock:
		lang, _, _ := strings.Cut(p.info(n), " ")
		add(Block{Kind: Code, Lang: lang, Text: p.lines(n), Command: isCommandLang(lang), Pos: p.pos(line)})
	case *ast.CodeBlock:
		add(Block{Kind: Code, Text: p.lines(n), Pos: p.pos(line)})
	case *ast.Paragraph, *ast.TextBlock:
		add(Block{Kind: Paragraph, Spans: p.spans(n), Pos: p.pos(line)})
	case *ast.Blockquote:
		p.quote(n, add)
	case *ast.List:
		p.list(n, 1, add)
	case *ast.ThematicBreak:
		add(Block{Kind: Rule, Pos: p.pos(line)})
	case *ast.HTMLBlock:
		add(Block{Kind: HTML, Text: p.lines(n), Pos: p.pos(line)})
	default:
		add(Block{Kind: Paragraph, Spans: p.spans(n), Pos: p.pos(line)})
	}
}

// Fragment parses a piece of Markdown, such as a hint, into blocks for the
// runner to render. Fenced blocks in it are shown only; headings are kept as
// they are.
func Fragment(markdown string) []Block {
	src := []byte(markdown)
	p := &parser{src: src, lineOff: []int{0}}
	for i, b := range src {
		if b == '\n' {
			p.lineOff = append(p.lineOff, i+1)
		}
	}
	var out []Block
	add := func(b Block) { out = append(out, b) }
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		p.block(n, p.nodeLine(n), add)
	}
	return out
}

func (p *parser) quote(q *ast.Blockquote, add func(Block)) {
	for c := q.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Blockquote:
			p.quote(c, add)
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			add(Block{Kind: Code, Text: p.lines(c), Pos: p.pos(p.nodeLine(c))})
		case *ast.List:
			p.list(c, 1, add)
		default:
			add(Block{Kind: Quote, Spans: p.spans(c), Pos: p.pos(p.nodeLine(c))})
		}
	}
}

func (p *parser) list(l *ast.List, depth int, add func(Block)) {
	num := 0
	if l.IsOrdered() {
		num = l.Start
	}
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		first := true
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			line := p.pos(p.nodeLine(c))
			switch c := c.(type) {
			case *ast.List:
				p.list(c, depth+1, add)
			case *ast.FencedCodeBlock:
				lang, _, _ := strings.Cut(p.info(c), " ")
				add(Block{Kind: Code, Lang: lang, Text: p.lines(c), Command: isCommandLang(lang), Level: depth, Pos: line})
			case *ast.CodeBlock:
				add(Block{Kind: Code, Text: p.lines(c), Level: depth, Pos: line})
			default:
				b := Block{Kind: ListItem, Level: depth, Spans: p.spans(c), Pos: line}
				if first {
					b.Number = num
				} else {
					b.Number = -1 // a continuation paragraph of the same item
				}
				add(b)
				first = false
			}
		}
		if num > 0 {
			num++
		}
	}
}

// lines returns the content of a block node as text.
func (p *parser) lines(n ast.Node) string {
	var b strings.Builder
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		b.Write(seg.Value(p.src))
	}
	return b.String()
}

func (p *parser) info(n *ast.FencedCodeBlock) string {
	if n.Info == nil {
		return ""
	}
	return strings.TrimSpace(string(n.Info.Segment.Value(p.src)))
}

// spans collects the inline content of a node.
func (p *parser) spans(n ast.Node) []Span {
	var out []Span
	emit := func(s Span) {
		if s.Text == "" {
			return
		}
		if k := len(out) - 1; k >= 0 && out[k].Style == s.Style && out[k].URL == s.URL {
			out[k].Text += s.Text
			return
		}
		out = append(out, s)
	}
	var walk func(n ast.Node, style SpanStyle, url string)
	walk = func(n ast.Node, style SpanStyle, url string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				t := string(c.Segment.Value(p.src))
				if c.HardLineBreak() {
					t += "\n"
				} else if c.SoftLineBreak() {
					t += " "
				}
				emit(Span{Style: style, Text: t, URL: url})
			case *ast.String:
				emit(Span{Style: style, Text: string(c.Value), URL: url})
			case *ast.CodeSpan:
				var b strings.Builder
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if tt, ok := t.(*ast.Text); ok {
						b.Write(tt.Segment.Value(p.src))
					} else if s, ok := t.(*ast.String); ok {
						b.Write(s.Value)
					}
				}
				emit(Span{Style: CodeSpan, Text: b.String()})
			case *ast.Emphasis:
				st := Emphasis
				if c.Level >= 2 {
					st = Strong
				}
				walk(c, st, url)
			case *ast.Link:
				walk(c, Link, string(c.Destination))
			case *ast.AutoLink:
				u := string(c.URL(p.src))
				emit(Span{Style: Link, Text: u, URL: u})
			case *ast.Image:
				walk(c, style, url)
			case *ast.RawHTML:
				segs := c.Segments
				for i := 0; i < segs.Len(); i++ {
					s := segs.At(i)
					emit(Span{Style: style, Text: string(s.Value(p.src)), URL: url})
				}
			default:
				walk(c, style, url)
			}
		}
	}
	walk(n, Plain, "")
	return out
}

func plainText(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// PlainText returns the text of a block's spans without their styles.
func (b Block) PlainText() string { return plainText(b.Spans) }

func isCommandLang(lang string) bool {
	switch strings.ToLower(lang) {
	case "sh", "bash", "shell":
		return true
	}
	return false
}
