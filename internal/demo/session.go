package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/prover"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// Engine is what a demo needs of the engine: what checks read, and what
// the record of created objects lists and removes.
type Engine interface {
	checks.Docker
	prover.CleanupDocker
	Close() error
}

// The engine's client is one, as engine.Factory gives it.
var _ Engine = (*engine.Client)(nil)

// Session is one dockstep demo: the lesson and how to present it, as the
// command's flags say, and the terminal and engine it is presented with.
type Session struct {
	Lesson *lessons.Lesson
	// Given are the variables set with --var; the others take their
	// defaults, else sample values (Vars).
	Given map[string]string
	// From names the first step (StepIndex); Speed is the typing speed
	// (ParseSpeed).
	From, Speed string
	// Auto, Wait and Keep are Options' own.
	Auto bool
	Wait time.Duration
	Keep bool
	// Reset first removes what earlier demos of the lesson created.
	Reset bool
	// Notes, when set, is the terminal that shows the presenter notes;
	// Record, when set, the asciicast file to write.
	Notes, Record string

	Registry *checks.Registry
	// Connect makes the engine's client, once the flags are known to be
	// right; its error is returned as it is.
	Connect func(context.Context) (Engine, engine.Endpoint, error)
	// Dial makes the engine's client for the doctor's checklist, and Fetch
	// pulls the lesson's images, for the check before the first step
	// (Preflight).
	Dial  func() (workshop.Engine, engine.Endpoint, error)
	Fetch func(context.Context) error

	// In gives the presenter's keys and answers; Out is the audience's
	// screen, ErrOut shows the checklist and what --reset removed. InTTY
	// and OutTTY say which are terminals; Color allows colour.
	In                   io.Reader
	Out, ErrOut          io.Writer
	InTTY, OutTTY, Color bool
}

// UsageError is a flag or a variable that does not fit the lesson, or a
// demo with keys and no terminal.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitStatus is how dockstep ends on e: status 2, as on every usage error.
func (e *UsageError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

// ResetError is a --reset that could not remove what earlier demos left.
type ResetError struct{ Err error }

func (e *ResetError) Error() string { return e.Err.Error() }
func (e *ResetError) Unwrap() error { return e.Err }

// ExitStatus is how dockstep demo ends on e: status 1, after the flag's
// name, or 3 when the engine could not be reached.
func (e *ResetError) ExitStatus(cmd string) (int, string) {
	var unreachable *engine.UnreachableError
	if errors.As(e.Err, &unreachable) {
		return unreachable.ExitStatus(cmd)
	}
	return 1, cmd + " --reset: " + e.Error()
}

// StoppedError is a demo that did not run to the end: the demo itself
// failed (its shell did not start, say), or with Auto a step's checks did
// not hold.
type StoppedError struct{ Msg string }

func (e *StoppedError) Error() string { return e.Msg }

// ExitStatus is how dockstep demo ends on e: status 1, after its name.
func (e *StoppedError) ExitStatus(cmd string) (int, string) { return 1, cmd + ": " + e.Error() }

// ErrInterrupted is an Auto demo stopped before its end, by Ctrl-C.
var ErrInterrupted error = interrupted{}

type interrupted struct{}

func (interrupted) Error() string { return "interrupted" }

// ExitStatus is how dockstep demo ends when interrupted: status 130.
func (interrupted) ExitStatus(cmd string) (int, string) { return 130, cmd + ": interrupted" }

// Present presents s.Lesson from start to end: it checks the flags, makes
// the engine's client, removes what earlier demos left (Reset), checks the
// machine (Preflight), records what the demo creates, copies the lesson's
// workspace into a scratch folder, reads the presenter's keys in raw mode
// and runs the demo (Run), then prints what was removed and the summary
// on Out. Ctrl-C and SIGTERM end the demo as q does.
//
// Its errors are a *UsageError, a *NotReadyError, a *ResetError, a
// *StoppedError, ErrInterrupted, Connect's own, or what kept the demo
// from being set up.
func Present(ctx context.Context, s Session) error {
	speed, err := ParseSpeed(s.Speed)
	if err != nil {
		return &UsageError{err.Error()}
	}
	l := s.Lesson
	from, err := StepIndex(l, s.From)
	if err != nil {
		return &UsageError{err.Error()}
	}
	vars, err := Vars(l, s.Given)
	if err != nil {
		return &UsageError{err.Error()}
	}
	if !s.Auto && (!s.InTTY || !s.OutTTY) {
		return &UsageError{"dockstep demo needs a terminal for its keys and its screen; use --auto to run the lesson without one"}
	}

	c, _, err := s.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	stateDir, err := progress.StateDir()
	if err != nil {
		return fmt.Errorf("finding dockstep's state folder: %w", err)
	}
	recordPath := RecordPath(stateDir, l.ID)
	if s.Reset {
		removed, err := RemoveRecorded(ctx, c, recordPath)
		if err != nil {
			return &ResetError{err}
		}
		fmt.Fprintf(s.ErrOut, "reset: removed %s, which earlier demos of %s created\n", removed, l.ID)
	}
	pre := &Preflight{
		Lesson: l.ID, Auto: s.Auto, In: s.In, ErrOut: s.ErrOut, Color: s.Color,
		Check: func(rep *workshop.Report) { s.check(ctx, rep) },
		Fetch: func() error { return s.Fetch(ctx) },
	}
	if err := pre.Run(); err != nil {
		return err
	}
	tracker, err := NewRecorder(ctx, c, recordPath, l.ID, prover.LessonScope(l, vars))
	if err != nil {
		return err
	}
	dir, remove, err := Workspace(l)
	if err != nil {
		return err
	}
	defer remove()

	opts := Options{
		Lesson: l, Vars: vars, Dir: dir, Registry: s.Registry, Docker: c, Tracker: tracker,
		In: s.In, Out: s.Out, Plain: !s.OutTTY,
		Auto: s.Auto, Speed: speed, From: from, Wait: s.Wait, Keep: s.Keep, Pause: PauseFor(speed),
	}
	if f, ok := s.Out.(*os.File); ok && s.OutTTY {
		// A projector's display mirrored mid-talk changes the size.
		opts.Width, opts.Height, _ = runner.TerminalSize(f)
		opts.Resized = runner.WatchTerminalSize(ctx, f)
	}
	if s.Notes != "" {
		nf, err := os.OpenFile(s.Notes, os.O_WRONLY, 0)
		if err != nil {
			return &UsageError{fmt.Sprintf("--notes %s: %v; give the name that tty prints in the terminal for your notes", s.Notes, err)}
		}
		defer nf.Close()
		opts.Notes = nf
	}
	if s.Record != "" {
		rf, err := os.Create(s.Record)
		if err != nil {
			return &UsageError{fmt.Sprintf("--record: %v", err)}
		}
		defer rf.Close()
		opts.Record = rf
	}
	restore := func() {}
	if in, ok := s.In.(*os.File); ok && !s.Auto {
		old, err := term.MakeRaw(int(in.Fd()))
		if err != nil {
			return fmt.Errorf("reading keys from the terminal: %w", err)
		}
		restore = func() { term.Restore(int(in.Fd()), old) }
	}
	out, err := Run(ctx, opts)
	restore()
	switch {
	case err != nil:
		return &StoppedError{err.Error()}
	case out.Removed != "":
		fmt.Fprintf(s.Out, "removed what the demo created: %s\n", out.Removed)
	}
	switch {
	case out.Failed != nil:
		return &StoppedError{out.FailedStep()}
	case out.Quit && s.Auto:
		return ErrInterrupted
	}
	fmt.Fprintln(s.Out, out.Summary(l))
	return nil
}

// check fills in the doctor's checklist for what the lesson needs of this
// machine, as dockstep doctor LESSON does: with the learner's saved
// answers, else the variables' defaults.
func (s *Session) check(ctx context.Context, rep *workshop.Report) {
	warn := func(msg string) { fmt.Fprintf(s.ErrOut, "warning: %s\n", msg) }
	ls := []*lessons.Lesson{s.Lesson}
	vars, _ := progress.Shown(warn).Vars(ls, nil) // nothing given: nothing to reject
	dr := &workshop.Doctor{Dial: s.Dial}
	dr.Check(ctx, rep, workshop.CollectNeeds(s.Registry, ls, vars))
}
