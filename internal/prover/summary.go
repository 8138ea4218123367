package prover

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/lessons"
)

// Engine is what dockstep test needs of the engine.
type Engine interface {
	Docker
	Close() error
}

// The engine's client is one, as engine.Factory gives it.
var _ Engine = (*engine.Client)(nil)

// Prove is dockstep test on the lessons ls: it reaches the engine with
// connect (and closes it at the end), proves every lesson (All) and ends
// with the summary on p.Out, or a *FailedError (Verdict) naming the
// engine. On Ctrl-C it stops replaying but still stops background
// commands and cleans up, rather than leave containers and processes
// behind.
func (p *Prover) Prove(ctx context.Context, ls []*lessons.Lesson, connect func(context.Context) (Engine, engine.Endpoint, error)) error {
	c, ep, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p.Docker = c
	sum := p.All(ctx, ls)
	if err := sum.Verdict(ctx.Err() != nil, ep.String()); err != nil {
		return err
	}
	fmt.Fprintf(p.Out, "\n%s\n", sum)
	return nil
}

// String is the summary's last line when every step held.
func (s Summary) String() string {
	return fmt.Sprintf("ok: %d %s, %d %s each, %d steps held (%s)",
		s.Lessons, plural2(s.Lessons, "lesson", "lessons"), s.Runs, plural2(s.Runs, "run", "runs"), s.Steps, s.Elapsed)
}

// Verdict is nil when every step of every run held, else a *FailedError.
// interrupted says the proving was stopped (Ctrl-C); engine names the
// engine, in case it stopped answering.
func (s Summary) Verdict(interrupted bool, engine string) error {
	if !interrupted && len(s.Failed) == 0 {
		return nil
	}
	return &FailedError{Summary: s, Interrupted: interrupted, Engine: engine}
}

// FailedError is proving that did not end with every step held: the
// runs that failed, the engine that stopped answering (EngineLost), or
// an interruption.
type FailedError struct {
	Summary
	Interrupted bool
	Engine      string
}

// ExitStatus is how dockstep test ends on e: status 130 when interrupted,
// 3 when the engine stopped answering, else 1.
func (e *FailedError) ExitStatus(cmd string) (int, string) {
	switch {
	case e.Interrupted:
		return 130, e.Error()
	case e.EngineLost:
		return 3, e.Error()
	}
	return 1, e.Error()
}

func (e *FailedError) Error() string {
	failed := append([]string(nil), e.Failed...)
	head := fmt.Sprintf("FAILED (%s):", e.Elapsed)
	switch {
	case e.Interrupted:
		failed = append(failed, "interrupted: the lessons after the one interrupted were not tested")
		head = fmt.Sprintf("INTERRUPTED (%s):", e.Elapsed)
	case e.EngineLost:
		head = fmt.Sprintf("FAILED (%s): the Docker engine at %s stopped answering:", e.Elapsed, e.Engine)
	}
	return "\n" + head + "\n  " + strings.Join(failed, "\n  ")
}
