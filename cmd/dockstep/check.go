package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/progress"
)

// checkOptions are what dockstep check runs with.
type checkOptions struct {
	base
	engine func(context.Context) (grade.Engine, engine.Endpoint, error)
	// memo keeps the checks' memo between runs; nil keeps none.
	memo   grade.Memo
	lesson string
	step   int
	vars   []string
	dir    string
	asJSON bool
	// timeout bounds the whole check.
	timeout time.Duration
	// room and name: also report the result to an instructor's room.
	room, name string
}

func newCheckCmd(g *globals, runF func(context.Context, *checkOptions) error) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check LESSON",
		Short: "Check the Docker engine's present state against a lesson's steps",
		Long: `Check verifies, without asking anything, whether the state of your Docker
engine and working directory passes the checks of a lesson's steps: for
graders, CI and the curious. LESSON is a lesson id (see dockstep list) or the
path of a lesson file. Without --step every step is checked.

Variables take the values given with --var, else those you gave when you
ran the lesson with dockstep start, else their defaults. File and
Dockerfile checks look in --dir, else the folder dockstep start put the
lesson's files in, else the current directory.

The whole check takes at most --timeout; while it waits (for a web page
to answer, say), standard error says what for. With --json every outcome
is JSON on standard output, errors too: {"error": "..."}.

Exit status: 0 when every checked step passes, 1 when some fail (or the
check did not finish in time), 2 for a lesson or usage error, 3 when the
Docker engine cannot be reached.`,
		// A usage error is JSON too when --json was asked for (see run).
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(1)(cmd, args); err != nil {
				return &usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.base, o.engine, o.lesson = g.base(), engine.Factory[grade.Engine](g.engineOptions()), args[0]
			if dir, err := progress.StateDir(); err == nil {
				o.memo = progress.NewStore(dir)
			}
			return runWith(cmd.Context(), o, runF, runCheck)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.step, "step", 0, "check only step `N` (1-based)")
	f.StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` (repeat for each)")
	f.StringVar(&o.dir, "dir", "", "the working `dir` for file and Dockerfile checks (default: the current directory)")
	f.BoolVar(&o.asJSON, "json", false, "print the results as JSON (errors too, as {\"error\": ...})")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up after this `duration` (such as 30s)")
	roomFlags(cmd, &o.room, &o.name)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	return cmd
}

// runCheck is dockstep check. With --json, an error that ends it is printed
// as JSON too.
func runCheck(ctx context.Context, o *checkOptions) error {
	err := check(ctx, o)
	if err != nil && o.asJSON {
		if ee := exitFor("dockstep check", err); ee.msg != "" {
			// The report was not printed: say why, as JSON too.
			if jerr := o.io.WriteJSON(map[string]string{"error": ee.msg}); jerr != nil {
				return jerr
			}
		}
	}
	return err
}

func check(ctx context.Context, o *checkOptions) error {
	if err := classroom.CheckFlags(o.room, "--room", o.name, true); err != nil {
		return err
	}
	l, given, err := o.course.OneVars(o.lesson, o.vars)
	if err != nil {
		return err
	}
	req := grade.Request{Lesson: l, Step: o.step, Timeout: o.timeout, Registry: registry(), Memo: o.memo, Waiting: o.io.ErrOut, Connect: o.engine}
	// What the learner answered in dockstep start counts, as does the
	// folder their lesson's files are in.
	if err := req.Learner(given, o.dir, progress.Shown(o.warn).Lessons[l.ID]); err != nil {
		return err
	}
	rep, err := grade.Run(ctx, req)
	if err != nil {
		return err
	}
	err = rep.Write(o.io.Out, o.asJSON, o.io.Color())
	if err == nil && !rep.Passed {
		err = exitf(1, "")
	}
	// After the result is printed: the room may be slow or away.
	classroom.SendCheck(ctx, o.room, o.name, o.io.ErrOut, l, o.step, rep, req.Vars, req.Dir)
	return err
}
