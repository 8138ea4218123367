package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/prompt"
	"github.com/dockstep/dockstep/runner"
)

// resetOptions are what dockstep reset runs with.
type resetOptions struct {
	base
	// prompter asks the learner to confirm; prompt.ErrNoTerminal when it cannot.
	prompter func() (confirmer, error)
	// lesson is the lesson to forget; empty: every lesson.
	lesson string
	yes    bool
}

// confirmer asks a yes-or-no question.
type confirmer interface {
	Confirm(ctx context.Context, msg string, def bool) (bool, error)
	Close() error
}

func newResetCmd(g *globals, runF func(context.Context, *resetOptions) error) *cobra.Command {
	o := &resetOptions{}
	cmd := &cobra.Command{
		Use:   "reset [LESSON]",
		Short: "Forget your progress in a lesson, or in every lesson",
		Long: `Reset forgets your progress in LESSON (its finished steps, the values you
gave its variables, where its files are), or in every lesson when none is
named. It asks first; --yes skips the question. Files and Docker objects
are left alone.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.base = g.base()
			o.prompter = func() (confirmer, error) { return g.prompter() }
			if len(args) == 1 {
				o.lesson = args[0]
			}
			return runWith(cmd.Context(), o, runF, runReset)
		},
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func runReset(ctx context.Context, o *resetOptions) error {
	dir, err := progress.StateDir()
	if err != nil {
		return exitf(2, "%v", err)
	}
	f := progress.Forgetting{ID: o.lesson, Out: o.io.Out, ErrOut: o.io.ErrOut, Now: time.Now()}
	// Not an id in the progress file: the lesson as any command names it
	// (a number, a path), which must exist.
	f.Lesson = o.course.ID
	if !o.yes {
		f.Confirm = func(what string) (bool, error) {
			p, err := o.prompter()
			if errors.Is(err, prompt.ErrNoTerminal) {
				return false, exitf(2, "dockstep reset asks before it forgets %s, but there is no terminal to ask on; add --yes to reset without asking", what)
			}
			if err != nil {
				return false, err
			}
			defer p.Close()
			ok, err := p.Confirm(ctx, fmt.Sprintf("Forget %s?", what), false)
			if errors.Is(err, runner.ErrInterrupted) {
				return false, exitf(130, "nothing was reset")
			}
			return ok, err
		}
	}
	return progress.Forget(dir, f)
}
