package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/replay"
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
	promptConfirm // go ahead with "run it for me"?
)

// stepRun is the state of the step on screen. draw renders all of it; the
// handlers only change it. Each concern keeps its fields in a struct of
// its own, declared below.
type stepRun struct {
	*lessonRun
	step *lessons.Step

	outcome stepOutcome
	err     error
	// held is set while a passed step stays on screen until the learner
	// goes on, because it says something to read; moveOn, once the learner
	// chose to go on.
	held, moveOn bool

	dirty bool // the screen no longer shows the state
	// note is a one-off remark, such as when the step was last checked.
	note string

	shown  shownState  // what the learner asked to see
	quiz   quizState   // how the quiz stands
	watch  watchState  // when events count, and when to check
	judged judgedState // what the checks said
	run    runState    // run it for me
	prompt promptState // the prompt open in its own goroutine
}

// shownState is what the learner has asked to see of the step.
type shownState struct {
	hints    int  // hints revealed so far
	solution bool // the solution is shown
	// answer is the quiz's right answer, once the learner asked to see it:
	// read from the engine once, not on every redraw.
	answer string
}

// quizState is how the step's quiz stands.
type quizState struct {
	// feedback says how the last answer fared.
	feedback string
	// right is set once the quiz is answered right; a step with checks too
	// is done when they pass as well.
	right bool
}

// watchState says which events are the learner acting on the step, and
// when the step is to be checked again.
type watchState struct {
	// quiet is set until the learner acts (an engine or file event, check
	// now, run it for me): until then a failing check is not news, and the
	// step just waits.
	quiet bool
	// started is when the step was shown: events from before it, such as
	// those of the previous step's last command, are not the learner acting
	// on this one.
	started time.Time
	// subjects are the engine objects the step's checks name: on an engine
	// others use, an event about anything else is not the learner acting.
	subjects checks.Subjects
	// due is set by an engine or file event: the loop checks the step as
	// soon as it has handled the events already queued, so that the first
	// event is answered at once and those that came with it, or during the
	// last check, make one check more, not one each.
	due bool
	// eventAt is when the engine event that made the check due happened.
	eventAt time.Time
}

// judgedState is what the step's checks said.
type judgedState struct {
	// verdict and diagnosis are what the checks said last.
	verdict   verdict
	diagnosis string
	// asked is set while a check the learner asked for (check now) runs:
	// its failure is reported to the room even when it says what the last
	// one said, since the room counts the learner's failed checks.
	asked bool
	// checked is set once the step's checks have given a verdict;
	// passedAtOnce when the first verdict, before the learner did anything,
	// was that the step is done.
	checked, passedAtOnce bool
}

// runState is "run it for me": dockstep running the step's solution.
type runState struct {
	// confirming is set while the learner is asked whether dockstep may
	// run the solution.
	confirming bool
	// running is set while the solution runs; attached, while its command
	// attachedCmd runs on the learner's terminal, which dockstep must not
	// draw on then, after the screen that says so.
	running, attached bool
	attachedCmd       string
	// seq numbers the runs, so that late output of an old one is ignored.
	seq int
	// out collects what the running solution writes.
	out *runOutput
	// ran is set once dockstep has run the solution in this step; log is
	// the commands it ran and the end of their output, err what went
	// wrong, in plain words.
	ran      bool
	log, err string
}

// promptState is the prompt open in its own goroutine, if any, and the
// next one to open.
type promptState struct {
	open bool
	// seq is the open prompt's number: an answer with another is stale.
	seq    int
	cancel context.CancelFunc
	// next is what the next prompt asks; last, what the last one asked.
	next, last promptKind
	// menu are the entries of the menu last opened.
	menu []choice
}

// runStep shows one step until it passes or the learner moves on.
func (lr *lessonRun) runStep(ctx context.Context, step *lessons.Step) (stepOutcome, error) {
	now := lr.r.clock().Now()
	s := &stepRun{lessonRun: lr, step: step, dirty: true, watch: watchState{quiet: true, started: now}}
	for _, spec := range step.Checks {
		if c, err := lr.r.Registry.Compile(spec, lr.vars); err == nil {
			s.watch.subjects.Add(checks.SubjectsOf(c))
		}
	}
	lr.lp.MarkStarted(step.Title, now)
	lr.lp.Step = step.Title
	lr.env.Since = lr.lp.Started[step.Title]
	if err := lr.r.save(lr.prog); err != nil {
		return stepQuit, err
	}
	lr.report(StepStarted, step, nil)
	switch {
	case step.Quiz != nil:
		s.prompt.next = promptQuiz
	case len(step.Checks) > 0 && !step.HoldsBefore:
		// Check once at once, in case the learner already did this step,
		// but after the step is on screen: a check may take seconds (an
		// http check retries until its timeout).
		s.watch.due = true
	}
	return s.loop(ctx)
}

// loop is the runner's one loop: it keeps a prompt open while the step is
// pending, reads one event at a time from the channel and handles it in one
// switch. To draw while a prompt is open, it first cancels the prompt and
// waits for it to end, so survey and the runner never write at once.
func (s *stepRun) loop(ctx context.Context) (stepOutcome, error) {
	for {
		if ctx.Err() != nil && (s.outcome == stepPending || s.held) {
			s.outcome, s.err, s.held = stepQuit, ErrInterrupted, false
		}
		switch {
		case s.prompt.open:
			if (s.outcome != stepPending && !s.held) || s.dirty {
				s.prompt.cancel()
			}
		case s.run.running:
			// No prompt while the solution runs: the loop only draws its
			// output, unless the terminal is the command's.
			if s.dirty && !s.run.attached {
				s.draw()
			}
		default:
			if s.outcome == stepPassed && !s.held && !s.moveOn && s.toRead() {
				if err := s.hold(); err != nil {
					s.outcome, s.err = stepQuit, err
				}
			}
			if s.outcome != stepPending && !s.held {
				if s.outcome == stepPassed && !s.moveOn {
					s.draw()
				}
				return s.outcome, s.err
			}
			if s.dirty {
				s.draw()
			}
			s.openPrompt(ctx)
		}
		if s.watch.due && len(s.ch) == 0 && ctx.Err() == nil {
			s.watch.due = false
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
		if ev.seq != s.prompt.seq {
			return
		}
		s.prompt.open = false
		s.prompt.cancel()
		switch {
		case errors.Is(ev.err, ErrInterrupted):
			s.outcome, s.err, s.held = stepQuit, ErrInterrupted, false
		case errors.Is(ev.err, context.Canceled) || ctx.Err() != nil:
			// We ended the prompt to redraw, or the learner pressed Ctrl-C
			// outside it; the loop goes on from the state, asking the same
			// question again: the screen still shows it.
			switch {
			case s.prompt.last == promptConfirm && s.run.confirming:
				s.prompt.next = promptConfirm
			case s.prompt.last == promptQuiz && s.asking():
				s.prompt.next = promptQuiz
			}
		case ev.err != nil:
			s.outcome, s.err, s.held = stepQuit, ev.err, false
		case s.outcome != stepPending && !s.held:
			// The step passed while the learner chose: the choice is moot.
		case s.prompt.last == promptQuiz:
			s.answer(ctx, ev)
		case s.prompt.last == promptConfirm:
			s.run.confirming = false
			s.dirty = true
			if ev.index == 1 {
				s.startRun(ctx)
			}
		default:
			s.choose(ctx, s.prompt.menu[ev.index])
		}
	case evEngine, evFiles:
		if !s.watching() {
			return
		}
		if (ev.at.IsZero() || !ev.at.Before(s.watch.started)) && (ev.kind == evFiles || s.watch.subjects.About(ev.msg)) {
			s.watch.quiet = false
		}
		if !s.watch.due {
			s.watch.due = true
			s.watch.eventAt = ev.at
		}
	case evPoll:
		if s.watching() && !s.watch.due {
			s.watch.eventAt = time.Time{}
			s.check(ctx)
		}
	case evStreamBroken:
		s.streamDown = checks.EngineTrouble(ev.err)
		s.dirty = true
	case evStreamRestored:
		s.streamDown = ""
		s.dirty = true
		if s.watching() {
			s.watch.eventAt = time.Time{}
			s.check(ctx)
		}
	case evRunOutput:
		if s.run.running && ev.seq == s.run.seq {
			s.run.log = s.run.out.take()
			s.dirty = true
		}
	case evRunAttach:
		// The screen that says how to come back is drawn before the
		// command takes the terminal.
		s.run.attached, s.run.attachedCmd = true, ev.text
		s.run.log = s.run.out.take()
		s.draw()
		close(ev.reply)
	case evRunDetach:
		s.run.attached, s.run.attachedCmd = false, ""
		s.run.log = s.run.out.take()
		s.dirty = true
	case evRunDone:
		s.runDone(ctx, ev.err)
	case evResize:
		s.r.Render.Width, s.r.Render.Height = ev.size[0], ev.size[1]
		s.dirty = true
	}
}

// asking reports whether the step waits for its quiz to be answered: then
// the menu offers to answer, and the solution is the quiz's answer.
func (s *stepRun) asking() bool { return s.step.Quiz != nil && !s.quiz.right }

// watching reports whether events can complete the step: it has checks and
// no quiz.
func (s *stepRun) watching() bool {
	return (s.step.Quiz == nil || s.quiz.right) && len(s.step.Checks) > 0 && s.outcome == stepPending
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
	v, diag := s.judge(ctx, results)
	if s.watch.quiet && v == verdictFailing {
		v, diag = verdictNone, ""
	}
	if v != s.judged.verdict || diag != s.judged.diagnosis || s.judged.asked {
		s.dirty = true
		s.reportVerdict(v, results)
	}
	s.judged.asked = false
	s.judged.verdict, s.judged.diagnosis = v, diag
	if v == verdictPassed {
		s.judged.passedAtOnce = !s.judged.checked && s.watch.quiet
		s.outcome = stepPassed
	}
	s.judged.checked = true
	if s.r.onVerdict != nil {
		s.r.onVerdict(v, s.watch.eventAt)
	}
}

// judge sums up the results of a step's checks and where its quiz stands,
// as checks.JudgeStep does for every command. The loop watches a step with
// a quiz only once the quiz is answered right, so the quiz decides nothing
// here today; the fold keeps the rule in one place.
func (s *stepRun) judge(ctx context.Context, results []checks.Result) (verdict, string) {
	quiz := checks.QuizOpen
	if s.quiz.right {
		quiz = checks.QuizRight
	}
	v := checks.Judge(results).WithQuiz(ctx, s.r.Registry, s.step, s.vars, s.env, quiz)
	switch v.Outcome {
	case checks.Unknown:
		return verdictUnknown, v.Reason
	case checks.Failing:
		return verdictFailing, v.Reason
	}
	return verdictPassed, ""
}

// openPrompt opens the menu or the quiz in a goroutine of its own; its
// answer comes back as an evChoice.
func (s *stepRun) openPrompt(ctx context.Context) {
	s.seq++
	s.prompt.seq = s.seq
	pctx, cancel := context.WithCancel(ctx)
	s.prompt.cancel = cancel
	s.prompt.open = true
	kind := s.prompt.next
	s.prompt.next = promptMenu
	s.prompt.last = kind
	ev := event{kind: evChoice, seq: s.seq}
	p := s.r.Prompt
	if kind == promptConfirm {
		go func() {
			var yes bool
			yes, ev.err = p.Confirm(pctx, "Go ahead?", true)
			if yes {
				ev.index = 1
			}
			s.ch <- ev
		}()
		return
	}
	if kind == promptQuiz {
		q := s.step.Quiz
		question := s.promptText(lessons.Expand(q.Question, s.vars))
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
	s.prompt.menu = s.menuChoices()
	labels := make([]string, len(s.prompt.menu))
	for i, c := range s.prompt.menu {
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
	case s.held:
		return []choice{choiceContinue, choiceLessons, choiceQuit}
	case s.asking():
		cs = append(cs, choiceAnswer)
	case len(s.step.Checks) == 0:
		cs = append(cs, choiceContinue)
	default:
		cs = append(cs, choiceCheck)
	}
	if s.shown.hints < len(s.step.Hints) {
		cs = append(cs, choiceHint)
	}
	if !s.shown.solution && (len(s.step.Solution) > 0 || s.asking()) {
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
		if s.quiz.feedback != "" {
			return "Answer again"
		}
		return "Answer the question"
	case choiceHint:
		return fmt.Sprintf("Show a hint (%d of %d)", s.shown.hints+1, len(s.step.Hints))
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
		s.watch.eventAt = time.Time{}
		s.watch.quiet = false
		s.judged.asked = true
		s.check(ctx)
		if s.judged.verdict != verdictPassed {
			s.note = "Checked just now."
		}
		s.dirty = true
	case choiceContinue:
		s.outcome, s.held, s.moveOn = stepPassed, false, true
	case choiceAnswer:
		s.prompt.next = promptQuiz
		s.dirty = true
	case choiceHint:
		s.shown.hints++
		s.report(HintShown, s.step, nil)
		if s.shown.hints == len(s.step.Hints) {
			// No hint is left to take.
			s.quiz.feedback = strings.Replace(s.quiz.feedback, takeAHint, ".", 1)
		}
		s.dirty = true
	case choiceSolution:
		s.shown.solution = true
		s.report(SolutionShown, s.step, nil)
		if s.asking() {
			s.shown.answer = s.rightAnswer(ctx)
		}
		s.dirty = true
	case choiceRun:
		s.run.confirming = true
		s.prompt.next = promptConfirm
		s.dirty = true
	case choiceSkip:
		s.outcome = stepSkipped
	case choiceLessons:
		s.outcome, s.held = stepLessons, false
	case choiceQuit:
		s.outcome, s.held = stepQuit, false
	}
}

// startRun runs the solution's actions for the learner in a goroutine of
// its own, which reports its output and its end as events. An interactive
// command on the learner's terminal first asks the loop to let go of the
// terminal (evRunAttach), and gives it back when it ends (evRunDetach).
func (s *stepRun) startRun(ctx context.Context) {
	s.report(RunForMe, s.step, nil)
	s.run.running, s.run.ran, s.watch.quiet = true, false, false
	s.run.log, s.run.err, s.note = "", "", ""
	s.run.seq++
	seq := s.run.seq
	s.run.out = &runOutput{tail: tailWriter{max: 40}, notify: func() {
		<-s.r.clock().After(runOutputEvery)
		s.send(event{kind: evRunOutput, seq: seq})
	}}
	s.rep.Out = s.run.out
	acts, rep, vars := s.runnable(), s.rep, s.vars
	go func() {
		var err error
		for _, a := range acts {
			cmd := summary(a, vars)
			fmt.Fprintln(s.run.out, replay.Prompted(cmd))
			attach := a.Interactive && rep.Terminal != nil
			if attach {
				reply := make(chan struct{})
				s.ch <- event{kind: evRunAttach, text: cmd, reply: reply}
				<-reply
			}
			if err = rep.Do(ctx, a); err != nil {
				break
			}
			switch {
			case a.Kind == lessons.Background:
				fmt.Fprintln(s.run.out, "(it keeps running in the background until you leave the lesson; a later step may stop it)")
			case attach:
				fmt.Fprintln(s.run.out, "(you used it in this terminal)")
			}
			if attach {
				s.ch <- event{kind: evRunDetach}
			}
		}
		s.ch <- event{kind: evRunDone, err: err}
	}()
}

// runOutputEvery is how often the screen shows the running solution's new
// output.
const runOutputEvery = 100 * time.Millisecond

// runDone records the end of a run, then checks the step.
func (s *stepRun) runDone(ctx context.Context, err error) {
	s.run.running, s.run.attached, s.run.ran = false, false, true
	s.rep.Out = nil
	s.run.log = s.run.out.take()
	s.dirty = true
	var ae *replay.ActionError
	switch {
	case ctx.Err() != nil:
		if s.outcome == stepPending {
			s.outcome, s.err = stepQuit, ErrInterrupted
		}
		return
	case errors.As(err, &ae):
		s.run.err = ae.Plain()
	case err != nil:
		s.run.err = err.Error()
	}
	if len(s.step.Checks) > 0 && s.outcome == stepPending {
		s.watch.eventAt = time.Time{}
		s.check(ctx)
	}
}

// runOutput is what the running solution writes: the end of it is kept for
// the screen, and the loop is told, at most every runOutputEvery, that there
// is more.
type runOutput struct {
	mu      sync.Mutex
	tail    tailWriter
	pending bool
	notify  func()
}

func (o *runOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tail.Write(p)
	if !o.pending {
		o.pending = true
		go o.notify()
	}
	return len(p), nil
}

// take returns the output so far and lets the next write notify again.
func (o *runOutput) take() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending = false
	return o.tail.String()
}

// toRead reports whether the step, now passed, says something the learner
// has not had the time to read: then it stays on screen until they go on.
func (s *stepRun) toRead() bool {
	switch {
	case s.run.ran:
		return true
	case s.quiz.right && s.step.Quiz.Explain != "":
		return true
	case s.judged.passedAtOnce && s.step.Index == 1 && len(s.l.Intro) > 0:
		// The lesson's introduction opens its first step.
		return true
	}
	return false
}

// hold keeps a passed step on screen: it is recorded as done at once, so
// that leaving now keeps it, and the menu offers to go on.
func (s *stepRun) hold() error {
	s.held, s.dirty = true, true
	s.lp.MarkDone(s.step.Title, s.r.clock().Now())
	return s.r.save(s.prog)
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
		s.quiz.feedback = fmt.Sprintf("dockstep could not check your answer: %v", err)
	case right:
		s.report(QuizRight, s.step, nil)
		s.quiz.feedback = "Right!"
		if q.Explain != "" {
			s.quiz.feedback += " " + lessons.Expand(q.Explain, s.vars)
		}
		s.quiz.right = true
		if len(s.step.Checks) == 0 {
			s.outcome = stepPassed
			break
		}
		// The step's checks must hold too; from now on it is watched like
		// any other step.
		s.watch.quiet = false
		s.check(ctx)
	default:
		s.report(QuizWrong, s.step, nil)
		s.quiz.feedback = fmt.Sprintf("%q is not the answer. Try again", given)
		if s.shown.hints < len(s.step.Hints) {
			s.quiz.feedback += takeAHint
		} else {
			s.quiz.feedback += "."
		}
	}
	s.dirty = true
}

func (s *stepRun) accepts(ctx context.Context, q *lessons.Quiz, given string) (bool, error) {
	a, err := s.r.Registry.CompileQuiz(q, s.vars)
	if err != nil {
		return false, err
	}
	return a.Accepts(ctx, s.env, given)
}

// rightAnswer says what the quiz's answer is, for "Show the answer".
func (s *stepRun) rightAnswer(ctx context.Context) string {
	a, err := s.r.Registry.CompileQuiz(s.step.Quiz, s.vars)
	if err != nil {
		return fmt.Sprintf("(cannot tell: %v)", err)
	}
	answers, err := a.Answers(ctx, s.env)
	if err != nil {
		return fmt.Sprintf("(cannot tell: %v)", err)
	}
	return strings.Join(answers, " or ")
}

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
		b.WriteString(indent(log, "  ", "  ") + "\n\n")
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
	if s.banner != "" {
		b.WriteString(s.para(s.banner, "", "") + "\n\n")
	}
	if s.step.Index == 1 && len(s.l.Intro) > 0 {
		// The lesson's introduction opens its first step.
		b.WriteString(render(s.l.Intro, s.vars, opt) + "\n")
	}
	b.WriteString(s.header())
	if s.l.Workspace != "" {
		b.WriteString(s.para(fmt.Sprintf("Your files are in `%s`; in your other terminal: `cd %s`", s.dir, shellQuote(s.dir)), "", "") + "\n")
	}
	b.WriteString("\n")
	b.WriteString(render(s.step.Body, s.vars, opt))
	for i := 0; i < s.shown.hints; i++ {
		hint := render(lessons.Fragment(s.step.Hints[i].Text), s.vars, opt)
		fmt.Fprintf(&b, "\nHint %d of %d:\n%s\n", i+1, len(s.step.Hints),
			indent(strings.TrimRight(hint, "\n"), "  ", "  "))
	}
	if s.shown.solution {
		if s.asking() {
			b.WriteString("\n" + s.para("The answer: "+s.shown.answer, "", "") + "\n")
		} else {
			b.WriteString("\nThe solution:\n")
			for _, a := range s.step.Solution {
				b.WriteString(indent(replay.Describe(a, s.vars), "  ", "    ") + "\n")
			}
		}
	}
	return b.String()
}

// drawStatus says where the step stands: what dockstep is about to run or
// ran, the verdict, and what the learner can do.
func (s *stepRun) drawStatus() string {
	var b strings.Builder
	b.WriteString("\n")
	if s.streamDown != "" {
		b.WriteString(s.para(fmt.Sprintf("! Lost the Docker engine's event stream: %s. Reconnecting; your progress is safe.", s.streamDown), "", "  ") + "\n")
	}
	if s.run.confirming {
		// Only what dockstep itself will do: commands the lesson leaves to
		// the learner are not run.
		fmt.Fprintf(&b, "dockstep will, in %s:\n", s.dir)
		for _, a := range s.runnable() {
			b.WriteString(indent(replay.Describe(a, s.vars), "  • ", "    ") + "\n")
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
			b.WriteString(indent(log, "  ", "  ") + "\n")
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
