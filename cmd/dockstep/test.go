package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// testOptions are the flags of dockstep test.
type testOptions struct {
	repeat  int
	keep    bool
	verbose bool
	vars    []string
	// wait bounds how long a step's checks get to pass after its solution.
	wait time.Duration
}

func newTestCmd(g *globals) *cobra.Command {
	opts := testOptions{}
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
A lesson stops at its first step that does not hold. Afterwards everything
the lesson created (containers, images it built or pulled, volumes,
networks) is removed, unless --keep is given; what existed before is never
touched. So remove the images a lesson pulls before testing it (docker rmi),
or its "pull" steps find their checks holding already.

With no argument every lesson of the course is tested, in order. An
argument is a lesson id (such as first-image), a lesson file or a folder of
lessons. Variables take their default values; set others with --var.

Exit status: 0 when every step held, 1 when a step did not, 2 when a lesson
has problems (dockstep lint shows them) or the arguments are wrong, 3 when
the Docker engine cannot be used, 130 when interrupted (after cleaning up).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.repeat < 1 {
				return exitf(2, "--repeat must be 1 or more, not %d", opts.repeat)
			}
			return runTest(cmd.Context(), g, opts, args)
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

// testDocker is what dockstep test asks of the engine: what checks read,
// and what cleaning up after a lesson needs.
type testDocker interface {
	checks.Docker
	runner.CleanupDocker
}

func runTest(ctx context.Context, g *globals, opts testOptions, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	all, probs := g.testLessons(args)
	if len(probs) > 0 {
		return exitf(2, "%s\nfix these problems first (dockstep lint shows them too)", probs.Error())
	}
	set, err := parseVarFlags(opts.vars)
	if err != nil {
		return exitf(2, "%v", err)
	}
	c, ep, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// On Ctrl-C, stop replaying but still stop background commands and
	// clean up, rather than leave containers and processes behind.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	t := &tester{docker: c, reg: g.registry(), out: g.io.out, opts: opts, set: set}
	start := time.Now()
	var failed []string
	steps := 0
	engineLost := false
	for _, l := range all {
		for run := 1; run <= opts.repeat && ctx.Err() == nil; run++ {
			n, err := t.lesson(ctx, l, run)
			steps += n
			if err != nil {
				failed = append(failed, fmt.Sprintf("%s (run %d): %v", l.ID, run, err))
				engineLost = engineLost || checks.IsEngineError(err)
			}
		}
	}
	elapsed := time.Since(start).Round(time.Second)
	switch {
	case ctx.Err() != nil:
		failed = append(failed, "interrupted: the lessons after the one interrupted were not tested")
		return exitf(130, "\nINTERRUPTED (%s):\n  %s", elapsed, strings.Join(failed, "\n  "))
	case engineLost:
		return exitf(3, "\nFAILED (%s): the Docker engine at %s stopped answering:\n  %s", elapsed, ep, strings.Join(failed, "\n  "))
	case len(failed) > 0:
		return exitf(1, "\nFAILED (%s):\n  %s", elapsed, strings.Join(failed, "\n  "))
	}
	fmt.Fprintf(g.io.out, "\nok: %d lesson%s, %d run%s each, %d steps held (%s)\n",
		len(all), plural(len(all)), opts.repeat, plural(opts.repeat), steps, elapsed)
	return nil
}

// testLessons finds the lessons the arguments name: ids of the course's
// lessons, lesson files, or folders. No argument means the whole course.
func (g *globals) testLessons(args []string) ([]*lessons.Lesson, lessons.Problems) {
	if len(args) == 0 {
		return g.course()
	}
	var out []*lessons.Lesson
	var probs lessons.Problems
	var course []*lessons.Lesson
	var courseProbs lessons.Problems
	courseLoaded := false
	for _, a := range args {
		if st, err := os.Stat(a); isPath(a) || (err == nil && st.IsDir()) {
			ls, ps := g.loadPath(a)
			out = append(out, ls...)
			probs = append(probs, ps...)
			continue
		}
		if !courseLoaded {
			course, courseProbs = g.course()
			courseLoaded = true
		}
		found := false
		var ids []string
		for _, l := range course {
			ids = append(ids, l.ID)
			if l.ID == a {
				out = append(out, l)
				found = true
				for _, p := range courseProbs {
					if p.Pos.File == l.Pos.File {
						probs = append(probs, p)
					}
				}
			}
		}
		if !found {
			probs = append(probs, lessons.Problem{Pos: lessons.Pos{File: a}, Msg: fmt.Sprintf("no lesson has this id; the lessons are %s (or give a path to a lesson file)", strings.Join(ids, ", "))})
		}
	}
	return out, probs
}

// parseVarFlags reads --var name=value flags.
func parseVarFlags(flags []string) (map[string]string, error) {
	m := map[string]string{}
	for _, f := range flags {
		name, val, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--var %q: write it as name=value, such as --var user=ada", f)
		}
		m[name] = val
	}
	return m, nil
}

// tester tests lessons one at a time.
type tester struct {
	docker testDocker
	reg    *checks.Registry
	out    io.Writer
	opts   testOptions
	set    map[string]string // variables set with --var
}

// lesson tests one run of a lesson and returns how many steps held, and an
// error naming the step that did not, or the cleanup that failed.
func (t *tester) lesson(ctx context.Context, l *lessons.Lesson, run int) (held int, err error) {
	vars, err := t.vars(l)
	if err != nil {
		fmt.Fprintf(t.out, "\n%s: %v\n", l.ID, err)
		return 0, err
	}
	dir, err := os.MkdirTemp("", "dockstep-test-"+l.ID+"-")
	if err != nil {
		return 0, fmt.Errorf("making a scratch folder: %w", err)
	}
	cleanDir := !t.opts.keep
	defer func() {
		if cleanDir {
			os.RemoveAll(dir)
		}
	}()
	runs := ""
	if t.opts.repeat > 1 {
		runs = fmt.Sprintf(" (run %d of %d)", run, t.opts.repeat)
	}
	fmt.Fprintf(t.out, "\n%s: %s%s, in %s\n", l.ID, l.Title, runs, dir)
	if _, _, err := runner.CopyWorkspace(l, dir, nil); err != nil {
		return 0, err
	}
	snap, err := runner.TakeSnapshot(ctx, t.docker)
	if err != nil {
		return 0, fmt.Errorf("recording what the engine holds before the lesson: %w", err)
	}
	scope := lessonScope(l, vars)
	var log bytes.Buffer
	rep := &runner.Replayer{Dir: dir, Vars: vars, Out: &log, InteractiveTimeout: 2 * time.Minute}
	if t.opts.verbose {
		rep.Out = io.MultiWriter(&log, indent(t.out, "      | "))
	}
	defer func() {
		if stopErr := rep.Stop(); stopErr != nil {
			fmt.Fprintf(t.out, "  warning: stopping background commands: %v\n", stopErr)
		}
		if unlisted := t.unlistedPulls(ctx, l, vars, snap, scope); len(unlisted) > 0 {
			msg := fmt.Sprintf("the lesson pulled %s, which its front matter does not list: add %s to images: in %s, so that learners can fetch everything before the workshop",
				strings.Join(unlisted, ", "), plural2(len(unlisted), "it", "them"), l.Pos.File)
			fmt.Fprintf(t.out, "  FAIL  %s\n", msg)
			err = errors.Join(err, errors.New(msg))
		}
		if t.opts.keep {
			fmt.Fprintf(t.out, "  kept: the scratch folder %s and everything the lesson created\n", dir)
			return
		}
		removed, cerr := snap.Cleanup(context.WithoutCancel(ctx), t.docker, scope)
		fmt.Fprintf(t.out, "  cleaned up: %s\n", removed)
		if cerr != nil {
			fmt.Fprintf(t.out, "  cleanup FAILED: %v\n", cerr)
			err = errors.Join(err, fmt.Errorf("cleanup: %w", cerr))
		}
	}()
	for _, s := range l.Steps {
		log.Reset()
		if t.opts.verbose {
			fmt.Fprintf(t.out, "  ...   %d. %s\n", s.Index, s.Title)
		}
		begun := time.Now()
		note, err := t.step(ctx, s, rep, dir, vars)
		took := time.Since(begun).Round(100 * time.Millisecond)
		if err != nil {
			fmt.Fprintf(t.out, "  FAIL  %d. %s (%s)\n", s.Index, s.Title, took)
			fmt.Fprintf(indent(t.out, "        "), "%v\n", err)
			if out := tail(log.String(), 20); out != "" && !t.opts.verbose {
				fmt.Fprintf(t.out, "        output of the replayed commands (last lines):\n")
				fmt.Fprint(indent(t.out, "        | "), out)
			}
			return held, fmt.Errorf("step %d %q (%s:%d) did not hold", s.Index, s.Title, s.Pos.File, s.Pos.Line)
		}
		held++
		fmt.Fprintf(t.out, "  ok    %d. %s (%s)%s\n", s.Index, s.Title, took, note)
	}
	return held, nil
}

// unlistedPulls lists the images the lesson pulled that its front matter
// does not name under images.
func (t *tester) unlistedPulls(ctx context.Context, l *lessons.Lesson, vars map[string]string, snap *runner.Snapshot, scope runner.Scope) []string {
	pulled, err := snap.Pulled(context.WithoutCancel(ctx), t.docker)
	if err != nil {
		fmt.Fprintf(t.out, "  warning: cannot tell which images the lesson pulled: %v\n", err)
		return nil
	}
	// Only what the lesson names: others may pull on the same engine.
	named := false
	var out []string
	for _, p := range pulled {
		for _, w := range scope {
			named = named || runner.SameImage(p, w)
		}
		if !named {
			continue
		}
		named = false
		listed := false
		for _, img := range l.Images {
			listed = listed || runner.SameImage(p, lessons.Expand(img, vars))
		}
		if !listed {
			out = append(out, p)
		}
	}
	return out
}

func plural2(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// vars gives every variable of the lesson a value: --var, else its default,
// else a sample value.
func (t *tester) vars(l *lessons.Lesson) (map[string]string, error) {
	vars := l.SampleVars()
	for k, v := range t.set {
		if _, ok := l.Var(k); ok {
			vars[k] = v
		}
	}
	for _, v := range l.Vars {
		if err := v.Check(vars[v.Name]); err != nil {
			return nil, fmt.Errorf("variable %s: %v; set another value with --var %s=...", v.Name, err, v.Name)
		}
	}
	return vars, nil
}

// step tests one step: its checks fail, its solution replays, then its
// checks pass. It returns a note for the report.
func (t *tester) step(ctx context.Context, s *lessons.Step, rep *runner.Replayer, dir string, vars map[string]string) (string, error) {
	env := &checks.Env{Docker: t.docker, Dir: dir, Since: time.Now()}
	replayable := 0
	for _, a := range s.Solution {
		if !a.Manual {
			replayable++
		}
	}
	if len(s.Checks) > 0 && replayable == 0 {
		return "", fmt.Errorf("the step has checks but no solution to replay: add the commands or files that complete it (a {manual} command needs a non-manual equivalent)")
	}
	var notes []string
	if len(s.Checks) > 0 {
		if s.HoldsBefore {
			notes = append(notes, "checks may hold before, as marked")
		} else {
			bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			res := checks.EvaluateAll(bctx, t.reg, s.Checks, vars, env)
			cancel()
			if err := engineTrouble(res); err != nil && ctx.Err() == nil && bctx.Err() == nil {
				return "", fmt.Errorf("before the solution, the checks could not be evaluated: %w", err)
			}
			if allPassed(res) {
				return "", fmt.Errorf("before the solution, its checks already hold, so they cannot tell whether the learner did the step:\n%s\nif something from before the lesson makes it hold (such as an image the lesson pulls), remove that first, since dockstep test never touches what existed before; otherwise make a check more specific, or mark the check block {holds-before} if the step is meant to be done already", describeResults(s.Checks, res, true))
			}
		}
	}
	for _, a := range s.Solution {
		if err := rep.Do(ctx, a); err != nil {
			return "", fmt.Errorf("replaying the solution: %w", err)
		}
	}
	if len(s.Checks) > 0 {
		res, err := t.waitFor(ctx, s, vars, env)
		if err != nil {
			return "", err
		}
		if !allPassed(res) {
			return "", fmt.Errorf("after the solution, its checks still fail (waited %s):\n%s", t.opts.wait, describeResults(s.Checks, res, false))
		}
	} else {
		notes = append(notes, "no checks")
	}
	if q := s.Quiz; q != nil {
		if q.AnswerFrom != nil {
			ans, err := t.reg.CompileAnswer(*q.AnswerFrom, vars)
			if err != nil {
				return "", fmt.Errorf("the quiz's answer: %w", err)
			}
			desc, err := ans.Describe(ctx, env)
			if err != nil {
				return "", fmt.Errorf("the quiz's answer cannot be read from the engine after the solution (%s:%d): %w", q.AnswerFrom.Pos.File, q.AnswerFrom.Pos.Line, err)
			}
			ok, err := ans.Accepts(ctx, env, desc)
			if err != nil || !ok {
				return "", fmt.Errorf("the quiz does not accept its own answer %q (%s:%d): %v", desc, q.AnswerFrom.Pos.File, q.AnswerFrom.Pos.Line, err)
			}
			notes = append(notes, "quiz answer: "+oneLine(desc))
		} else {
			notes = append(notes, "quiz answer: "+oneLine(q.Answer))
		}
	}
	if len(notes) == 0 {
		return "", nil
	}
	return " [" + strings.Join(notes, "; ") + "]", nil
}

// waitFor evaluates the step's checks until they all pass or --wait is up.
func (t *tester) waitFor(ctx context.Context, s *lessons.Step, vars map[string]string, env *checks.Env) ([]checks.Result, error) {
	deadline := time.Now().Add(t.opts.wait)
	for {
		res := checks.EvaluateAll(ctx, t.reg, s.Checks, vars, env)
		if allPassed(res) {
			return res, nil
		}
		for _, r := range res {
			if r.Err != nil && !checks.IsEngineError(r.Err) {
				// Does not compile with these variables: waiting will not help.
				return nil, fmt.Errorf("a check cannot be evaluated: %w", r.Err)
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			for _, r := range res {
				if r.Err != nil && ctx.Err() == nil {
					// Still no engine at the end: not the lesson's fault.
					return res, fmt.Errorf("the Docker engine stopped answering: %w", r.Err)
				}
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func allPassed(res []checks.Result) bool {
	for _, r := range res {
		if !r.Passed {
			return false
		}
	}
	return len(res) > 0
}

// engineTrouble returns the first error of a check that could not ask the
// engine or could not be compiled.
func engineTrouble(res []checks.Result) error {
	for _, r := range res {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// describeResults lists checks with their outcome: the passing ones when
// passing is the problem, the failing ones otherwise.
func describeResults(specs []lessons.CheckSpec, res []checks.Result, passing bool) string {
	var b strings.Builder
	for i, r := range res {
		if r.Passed != passing {
			continue
		}
		word := "fails"
		if r.Passed {
			word = "holds"
		}
		fmt.Fprintf(&b, "  %s:%d: %s check %s: %s\n", specs[i].Pos.File, specs[i].Pos.Line, r.Kind, word, oneLine(r.Message))
	}
	return strings.TrimRight(b.String(), "\n")
}

// lessonScope names what a lesson may create, so that cleanup leaves alone
// objects that others make on the same engine meanwhile: the lesson's
// images, the images its Dockerfiles start FROM, and every word of its
// commands (image references, --name values).
func lessonScope(l *lessons.Lesson, vars map[string]string) runner.Scope {
	scope := runner.Scope(append([]string(nil), l.Images...))
	for _, s := range l.Steps {
		for _, a := range s.Solution {
			text := lessons.Expand(a.Text, vars)
			if a.Kind == lessons.WriteFile || a.Kind == lessons.AppendFile {
				if strings.Contains(strings.ToLower(path.Base(a.Path)), "dockerfile") {
					for _, line := range strings.Split(text, "\n") {
						if f := strings.Fields(line); len(f) > 1 && strings.EqualFold(f[0], "FROM") {
							scope = append(scope, f[1])
						}
					}
				}
				continue
			}
			for _, w := range strings.FieldsFunc(text, func(r rune) bool {
				return strings.ContainsRune(" \t\n;|&()$`'\"<>", r)
			}) {
				scope = append(scope, w)
				if _, v, ok := strings.Cut(w, "="); ok && v != "" {
					scope = append(scope, v)
				}
			}
		}
	}
	return scope
}

// indent returns a writer that puts prefix before every line written to w.
func indent(w io.Writer, prefix string) io.Writer { return &indenter{w: w, prefix: prefix, bol: true} }

type indenter struct {
	w      io.Writer
	prefix string
	bol    bool // at the beginning of a line
}

func (in *indenter) Write(p []byte) (int, error) {
	var b bytes.Buffer
	for _, c := range p {
		if in.bol {
			b.WriteString(in.prefix)
			in.bol = false
		}
		b.WriteByte(c)
		if c == '\n' {
			in.bol = true
		}
	}
	if _, err := in.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// tail returns the last n lines of s, ending with a newline.
func tail(s string, n int) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
