package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/runner"
)

// resetOptions are what dockstep reset runs with.
type resetOptions struct {
	base
	// prompter asks the learner to confirm; errNoTerminal when it cannot.
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
	id := o.lesson
	dir, err := progress.StateDir()
	if err != nil {
		return exitf(2, "%v", err)
	}
	store := progress.NewStore(dir)
	prog, err := store.Load()
	var corrupt *progress.CorruptError
	switch {
	case errors.As(err, &corrupt):
		fmt.Fprintf(o.io.errOut, "warning: %v\n", err)
	case err != nil:
		return exitf(2, "%v", err)
	}
	what := "your progress in every lesson"
	if id != "" {
		if _, ok := prog.Lessons[id]; !ok {
			// Not an id in the progress file: the lesson as any command
			// names it (a number, a path), which must exist.
			sel, err := o.selectLessons([]string{id})
			if err != nil {
				return err
			}
			if len(sel.Lessons) != 1 {
				return exitf(2, "%s holds %d lessons; name one lesson", id, len(sel.Lessons))
			}
			id = sel.Lessons[0].ID
		}
		if _, ok := prog.Lessons[id]; !ok {
			fmt.Fprintf(o.io.out, "You have no progress in lesson %s; nothing to reset.\n", id)
			return nil
		}
		what = "your progress in lesson " + id
	} else if len(prog.Lessons) == 0 {
		fmt.Fprintln(o.io.out, "You have no progress yet; nothing to reset.")
		return nil
	}
	if !o.yes {
		p, err := o.prompter()
		if errors.Is(err, errNoTerminal) {
			return exitf(2, "dockstep reset asks before it forgets %s, but there is no terminal to ask on; add --yes to reset without asking", what)
		}
		if err != nil {
			return err
		}
		defer p.Close()
		ok, err := p.Confirm(ctx, fmt.Sprintf("Forget %s?", what), false)
		if errors.Is(err, runner.ErrInterrupted) {
			return exitf(130, "nothing was reset")
		}
		if err != nil {
			return exitf(2, "%v", err)
		}
		if !ok {
			fmt.Fprintln(o.io.out, "Nothing was reset.")
			return nil
		}
	}
	prog.Reset(id, time.Now())
	if err := store.Save(prog); err != nil {
		return exitf(2, "%v", err)
	}
	fmt.Fprintf(o.io.out, "Forgot %s.\n", what)
	return nil
}
