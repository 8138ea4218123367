package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/prover"
)

// testOptions are what dockstep test runs with.
type testOptions struct {
	base
	engine  func(context.Context) (prover.Engine, engine.Endpoint, error)
	lessons []string
	repeat  int
	keep    bool
	verbose bool
	vars    []string
	// wait bounds how long a step's checks get to pass after its solution.
	wait time.Duration
}

func newTestCmd(g *globals, runF func(context.Context, *testOptions) error) *cobra.Command {
	opts := &testOptions{}
	cmd := &cobra.Command{
		Use:   "test [LESSON|PATH...]",
		Short: "Prove that lessons work: replay each step's solution and check it",
		Long: `Test goes through lessons as a learner would, against the real Docker
engine, to prove that every step can be done and that its checks notice.

For each lesson, in a fresh scratch folder holding a copy of its workspace,
and for each step in turn:
  1. the step's checks must fail (unless the lesson marks the step
     {holds-before}): a check that already holds cannot tell whether the
     learner did the step;
  2. the step's solution is replayed: files written or appended, commands
     run, {background} commands started, {interactive} commands typed into;
  3. the step's checks must pass within --wait, and a quiz whose answer is
     read from the engine must be answerable.
A lesson stops at its first step that does not hold. Afterwards what the
lesson created is removed, unless --keep is given: the images it built or
pulled, the tags, volumes (-v NAME:/path, --mount source=NAME) and networks
its commands name, and the containers made from its new images or under a
name its commands give. What existed before is never touched: a tag the
lesson took from an older image is given back to it, and a container
started meanwhile from an older image under another name (perhaps yours,
from another terminal) is left. So remove the images a lesson pulls before
testing it (docker rmi), or its "pull" steps find their checks holding
already.

With no argument every lesson of the course is tested, in order. An
argument is a lesson id (such as first-image), its number as dockstep list
shows it, a lesson file or a folder of lessons. Variables take their
default values (or, without one, a sample value); set others with --var.

Exit status: 0 when every step held, 1 when a step did not, 2 when a lesson
has problems (dockstep lint shows them) or the arguments are wrong, 3 when
the Docker engine cannot be used, 130 when interrupted (after cleaning up).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.repeat < 1 {
				return exitf(2, "--repeat must be 1 or more, not %d", opts.repeat)
			}
			opts.base, opts.engine, opts.lessons = g.base(), engine.Factory[prover.Engine](g.engineOptions()), args
			return runWith(cmd.Context(), opts, runF, runTest)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.repeat, "repeat", 1, "test each lesson `n` times in a row, to catch checks that pass only sometimes")
	f.BoolVar(&opts.keep, "keep", false, "leave the scratch folder and everything the lesson created, for inspection")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "show the output of every replayed command as it comes")
	f.StringArrayVar(&opts.vars, "var", nil, "set a lesson variable, as `name=value` (repeatable)")
	f.DurationVar(&opts.wait, "wait", 30*time.Second, "how long a step's checks get to pass after its solution is replayed")
	return cmd
}

func runTest(ctx context.Context, opts *testOptions) error {
	all, set, err := opts.course.SoundVars(opts.lessons, opts.vars)
	if err != nil {
		return err
	}
	p := &prover.Prover{Registry: registry(), Out: opts.io.Out,
		Repeat: opts.repeat, Keep: opts.keep, Verbose: opts.verbose, Vars: set, Wait: opts.wait}
	return p.Prove(ctx, all, opts.engine)
}
