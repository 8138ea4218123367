package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
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
			o.base, o.dial, o.lessons = g.base(), g.dial, args
			return runWith(cmd.Context(), o, runF, runDoctor)
		},
	}
	cmd.Flags().StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` (repeat for each)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the checklist as JSON, with the engine endpoint and its source")
	return cmd
}

// dial is the doctor's engine factory.
func (g *globals) dial() (workshop.Engine, engine.Endpoint, error) {
	c, ep, err := engine.Dial(g.engineOptions())
	if err != nil {
		return nil, ep, err
	}
	return c, ep, nil
}

func runDoctor(ctx context.Context, o *doctorOptions) error {
	sel, err := o.selectLessons(o.lessons)
	if err != nil {
		return err
	}
	ls, probs := sel.Lessons, sel.Problems
	given, err := varFlags(o.vars, ls)
	if err != nil {
		return err
	}
	vars, err := o.learnerVars(ls, given)
	if err != nil {
		return err
	}
	rep := &workshop.Report{}
	for _, l := range ls {
		rep.Lessons = append(rep.Lessons, l.ID)
	}
	if len(probs) > 0 {
		rep.Add(workshop.Item{Check: "lessons", Status: workshop.StatusFail, Detail: probs.Error(), Fix: "correct the lessons; \"dockstep lint\" lists the same problems"})
	}
	checkMachine(ctx, &o.base, o.dial, rep, ls, vars)
	fails, noEngine := rep.Finish()
	if o.asJSON {
		if err := o.io.writeJSON(rep); err != nil {
			return err
		}
	} else {
		rep.Print(o.io.out, o.io.color())
	}
	switch {
	case noEngine:
		where := "the Docker engine"
		if rep.Endpoint.Host != "" {
			where += " at " + engine.Endpoint{Host: rep.Endpoint.Host, Source: rep.Endpoint.Source}.String()
		}
		return exitf(3, "dockstep doctor: %s cannot be used: fix the lines marked %s and run dockstep doctor again", where, workshop.FailMark(o.io.color()))
	case fails > 0:
		return exitf(1, "dockstep doctor: %d problem%s: fix the lines marked %s and run dockstep doctor again", fails, plural(fails), workshop.FailMark(o.io.color()))
	}
	return nil
}

// checkMachine fills in the doctor's checklist for what the lessons need of
// this machine, with each lesson's variables as vars gives them (nil: the
// learner's saved answers, else the defaults); dockstep doctor prints it,
// dockstep demo checks with it before the first step.
func checkMachine(ctx context.Context, b *base, dial func() (workshop.Engine, engine.Endpoint, error), rep *workshop.Report, ls []*lessons.Lesson, vars func(*lessons.Lesson) map[string]string) {
	if vars == nil {
		vars, _ = b.learnerVars(ls, nil) // nothing given: nothing to reject
	}
	dr := &workshop.Doctor{Dial: dial}
	dr.Check(ctx, rep, workshop.CollectNeeds(registry(), ls, vars))
}
