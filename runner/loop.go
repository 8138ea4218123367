package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// stepOutcome says how a step ended.
type stepOutcome int

const (
	stepPending stepOutcome = iota // still being worked on
	stepPassed                     // its checks pass, or its quiz was answered right
	stepSkipped                    // the learner skipped it
	stepLessons                    // the learner went back to the lessons
	stepQuit                       // the learner quit, or pressed Ctrl-C
)

// verdict is what the step's checks said last.
type verdict int

const (
	verdictNone    verdict = iota // not checked yet
	verdictFailing                // a check failed; the diagnosis says why
	verdictPassed                 // every check passed
	verdictUnknown                // the checks could not ask the engine
)

// choice is an entry of the step menu.
type choice int

const (
	choiceCheck    choice = iota // check now
	choiceContinue               // a step with nothing to check: go on
	choiceAnswer                 // answer the quiz (again)
	choiceHint                   // reveal the next hint
	choiceSolution               // show the solution
	choiceRun                    // run the solution for the learner
	choiceSkip
	choiceLessons
	choiceQuit
)

// promptKind is what the next prompt asks.
type promptKind int

const (
	promptMenu promptKind = iota
	promptQuiz
)

// stepRun is the state of the step on screen. draw renders all of it; the
// handlers only change it.
type stepRun struct {
	*lessonRun
	step *lessons.Step

	// What the learner has asked to see.
	hints    int  // hints revealed so far
	solution bool // the solution is shown
	// runLog is the end of the output of the last "run it for me".
	runLog string
	// verdict and diagnosis are what the checks said last.
	verdict   verdict
	diagnosis string
	// quiet is set until the learner acts (an engine or file event, check
	// now, run it for me): until then a failing check is not news, and the
	// step just waits.
	quiet bool
	// started is when the step was shown: events from before it, such as
	// those of the previous step's last command, are not the learner acting
	// on this one.
	started time.Time
	// quizFeedback says how the last answer fared.
	quizFeedback string
	// quizRight is set once the quiz is answered right; a step with checks
	// too is done when they pass as well.
	quizRight bool
	// answerShown is the quiz's right answer, once the learner asked to see
	// it: read from the engine once, not on every redraw.
	answerShown string
	// note is a one-off remark, such as when the step was last checked.
	note string

	outcome stepOutcome
	err     error
	dirty   bool // the screen no longer shows the state

	// The prompt open in its own goroutine, if any.
	promptOpen   bool
	promptSeq    int
	cancelPrompt context.CancelFunc
	nextPrompt   promptKind
	lastPrompt   promptKind
	menu         []choice

	// checkDue is set by an engine or file event: the loop checks the step
	// as soon as it has handled the events already queued, so that the
	// first event is answered at once and those that came with it, or
	// during the last check, make one check more, not one each.
	checkDue bool
	// eventAt is when the engine event that made the check due happened.
	eventAt time.Time
}

// runStep shows one step until it passes or the learner moves on.
func (lr *lessonRun) runStep(ctx context.Context, step *lessons.Step) (stepOutcome, error) {
	now := lr.r.clock().Now()
	s := &stepRun{lessonRun: lr, step: step, dirty: true, quiet: true, started: now}
	lr.lp.MarkStarted(step.Title, now)
	lr.lp.Step = step.Title
	lr.env.Since = lr.lp.Started[step.Title]
	if err := lr.r.save(lr.prog); err != nil {
		return stepQuit, err
	}
	lr.report(StepStarted, step, nil)
	switch {
	case step.Quiz != nil:
		s.nextPrompt = promptQuiz
	case len(step.Checks) > 0 && !step.HoldsBefore:
		// Check once at once, in case the learner already did this step,
		// but after the step is on screen: a check may take seconds (an
		// http check retries until its timeout).
		s.checkDue = true
	}
	return s.loop(ctx)
}

// loop is the runner's one loop: it keeps a prompt open while the step is
// pending, reads one event at a time from the channel and handles it in one
// switch. To draw while a prompt is open, it first cancels the prompt and
// waits for it to end, so survey and the runner never write at once.
func (s *stepRun) loop(ctx context.Context) (stepOutcome, error) {
	for {
		if ctx.Err() != nil && s.outcome == stepPending {
			s.outcome, s.err = stepQuit, ErrInterrupted
		}
		if s.promptOpen {
			if s.outcome != stepPending || s.dirty {
				s.cancelPrompt()
			}
		} else {
			if s.outcome != stepPending {
				if s.outcome == stepPassed {
					s.draw()
				}
				return s.outcome, s.err
			}
			if s.dirty {
				s.draw()
			}
			s.openPrompt(ctx)
		}
		if s.checkDue && len(s.ch) == 0 && ctx.Err() == nil {
			s.checkDue = false
			if s.watching() {
				s.check(ctx)
			}
			continue
		}
		var ev event
		if ctx.Err() != nil {
			ev = <-s.ch // only the open prompt's end is awaited now
		} else {
			select {
			case ev = <-s.ch:
			case <-ctx.Done():
				continue
			}
		}
		s.handle(ctx, ev)
	}
}

func (s *stepRun) handle(ctx context.Context, ev event) {
	switch ev.kind {
	case evChoice:
		if ev.seq != s.promptSeq {
			return
		}
		s.promptOpen = false
		s.cancelPrompt()
		switch {
		case errors.Is(ev.err, ErrInterrupted):
			s.outcome, s.err = stepQuit, ErrInterrupted
		case errors.Is(ev.err, context.Canceled) || ctx.Err() != nil:
			// We ended the prompt to redraw, or the learner pressed Ctrl-C
			// outside it; the loop goes on from the state.
		case ev.err != nil:
			s.outcome, s.err = stepQuit, ev.err
		case s.outcome != stepPending:
			// The step passed while the learner chose: the choice is moot.
		case s.lastPrompt == promptQuiz:
			s.answer(ctx, ev)
		default:
			s.choose(ctx, s.menu[ev.index])
		}
	case evEngine, evFiles:
		if !s.watching() {
			return
		}
		if ev.at.IsZero() || !ev.at.Before(s.started) {
			s.quiet = false
		}
		if !s.checkDue {
			s.checkDue = true
			s.eventAt = ev.at
		}
	case evPoll:
		if s.watching() && !s.checkDue {
			s.eventAt = time.Time{}
			s.check(ctx)
		}
	case evStreamBroken:
		s.streamDown = checks.EngineTrouble(ev.err)
		s.dirty = true
	case evStreamRestored:
		s.streamDown = ""
		s.dirty = true
		if s.watching() {
			s.eventAt = time.Time{}
			s.check(ctx)
		}
	}
}

// asking reports whether the step waits for its quiz to be answered: then
// the menu offers to answer, and the solution is the quiz's answer.
func (s *stepRun) asking() bool { return s.step.Quiz != nil && !s.quizRight }

// watching reports whether events can complete the step: it has checks and
// no quiz.
func (s *stepRun) watching() bool {
	return (s.step.Quiz == nil || s.quizRight) && len(s.step.Checks) > 0 && s.outcome == stepPending
}

// check evaluates the step's checks and records the verdict. The screen is
// redrawn only when the verdict or the diagnosis changed, so the learner is
// not told the same thing on every event.
func (s *stepRun) check(ctx context.Context) {
	results := checks.EvaluateAll(ctx, s.r.Registry, s.step.Checks, s.vars, s.env)
	if ctx.Err() != nil {
		return
	}
	s.memo.save(s.env.Memo())
	v, diag := judge(results)
	if s.quiet && v == verdictFailing {
		v, diag = verdictNone, ""
	}
	if v != s.verdict || diag != s.diagnosis {
		s.dirty = true
		s.reportVerdict(v, results)
	}
	s.verdict, s.diagnosis = v, diag
	if v == verdictPassed {
		s.outcome = stepPassed
	}
	if s.r.onVerdict != nil {
		s.r.onVerdict(v, s.eventAt)
	}
}

// judge sums up the results of a step's checks.
func judge(results []checks.Result) (verdict, string) {
	var failed, engine []string
	for _, r := range results {
		switch {
		case r.Err != nil && checks.IsEngineError(r.Err):
			engine = append(engine, r.Message)
		case !r.Passed:
			failed = append(failed, r.Message)
		}
	}
	switch {
	case len(engine) > 0:
		return verdictUnknown, engine[0]
	case len(failed) > 0:
		return verdictFailing, strings.Join(failed, "\n")
	}
	return verdictPassed, ""
}

// openPrompt opens the menu or the quiz in a goroutine of its own; its
// answer comes back as an evChoice.
func (s *stepRun) openPrompt(ctx context.Context) {
	s.seq++
	s.promptSeq = s.seq
	pctx, cancel := context.WithCancel(ctx)
	s.cancelPrompt = cancel
	s.promptOpen = true
	kind := s.nextPrompt
	s.nextPrompt = promptMenu
	s.lastPrompt = kind
	ev := event{kind: evChoice, seq: s.seq}
	p := s.r.Prompt
	if kind == promptQuiz {
		q := s.step.Quiz
		question := lessons.Expand(q.Question, s.vars)
		go func() {
			if len(q.Choices) > 0 {
				// The last entry leaves the quiz for the menu (hints, skip,
				// back) without answering.
				opts := make([]string, len(q.Choices), len(q.Choices)+1)
				for i, c := range q.Choices {
					opts[i] = lessons.Expand(c, s.vars)
				}
				opts = append(opts, quizToMenu)
				ev.index, ev.err = p.Select(pctx, question, opts, -1)
				if ev.err == nil && ev.index < len(q.Choices) {
					ev.text = opts[ev.index]
				}
			} else {
				// Enter alone leaves the quiz for the menu; the screen says
				// so above the question (quizInputNote).
				ev.text, ev.err = p.Input(pctx, question, "", nil)
			}
			s.ch <- ev
		}()
		return
	}
	s.menu = s.menuChoices()
	labels := make([]string, len(s.menu))
	for i, c := range s.menu {
		labels[i] = s.label(c)
	}
	go func() {
		ev.index, ev.err = p.Select(pctx, "What next?", labels, 0)
		s.ch <- ev
	}()
}

// menuChoices are the menu's entries for the step as it is now.
func (s *stepRun) menuChoices() []choice {
	var cs []choice
	switch {
	case s.asking():
		cs = append(cs, choiceAnswer)
	case len(s.step.Checks) == 0:
		cs = append(cs, choiceContinue)
	default:
		cs = append(cs, choiceCheck)
	}
	if s.hints < len(s.step.Hints) {
		cs = append(cs, choiceHint)
	}
	if !s.solution && (len(s.step.Solution) > 0 || s.asking()) {
		cs = append(cs, choiceSolution)
	}
	if !s.asking() && len(s.runnable()) > 0 {
		cs = append(cs, choiceRun)
	}
	return append(cs, choiceSkip, choiceLessons, choiceQuit)
}

func (s *stepRun) label(c choice) string {
	switch c {
	case choiceCheck:
		return "Check now"
	case choiceContinue:
		return "Continue"
	case choiceAnswer:
		if s.quizFeedback != "" {
			return "Answer again"
		}
		return "Answer the question"
	case choiceHint:
		return fmt.Sprintf("Show a hint (%d of %d)", s.hints+1, len(s.step.Hints))
	case choiceSolution:
		if s.asking() {
			return "Show the answer"
		}
		return "Show the solution"
	case choiceRun:
		return "Run it for me"
	case choiceSkip:
		return "Skip this step"
	case choiceLessons:
		return "Back to the lessons"
	}
	return "Quit (your progress is saved)"
}

// runnable are the solution's actions that dockstep can carry out.
func (s *stepRun) runnable() []lessons.Action {
	var out []lessons.Action
	for _, a := range s.step.Solution {
		if !a.Manual {
			out = append(out, a)
		}
	}
	return out
}

// choose carries out a menu choice.
func (s *stepRun) choose(ctx context.Context, c choice) {
	s.note = ""
	switch c {
	case choiceCheck:
		s.eventAt = time.Time{}
		s.quiet = false
		s.check(ctx)
		if s.verdict != verdictPassed {
			s.note = "Checked just now."
		}
		s.dirty = true
	case choiceContinue:
		s.outcome = stepPassed
	case choiceAnswer:
		s.nextPrompt = promptQuiz
		s.dirty = true
	case choiceHint:
		s.hints++
		s.report(HintShown, s.step, nil)
		if s.hints == len(s.step.Hints) {
			// No hint is left to take.
			s.quizFeedback = strings.Replace(s.quizFeedback, takeAHint, ".", 1)
		}
		s.dirty = true
	case choiceSolution:
		s.solution = true
		s.report(SolutionShown, s.step, nil)
		if s.asking() {
			s.answerShown = s.rightAnswer(ctx)
		}
		s.dirty = true
	case choiceRun:
		s.runForMe(ctx)
		s.dirty = true
	case choiceSkip:
		s.outcome = stepSkipped
	case choiceLessons:
		s.outcome = stepLessons
	case choiceQuit:
		s.outcome = stepQuit
	}
}

// runForMe shows exactly what the solution does, asks, and does it,
// streaming the output; then checks the step.
func (s *stepRun) runForMe(ctx context.Context) {
	out := s.r.Out
	fmt.Fprintln(out, "\ndockstep will, in "+s.dir+":")
	for _, a := range s.step.Solution {
		fmt.Fprintln(out, indent(Describe(a, s.vars), "  • ", "    "))
	}
	ok, err := s.r.Prompt.Confirm(ctx, "Go ahead?", true)
	if err != nil {
		if errors.Is(err, ErrInterrupted) || ctx.Err() != nil {
			s.outcome, s.err = stepQuit, ErrInterrupted
			return
		}
		s.outcome, s.err = stepQuit, err
		return
	}
	if !ok {
		return
	}
	s.report(RunForMe, s.step, nil)
	s.quiet = false
	tail := &tailWriter{max: 40}
	s.rep.Out = io.MultiWriter(out, tail)
	defer func() { s.rep.Out = nil }()
	for _, a := range s.runnable() {
		fmt.Fprintf(out, "$ %s\n", summary(a, s.vars))
		if err := s.rep.Do(ctx, a); err != nil {
			s.note = fmt.Sprintf("Running the solution failed: %v", err)
			break
		}
	}
	s.runLog = tail.String()
	if ctx.Err() != nil {
		s.outcome, s.err = stepQuit, ErrInterrupted
		return
	}
	if len(s.step.Checks) > 0 {
		s.eventAt = time.Time{}
		s.check(ctx)
	}
}

func summary(a lessons.Action, vars map[string]string) string {
	switch a.Kind {
	case lessons.WriteFile:
		return "write " + a.Path
	case lessons.AppendFile:
		return "append to " + a.Path
	case lessons.Background:
		return lessons.Expand(a.Text, vars) + " &"
	}
	return lessons.Expand(a.Text, vars)
}

// takeAHint ends the remark on a wrong answer while the step has hints
// left.
const takeAHint = ", or take a hint."

// quizToMenu is the entry of a choice quiz, and quizInputNote the note of
// a typed one, by which the learner goes to the menu without answering.
const (
	quizToMenu    = "(not now: back to the menu for hints, skip or the lessons)"
	quizInputNote = "Type your answer, or press Enter alone for the menu (hints, skip, back)."
)

// answer checks the learner's answer to the quiz. No answer (Enter alone,
// or the quiz's menu entry) opens the menu instead, and is not a wrong one.
func (s *stepRun) answer(ctx context.Context, ev event) {
	q := s.step.Quiz
	given := strings.TrimSpace(ev.text)
	if given == "" {
		s.dirty = true
		return
	}
	right, err := s.accepts(ctx, q, given)
	switch {
	case err != nil:
		s.quizFeedback = fmt.Sprintf("dockstep could not check your answer: %v", err)
	case right:
		s.report(QuizRight, s.step, nil)
		s.quizFeedback = "Right!"
		if q.Explain != "" {
			s.quizFeedback += " " + lessons.Expand(q.Explain, s.vars)
		}
		s.quizRight = true
		if len(s.step.Checks) == 0 {
			s.outcome = stepPassed
			break
		}
		// The step's checks must hold too; from now on it is watched like
		// any other step.
		s.quiet = false
		s.check(ctx)
	default:
		s.report(QuizWrong, s.step, nil)
		s.quizFeedback = fmt.Sprintf("%q is not the answer. Try again", given)
		if s.hints < len(s.step.Hints) {
			s.quizFeedback += takeAHint
		} else {
			s.quizFeedback += "."
		}
	}
	s.dirty = true
}

func (s *stepRun) accepts(ctx context.Context, q *lessons.Quiz, given string) (bool, error) {
	if q.AnswerFrom == nil {
		return strings.EqualFold(given, strings.TrimSpace(lessons.Expand(q.Answer, s.vars))), nil
	}
	a, err := s.r.Registry.CompileAnswer(*q.AnswerFrom, s.vars)
	if err != nil {
		return false, fmt.Errorf("%s:%d: %w", q.AnswerFrom.Pos.File, q.AnswerFrom.Pos.Line, err)
	}
	return a.Accepts(ctx, s.env, given)
}

// rightAnswer says what the quiz's answer is, for "Show the answer".
func (s *stepRun) rightAnswer(ctx context.Context) string {
	q := s.step.Quiz
	if q.AnswerFrom == nil {
		return lessons.Expand(q.Answer, s.vars)
	}
	a, err := s.r.Registry.CompileAnswer(*q.AnswerFrom, s.vars)
	if err != nil {
		return fmt.Sprintf("(cannot tell: %v)", err)
	}
	d, err := a.Describe(ctx, s.env)
	if err != nil {
		return fmt.Sprintf("(cannot tell: %v)", err)
	}
	return d
}

// draw renders the whole screen from the step's state.
func (s *stepRun) draw() {
	s.dirty = false
	var b strings.Builder
	opt := s.r.Render
	if s.banner != "" {
		b.WriteString(s.banner + "\n\n")
	}
	if s.step.Index == 1 && len(s.l.Intro) > 0 {
		// The lesson's introduction opens its first step.
		b.WriteString(Render(s.l.Intro, s.vars, opt) + "\n")
	}
	shown := *s.step
	shown.Title = lessons.Expand(shown.Title, s.vars)
	b.WriteString(RenderStepHeader(s.l, &shown, opt))
	if s.l.Workspace != "" {
		fmt.Fprintf(&b, "Your files are in %s; in your other terminal: cd %s\n", s.dir, shellQuote(s.dir))
	}
	b.WriteString("\n")
	b.WriteString(Render(s.step.Body, s.vars, opt))
	for i := 0; i < s.hints; i++ {
		hint := Render(lessons.Fragment(s.step.Hints[i].Text), s.vars, opt)
		fmt.Fprintf(&b, "\nHint %d of %d:\n%s\n", i+1, len(s.step.Hints),
			indent(strings.TrimRight(hint, "\n"), "  ", "  "))
	}
	if s.solution {
		if s.asking() {
			fmt.Fprintf(&b, "\nThe answer: %s\n", s.answerShown)
		} else {
			b.WriteString("\nThe solution:\n")
			for _, a := range s.step.Solution {
				b.WriteString(indent(Describe(a, s.vars), "  ", "    ") + "\n")
			}
		}
	}
	if s.runLog != "" {
		b.WriteString("\nOutput of the solution:\n" + indent(strings.TrimRight(s.runLog, "\n"), "  ", "  ") + "\n")
	}
	b.WriteString("\n")
	if s.streamDown != "" {
		fmt.Fprintf(&b, "! Lost the Docker engine's event stream: %s. Reconnecting; your progress is safe.\n", s.streamDown)
	}
	switch {
	case s.outcome == stepPassed && s.step.Quiz == nil:
		b.WriteString("✓ Done! On to the next step.\n")
	case s.quizFeedback != "" && !(s.quizRight && s.verdict == verdictFailing):
		b.WriteString(s.quizFeedback + "\n")
	case s.verdict == verdictFailing:
		if s.quizRight {
			b.WriteString(s.quizFeedback + " One more thing, though.\n")
		}
		b.WriteString("✗ Not yet:\n" + s.wrapped(s.diagnosis, "  ") + "\n")
	case s.verdict == verdictUnknown:
		b.WriteString("! " + s.diagnosis + "\n  Is Docker running? dockstep checks again when it is back.\n")
	case s.watching():
		b.WriteString("Waiting for you: this step completes by itself when you have done it.\n")
	}
	if s.note != "" {
		b.WriteString(s.note + "\n")
	}
	if s.nextPrompt == promptQuiz && len(s.step.Quiz.Choices) == 0 {
		b.WriteString(quizInputNote + "\n")
	}
	b.WriteString(s.roomLines())
	s.r.clear()
	io.WriteString(s.r.Out, b.String())
}

// indent puts first before the first line of text and rest before the
// others.
// wrapped wraps each line of a diagnosis to the screen's width as a
// paragraph of its own, indented by prefix.
func (s *stepRun) wrapped(text, prefix string) string {
	opt := s.r.Render
	if opt.Width == 0 {
		opt.Width = 80
	}
	opt.Width -= len(prefix)
	var blocks []lessons.Block
	for _, line := range strings.Split(text, "\n") {
		blocks = append(blocks, lessons.Block{Kind: lessons.Paragraph, Spans: []lessons.Span{{Text: line}}})
	}
	out := strings.ReplaceAll(strings.TrimRight(Render(blocks, nil, opt), "\n"), "\n\n", "\n")
	return indent(out, prefix, prefix)
}

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

// tailWriter keeps the last max lines written to it.
type tailWriter struct {
	max   int
	lines []string
	part  string
}

func (t *tailWriter) Write(p []byte) (int, error) {
	text := t.part + string(p)
	parts := strings.Split(text, "\n")
	t.part = parts[len(parts)-1]
	t.lines = append(t.lines, parts[:len(parts)-1]...)
	if over := len(t.lines) - t.max; over > 0 {
		t.lines = t.lines[over:]
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	s := strings.Join(t.lines, "\n")
	if t.part != "" {
		if s != "" {
			s += "\n"
		}
		s += t.part
	}
	return s
}
