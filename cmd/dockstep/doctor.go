package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/workshop"
)

// doctorOptions are what dockstep doctor runs with.
type doctorOptions struct {
	base
	// dial makes the engine's client without asking it anything: the
	// doctor asks, and reports what fails.
	dial    func() (workshop.Engine, engine.Endpoint, error)
	lessons []string
	asJSON  bool
	vars    []string
}

func newDoctorCmd(g *globals, runF func(context.Context, *doctorOptions) error) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [LESSON...]",
		Short: "Check that this machine can run the lessons, and say how to fix what is wrong",
		Long: `Doctor checks what the lessons need of this machine: the docker command,
the engine it talks to (and where that choice came from: --host,
DOCKER_HOST, a docker context or the default socket), permission on the
engine's socket, the engine's version and platform, the images the
lessons use, that a container with a published port really starts, free
disk space, and the host ports the lessons publish. Each line is marked ok
or FAIL; each FAIL says how to fix it.

With LESSON ids (or numbers, as "dockstep list" shows them, or paths) only
those lessons are considered; with none, all of them. Ports and images are
those the lessons will use with your values: --var, else the answers you
gave dockstep start, else the defaults.

Exit status: 0 when the chosen lessons can run here, 1 otherwise, 2 when
the lessons cannot be read, 3 when the Docker engine cannot be reached
(after the checklist, which says why).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.base, o.dial, o.lessons = g.base(), engine.Dialer[workshop.Engine](g.engineOptions()), args
			return runWith(cmd.Context(), o, runF, runDoctor)
		},
	}
	cmd.Flags().StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` (repeat for each)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the checklist as JSON, with the engine endpoint and its source")
	return cmd
}

func runDoctor(ctx context.Context, o *doctorOptions) error {
	sel, vars, err := progress.Selected(o.course, o.lessons, o.vars, o.warn)
	if err != nil {
		return err
	}
	return (&workshop.Doctor{Dial: o.dial}).Diagnose(ctx, registry(), sel, vars, o.io.Out, o.asJSON, o.io.Color())
}
