package main

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// checkOptions are the flags of dockstep check.
type checkOptions struct {
	step   int
	vars   []string
	dir    string
	asJSON bool
	// timeout bounds the whole check.
	timeout time.Duration
	// room and name: also report the result to an instructor's room.
	room, name string
}

func newCheckCmd(g *globals) *cobra.Command {
	var o checkOptions
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
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := g.runCheck(cmd.Context(), args[0], o)
			var ee *exitError
			if o.asJSON && errors.As(err, &ee) && ee.msg != "" {
				// The report was not printed: say why, as JSON too.
				if jerr := g.writeJSON(map[string]string{"error": ee.msg}); jerr != nil {
					return jerr
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.step, "step", 0, "check only step `N` (1-based)")
	f.StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` (repeat for each)")
	f.StringVar(&o.dir, "dir", "", "the working `dir` for file and Dockerfile checks (default: the current directory)")
	f.BoolVar(&o.asJSON, "json", false, "print the results as JSON (errors too, as {\"error\": ...})")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up after this `duration` (such as 30s)")
	roomFlags(cmd, &o.room, &o.name)
	return cmd
}

func (g *globals) runCheck(ctx context.Context, arg string, o checkOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.room != "" {
		if o.name == "" {
			return exitf(2, "--room needs --name: the name the room shows you by")
		}
		if err := classroom.CheckName(o.name); err != nil {
			return exitf(2, "--name: %v", err)
		}
		if _, _, err := classroom.ParseJoinURL(o.room); err != nil {
			return exitf(2, "--room: %v", err)
		}
	}
	l, err := g.oneLesson(arg)
	if err != nil {
		return err
	}
	given, err := varFlags(o.vars, []*lessons.Lesson{l})
	if err != nil {
		return err
	}
	// What the learner answered in dockstep start counts, as does the
	// folder their lesson's files are in.
	saved := &runner.LessonProgress{}
	if lp, ok := g.progress().Lessons[l.ID]; ok && lp != nil {
		saved = lp
	}
	vars, err := l.Resolve(lessons.Values{Given: given, Saved: saved.Vars})
	if err != nil {
		return exitf(2, "%v", err)
	}
	steps := l.Steps
	if o.step != 0 {
		if o.step < 1 || o.step > len(l.Steps) {
			return exitf(2, "lesson %s has steps 1 to %d; there is no step %d", l.ID, len(l.Steps), o.step)
		}
		steps = l.Steps[o.step-1 : o.step]
	}
	reg := g.registry()
	// Variable values can make a field invalid (an image name with spaces):
	// that is a usage error, found before asking the engine anything.
	if probs := grade.CompileProblems(reg, steps, vars); len(probs) > 0 {
		return exitf(2, "%s\ncheck the values given with --var", strings.Join(probs, "\n"))
	}
	dir := o.dir
	if dir == "" {
		dir = "."
		if st, err := os.Stat(saved.Workspace); saved.Workspace != "" && err == nil && st.IsDir() {
			dir = saved.Workspace
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return exitf(2, "--dir: %v", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return exitf(2, "--dir %s is not a folder", dir)
	}
	if o.timeout <= 0 {
		return exitf(2, "--timeout must be more than 0, not %s", o.timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	// A check that retries (http) stops a little before the deadline, so
	// that its own diagnosis is what the learner reads.
	env := &checks.Env{Dir: dir, MaxWait: o.timeout * 9 / 10}
	// Steps with only file, dockerfile, command or http checks never
	// connect to the engine.
	var ep engine.Endpoint
	if grade.NeedsEngine(reg, steps, vars) {
		c, e, err := g.connect(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		env.Docker, ep = c, e
	}
	// The containers that passed last time, in the runner or an earlier
	// check, are asked about first: kept in the state folder.
	var memo map[string][]string
	var store *runner.Store
	if dir, err := runner.StateDir(); err == nil && env.Docker != nil {
		store = runner.NewStore(dir)
		memo = store.LoadMemo()
		env.SetMemo(memo)
	}
	waiting := &grade.Notice{Out: g.io.errOut, Deadline: time.Now().Add(o.timeout)}
	rep, err := grade.Steps(ctx, reg, l, steps, vars, env, waiting)
	waiting.Stop()
	if store != nil && err == nil {
		if now := env.Memo(); !maps.EqualFunc(now, memo, slices.Equal) {
			store.SaveMemo(now)
		}
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return exitf(1, "dockstep check: gave up after %s waiting for %s; give it longer with --timeout", o.timeout, waiting.What())
	case err != nil && env.Docker != nil:
		return engineExit(engine.Unreachable(ep, errors.Unwrap(err)))
	case err != nil:
		return exitf(3, "%v", err)
	}
	if o.asJSON {
		err = g.writeJSON(rep)
	} else {
		rep.WriteText(g.io.out, g.io.color())
	}
	if err == nil && !rep.Passed {
		err = exitf(1, "")
	}
	if o.room != "" {
		// After the result is printed: the room may be slow or away.
		g.reportCheck(ctx, o, l, rep, vars, dir)
	}
	return err
}
