package runner

// The screen: draw renders all of it from the step's state, and nothing
// else in the loop writes to the terminal.

import (
	"fmt"
	"io"
	"strings"

	"github.com/dockstep/dockstep/internal/replay"
	"github.com/dockstep/dockstep/lessons"
)

// draw renders the whole screen from the step's state: the step, what the
// learner asked to see, then where the step stands; or, while a command of
// the solution has the learner's terminal, how to come back. Nothing else
// writes to the screen.
func (s *stepRun) draw() {
	s.dirty = false
	if s.run.attached {
		s.r.clear()
		io.WriteString(s.r.Out, s.attachedScreen())
		return
	}
	top, status := s.drawStep(), s.drawStatus()
	if s.r.Render.Height > 0 && rows(top+status, s.r.Render.Width)+s.promptRows() > s.r.Render.Height {
		// The step's beginning scrolls off the top of the terminal: say
		// again which step this is, above where it stands.
		top += "\n" + s.header() + s.para("(continued: scroll up for the beginning of the step)", "", "") + "\n"
	}
	s.r.clear()
	io.WriteString(s.r.Out, top+status)
}

// attachedScreen is the screen shown while a command of the solution has
// the learner's terminal: what dockstep ran so far, and how to come back.
func (s *stepRun) attachedScreen() string {
	var b strings.Builder
	b.WriteString(s.header() + "\n")
	if log := strings.TrimRight(s.run.log, "\n"); strings.Contains(log, "\n") {
		b.WriteString(indent(s.fold(log, 2), "  ", "  ") + "\n\n")
	}
	b.WriteString(s.para(fmt.Sprintf("dockstep runs `%s` in this terminal: what you type goes to it. When it ends (type exit, or press Ctrl-D, in a shell), you come back to dockstep.", s.run.attachedCmd), "", "") + "\n\n")
	return b.String()
}

// header is the line that names the step.
func (s *stepRun) header() string {
	shown := *s.step
	shown.Title = lessons.Expand(shown.Title, s.vars)
	return stepHeader(s.l, &shown, s.r.Render)
}

// drawStep is the step itself and what the learner asked to see of it.
func (s *stepRun) drawStep() string {
	var b strings.Builder
	opt := s.r.Render
	if s.screen.banner != "" {
		b.WriteString(s.para(s.screen.banner, "", "") + "\n\n")
	}
	if s.step.Index == 1 && len(s.l.Intro) > 0 {
		// The lesson's introduction opens its first step.
		b.WriteString(render(s.l.Intro, s.vars, opt) + "\n")
	}
	b.WriteString(s.header())
	switch {
	case s.l.Workspace != "":
		b.WriteString(s.para(fmt.Sprintf("Your files are in `%s`; in your other terminal: `cd %s`", s.dir, shellQuote(s.dir)), "", "") + "\n")
	case s.dir != "" && s.watch.readsFolder:
		// Without a workspace the working folder is where dockstep was
		// started, which the learner's other terminal need not be in.
		b.WriteString(s.para(fmt.Sprintf("This step's files are looked for in `%s`; in your other terminal: `cd %s`", s.dir, shellQuote(s.dir)), "", "") + "\n")
	}
	b.WriteString("\n")
	b.WriteString(render(s.step.Body, s.vars, opt))
	// Hints are drawn indented by two columns: wrapped two narrower, so
	// that the terminal never breaks their last word at its edge.
	hintOpt := opt
	hintOpt.Width = s.textWidth(2)
	for i := 0; i < s.shown.hints; i++ {
		hint := render(lessons.Fragment(s.step.Hints[i].Text), s.vars, hintOpt)
		fmt.Fprintf(&b, "\nHint %d of %d:\n%s\n", i+1, len(s.step.Hints),
			indent(strings.TrimRight(hint, "\n"), "  ", "  "))
	}
	// The answer stays as shown once the quiz is answered; the solution
	// is shown only when asked for, answered or not.
	if s.shown.answer != "" {
		b.WriteString("\n" + s.para("The answer: "+s.shown.answer, "", "") + "\n")
	}
	if s.shown.solution {
		b.WriteString("\nThe solution:\n")
		for _, a := range s.step.Solution {
			b.WriteString(s.describe(a, "  ", "    ") + "\n")
		}
	}
	return b.String()
}

// drawStatus says where the step stands: what dockstep is about to run or
// ran, the verdict, and what the learner can do.
func (s *stepRun) drawStatus() string {
	var b strings.Builder
	b.WriteString("\n")
	if s.screen.streamDown != "" {
		b.WriteString(s.para(fmt.Sprintf("! Lost the Docker engine's event stream: %s. Reconnecting; your progress is safe.", s.screen.streamDown), "", "  ") + "\n")
	}
	for _, w := range s.screen.warnings {
		b.WriteString(s.para("! "+w, "", "  ") + "\n")
	}
	if s.screen.noWatch != "" {
		b.WriteString(s.para("! "+s.screen.noWatch, "", "  ") + "\n")
	}
	if s.run.confirming {
		// Only what dockstep itself will do: commands the lesson leaves to
		// the learner are not run.
		fmt.Fprintf(&b, "dockstep will, in %s:\n", s.dir)
		for _, a := range s.runnable() {
			b.WriteString(s.describe(a, "  • ", "    ") + "\n")
			if a.Interactive && s.rep.Terminal != nil {
				b.WriteString("    (in this terminal: you type, and come back when it ends)\n")
			}
		}
		return b.String()
	}
	if s.run.running || s.run.ran {
		head := "dockstep ran the solution:"
		if s.run.running {
			head = "dockstep is running the solution:"
		}
		b.WriteString(head + "\n")
		if log := strings.TrimRight(s.run.log, "\n"); log != "" {
			b.WriteString(indent(s.fold(log, 2), "  ", "  ") + "\n")
		}
		if s.run.err != "" {
			b.WriteString(s.para("✗ That did not work: "+s.run.err, "", "  ") + "\n")
		}
		b.WriteString("\n")
		if s.run.running {
			return b.String()
		}
	}
	done := s.outcome == stepPassed
	switch {
	case done && s.run.err != "":
		b.WriteString(s.para("The step holds all the same: what it checks is already true, so it is done.", "", "") + "\n")
	case done && s.quiz.feedback != "":
		b.WriteString(s.para(s.quiz.feedback, "", "") + "\n✓ Done!\n")
	case done && s.step.Index == len(s.l.Steps):
		b.WriteString("✓ Done! That was the lesson's last step.\n")
	case done:
		b.WriteString("✓ Done! On to the next step.\n")
	case s.quiz.feedback != "" && !(s.quiz.right && s.judged.verdict == verdictFailing):
		b.WriteString(s.para(s.quiz.feedback, "", "") + "\n")
	case s.judged.verdict == verdictFailing:
		if s.quiz.right {
			b.WriteString(s.para(s.quiz.feedback+" One more thing, though.", "", "") + "\n")
		}
		b.WriteString("✗ Not yet:\n" + s.wrapped(s.judged.diagnosis, "  ") + "\n")
	case s.judged.verdict == verdictUnknown:
		b.WriteString(s.para("! "+s.judged.diagnosis, "", "  ") + "\n  Is Docker running? dockstep checks again when it is back.\n")
	case s.watching():
		b.WriteString(s.para("Waiting for you: this step completes by itself when you have done it.", "", "") + "\n")
	}
	if s.note != "" {
		b.WriteString(s.para(s.note, "", "") + "\n")
	}
	if s.prompt.next == promptQuiz && len(s.step.Quiz.Choices) == 0 {
		b.WriteString(s.para(quizInputNote, "", "") + "\n")
	}
	b.WriteString(s.roomLines())
	return b.String()
}

// describe is what replaying a does (replay.Describe), drawn at the
// screen's width after first, with rest before the lines after it: a
// command wider than the line is broken between its shell words, as the
// commands that ran are (fold), never mid-word by the terminal. A file's
// contents are shown as they are.
func (s *stepRun) describe(a lessons.Action, first, rest string) string {
	margin := max(visibleWidth(first), visibleWidth(rest))
	width := s.textWidth(margin)
	head, body, more := strings.Cut(replay.Describe(a, s.vars), "\n")
	lines := []string{head}
	for _, label := range []string{"run: ", "start in the background: ", "(you run this one yourself): "} {
		cmd, ok := strings.CutPrefix(head, label)
		if !ok || visibleWidth(head) <= width {
			continue
		}
		lines = hang(label, cmd, width)
		break
	}
	if more {
		if a.Kind != lessons.WriteFile && a.Kind != lessons.AppendFile {
			body = s.fold(body, margin)
		}
		lines = append(lines, body)
	}
	return indent(strings.Join(lines, "\n"), first, rest)
}

// textWidth is how wide text drawn after a margin of that many columns
// may be on the screen.
func (s *stepRun) textWidth(margin int) int {
	width := s.r.Render.Width
	if width <= 0 {
		width = defaultWidth
	}
	return max(width-margin, minTextWidth)
}

// hang breaks cmd between its shell words (splitCommands) to fit width
// after head, which starts its first line; the lines after it are indented
// as far, under the command.
func hang(head, cmd string, width int) []string {
	lines := splitCommands([]string{cmd}, width-len(head))
	for i := range lines {
		if i > 0 {
			head = strings.Repeat(" ", len(head))
		}
		lines[i] = head + lines[i]
	}
	return lines
}

// para wraps text at the screen's width.
func (s *stepRun) para(text, first, rest string) string {
	return wrap(text, s.r.Render, first, rest)
}

// promptText wraps a question for the prompter, which writes it after
// "? ": wider than the screen, the terminal would break it mid-word.
func (s *stepRun) promptText(text string) string {
	opt := s.r.Render
	opt.Color = false // the prompter styles the question itself
	return strings.TrimPrefix(wrap(text, opt, "  ", "  "), "  ")
}

// wrapped wraps each line of a diagnosis to the screen's width as a
// paragraph of its own, indented by prefix.
func (s *stepRun) wrapped(text, prefix string) string {
	return wrap(text, s.r.Render, prefix, prefix)
}

// promptRows is how many rows the prompt that follows the screen takes.
func (s *stepRun) promptRows() int {
	switch {
	case s.run.confirming:
		return 1
	case s.prompt.next == promptQuiz && s.step.Quiz != nil:
		return 1 + len(s.step.Quiz.Choices)
	}
	return 1 + len(s.menuChoices())
}

// rows is how many terminal rows text takes at the width, long lines
// folded by the terminal included.
func rows(text string, width int) int {
	if width <= 0 {
		width = defaultWidth
	}
	n := 0
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		n += max(1, (visibleWidth(l)+width)/(width+1))
	}
	return n
}

// fold breaks the lines of what the solution wrote that are wider than
// the screen, less margin, at a space where it can, each piece keeping the
// line's own indentation: the terminal would break them mid-word, back at
// its first column, under dockstep's indentation. The commands dockstep ran
// ("$ " and the lines that continue them) are broken between their shell
// words as a command block is (splitCommands), so that they can still be
// copied as shown. Lines in colour are left to the terminal.
func (s *stepRun) fold(text string, margin int) string {
	width := s.textWidth(margin)
	var out []string
	command, quoted := false, false // the line before goes on in this one
	for _, line := range strings.Split(text, "\n") {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok || command {
			head := "$ "
			if !ok {
				cmd, head = line, ""
			}
			out = append(out, hang(head, cmd, width)...)
			quoted = openQuote(cmd, quoted)
			command = quoted || strings.HasSuffix(strings.TrimRight(cmd, " \t"), "\\")
			continue
		}
		lead := line[:len(line)-len(strings.TrimLeft(line, " "))]
		if len(lead) > width/2 {
			lead = ""
		}
		for !strings.Contains(line, "\x1b") && visibleWidth(line) > width {
			cut := breakAt(line, width, len(lead))
			out = append(out, strings.TrimRight(line[:cut], " "))
			line = lead + strings.TrimLeft(line[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// breakAt is where to break line to fit in width columns: after the last
// space that fits, past the indentation from, or else at width itself.
func breakAt(line string, width, from int) int {
	cut, n := len(line), 0
	for i := range line {
		if n == width {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndex(line[:cut+1], " "); sp > from {
		return sp
	}
	return cut
}

// indent puts first before the first line of text and rest before the
// others.
func indent(text, first, rest string) string {
	lines := strings.Split(text, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// shellQuote quotes a path for a POSIX shell when it needs it.
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:@%") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
