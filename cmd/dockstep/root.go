package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/iostreams"
	"github.com/dockstep/dockstep/lessons"
)

// globals are the flags every command shares. From them each command's
// wiring fills its options (as the GitHub CLI's factory does): the streams,
// the course, the engine factory, the prompter.
type globals struct {
	io         *iostreams.Streams
	lessonsDir string
	host       string // --host: the engine to use, as the docker CLI's -H
}

// base is what every command's options hold: its streams and the course.
type base struct {
	io     *iostreams.Streams
	course lessons.Source
}

// base fills the part of the options every command has.
func (g *globals) base() base { return base{io: g.io, course: g.source()} }

// source is where the lessons come from: --lessons, or the embedded course.
func (g *globals) source() lessons.Source {
	return lessons.From(g.lessonsDir, lessons.Options{Validator: registry()})
}

// warn warns on standard error, and the command goes on.
func (b *base) warn(msg string) { fmt.Fprintf(b.io.ErrOut, "warning: %s\n", msg) }

// runWith is the cobra wiring's last step: runF when a test gave one, else
// the command's run function.
func runWith[O any](ctx context.Context, o O, runF, run func(context.Context, O) error) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if runF != nil {
		return runF(ctx, o)
	}
	return run(ctx, o)
}

func newRootCmd(io *iostreams.Streams) *cobra.Command {
	g := &globals{io: io}
	start := &startOptions{}
	root := &cobra.Command{
		Use:   "dockstep",
		Short: "Learn Docker by doing: step-by-step lessons checked against your real Docker engine",
		Long: `dockstep shows a Docker lesson one step at a time. You run each step's
commands in your own terminal; dockstep checks the result against your
Docker engine and tells you at once whether it worked, and if not, why.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// With no command: resume the lesson in progress, or offer them.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g.fillStart(start)
			return runWith(cmd.Context(), start, nil, runStart)
		},
	}
	addStartFlags(root, start)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.PersistentFlags().StringVarP(&g.host, "host", "H", "", "use the Docker engine at this `address` (as docker -H) instead of the one your docker command uses")
	root.PersistentFlags().StringVar(&g.lessonsDir, "lessons", "", "read lessons from this `dir` instead of the course built into dockstep")
	root.AddCommand(
		newLintCmd(g, nil),
		newListCmd(g, nil),
		newDoctorCmd(g, nil),
		newPrefetchCmd(g, nil),
		newTestCmd(g, nil),
		newCheckCmd(g, nil),
		newStartCmd(g, nil),
		newResetCmd(g, nil),
		newJoinCmd(g, nil),
		newClassroomCmd(g, nil),
		newDemoCmd(g, nil),
	)
	return root
}

// engineOptions say how to find the engine: --host, then the environment
// the docker CLI reads. Every engine factory is engine.Factory with them
// (doctor's engine.Dialer): when the engine does not answer, its
// *engine.UnreachableError ends dockstep with exit status 3 (exitFor).
func (g *globals) engineOptions() engine.Options {
	return engine.Options{Host: g.host, Getenv: g.io.Env}
}

// registry is the check registry every command validates lessons with.
func registry() *checks.Registry { return checks.Default() }
