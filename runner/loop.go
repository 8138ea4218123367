package runner

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/docker/docker/api/types/events"

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
	stepReset                      // the lesson was reset in another terminal
)

// verdict is what the step's checks said last.
type verdict int

const (
	verdictNone    verdict = iota // not checked yet
	verdictFailing                // a check failed; the diagnosis says why
	verdictPassed                 // every check passed
	verdictUnknown                // the checks could not ask the engine
)

// stepRun is the state of the step on screen. draw renders all of it; the
// handlers only change it. Each concern keeps its fields in a struct of
// its own, declared beside the code that uses them: runState in run.go,
// promptState in menu.go, quizState in quiz.go.
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
	// answer is the quiz's right answer, once the learner asked to see it
	// (which shows the answer, not the solution, while the quiz is open):
	// read from the engine once, not on every redraw.
	answer string
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
	// filesOnly is set when every check reads files only: no engine event
	// is the learner acting then (only file events are), such as the end
	// of a pull while the learner writes a Dockerfile.
	filesOnly bool
	// engineOnly is set when every check looks at named engine objects
	// (an image to build, a container to run): no file event is the learner
	// acting then, such as an editor removing its swap file after the
	// Dockerfile of the step before was saved.
	engineOnly bool
	// readsFolder is set when a check reads files of the working folder
	// (checks.Needs), which the learner must then put there.
	readsFolder bool
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
	// passedAtOnce when the first verdict was that the step is done.
	checked, passedAtOnce bool
}

// watchFor is how a step shown at now is watched, from what its compiled
// checks look at.
func (lr *lessonRun) watchFor(step *lessons.Step, now time.Time) watchState {
	w := watchState{quiet: true, started: now, filesOnly: len(step.Checks) > 0, engineOnly: len(step.Checks) > 0}
	for _, spec := range step.Checks {
		c, err := lr.r.Registry.Compile(spec, lr.vars)
		if err != nil {
			w.filesOnly, w.engineOnly = false, false
			continue
		}
		subj := checks.SubjectsOf(c)
		w.subjects.Add(subj)
		w.filesOnly = w.filesOnly && checks.FilesOnly(c)
		w.readsFolder = w.readsFolder || len(checks.NeedsOf(c).Files) > 0
		w.engineOnly = w.engineOnly && !subj.Empty()
	}
	return w
}

// runStep shows one step until it passes or the learner moves on.
func (lr *lessonRun) runStep(ctx context.Context, step *lessons.Step) (stepOutcome, error) {
	now := lr.r.clock().Now()
	s := &stepRun{lessonRun: lr, step: step, dirty: true, watch: lr.watchFor(step, now)}
	lr.lp.MarkStarted(step.Title, now)
	lr.lp.Step = step.Title
	lr.env.Since = lr.lp.Started[step.Title]
	if err := lr.r.save(lr.prog); err != nil {
		return stepQuit, err
	}
	lr.screen.warnings = lr.r.takeWarnings()
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
		if ev.kind == evEngine {
			s.noteMade(ev)
		}
		if !s.watching() {
			return
		}
		if (ev.at.IsZero() || !ev.at.Before(s.watch.started)) && (ev.kind == evFiles && !s.watch.engineOnly || ev.kind == evEngine && !s.watch.filesOnly && s.watch.subjects.About(ev.msg)) {
			s.watch.quiet = false
		}
		if !s.watch.due {
			s.watch.due = true
			s.watch.eventAt = ev.at
		}
	case evProgress:
		s.resetElsewhere()
	case evPoll:
		s.resetElsewhere()
		if s.watching() && !s.watch.due {
			s.watch.eventAt = time.Time{}
			s.check(ctx)
		}
	case evStreamBroken:
		s.screen.streamDown = checks.EngineTrouble(ev.err)
		s.dirty = true
	case evStreamRestored:
		s.screen.streamDown = ""
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
		// A resize while the command had the terminal signalled the
		// command's process group, not dockstep: read the size again.
		if s.r.Size != nil {
			if w, h, ok := s.r.Size(); ok {
				s.r.Render.Width, s.r.Render.Height = w, h
			}
		}
		s.run.log = s.run.out.take()
		s.dirty = true
	case evRunDone:
		s.runDone(ctx, ev.err)
	case evResize:
		s.r.Render.Width, s.r.Render.Height = ev.size[0], ev.size[1]
		s.dirty = true
	}
}

// noteMade records a container the learner created for the step: one
// whose name, image or Compose project the step's checks name, created
// while the step was on screen. Run it for me may act on it (learnerMade),
// as on what its own commands create; a container of anything else is
// someone else's.
func (s *stepRun) noteMade(ev event) {
	m := ev.msg
	if m.Type != events.ContainerEventType || m.Action != events.ActionCreate || m.Actor.ID == "" ||
		s.watch.subjects.Empty() || !s.watch.subjects.About(m) || (!ev.at.IsZero() && ev.at.Before(s.watch.started)) {
		return
	}
	s.made.Lock()
	defer s.made.Unlock()
	if !slices.Contains(s.made.ids, m.Actor.ID) {
		s.made.ids = append(s.made.ids, m.Actor.ID)
	}
}

// learnerMade is the containers the learner created for the lesson's
// steps (noteMade), for the Replayer's Made.
func (lr *lessonRun) learnerMade(context.Context) ([]string, error) {
	lr.made.Lock()
	defer lr.made.Unlock()
	return slices.Clone(lr.made.ids), nil
}

// resetElsewhere ends the step when the lesson's progress was reset in
// another terminal (dockstep reset): the lesson starts again from its first
// step, and nothing this window knew of it before is saved again. A
// solution that is running is let finish first.
func (s *stepRun) resetElsewhere() {
	if s.outcome == stepQuit || s.outcome == stepReset {
		return
	}
	reset, err := s.r.Store.ResetElsewhere(s.prog, s.l.ID)
	if err != nil || !reset {
		return
	}
	s.outcome, s.held, s.moveOn = stepReset, false, true
	s.dirty = true
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
		// The first verdict, drawn a moment after the step: whatever
		// event came before it (on a shared engine, one about a
		// like-named image ends the quiet), the learner had no time to
		// read what the step says.
		s.judged.passedAtOnce = !s.judged.checked
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
	err := s.r.save(s.prog)
	s.screen.warnings = append(s.screen.warnings, s.r.takeWarnings()...)
	return err
}
