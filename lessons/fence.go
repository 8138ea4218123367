package lessons

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"gopkg.in/yaml.v3"
)

// Attributes each kind of fenced block accepts, after its language, in
// braces: ```sh {background}.
var (
	commandAttrs = map[string]bool{"background": false, "interactive": false, "input": true, "manual": false, "replay": false}
	fileAttrs    = map[string]bool{"file": true, "append": false}
	checkAttrs   = map[string]bool{"holds-before": false}
	noAttrs      = map[string]bool{}
)

// parseInfo splits a fence's info string into its language and attributes:
// "dockerfile {file=Dockerfile append}" is dockerfile, {file: Dockerfile,
// append: ""}. Values may be quoted with double quotes.
func parseInfo(info string) (lang string, attrs map[string]string, err error) {
	lang, rest, _ := strings.Cut(info, " ")
	if i := strings.IndexByte(lang, '{'); i >= 0 {
		lang, rest = lang[:i], info[i:]
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return lang, nil, nil
	}
	if !strings.HasPrefix(rest, "{") || !strings.HasSuffix(rest, "}") {
		return lang, nil, fmt.Errorf("attributes after the language %q must be in braces, such as {background} or {file=Dockerfile}", lang)
	}
	rest = rest[1 : len(rest)-1]
	attrs = map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		m := attrRe.FindStringSubmatch(rest)
		if m == nil {
			return lang, nil, fmt.Errorf("cannot read the attributes {%s}: write them as words or key=value pairs separated by spaces", rest)
		}
		key, val := m[1], m[3]
		if strings.HasPrefix(val, `"`) {
			val = strings.ReplaceAll(val[1:len(val)-1], `\"`, `"`)
			val = strings.ReplaceAll(val, `\n`, "\n")
		}
		if _, dup := attrs[key]; dup {
			return lang, nil, fmt.Errorf("attribute %q is given twice", key)
		}
		attrs[key] = val
		rest = rest[len(m[0]):]
	}
	return lang, attrs, nil
}

var attrRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]*)(=("(?:[^"\\]|\\.)*"|[^\s"]+))?`)

// checkAttrsAllowed reports attributes not in allowed, and allowed ones
// given without the value they need or with one they do not take.
func (p *parser) checkAttrsAllowed(line int, lang string, attrs map[string]string, allowed map[string]bool) bool {
	ok := true
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		needsValue, known := allowed[k]
		switch {
		case !known:
			p.errorf(line, "a %s block does not take the attribute %q%s", langName(lang), k, allowedList(allowed))
			ok = false
		case needsValue && attrs[k] == "":
			p.errorf(line, "attribute %s needs a value, as in {%s=...}", k, k)
			ok = false
		case !needsValue && attrs[k] != "":
			p.errorf(line, "attribute %s takes no value; write just {%s}", k, k)
			ok = false
		}
	}
	return ok
}

func langName(lang string) string {
	if lang == "" {
		return "code"
	}
	return "```" + lang
}

func allowedList(allowed map[string]bool) string {
	if len(allowed) == 0 {
		return "; it takes none"
	}
	var names []string
	for k := range allowed {
		names = append(names, k)
	}
	sort.Strings(names)
	return "; it takes " + strings.Join(names, ", ")
}

// fence handles a fenced code block: a command, a file, a check, a hint, a
// quiz, presenter notes, or code that is only shown.
func (p *parser) fence(n *ast.FencedCodeBlock, line int, step *Step, add func(Block)) {
	lang, attrs, err := parseInfo(p.info(n))
	if err != nil {
		p.errorf(line, "%v", err)
		attrs = nil
	}
	body := p.lines(n)
	content := line + 1 // the first line inside the fence
	low := strings.ToLower(lang)
	inStep := func(what string) bool {
		if step == nil {
			p.errorf(line, "a %s block must be inside a step; put it after a ## heading", what)
			return false
		}
		return true
	}
	switch {
	case low == "check":
		p.checkAttrsAllowed(line, lang, attrs, checkAttrs)
		specs := p.checkBlock(body, line, content)
		if !inStep("check") {
			return
		}
		step.Checks = append(step.Checks, specs...)
		if _, ok := attrs["holds-before"]; ok {
			step.HoldsBefore = true
		}
	case low == "hint":
		p.checkAttrsAllowed(line, lang, attrs, noAttrs)
		if strings.TrimSpace(body) == "" {
			p.errorf(line, "the hint is empty; write the hint inside the block")
		}
		if inStep("hint") {
			step.Hints = append(step.Hints, Hint{Text: strings.TrimRight(body, "\n"), Pos: p.pos(line)})
		}
	case low == "notes":
		p.checkAttrsAllowed(line, lang, attrs, noAttrs)
		if strings.TrimSpace(body) == "" {
			p.errorf(line, "the notes block is empty; write what you want to say at this step inside it")
		}
		if inStep("notes") {
			step.Notes = strings.TrimLeft(step.Notes+"\n\n"+strings.TrimRight(body, "\n"), "\n")
		}
	case low == "quiz":
		p.checkAttrsAllowed(line, lang, attrs, noAttrs)
		q := p.quiz(body, line, content)
		if !inStep("quiz") || q == nil {
			return
		}
		if step.Quiz != nil {
			p.errorf(line, "step %q already has a quiz on line %d; a step has one quiz at most", step.Title, step.Quiz.Pos.Line)
			return
		}
		step.Quiz = q
	case isCommandLang(lang):
		p.checkAttrsAllowed(line, lang, attrs, commandAttrs)
		p.command(lang, attrs, body, line, content, step, add)
	default:
		p.checkAttrsAllowed(line, lang, attrs, fileAttrs)
		b := Block{Kind: Code, Lang: lang, Attrs: attrs, Text: body, Pos: p.pos(line)}
		add(b)
		file, isFile := attrs["file"]
		if !isFile {
			if hasKey(attrs, "append") {
				p.errorf(line, "append needs the file to append to: {file=NAME append}")
			}
			return
		}
		if !validFilePath(file) {
			p.errorf(line, "file=%s must be a relative path inside the working directory, without ..", file)
			return
		}
		if step == nil {
			p.errorf(line, "a block that writes a file must be inside a step; put it after a ## heading")
			return
		}
		kind := WriteFile
		if hasKey(attrs, "append") {
			kind = AppendFile
		}
		step.Solution = append(step.Solution, Action{Kind: kind, Text: body, Path: path.Clean(file), Pos: p.pos(line)})
	}
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func validFilePath(f string) bool {
	c := path.Clean(f)
	return c != "." && !path.IsAbs(c) && c != ".." && !strings.HasPrefix(c, "../") && !strings.Contains(f, "\\")
}

func (p *parser) command(lang string, attrs map[string]string, body string, line, content int, step *Step, add func(Block)) {
	if hasKey(attrs, "replay") {
		p.replay(attrs, body, line, step)
		return
	}
	add(Block{Kind: Code, Lang: lang, Attrs: attrs, Text: body, Command: true, Pos: p.pos(line)})
	if strings.TrimSpace(body) == "" {
		p.errorf(line, "the command block is empty; write the command the learner runs")
		return
	}
	for i, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "$ ") {
			p.errorf(content+i, "drop the leading \"$ \": a ```%s block holds commands exactly as typed; use ```console to show a prompt with output", lang)
		}
	}
	if step == nil {
		return // a command in the introduction is shown, not part of a solution
	}
	a := Action{Kind: Run, Text: strings.TrimRight(body, "\n"), Pos: p.pos(line)}
	if hasKey(attrs, "background") {
		a.Kind = Background
	}
	a.Manual = hasKey(attrs, "manual")
	a.Interactive = hasKey(attrs, "interactive")
	a.Input = attrs["input"]
	if a.Input != "" && !a.Interactive {
		p.errorf(line, "input= is typed into an interactive command; add {interactive} too")
	}
	if a.Kind == Background && a.Interactive {
		p.errorf(line, "a command cannot be both background and interactive")
	}
	step.Solution = append(step.Solution, a)
}

// replay reads a {replay} command block: what replays run in place of the
// command block before it, which the learner is shown. It is not shown.
func (p *parser) replay(attrs map[string]string, body string, line int, step *Step) {
	if len(attrs) > 1 {
		p.errorf(line, "a {replay} block takes no other attribute; it is run the way the command before it is")
	}
	if strings.TrimSpace(body) == "" {
		p.errorf(line, "the {replay} block is empty; write the command that replays run instead of the one before it")
		return
	}
	if step == nil {
		p.errorf(line, "a {replay} block must be inside a step, after the command it replaces")
		return
	}
	n := len(step.Solution)
	if n == 0 || step.Solution[n-1].Kind != Run || step.Solution[n-1].Manual {
		p.errorf(line, "a {replay} block replaces the command block just before it, and there is none: put it right after the ```sh block that the learner is shown")
		return
	}
	if step.Solution[n-1].Replay != "" {
		p.errorf(line, "the command before this {replay} block already has one, on line %d", step.Solution[n-1].ReplayLine)
		return
	}
	step.Solution[n-1].Replay = strings.TrimRight(body, "\n")
	step.Solution[n-1].ReplayLine = line
}

// engineWide matches commands that select containers or images across the
// whole engine, whoever made them: a docker ps or docker images list handed
// to another command, and prune.
var engineWide = regexp.MustCompile(`\$\(\s*docker\s+(container\s+ls|ps|images|image\s+ls)\b|\bdocker\s+(\w+\s+)?prune\b`)

// scopedReplays reports replayed commands that act on the whole engine:
// replayed by dockstep test or "run it for me" on a shared engine, they
// would touch objects the lesson did not make.
func (p *parser) scopedReplays() {
	for _, st := range p.l.Steps {
		for _, a := range st.Solution {
			if a.Kind == WriteFile || a.Kind == AppendFile || a.Manual {
				continue
			}
			switch {
			case a.Replay == "" && engineWide.MatchString(a.Text):
				p.errorf(a.Pos.Line, "replaying this command would act on every matching container or image on the engine, not only those the lesson made; add a ```sh {replay} block after it that keeps to the lesson's (docker ps -f ... $DOCKSTEP_FILTER), or mark it {manual}")
			case a.Replay != "" && engineWide.MatchString(a.Replay) && !strings.Contains(a.Replay, "DOCKSTEP_FILTER"):
				p.errorf(a.ReplayLine, "this {replay} command still lists the whole engine; add $DOCKSTEP_FILTER to its docker ps so that it keeps to the containers the lesson made")
			}
		}
	}
}

// yamlBlock parses the YAML inside a fence and shifts its lines to file lines.
func (p *parser) yamlBlock(what, body string, line, content int) *yaml.Node {
	if strings.TrimSpace(body) == "" {
		p.errorf(line, "the %s block is empty", what)
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlSource(body), &doc); err != nil {
		l, msg := yamlErrorLine(err)
		// The YAML parser may name the line after the last one for an
		// unexpected end; keep the report inside the block.
		l = min(max(l, 1), strings.Count(strings.TrimSuffix(body, "\n"), "\n")+1)
		p.errorf(content+l-1, "the %s block is not valid YAML: %s", what, msg)
		return nil
	}
	shiftLines(&doc, content-1)
	// Markers such as "---" can give a node a line past the block's end;
	// every problem must point inside the block.
	clampLines(&doc, content, content+strings.Count(strings.TrimSuffix(body, "\n"), "\n"))
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0]
	}
	return &doc
}

// yamlSource prepares text for the YAML parser. YAML takes a carriage
// return alone as a line break, Markdown does not; replacing lone ones keeps
// YAML's line numbers the file's.
func yamlSource(s string) []byte {
	b := []byte(s)
	for i := range b {
		if b[i] == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			b[i] = ' '
		}
	}
	return b
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine takes the line out of a YAML error message.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n, m[2]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			return n, m[2]
		}
	}
	return 1, msg
}

// checkBlock reads a check block: one mapping "kind: fields", or a list of
// them.
func (p *parser) checkBlock(body string, line, content int) []CheckSpec {
	n := p.yamlBlock("check", body, line, content)
	if n == nil {
		return nil
	}
	var items []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
	default:
		p.errorf(n.Line, "a check block holds one check such as \"image: busybox\", or a list of them")
		return nil
	}
	var out []CheckSpec
	for _, it := range items {
		if it.Kind == yaml.MappingNode && len(it.Content) > 2 {
			var keys []string
			for i := 0; i < len(it.Content); i += 2 {
				keys = append(keys, it.Content[i].Value)
			}
			p.errorf(it.Line, "this check has several keys (%s); a check is one kind with its fields under it, such as \"container: {image: busybox, state: exited}\", and each check of a list starts with its own \"- \"", strings.Join(keys, ", "))
			continue
		}
		if it.Kind != yaml.MappingNode || len(it.Content) != 2 {
			p.errorf(it.Line, "each check is one kind and its fields, such as \"container: {image: busybox}\"; put each check in its own list item")
			continue
		}
		spec := CheckSpec{Kind: it.Content[0].Value, Value: it.Content[1], Pos: p.pos(it.Content[0].Line)}
		if v := p.opts.Validator; v != nil {
			p.probs = append(p.probs, problemsFrom(spec.Pos, v.ValidateCheck(spec, p.sampleVars()))...)
		}
		out = append(out, spec)
	}
	return out
}

func (p *parser) sampleVars() map[string]string { return p.l.SampleVars() }

// quiz reads a quiz block: question, optional choices, answer, optional
// explain.
// maxChoiceWidth is the longest a quiz choice may be: the menu draws it on
// one line after a two-column mark, and terminals are 80 columns or more.
const maxChoiceWidth = 76

func (p *parser) quiz(body string, line, content int) *Quiz {
	n := p.yamlBlock("quiz", body, line, content)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, "a quiz block is a mapping with question, answer, and optional choices and explain")
		return nil
	}
	q := &Quiz{Pos: p.pos(line)}
	var answerNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "question":
			q.Question = p.scalar(k, v)
		case "explain":
			q.Explain = p.scalar(k, v)
		case "choices":
			if v.Kind != yaml.SequenceNode || len(v.Content) < 2 {
				p.errorf(v.Line, "choices must be a list of at least two answers")
				continue
			}
			for _, c := range v.Content {
				if c.Kind != yaml.ScalarNode {
					p.errorf(c.Line, "each choice must be text")
					continue
				}
				if n := utf8.RuneCountInString(c.Value); n > maxChoiceWidth {
					p.errorf(c.Line, "the choice %q is %d characters: the menu shows each choice on one line, which a terminal of 80 columns cuts mid-word; keep it within %d and say the rest in explain", c.Value, n, maxChoiceWidth)
				}
				q.Choices = append(q.Choices, c.Value)
			}
		case "answer":
			answerNode = v
			switch v.Kind {
			case yaml.ScalarNode:
				q.Answer = v.Value
				if v.Value == "" {
					p.errorf(v.Line, "the quiz answer is empty")
				}
			case yaml.MappingNode:
				if len(v.Content) != 2 {
					p.errorf(v.Line, "an answer read from the engine is one kind and its fields, such as {image-id: busybox}")
					continue
				}
				spec := CheckSpec{Kind: v.Content[0].Value, Value: v.Content[1], Pos: p.pos(v.Content[0].Line)}
				q.AnswerFrom = &spec
				if val := p.opts.Validator; val != nil {
					p.probs = append(p.probs, problemsFrom(spec.Pos, val.ValidateAnswer(spec, p.sampleVars()))...)
				}
			default:
				p.errorf(v.Line, "answer must be the right answer as text, or where to read it from the engine, such as {image-id: busybox}")
			}
		default:
			p.errorf(k.Line, "unknown quiz key %q; a quiz has question, choices, answer and explain", k.Value)
		}
	}
	if q.Question == "" {
		p.errorf(line, "the quiz has no question; add question:")
	}
	if answerNode == nil {
		p.errorf(line, "the quiz has no answer; add answer: with the right answer")
	}
	if q.Answer != "" && len(q.Choices) > 0 {
		found := false
		for _, c := range q.Choices {
			if c == q.Answer {
				found = true
			}
		}
		if !found {
			p.errorf(answerNode.Line, "the answer %q is not one of the choices", q.Answer)
		}
		if q.Choices[0] == q.Answer {
			p.errorf(answerNode.Line, "the answer is the first choice, where the menu's mark starts: Enter alone would be right; put it further down")
		}
	}
	return q
}
