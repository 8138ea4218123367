package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/engine"
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

// checkReport is what dockstep check prints with --json.
type checkReport struct {
	Lesson string       `json:"lesson"`
	Passed bool         `json:"passed"`
	Steps  []stepReport `json:"steps"`
}

type stepReport struct {
	Step   int           `json:"step"`
	Title  string        `json:"title"`
	Passed bool          `json:"passed"`
	Checks []checkResult `json:"checks"`
}

type checkResult struct {
	Kind    string `json:"kind"`
	Passed  bool   `json:"passed"`
	Message string `json:"message"`
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
	var probs []string
	for _, s := range steps {
		for _, c := range s.Checks {
			if _, err := reg.Compile(c, vars); err != nil {
				for _, e := range flattenErr(err) {
					line := c.Pos.Line
					var le *lessons.LineError
					if errors.As(e, &le) && le.Line > 0 {
						line = le.Line
					}
					probs = append(probs, fmt.Sprintf("%s:%d: %v", c.Pos.File, line, e))
				}
			}
		}
	}
	if len(probs) > 0 {
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
	if needsEngine(steps) {
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
	waiting := &waitNotice{out: g.io.errOut, deadline: time.Now().Add(o.timeout)}
	rep, err := evaluateSteps(ctx, reg, l, steps, vars, env, waiting)
	waiting.stop()
	if store != nil && err == nil {
		if now := env.Memo(); !maps.EqualFunc(now, memo, slices.Equal) {
			store.SaveMemo(now)
		}
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return exitf(1, "dockstep check: gave up after %s waiting for %s; give it longer with --timeout", o.timeout, waiting.what())
	case err != nil && env.Docker != nil:
		return engineExit(engine.Unreachable(ep, errors.Unwrap(err)))
	case err != nil:
		return exitf(3, "%v", err)
	}
	err = g.printCheck(rep, o.asJSON)
	if o.room != "" {
		// After the result is printed: the room may be slow or away.
		g.reportCheck(ctx, o, l, rep, vars, dir)
	}
	return err
}

// waitNotice says on standard error what dockstep check waits for, when a
// step's checks take more than a moment: a web page that does not answer,
// an engine that is slow.
type waitNotice struct {
	out      io.Writer
	deadline time.Time
	mu       sync.Mutex
	current  string
	timer    *time.Timer
}

// step starts the wait for a step's checks.
func (w *waitNotice) step(s *lessons.Step) {
	var kinds []string
	for _, c := range s.Checks {
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.current = fmt.Sprintf("the %s check%s of step %d", strings.Join(kinds, " and "), plural(len(s.Checks)), s.Index)
	if w.timer != nil {
		w.timer.Stop()
	}
	what := w.current
	w.timer = time.AfterFunc(time.Second, func() {
		fmt.Fprintf(w.out, "dockstep check: waiting for %s (at most %s more)\n", what, time.Until(w.deadline).Round(time.Second))
	})
}

func (w *waitNotice) what() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.current
}

func (w *waitNotice) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
}

// needsEngine reports whether any check of the steps asks the engine.
func needsEngine(steps []*lessons.Step) bool {
	for _, s := range steps {
		for _, c := range s.Checks {
			if checks.NeedsEngine(c.Kind) {
				return true
			}
		}
	}
	return false
}

// evaluateSteps checks each step in turn. It returns an error only when the
// engine could not be asked.
func evaluateSteps(ctx context.Context, reg *checks.Registry, l *lessons.Lesson, steps []*lessons.Step, vars map[string]string, env *checks.Env, waiting *waitNotice) (*checkReport, error) {
	rep := &checkReport{Lesson: l.ID, Passed: true, Steps: []stepReport{}}
	for _, s := range steps {
		waiting.step(s)
		v := checks.JudgeStep(ctx, reg, s, vars, env)
		if v.Outcome == checks.Unknown {
			return nil, v.EngineErr
		}
		sr := stepReport{Step: s.Index, Title: s.Title, Passed: v.Outcome == checks.Passed, Checks: []checkResult{}}
		for _, r := range v.Results {
			msg := r.Message
			if r.Err != nil && msg == "" {
				msg = r.Err.Error()
			}
			sr.Checks = append(sr.Checks, checkResult{Kind: r.Kind, Passed: r.Passed, Message: msg})
		}
		if !sr.Passed {
			rep.Passed = false
		}
		rep.Steps = append(rep.Steps, sr)
	}
	return rep, nil
}

// printCheck prints the report, as JSON or as a line per step with the
// reason under each failing check, and sets the exit status.
func (g *globals) printCheck(rep *checkReport, asJSON bool) error {
	if asJSON {
		if err := g.writeJSON(rep); err != nil {
			return err
		}
	} else {
		writeCheckText(g.io.out, rep, g.io.color())
	}
	if !rep.Passed {
		return exitf(1, "")
	}
	return nil
}

const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	reset = "\x1b[0m"
)

func writeCheckText(w io.Writer, rep *checkReport, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + reset
	}
	passed := 0
	for _, s := range rep.Steps {
		mark := paint(red, "FAIL")
		if s.Passed {
			mark = paint(green, "PASS")
			passed++
		}
		note := ""
		if len(s.Checks) == 0 {
			note = " (nothing to check)"
		}
		fmt.Fprintf(w, "%s  step %d: %s%s\n", mark, s.Step, s.Title, note)
		for _, c := range s.Checks {
			if c.Passed {
				continue
			}
			msg := strings.ReplaceAll(c.Message, "\n", "\n      ")
			fmt.Fprintf(w, "      %s: %s\n", c.Kind, msg)
		}
	}
	fmt.Fprintf(w, "%s: %d of %d step%s pass\n", rep.Lesson, passed, len(rep.Steps), plural(len(rep.Steps)))
}

// flattenErr lists the errors joined in err.
func flattenErr(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenErr(e)...)
		}
		return out
	}
	return []error{err}
}
