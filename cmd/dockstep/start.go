package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/prompt"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// startOptions are what dockstep start, dockstep alone and dockstep join
// run with.
type startOptions struct {
	base
	engine func(context.Context) (grade.Engine, engine.Endpoint, error)
	// prompter asks the learner on the terminal; close it when done.
	prompter func() (runner.ClosingPrompter, error)
	// lesson is the lesson to start; empty: the one in progress, or the
	// learner chooses.
	lesson string
	vars   []string
	// room and name: report to an instructor's room (dockstep join).
	room, name string
}

func newStartCmd(g *globals, runF func(context.Context, *startOptions) error) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:   "start [LESSON]",
		Short: "Start or resume a lesson at its first unfinished step",
		Long: `Start shows a lesson one step at a time. Run the step's commands in another
terminal: dockstep watches your Docker engine and moves on by itself when the
step is done. LESSON is a lesson id (see dockstep list) or the path of a
lesson file; without it, dockstep offers the lessons.

dockstep start needs a terminal; to check a lesson without one, use
dockstep check.

Exit status: 0 when you quit, 130 after Ctrl-C (your progress is saved),
2 for a lesson or usage error, 3 when the Docker engine cannot be reached.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g.fillStart(o)
			if len(args) == 1 {
				o.lesson = args[0]
			}
			return runWith(cmd.Context(), o, runF, runStart)
		},
	}
	addStartFlags(cmd, o)
	return cmd
}

// fillStart fills the options of the runner's commands.
func (g *globals) fillStart(o *startOptions) {
	o.base, o.engine, o.prompter = g.base(), engine.Factory[grade.Engine](g.engineOptions()), g.prompter
}

func addStartFlags(cmd *cobra.Command, o *startOptions) {
	cmd.Flags().StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` instead of being asked (repeat for each)")
	roomFlags(cmd, &o.room, &o.name)
}

// prompter is the prompter factory: the survey prompter on the terminal,
// prompt.ErrNoTerminal without one.
func (g *globals) prompter() (runner.ClosingPrompter, error) { return prompt.Open(g.io) }

// runStart runs the lesson runner: on the lesson named, or, without one,
// on the lesson in progress or the one the learner chooses.
func runStart(ctx context.Context, o *startOptions) error {
	what := "dockstep start"
	if o.lesson == "" {
		what = "dockstep"
	}
	in, out, ok := o.io.Terminal()
	if !ok {
		return &runner.NoTerminalError{Command: what}
	}
	course, id, err := o.course.Course(o.lesson)
	if err != nil {
		return err
	}
	vars, err := lessons.VarFlags(o.vars, course)
	if err != nil {
		return err
	}
	// The join address is dockstep join's argument: no flag to name.
	if err := classroom.CheckFlags(o.room, "", o.name, false); err != nil {
		return err
	}
	c, _, err := o.engine(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	s := runner.Session{
		Course: course, ID: id, Vars: vars,
		In: in, Out: out, ErrOut: o.io.ErrOut, Color: o.io.Color(),
		Prompter:   o.prompter,
		Docker:     c,
		Registry:   registry(),
		PortHolder: workshop.HostPortHolder,
	}
	if o.room != "" {
		s.Join, s.Name, s.CheckName = classroom.Joiner(o.room, o.io.ErrOut), o.name, classroom.CheckName
	}
	return runner.Stopped(runner.Start(ctx, s))
}
