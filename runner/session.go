package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
)

// Session is what dockstep start, dockstep alone and dockstep join run
// the lessons with: the learner's terminal, the engine, and for an
// instructor's room a way to join it.
type Session struct {
	// Course is the lessons offered; ID, when set, the one to start.
	Course []*lessons.Lesson
	ID     string
	// Vars are the variables given on the command line (Runner.Vars).
	Vars map[string]string
	// In and Out are the learner's terminal; ErrOut receives warnings;
	// Color allows colour.
	In, Out *os.File
	ErrOut  io.Writer
	Color   bool
	// Prompter makes the prompter that asks the learner on In and Out.
	Prompter func() (ClosingPrompter, error)
	Docker   checks.Docker
	Registry *checks.Registry
	// PortHolder is Runner.PortHolder.
	PortHolder func(port int) string
	// Join, when set, joins an instructor's room under the learner's name:
	// Name, else the name the learner gives when asked (CheckName says why
	// the room would not take a name).
	Join      func(ctx context.Context, name string) (Seat, error)
	Name      string
	CheckName func(name string) error
}

// ClosingPrompter is a Prompter closed when the session ends.
type ClosingPrompter interface {
	Prompter
	Close() error
}

// Seat is the learner's place in an instructor's room: it hears what the
// learner does, and stops sending when the session ends.
type Seat interface {
	Reporter
	Stop()
}

// ErrNotJoined is a session stopped by the learner when asked their name
// for the room.
var ErrNotJoined = errors.New("stopped before joining the room")

// Start runs a Runner for the learner on their terminal, in the folder
// dockstep was started in, with their progress in dockstep's state folder,
// drawn for the terminal's size as it changes. It leaves the terminal as
// it found it. Ctrl-C outside a prompt, SIGTERM and SIGHUP end it as
// Ctrl-C in a prompt does: with ErrInterrupted, the progress saved.
func Start(ctx context.Context, s Session) error {
	dir, err := progress.StateDir()
	if err != nil {
		return err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("cannot tell the current directory: %w", err)
	}

	// Whatever happens, leave the terminal as it was found.
	if st, err := term.GetState(int(s.In.Fd())); err == nil {
		defer term.Restore(int(s.In.Fd()), st)
	}
	prompt, err := s.Prompter()
	if err != nil {
		return err
	}
	defer prompt.Close()

	// Ctrl-C outside a prompt arrives as a signal; inside one, survey reads
	// it as a key. Both end the runner, which saves the progress.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	var reporter Reporter
	if s.Join != nil {
		name := s.Name
		if name == "" {
			if name, err = prompt.Input(ctx, "Your name, as the instructor's room will show it:", "", s.CheckName); err != nil {
				return ErrNotJoined
			}
		}
		seat, err := s.Join(ctx, name)
		if err != nil {
			return err
		}
		defer seat.Stop()
		reporter = seat
	}
	width, height := 80, 0
	if w, h, ok := drawSize(s.Out); ok {
		width, height = w, h
	}
	r := &Runner{
		Out: s.Out, ErrOut: s.ErrOut,
		Prompt:     prompt,
		Docker:     s.Docker,
		Registry:   s.Registry,
		Store:      progress.NewStore(dir),
		Render:     RenderOptions{Color: s.Color, Width: width, Height: height},
		Resized:    watchSize(ctx, s.Out, drawSize),
		Size:       func() (int, int, bool) { return drawSize(s.Out) },
		Clear:      true,
		Terminal:   s.In,
		Dir:        cwd,
		Vars:       s.Vars,
		Reporter:   reporter,
		PortHolder: s.PortHolder,
	}
	return r.Run(ctx, s.Course, s.ID)
}
