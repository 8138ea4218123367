package main

import (
	"context"
	"errors"
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
	prompter func() (progress.Confirmer, error)
	// lesson is the lesson to forget; empty: every lesson.
	lesson string
	yes    bool
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
			o.prompter = func() (progress.Confirmer, error) { return g.prompter() }
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
		f.Confirm = progress.Ask(ctx, o.prompter)
	}
	err = progress.Forget(dir, f)
	var ask *progress.AskError
	switch {
	case errors.As(err, &ask) && errors.Is(err, prompt.ErrNoTerminal):
		return exitf(2, "dockstep reset asks before it forgets %s, but there is no terminal to ask on; add --yes to reset without asking", ask.What)
	case errors.Is(err, runner.ErrInterrupted):
		return exitf(130, "nothing was reset")
	}
	return err
}
