// Package runner shows a lesson to the learner one step at a time and checks
// their work against the Docker engine as they do it.
//
// The learner runs dockstep in one terminal and their shell in another. While
// a step is shown, the runner watches the engine's event stream and the
// working directory, re-checks the step when something relevant happens, and
// moves on by itself when the checks pass. Everything that can happen (a menu
// choice, an engine event, a file change, a timer, the event stream breaking
// or coming back) is an event on one channel, handled by one loop that draws
// the screen from its state (loop.go; the screen itself in screen.go, the
// prompts in menu.go, run it for me in run.go, the quiz in quiz.go).
//
// Runner is the package's one entry; the interfaces beside it say what it
// uses: a Prompter to read the terminal (prompt.go; survey is one
// implementation of it, internal/prompt), EngineEvents to hear the engine,
// a Reporter for an instructor's room. It draws Markdown with its own
// renderer (render.go), keeps the learner's progress in a progress.Store
// (internal/progress), copies lessons' files with internal/workspace, and
// carries out solutions with a replay.Replayer (internal/replay).
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/clock"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/replay"
	"github.com/dockstep/dockstep/internal/workspace"
	"github.com/dockstep/dockstep/lessons"
)

// Runner runs lessons for a learner. Set its fields, then call Run.
type Runner struct {
	// Out is where steps are drawn; ErrOut receives warnings.
	Out, ErrOut io.Writer
	// Prompt asks the learner questions.
	Prompt Prompter
	// Docker is the engine that checks look at; its event stream says when
	// to look again.
	Docker checks.Docker
	// Registry compiles the lessons' checks.
	Registry *checks.Registry
	// Store keeps the learner's progress.
	Store *progress.Store
	// Clock tells the time and waits (the one clock seam, internal/clock);
	// nil means the system clock. Tests give the runner their own.
	Clock clock.Clock
	// Render says how Markdown is drawn (colour, width).
	Render RenderOptions
	// Resized, when set, gives the terminal's new width and height for
	// drawing (as Render's) each time the learner resizes it: the step on
	// screen is drawn again to fit.
	Resized <-chan [2]int
	// Size, when set, reads the width and height to draw for now. The
	// runner asks it when an interactive command gives the terminal back:
	// while that command had it, the terminal's resizes went to it, not
	// to dockstep.
	Size func() (w, h int, ok bool)
	// Clear clears the screen before each redraw. Set it on a terminal.
	Clear bool
	// Terminal is the learner's terminal, when there is one: "run it for
	// me" hands it to an interactive command (docker run -it) for the
	// learner to use. Without it such a command is fed the lesson's input.
	Terminal *os.File
	// Dir is the directory dockstep was started in: lessons without a
	// workspace use it as the working directory, and workspaces are offered
	// beside it.
	Dir string
	// PortHolder says who holds a port on this computer, such as "process
	// python3 (pid 4242)", or "" when it is free. The runner asks it when
	// the learner chooses a port. Nil means ports are not looked at.
	PortHolder func(port int) string
	// Vars are variable values given on the command line (--var name=value).
	// They take the place of the values remembered for the lesson.
	Vars map[string]string
	// Poll is how often the step is checked when nothing happens, for checks
	// that no event announces (a server that becomes ready); zero means
	// every 3 seconds, a negative value never.
	Poll time.Duration
	// Reporter, when set, hears what the learner does, for an instructor's
	// live room (room.go).
	Reporter Reporter

	watch watchOptions
	// warnings wait to be shown: above the lessons when they are offered
	// next, else on the next step's screen. The screen is cleared before
	// each draw, so a warning printed as it happens would vanish at once.
	warnings []string
	// onVerdict, when set (by tests), is called each time a step's checks
	// give a verdict, with the time of the engine event that led to it.
	onVerdict func(v verdict, eventAt time.Time)
}

func (r *Runner) clock() clock.Clock {
	if r.Clock == nil {
		return clock.System{}
	}
	return r.Clock
}

// lessonOutcome says how a lesson ended.
type lessonOutcome int

const (
	lessonFinished lessonOutcome = iota // every step done or skipped
	lessonLeft                          // the learner went back to the lessons
	lessonQuit                          // the learner quit
)

// Run runs lessons until the learner quits. With id it starts or resumes
// that lesson; without, it resumes the lesson in progress, or greets the
// learner and offers the lessons. It returns ErrInterrupted when the learner
// pressed Ctrl-C (or ctx was cancelled), after saving their progress.
func (r *Runner) Run(ctx context.Context, course []*lessons.Lesson, id string) error {
	if len(course) == 0 {
		return errors.New("there are no lessons to run")
	}
	prog, err := r.Store.Load()
	var corrupt *progress.CorruptError
	switch {
	case errors.As(err, &corrupt):
		r.warn(err)
	case err != nil:
		return err
	}
	var l *lessons.Lesson
	switch {
	case id != "":
		if l = find(course, id); l == nil {
			return fmt.Errorf("there is no lesson %q; dockstep list shows the lessons", id)
		}
	case prog.Current != "":
		l = find(course, prog.Current)
	}
	// banner is shown above the lessons when they are offered.
	var banner string
	if len(prog.Lessons) == 0 {
		banner = "Welcome to dockstep! Each lesson shows you one step at a time. Keep this\n" +
			"window open and run the commands in another terminal: dockstep checks your\n" +
			"Docker engine and moves on as soon as the step is done."
	}
	for first := true; ; first = false {
		if l == nil {
			if !first {
				// Show what other windows recorded meanwhile too.
				if fresh, err := r.Store.Load(); err == nil {
					prog = fresh
				}
			}
			l, err = r.choose(ctx, course, prog, banner)
			banner = ""
			if err != nil || l == nil {
				return errors.Join(err, r.save(prog))
			}
		}
		out, err := r.runLesson(ctx, prog, l)
		if err != nil {
			return errors.Join(err, r.save(prog))
		}
		switch out {
		case lessonQuit:
			return r.save(prog)
		case lessonFinished:
			banner = finishedBanner(l, prog.Lesson(l.ID))
		}
		l = nil
	}
}

// finishedBanner greets the end of a lesson; with steps skipped, it says
// how many, as dockstep list does ("done, 1 skipped"), rather than that the
// lesson is finished.
func finishedBanner(l *lessons.Lesson, lp *progress.LessonProgress) string {
	switch n := lp.SkippedSteps(l); n {
	case 0:
		return fmt.Sprintf("🎉 You have finished the lesson %q.", l.Title)
	case 1:
		return fmt.Sprintf("You reached the end of the lesson %q, with 1 step skipped.", l.Title)
	default:
		return fmt.Sprintf("You reached the end of the lesson %q, with %d steps skipped.", l.Title, n)
	}
}

func find(course []*lessons.Lesson, id string) *lessons.Lesson {
	for _, l := range course {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// save records the learner's progress. A progress file found unreadable on
// the way is set aside with a warning; the progress is saved all the same.
func (r *Runner) save(prog *progress.Progress) error {
	err := r.Store.Save(prog)
	var corrupt *progress.CorruptError
	if errors.As(err, &corrupt) {
		r.warn(err)
		return nil
	}
	return err
}

// warn keeps a warning for the next screen (see Runner.warnings).
func (r *Runner) warn(err error) { r.warnings = append(r.warnings, "warning: "+err.Error()) }

// takeWarnings gives the warnings waiting to be shown, once.
func (r *Runner) takeWarnings() []string {
	w := r.warnings
	r.warnings = nil
	return w
}

// interrupted turns a prompt's error into the runner's: Ctrl-C and a
// cancelled context are both ErrInterrupted.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return ErrInterrupted
	}
	return err
}

// choose offers the lessons, with the learner's progress in each, under
// banner, and returns the one chosen, or nil when the learner quits.
func (r *Runner) choose(ctx context.Context, course []*lessons.Lesson, prog *progress.Progress, banner string) (*lessons.Lesson, error) {
	r.clear()
	for _, w := range r.takeWarnings() {
		fmt.Fprintf(r.ErrOut, "%s\n\n", w)
	}
	if banner != "" {
		fmt.Fprintf(r.Out, "%s\n\n", banner)
	}
	opts := make([]string, 0, len(course)+1)
	def := -1
	for i, l := range course {
		opts = append(opts, lessonLabel(i, l, prog))
		// Offer the first lesson not finished; looking must not create
		// progress for lessons never started.
		done, total := 0, len(l.Steps)
		if lp, ok := prog.Lessons[l.ID]; ok {
			done, total = lp.Finished(l)
		}
		if def < 0 && done < total {
			def = i
		}
	}
	opts = append(opts, "Quit")
	if def < 0 {
		def = 0
	}
	i, err := r.Prompt.Select(ctx, "Which lesson?", opts, def)
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	if i >= len(course) {
		return nil, nil
	}
	return course[i], nil
}

// lessonLabel is how a lesson is offered: number, title and progress.
func lessonLabel(i int, l *lessons.Lesson, prog *progress.Progress) string {
	return fmt.Sprintf("%d. %s (%s)", i+1, l.Title, prog.Lessons[l.ID].State(l))
}

// lessonRun is one lesson being run: what every step of it shares.
type lessonRun struct {
	r *Runner
	// The lesson, the learner's progress in it, its variables' values, and
	// dir, the learner's working directory for it.
	l    *lessons.Lesson
	prog *progress.Progress
	lp   *progress.LessonProgress
	vars map[string]string
	dir  string
	// env is what the checks look at; memo keeps env's memo in the state
	// folder, for the next process; rep carries out solutions.
	env  *checks.Env
	memo *memoSaver
	rep  *replay.Replayer
	// ch is the loop's one channel of events; send puts an event on it
	// unless the lesson is over.
	ch   chan event
	send func(event)
	// seq numbers prompts, so that a stale one's answer is recognised.
	seq int
	// screen is what the screen shows beside the step, from one step to
	// the next.
	screen lessonScreen
	// made is the containers the learner created for the lesson's steps
	// (noteMade): run it for me may act on them too (learnerMade).
	made struct {
		sync.Mutex
		ids []string
	}
}

// lessonScreen is what the screen shows beside the step on it, kept from
// one step to the next.
type lessonScreen struct {
	// banner is shown above the next step drawn, such as which step was
	// just done.
	banner string
	// streamDown says why the engine's event stream is broken; empty while
	// it works.
	streamDown string
	// notes are the instructor's latest notes, shown under the step.
	notes []string
	// warnings are shown on the step's screen until the next step: the
	// Runner's, taken when the step starts and when it saves.
	warnings []string
	// noWatch says, for the whole lesson, why file changes go unnoticed.
	noWatch string
}

func (r *Runner) runLesson(ctx context.Context, prog *progress.Progress, l *lessons.Lesson) (lessonOutcome, error) {
	// The lessons may have been on screen for a while: a reset made in
	// another terminal since counts.
	r.Store.ResetElsewhere(prog, l.ID)
	lp := prog.Lesson(l.ID)
	prog.Current = l.ID
	if err := r.askVars(ctx, l, lp); err != nil {
		return lessonQuit, err
	}
	dir := r.Dir
	if l.Workspace != "" {
		var err error
		if dir, err = r.workspace(ctx, l, lp); err != nil {
			return lessonQuit, err
		}
	}
	if err := r.save(prog); err != nil {
		return lessonQuit, err
	}
	from := lp.FirstUnfinished(l)
	if from == len(l.Steps) {
		again, err := r.Prompt.Confirm(ctx, fmt.Sprintf("You have finished %q. Go through it again?", l.Title), false)
		if err != nil {
			return lessonQuit, interrupted(ctx, err)
		}
		if !again {
			return lessonLeft, nil
		}
		lp.Restart()
		from = 0
	}

	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lr := &lessonRun{
		r: r, l: l, prog: prog, lp: lp, vars: lp.Vars, dir: dir,
		env: &checks.Env{Docker: r.Docker, Dir: dir, MaxWait: time.Second, Clock: r.Clock, Rechoose: rechoose(l, lp.Vars)},
		rep: &replay.Replayer{Dir: dir, Vars: lp.Vars, Terminal: r.Terminal},
		ch:  make(chan event, 64),
	}
	if r.Docker != nil {
		lr.rep.Docker, lr.rep.Made = r.Docker, lr.learnerMade
	}
	lr.memo = &memoSaver{store: r.Store, saved: r.Store.LoadMemo()}
	lr.env.SetMemo(lr.memo.saved)
	defer lr.rep.Close()
	send := func(ev event) {
		select {
		case lr.ch <- ev:
		case <-lctx.Done():
		}
	}
	lr.send = send
	lr.report(LessonStarted, nil, nil)
	if r.Docker != nil {
		go watchEngine(lctx, r.Docker, r.clock(), r.watch, send)
	}
	watchProgress(lctx, r.Store.Path(), send)
	if err := watchFiles(lctx, dir, l.Workspace != "", send); err != nil {
		lr.screen.noWatch = fmt.Sprintf("warning: %v; file changes are noticed only when you choose \"Check now\"", err)
	}
	if r.Resized != nil {
		go func() {
			for {
				select {
				case size := <-r.Resized:
					send(event{kind: evResize, size: size})
				case <-lctx.Done():
					return
				}
			}
		}()
	}
	if poll := r.pollEvery(); poll > 0 {
		go func() {
			for {
				select {
				case <-r.clock().After(poll):
					send(event{kind: evPoll})
				case <-lctx.Done():
					return
				}
			}
		}()
	}

	for i := from; i < len(l.Steps); i++ {
		s := l.Steps[i]
		if lp.IsFinished(s.Title) {
			continue
		}
		// What "run it for me" started in the background keeps running
		// into the next steps, one of which may be to stop it (first-image:
		// run the app, then stop it); what is left is stopped when the
		// learner leaves the lesson.
		out, err := lr.runStep(ctx, s)
		switch out {
		case stepPassed:
			lp.MarkDone(s.Title, r.clock().Now())
			lr.report(StepPassed, s, nil)
			lr.screen.banner = fmt.Sprintf("✓ Step %d, %q, is done.", s.Index, lessons.Expand(s.Title, lr.vars))
		case stepSkipped:
			lp.MarkSkipped(s.Title)
			lr.report(StepSkipped, s, nil)
			lr.screen.banner = fmt.Sprintf("Step %d, %q, skipped.", s.Index, lessons.Expand(s.Title, lr.vars))
		case stepLessons:
			return lessonLeft, r.save(prog)
		case stepQuit:
			return lessonQuit, errors.Join(err, r.save(prog))
		case stepReset:
			// Reset in another terminal: the lesson starts again, with
			// the values this window uses.
			lp = prog.Lesson(l.ID)
			lp.Workspace = lr.lp.Workspace
			maps.Copy(lp.Vars, lr.vars)
			lr.lp, prog.Current = lp, l.ID
			lr.screen.banner = "Your progress in this lesson was reset in another terminal (dockstep reset): it starts again from step 1."
			i = -1
			continue
		}
		if err := r.save(prog); err != nil {
			return lessonQuit, err
		}
	}
	// A finished lesson is not resumed: dockstep offers the lessons next.
	lp.Step = ""
	prog.Current = ""
	lr.report(LessonFinished, nil, nil)
	return lessonFinished, r.save(prog)
}

func (r *Runner) pollEvery() time.Duration {
	if r.Poll == 0 {
		return 3 * time.Second
	}
	return r.Poll
}

func (r *Runner) clear() {
	if r.Clear {
		io.WriteString(r.Out, "\x1b[H\x1b[2J")
	}
}

// askVars sets the lesson's variables: from the command line, else as
// remembered, else by asking the learner once (lessons.Resolve).
func (r *Runner) askVars(ctx context.Context, l *lessons.Lesson, lp *progress.LessonProgress) error {
	home, _ := os.UserHomeDir()
	vars, err := l.Resolve(lessons.Values{Given: r.Vars, Saved: lp.Vars, Home: home, Ask: func(v lessons.Var) (string, error) {
		val, err := r.Prompt.Input(ctx, v.Prompt, v.Default, func(s string) error {
			if err := v.Check(s); err != nil {
				return err
			}
			if v.Type == lessons.VarPort {
				return r.portFree(s)
			}
			return nil
		})
		if err != nil {
			return "", interrupted(ctx, err)
		}
		return val, nil
	}})
	if err != nil {
		return err
	}
	for k, v := range vars {
		lp.Vars[k] = v
	}
	return nil
}

// rechoose says, for each port the learner chose for lesson l, how to
// choose another: the lesson's checks want the port as chosen, so
// publishing on another one would not pass them.
func rechoose(l *lessons.Lesson, vars map[string]string) map[int]string {
	m := map[int]string{}
	for _, v := range l.Vars {
		if port, err := strconv.Atoi(vars[v.Name]); err == nil && v.Type == lessons.VarPort {
			m[port] = fmt.Sprintf("choose another port for the lesson: quit, then dockstep start %s --var %s=OTHER", l.ID, v.Name)
		}
	}
	return m
}

// portFree says when the port the learner chose is already in use on this
// computer, and suggests one that is free.
func (r *Runner) portFree(answer string) error {
	port, err := strconv.Atoi(answer)
	if err != nil || r.PortHolder == nil {
		return nil
	}
	who := r.PortHolder(port)
	if who == "" {
		return nil
	}
	msg := fmt.Sprintf("port %d is already in use (%s)", port, who)
	for p := port + 1; p <= 65535 && p < port+50; p++ {
		if r.PortHolder(p) == "" {
			return fmt.Errorf("%s; try %d", msg, p)
		}
	}
	return errors.New(msg)
}

// workspace copies the lesson's files into a directory the learner
// confirms, the first time, and returns that directory.
func (r *Runner) workspace(ctx context.Context, l *lessons.Lesson, lp *progress.LessonProgress) (string, error) {
	if lp.Workspace != "" {
		if st, err := os.Stat(lp.Workspace); err == nil && st.IsDir() {
			return lp.Workspace, nil
		}
	}
	def := lp.Workspace
	if def == "" {
		def = workspace.DefaultDir(r.Dir, l)
	}
	dest, err := r.Prompt.Input(ctx, "This lesson has files to work on. Where should dockstep put them?", def, func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("please give a directory")
		}
		return nil
	})
	if err != nil {
		return "", interrupted(ctx, err)
	}
	// A folder is answered as in a shell: ~ is the home folder, and a
	// relative path is from where dockstep was started.
	home, _ := os.UserHomeDir()
	dest = lessons.ExpandHome(strings.TrimSpace(dest), home)
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(r.Dir, dest)
	}
	var askErr error
	_, kept, err := workspace.Copy(l, dest, func(rel string) bool {
		if askErr != nil {
			return false
		}
		ok, err := r.Prompt.Confirm(ctx, fmt.Sprintf("%s is not what the lesson gave you (you may have edited it). Replace it with the lesson's version?", filepath.Join(dest, rel)), false)
		askErr = err
		return err == nil && ok
	})
	if askErr != nil {
		return "", interrupted(ctx, askErr)
	}
	if err != nil {
		return "", err
	}
	for _, k := range kept {
		fmt.Fprintf(r.Out, "kept your %s\n", filepath.Join(dest, k))
	}
	lp.Workspace = dest
	return dest, nil
}
