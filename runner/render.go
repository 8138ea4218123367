package runner

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dockstep/dockstep/lessons"
)

// RenderOptions say how step text is drawn in the terminal.
type RenderOptions struct {
	// Color turns on ANSI styles. Without it the output holds no escape
	// sequence at all (NO_COLOR, or a terminal without colour).
	Color bool
	// Width is the column at which prose is wrapped; 0 means 80.
	Width int
	// Height is the terminal's number of rows, 0 when unknown. A step
	// taller than that names itself again above where it stands, so that
	// its title stays on screen.
	Height int
}

const (
	defaultWidth = 80
	// minTextWidth keeps deeply indented text readable in a narrow terminal.
	minTextWidth = 16
	// codeIndent is how far code blocks are indented from the text they
	// belong to.
	codeIndent = 4
	// listIndent is how far a top-level list item's marker is indented.
	listIndent = 2
)

// SGR parameters of the styles used. Each styled run is written as
// ESC[codes m text ESC[0m, so styles never leak into the next run.
var (
	sgrBold       = []string{"1"}
	sgrHeading    = []string{"1"}
	sgrHeadingTop = []string{"1", "4"} // levels 1 and 2: bold, underlined
	sgrItalic     = []string{"3"}
	sgrDim        = []string{"2"}
	sgrCode       = []string{"36"}      // cyan
	sgrLinkText   = []string{"34", "4"} // blue, underlined
	sgrURL        = []string{"2"}
	sgrPrompt     = []string{"32"}      // the "$ " before a command
	sgrCommand    = []string{"1", "32"} // bold green: what the learner types
	sgrStepLabel  = []string{"1", "36"}
)

// render renders blocks of step text for the terminal, with {{vars}} filled
// in by lessons.Expand. Every line of the result ends in a newline; blocks are
// separated by an empty line. It returns "" when there is nothing to show.
func render(blocks []lessons.Block, vars map[string]string, opt RenderOptions) string {
	if opt.Width <= 0 {
		opt.Width = defaultWidth
	}
	r := &renderer{opt: opt, vars: vars, content: map[int]int{}}
	var out []string
	var prev *lessons.Block
	for i := range blocks {
		b := &blocks[i]
		lines := r.block(b)
		if len(lines) == 0 {
			continue
		}
		if prev != nil {
			switch {
			case b.Kind == lessons.ListItem && prev.Kind == lessons.ListItem && b.Number >= 0 &&
				!(b.Level == 1 && (b.Number == 0) != r.topBullet):
				// Items of a list follow one another; a bullet list after a
				// numbered one (or the other way round) is a new list.
			case b.Kind == lessons.Quote && prev.Kind == lessons.Quote:
				out = append(out, r.paint(sgrDim, "│"))
			default:
				out = append(out, "")
			}
		}
		out = append(out, lines...)
		prev = b
		if b.Kind == lessons.ListItem && b.Level == 1 && b.Number >= 0 {
			r.topBullet = b.Number == 0
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// stepHeader renders the line that introduces a step, such as
// "Step 2 of 5: Build the image", ending in a newline.
func stepHeader(l *lessons.Lesson, s *lessons.Step, opt RenderOptions) string {
	r := &renderer{opt: opt}
	label := fmt.Sprintf("Step %d of %d:", s.Index, len(l.Steps))
	return r.paint(sgrStepLabel, label) + " " + r.paint(sgrBold, sanitize(s.Title, false)) + "\n"
}

type renderer struct {
	opt  RenderOptions
	vars map[string]string
	// content is the column at which the text of the last list item at each
	// level starts, so that nested items, continuation paragraphs and code
	// line up under it.
	content map[int]int
	// topBullet says whether the last top-level list item was a bullet.
	topBullet bool
}

// paint wraps text in the given style, or returns it as it is without colour.
func (r *renderer) paint(codes []string, text string) string {
	if !r.opt.Color || len(codes) == 0 || text == "" {
		return text
	}
	return "\x1b[" + strings.Join(codes, ";") + "m" + text + "\x1b[0m"
}

func (r *renderer) expand(s string) string { return lessons.Expand(s, r.vars) }

func (r *renderer) block(b *lessons.Block) []string {
	if b.Kind != lessons.ListItem && b.Level == 0 {
		clear(r.content) // the list, if any, has ended
	}
	switch b.Kind {
	case lessons.Heading:
		codes := sgrHeading
		if b.Level <= 2 {
			codes = sgrHeadingTop
		}
		return r.prose(b.Spans, codes, "", "", 0)
	case lessons.Paragraph:
		return r.prose(b.Spans, nil, "", "", 0)
	case lessons.Quote:
		bar := r.paint(sgrDim, "│") + " "
		return r.prose(b.Spans, nil, bar, bar, 2)
	case lessons.ListItem:
		return r.listItem(b)
	case lessons.Code:
		return r.code(b)
	case lessons.Rule:
		return []string{r.paint(sgrDim, strings.Repeat("─", r.opt.Width))}
	case lessons.HTML:
		var out []string
		for _, l := range codeLines(r.expand(b.Text)) {
			out = append(out, r.paint(sgrDim, l))
		}
		return out
	}
	return r.prose(b.Spans, nil, "", "", 0)
}

func (r *renderer) listItem(b *lessons.Block) []string {
	indent := listIndent
	if b.Level > 1 {
		if c, ok := r.content[b.Level-1]; ok {
			indent = c
		} else {
			indent = listIndent + 2*(b.Level-1)
		}
	}
	if b.Number < 0 {
		// A further paragraph of the item: no marker, under its text.
		col, ok := r.content[b.Level]
		if !ok {
			col = indent + 2
		}
		pad := strings.Repeat(" ", col)
		return r.prose(b.Spans, nil, pad, pad, col)
	}
	marker := "• "
	if b.Number > 0 {
		marker = fmt.Sprintf("%d. ", b.Number)
	}
	col := indent + utf8.RuneCountInString(marker)
	r.content[b.Level] = col
	for lvl := range r.content {
		if lvl > b.Level {
			delete(r.content, lvl)
		}
	}
	return r.prose(b.Spans, nil, strings.Repeat(" ", indent)+marker, strings.Repeat(" ", col), col)
}

func (r *renderer) code(b *lessons.Block) []string {
	base := 0
	if b.Level > 0 {
		if c, ok := r.content[b.Level]; ok {
			base = c
		} else {
			base = listIndent + 2*b.Level
		}
	}
	lines := codeLines(r.expand(b.Text))
	pad := strings.Repeat(" ", base+codeIndent)
	var out []string
	if file, ok := b.Attrs["file"]; ok && !b.Command {
		title := sanitize(r.expand(file), false)
		if _, app := b.Attrs["append"]; app {
			title += " (append)"
		}
		out = append(out, strings.Repeat(" ", base)+r.paint(sgrBold, title+":"))
	}
	if b.Command {
		lines = splitCommands(lines, r.opt.Width-base-codeIndent)
	}
	quoted := false // a single quote is open at the end of the line before
	for i, l := range lines {
		// Each line of a command block is a command of its own, unless the
		// line before it continues onto it with a backslash, or inside a
		// quote.
		continued := i > 0 && (quoted || strings.HasSuffix(strings.TrimRight(lines[i-1], " \t"), "\\"))
		quoted = b.Command && openQuote(l, quoted)
		switch {
		case l == "":
			out = append(out, "")
		case b.Command && !continued:
			out = append(out, strings.Repeat(" ", base+codeIndent-2)+r.paint(sgrPrompt, "$ ")+r.paint(sgrCommand, l))
		case b.Command:
			out = append(out, pad+r.paint(sgrCommand, l))
		default:
			out = append(out, pad+l)
		}
	}
	return out
}

// splitCommands breaks each command line wider than width at its spaces
// (not those inside quotes), ending each part but the last with a
// backslash, as a shell reads it: the terminal then never cuts a command
// mid-word, and the lines can still be copied as they are. A word wider
// than width is left whole.
func splitCommands(lines []string, width int) []string {
	var out []string
	for _, l := range lines {
		if width < minTextWidth || len([]rune(l)) <= width {
			out = append(out, l)
			continue
		}
		// An option stays on the line of its value: --mount type=bind,...
		var words []string
		for _, w := range shellWords(l) {
			if n := len(words); n > 0 && strings.HasPrefix(words[n-1], "-") && !strings.Contains(words[n-1], " ") &&
				!strings.Contains(words[n-1], "=") && !strings.HasPrefix(w, "-") {
				words[n-1] += " " + w
				continue
			}
			words = append(words, w)
		}
		cur := ""
		for _, w := range words {
			if cur != "" && len([]rune(cur))+1+len([]rune(w))+2 > width {
				out = append(out, cur+" \\")
				cur = "  " + w
			} else if cur == "" {
				cur = w
			} else {
				cur += " " + w
			}
			if len([]rune(cur)) > width {
				// A quoted argument wider than the line (sh -c '...'):
				// break it at its own spaces.
				parts := breakQuoted(cur, width)
				out = append(out, parts[:len(parts)-1]...)
				cur = parts[len(parts)-1]
			}
		}
		out = append(out, cur)
	}
	return out
}

// breakQuoted breaks a line wider than width inside a single-quoted
// script (sh -c '...'), after one of its commands ("; ", "&& ", "|| ",
// "| ", "{ "), outside the script's own double quotes: a line break there
// means to the shell what the space meant, and the indentation of the next
// line is blank space inside the script. The terminal then does not cut the
// script mid-word, and it can still be copied as shown. A line with no such
// place is left as it is from there on.
func breakQuoted(line string, width int) []string {
	var out []string
	rs := []rune(line)
	single, double := false, false // the quotes open where rs begins
	for len(rs) > width {
		cut := -1
		var atCut [2]bool
		for i, c := range rs {
			if i >= width {
				break
			}
			switch {
			case single && c == '\'':
				single = false
			case single && c == '"':
				double = !double
			case !single && !double && c == '\'':
				single = true
			case !single && c == '"':
				double = !double
			case single && !double && c == ' ' && i > 0 && strings.ContainsRune(";&|{", rs[i-1]):
				cut, atCut = i, [2]bool{single, double}
			}
		}
		if cut < 0 {
			break
		}
		single, double = atCut[0], atCut[1]
		out = append(out, string(rs[:cut]))
		rs = append([]rune("    "), rs[cut+1:]...)
	}
	return append(out, string(rs))
}

// openQuote reports whether line leaves a single quote open (its own, or
// one open from the line before, as open says): the next line then
// continues the same command.
func openQuote(line string, open bool) bool {
	double := false
	for _, c := range line {
		switch {
		case open && c == '\'':
			open = false
		case !open && !double && c == '\'':
			open = true
		case !open && c == '"':
			double = !double
		}
	}
	return open
}

// shellWords splits a command at the spaces outside quotes, keeping the
// quotes.
func shellWords(l string) []string {
	var words []string
	var cur strings.Builder
	quote := rune(0)
	for _, c := range l {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ' ':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(c)
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// codeLines splits a block's text into lines, without the final newline and
// without control characters other than tabs.
func codeLines(text string) []string {
	text = strings.TrimRight(sanitize(text, true), "\n")
	if strings.TrimSpace(text) == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return lines
}

// sanitize drops control characters, such as the escape that starts a
// terminal sequence, from lesson text and variable values. Newlines are kept
// when keepLines is set; tabs are kept in code and made spaces elsewhere.
func sanitize(s string, keepLines bool) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\n' && keepLines, c == '\t' && keepLines:
			b.WriteRune(c)
		case c == '\t', c == '\n':
			b.WriteByte(' ')
		case unicode.IsControl(c):
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// visibleWidth is the number of runes of s a terminal shows: ANSI escape
// sequences take no room.
func visibleWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i += escapeLen(s[i:])
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// escapeLen is the length of the escape sequence at the start of s.
func escapeLen(s string) int {
	if len(s) < 2 || s[1] != '[' {
		return min(len(s), 2)
	}
	for i := 2; i < len(s); i++ {
		if s[i] >= 0x40 && s[i] <= 0x7e {
			return i + 1
		}
	}
	return len(s)
}

// piece is a run of text in one style; word is what wrapping never breaks.
type piece struct {
	codes []string
	text  string
}

type word struct {
	pieces []piece
	width  int
	br     bool // a hard line break rather than a word
}

// words splits inline spans into words. Code spans and URLs are never split,
// and text glued to them without a space stays with them.
func (r *renderer) words(spans []lessons.Span, base []string) []word {
	var out []word
	var cur word
	flush := func() {
		if len(cur.pieces) > 0 {
			out = append(out, cur)
			cur = word{}
		}
	}
	glue := func(codes []string, text string) {
		if text == "" {
			return
		}
		if n := len(cur.pieces); n > 0 && slices.Equal(cur.pieces[n-1].codes, codes) {
			cur.pieces[n-1].text += text
		} else {
			cur.pieces = append(cur.pieces, piece{codes: codes, text: text})
		}
		cur.width += visibleWidth(text)
	}
	flow := func(codes []string, text string) {
		start := -1
		for i, c := range text {
			if !unicode.IsSpace(c) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 {
				glue(codes, text[start:i])
				start = -1
			}
			flush()
			if c == '\n' {
				out = append(out, word{br: true})
			}
		}
		if start >= 0 {
			glue(codes, text[start:])
		}
	}
	with := func(extra []string) []string {
		if len(extra) == 0 {
			return base
		}
		return append(append([]string(nil), base...), extra...)
	}
	// A link may be made of several spans (emphasis inside a link); its URL
	// is shown once, after all of them.
	var linkURL, linkText string
	closeLink := func() {
		if linkURL != "" && linkText != linkURL {
			flush()
			glue(base, "(")
			glue(with(sgrURL), linkURL)
			glue(base, ")")
		}
		linkURL, linkText = "", ""
	}
	for _, s := range spans {
		text := sanitize(r.expand(s.Text), true)
		url := sanitize(r.expand(s.URL), false)
		if url != linkURL {
			closeLink()
		}
		if url != "" {
			linkURL = url
			linkText += text
		}
		switch {
		case s.Style == lessons.CodeSpan:
			glue(with(sgrCode), strings.ReplaceAll(text, "\n", " "))
		case url != "" && text == url:
			glue(with(sgrLinkText), text)
		case url != "" || s.Style == lessons.Link:
			codes := sgrLinkText
			switch s.Style {
			case lessons.Strong:
				codes = append([]string{"1"}, sgrLinkText...)
			case lessons.Emphasis:
				codes = append([]string{"3"}, sgrLinkText...)
			}
			flow(with(codes), text)
		case s.Style == lessons.Strong:
			flow(with(sgrBold), text)
		case s.Style == lessons.Emphasis:
			flow(with(sgrItalic), text)
		default:
			flow(base, text)
		}
	}
	closeLink()
	flush()
	return out
}

// prose wraps inline text at the width, starting the first line with first
// and the others with rest, both indent columns wide. base is the style of
// the whole text, spaces included.
func (r *renderer) prose(spans []lessons.Span, base []string, first, rest string, indent int) []string {
	width := max(r.opt.Width-indent, minTextWidth)
	var lines []string
	var line []piece
	col := 0
	add := func(p piece) {
		if n := len(line); n > 0 && slices.Equal(line[n-1].codes, p.codes) {
			line[n-1].text += p.text
		} else {
			line = append(line, p)
		}
	}
	end := func() {
		prefix := rest
		if len(lines) == 0 {
			prefix = first
		}
		var b strings.Builder
		for _, p := range line {
			b.WriteString(r.paint(p.codes, p.text))
		}
		if b.Len() == 0 {
			prefix = strings.TrimRight(prefix, " ")
		}
		lines = append(lines, prefix+b.String())
		line, col = nil, 0
	}
	for _, w := range r.words(spans, base) {
		if w.br {
			end()
			continue
		}
		if len(line) > 0 && col+1+w.width > width {
			end()
		}
		if len(line) > 0 {
			// A space between two words in the same style takes that style,
			// so that a bold phrase is one run.
			codes := base
			if last := line[len(line)-1].codes; slices.Equal(last, w.pieces[0].codes) {
				codes = last
			}
			add(piece{codes: codes, text: " "})
			col++
		}
		for _, p := range w.pieces {
			add(p)
		}
		col += w.width
	}
	if len(line) > 0 {
		end()
	}
	return lines
}

// wrap wraps plain text, such as a diagnosis or a remark, at the width. Each
// line of text is a paragraph of its own; the first line of the result
// starts with first and the others with rest. Words are never broken, and
// neither is text between backticks (shown as code, without them) nor a
// command the text gives, from the word "docker" to the end of its clause.
// A command wider than the line goes on lines of its own, broken between
// its shell words as a command block is (splitCommands), so that it can
// still be copied as shown.
func wrap(text string, opt RenderOptions, first, rest string) string {
	if opt.Width <= 0 {
		opt.Width = defaultWidth
	}
	r := &renderer{opt: opt, content: map[int]int{}}
	indent := max(visibleWidth(first), visibleWidth(rest))
	width := max(opt.Width-indent, minTextWidth)
	var out []string
	head := func() string {
		if len(out) == 0 {
			return first
		}
		return rest
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		n := len(out)
		for _, part := range plainSpans(line, width) {
			if len(part.spans) > 0 {
				out = append(out, r.prose(part.spans, nil, head(), rest, indent)...)
			}
			if part.command == "" {
				continue
			}
			cmd := splitCommands([]string{part.command}, width)
			cmd[len(cmd)-1] += part.tail
			for _, l := range cmd {
				out = append(out, head()+r.paint(sgrCode, l))
			}
		}
		if len(out) == n {
			out = append(out, strings.TrimRight(head(), " "))
		}
	}
	return strings.Join(out, "\n")
}

// plainPart is a piece of a line of plain text: spans for prose, then a
// command wider than the line, if any, with the punctuation that follows
// it, to be shown on lines of its own.
type plainPart struct {
	spans         []lessons.Span
	command, tail string
}

// plainSpans splits a line of plain text into spans for prose: code between
// backticks and the commands it gives become code spans, which are never
// broken across lines. A command wider than width ends a part, with the
// prose before it.
func plainSpans(line string, width int) []plainPart {
	var parts []plainPart
	var spans []lessons.Span
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(spans); n > 0 && spans[n-1].Style == lessons.Plain {
			spans[n-1].Text += s
			return
		}
		spans = append(spans, lessons.Span{Text: s})
	}
	code := func(s string) { spans = append(spans, lessons.Span{Style: lessons.CodeSpan, Text: s}) }
	pieces := strings.Split(line, "`")
	if len(pieces)%2 == 0 {
		// An unpaired backtick is text.
		pieces[len(pieces)-2] += "`" + pieces[len(pieces)-1]
		pieces = pieces[:len(pieces)-1]
	}
	for i, piece := range pieces {
		if i%2 == 1 {
			code(piece)
			continue
		}
		words := strings.Split(piece, " ")
		for j := 0; j < len(words); j++ {
			if j > 0 {
				text(" ")
			}
			w := words[j]
			lead := strings.TrimLeft(w, "(\"'")
			n := 0 // how many words the unbreakable run takes
			var tail string
			switch {
			case lead == "docker":
				n, tail = commandWords(words[j:])
			case flagRe.MatchString(w) && j+1 < len(words) && !strings.HasPrefix(words[j+1], "-") &&
				!strings.HasPrefix(words[j+1], "(") && !stopWords[words[j+1]] && words[j+1] != "":
				n = 2
				tail = strings.TrimLeft(words[j+1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/._-=+@{}")
				if tail == words[j+1] {
					n = 0
				}
			}
			if n < 2 {
				text(w)
				continue
			}
			run := strings.Join(words[j:j+n], " ")
			run = strings.TrimSuffix(run, tail)
			run = run[len(w)-len(lead):]
			text(w[:len(w)-len(lead)])
			j += n - 1
			if utf8.RuneCountInString(run) <= width {
				code(run)
				text(tail)
				continue
			}
			if n := len(spans); n > 0 && spans[n-1].Style == lessons.Plain {
				spans[n-1].Text = strings.TrimRight(spans[n-1].Text, " ")
			}
			parts = append(parts, plainPart{spans: spans, command: run, tail: tail})
			spans = nil // the prose after the command starts a line of its own
		}
	}
	if len(spans) > 0 || len(parts) == 0 {
		parts = append(parts, plainPart{spans: spans})
	}
	return parts
}

// flagRe matches a command-line option that takes a value, as in -p 8080:80.
var flagRe = regexp.MustCompile(`^-{1,2}[a-zA-Z][a-zA-Z-]*$`)

// stopWords end a command given in running text: "docker stop web, then ...".
var stopWords = map[string]bool{
	"then": true, "or": true, "and": true, "to": true, "after": true, "before": true,
	"again": true, "instead": true, "first": true, "so": true, "but": true, "which": true,
	"when": true, "if": true, "in": true, "until": true, "while": true,
}

// commandWords says how many of words, starting with "docker", make up the
// command, and what punctuation after the command's last word is not part of
// it. A quoted argument (sh -c '...') is part of the command whatever it
// holds; a quote the command does not close is the text's own.
func commandWords(words []string) (int, string) {
	if n, tail, ok := quotedCommandWords(words); ok {
		return n, tail
	}
	for i := 1; i < len(words); i++ {
		w := words[i]
		if w == "" || stopWords[w] || strings.HasPrefix(w, "(") {
			// An aside in brackets after a command is not part of it.
			return i, ""
		}
		if w == "." {
			return i + 1, ""
		}
		if trimmed := strings.TrimRight(w, ",;:.)\"'"); trimmed != w {
			if trimmed == "" {
				return i, ""
			}
			return i + 1, w[len(trimmed):]
		}
	}
	return len(words), ""
}

// quotedCommandWords is commandWords for a command with a quoted argument
// that spans words: it reports false when the command has none, or leaves
// a quote open.
func quotedCommandWords(words []string) (int, string, bool) {
	quote, spans := rune(0), false
	for i := 1; i < len(words); i++ {
		w := words[i]
		if quote == 0 && (w == "" || stopWords[w] || strings.HasPrefix(w, "(")) {
			return i, "", spans
		}
		if quote == 0 && w == "." {
			return i + 1, "", spans
		}
		for _, c := range w {
			switch {
			case quote == 0 && (c == '\'' || c == '"'):
				quote = c
			case c == quote:
				quote = 0
			}
		}
		if quote != 0 {
			spans = true
			continue
		}
		if trimmed := strings.TrimRight(w, ",;:.)"); trimmed != w {
			if trimmed == "" {
				return i, "", spans
			}
			return i + 1, w[len(trimmed):], spans
		}
	}
	return len(words), "", spans && quote == 0
}
