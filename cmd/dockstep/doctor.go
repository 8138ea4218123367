package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
)

func newDoctorCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor [LESSON...]",
		Short: "Check that this machine can run the lessons, and say how to fix what is wrong",
		Long: `Doctor checks what the lessons need of this machine: the docker command,
the engine it talks to (and where that choice came from: --host,
DOCKER_HOST, a docker context or the default socket), permission on the
engine's socket, the engine's version and platform, free disk space, the
host ports the lessons publish, and the images they use. Each line is
marked ok or FAIL; each FAIL says how to fix it.

With LESSON ids (or numbers, as "dockstep list" shows them) only those
lessons are considered; with none, all of them.

Exit status: 0 when the chosen lessons can run here, 1 otherwise, 2 when
the lessons cannot be read, 3 when the Docker engine cannot be reached
(after the checklist, which says why).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd.Context(), g, args, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checklist as JSON, with the engine endpoint and its source")
	return cmd
}

func runDoctor(ctx context.Context, g *globals, args []string, asJSON bool) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ls, probs, err := g.chosenLessons(args)
	if err != nil {
		return exitf(2, "dockstep doctor: %v", err)
	}
	rep := &workshop.Report{}
	for _, l := range ls {
		rep.Lessons = append(rep.Lessons, l.ID)
	}
	if len(probs) > 0 {
		rep.Add(workshop.Item{Check: "lessons", Status: workshop.StatusFail, Detail: probs.Error(), Fix: "correct the lessons; \"dockstep lint\" lists the same problems"})
	}
	g.checkMachine(ctx, rep, ls)
	fails, noEngine := rep.Finish()
	if asJSON {
		if err := g.writeJSON(rep); err != nil {
			return err
		}
	} else {
		rep.Print(g.io.out, g.io.color())
	}
	switch {
	case noEngine:
		where := "the Docker engine"
		if rep.Endpoint.Host != "" {
			where += " at " + engine.Endpoint{Host: rep.Endpoint.Host, Source: rep.Endpoint.Source}.String()
		}
		return exitf(3, "dockstep doctor: %s cannot be used: fix the lines marked %s and run dockstep doctor again", where, workshop.FailMark(g.io.color()))
	case fails > 0:
		return exitf(1, "dockstep doctor: %d problem%s: fix the lines marked %s and run dockstep doctor again", fails, plural(fails), workshop.FailMark(g.io.color()))
	}
	return nil
}

// checkMachine fills in the doctor's checklist for what the lessons need of
// this machine; dockstep doctor prints it, dockstep demo checks with it
// before the first step.
func (g *globals) checkMachine(ctx context.Context, rep *workshop.Report, ls []*lessons.Lesson) {
	dr := g.doctor
	if dr == nil {
		dr = &workshop.Doctor{}
	}
	if dr.Dial == nil {
		dr.Dial = func() (workshop.Engine, engine.Endpoint, error) {
			c, ep, err := engine.Dial(g.engineOptions())
			if err != nil {
				return nil, ep, err
			}
			return c, ep, nil
		}
	}
	dr.Check(ctx, rep, workshop.CollectNeeds(ls))
}
