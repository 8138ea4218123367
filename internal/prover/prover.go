// Package prover proves that lessons work: it replays each step's
// solution against a real Docker engine, as a learner would, and checks that
// the step's checks fail before and pass after. It records what the engine
// held before a lesson (Snapshot) and afterwards removes only what the lesson
// created (Cleanup). dockstep test is its command line.
package prover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/clock"
	"github.com/dockstep/dockstep/internal/replay"
	"github.com/dockstep/dockstep/internal/workspace"
	"github.com/dockstep/dockstep/lessons"
)

// Docker is what the prover asks of the engine: what checks read, and what
// cleaning up after a lesson needs.
type Docker interface {
	checks.Docker
	CleanupDocker
}

// Prover tests lessons one at a time.
type Prover struct {
	Docker   Docker
	Registry *checks.Registry
	// Out receives the report, a line per step.
	Out io.Writer
	// Repeat is how many times each lesson is tested in a row; 0 means once.
	Repeat int
	// Keep leaves the scratch folder and what the lesson created.
	Keep bool
	// Verbose shows the output of every replayed command as it comes.
	Verbose bool
	// Vars are the variables set on the command line; the others take
	// their defaults (or sample values).
	Vars map[string]string
	// Wait bounds how long a step's checks get to pass after its solution.
	Wait time.Duration
	// Clock tells the time and waits; nil means the system clock.
	Clock clock.Clock
}

// Summary is the outcome of proving a set of lessons.
type Summary struct {
	Lessons, Runs, Steps int // steps is how many held, over every run
	// Failed names each lesson run that did not hold, and why.
	Failed []string
	// EngineLost is set when a failure came from the engine, not a lesson.
	EngineLost bool
	Elapsed    time.Duration
}

func (p *Prover) now() time.Time { return clock.Or(p.Clock).Now() }

func (p *Prover) repeat() int { return max(p.Repeat, 1) }

// All proves each lesson in turn, Repeat times, until ctx is done.
func (p *Prover) All(ctx context.Context, ls []*lessons.Lesson) Summary {
	start := p.now()
	sum := Summary{Lessons: len(ls), Runs: p.repeat()}
	for _, l := range ls {
		for run := 1; run <= p.repeat() && ctx.Err() == nil; run++ {
			n, err := p.Lesson(ctx, l, run)
			sum.Steps += n
			if err != nil {
				sum.Failed = append(sum.Failed, fmt.Sprintf("%s (run %d): %v", l.ID, run, err))
				sum.EngineLost = sum.EngineLost || checks.IsEngineError(err)
			}
		}
	}
	sum.Elapsed = p.now().Sub(start).Round(time.Second)
	return sum
}

// Lesson tests one run of a lesson and returns how many steps held, and an
// error naming the step that did not, or the cleanup that failed.
func (t *Prover) Lesson(ctx context.Context, l *lessons.Lesson, run int) (held int, err error) {
	vars, err := t.vars(l)
	if err != nil {
		fmt.Fprintf(t.Out, "\n%s: %v\n", l.ID, err)
		return 0, err
	}
	dir, err := os.MkdirTemp("", "dockstep-test-"+l.ID+"-")
	if err != nil {
		return 0, fmt.Errorf("making a scratch folder: %w", err)
	}
	cleanDir := !t.Keep
	defer func() {
		if cleanDir {
			os.RemoveAll(dir)
		}
	}()
	runs := ""
	if t.repeat() > 1 {
		runs = fmt.Sprintf(" (run %d of %d)", run, t.repeat())
	}
	fmt.Fprintf(t.Out, "\n%s: %s%s, in %s\n", l.ID, l.Title, runs, dir)
	if _, _, err := workspace.Copy(l, dir, nil); err != nil {
		return 0, err
	}
	snap, err := TakeSnapshot(ctx, t.Docker)
	if err != nil {
		return 0, fmt.Errorf("recording what the engine holds before the lesson: %w", err)
	}
	scope := LessonScope(l, vars)
	var log bytes.Buffer
	// {replay} commands keep to the containers the lesson's own commands
	// made, as the engine reports them created while those commands ran.
	rep := &replay.Replayer{Dir: dir, Vars: vars, Out: &log, InteractiveTimeout: 2 * time.Minute, Docker: t.Docker}
	if t.Verbose {
		rep.Out = io.MultiWriter(&log, indent(t.Out, "      | "))
	}
	defer func() {
		if stopErr := rep.Stop(); stopErr != nil {
			fmt.Fprintf(t.Out, "  warning: stopping background commands: %v\n", stopErr)
		}
		if unlisted := t.unlistedPulls(ctx, l, vars, snap, scope); len(unlisted) > 0 {
			msg := fmt.Sprintf("the lesson pulled %s, which its front matter does not list: add %s to images: in %s, so that learners can fetch everything before the workshop",
				strings.Join(unlisted, ", "), plural2(len(unlisted), "it", "them"), l.Pos.File)
			fmt.Fprintf(t.Out, "  FAIL  %s\n", msg)
			err = errors.Join(err, errors.New(msg))
		}
		if t.Keep {
			fmt.Fprintf(t.Out, "  kept: the scratch folder %s and everything the lesson created\n", dir)
			return
		}
		removed, cerr := snap.Cleanup(context.WithoutCancel(ctx), t.Docker, scope)
		fmt.Fprintf(t.Out, "  cleaned up: %s\n", removed)
		if cerr != nil {
			fmt.Fprintf(t.Out, "  cleanup FAILED: %v\n", cerr)
			err = errors.Join(err, fmt.Errorf("cleanup: %w", cerr))
		}
	}()
	for _, s := range l.Steps {
		log.Reset()
		if t.Verbose {
			fmt.Fprintf(t.Out, "  ...   %d. %s\n", s.Index, s.Title)
		}
		begun := t.now()
		note, err := t.step(ctx, s, rep, dir, vars)
		took := t.now().Sub(begun).Round(100 * time.Millisecond)
		if err != nil {
			fmt.Fprintf(t.Out, "  FAIL  %d. %s (%s)\n", s.Index, s.Title, took)
			fmt.Fprintf(indent(t.Out, "        "), "%v\n", err)
			if out := tail(log.String(), 20); out != "" && !t.Verbose {
				fmt.Fprintf(t.Out, "        output of the replayed commands (last lines):\n")
				fmt.Fprint(indent(t.Out, "        | "), out)
			}
			return held, fmt.Errorf("step %d %q (%s:%d) did not hold", s.Index, s.Title, s.Pos.File, s.Pos.Line)
		}
		held++
		fmt.Fprintf(t.Out, "  ok    %d. %s (%s)%s\n", s.Index, s.Title, took, note)
	}
	return held, nil
}

// unlistedPulls lists the images the lesson pulled that its front matter
// does not name under images.
func (t *Prover) unlistedPulls(ctx context.Context, l *lessons.Lesson, vars map[string]string, snap *Snapshot, scope Scope) []string {
	pulled, err := snap.Pulled(context.WithoutCancel(ctx), t.Docker)
	if err != nil {
		fmt.Fprintf(t.Out, "  warning: cannot tell which images the lesson pulled: %v\n", err)
		return nil
	}
	// Only what the lesson names: others may pull on the same engine.
	named := false
	var out []string
	for _, p := range pulled {
		for _, w := range scope {
			named = named || SameImage(p, w)
		}
		if !named {
			continue
		}
		named = false
		listed := false
		for _, img := range l.Images {
			listed = listed || SameImage(p, lessons.Expand(img, vars))
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

// vars gives every variable of the lesson a value: --var, else its
// default, else a sample value, as a learner who accepts every proposal.
func (t *Prover) vars(l *lessons.Lesson) (map[string]string, error) {
	sample := l.SampleVars()
	vars, err := l.Resolve(lessons.Values{Given: t.Vars, Ask: func(v lessons.Var) (string, error) {
		if err := v.Check(sample[v.Name]); err != nil {
			return "", fmt.Errorf("variable %s=%q: %w; set another value with --var %s=...", v.Name, sample[v.Name], err, v.Name)
		}
		return sample[v.Name], nil
	}})
	return vars, err
}

// step tests one step: its checks fail, its solution replays, then its
// checks pass. It returns a note for the report.
func (t *Prover) step(ctx context.Context, s *lessons.Step, rep *replay.Replayer, dir string, vars map[string]string) (string, error) {
	env := &checks.Env{Docker: t.Docker, Dir: dir, Since: t.now(), Clock: t.Clock}
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
			// The checks alone: whether the quiz's answer can be read
			// before says nothing about the step.
			v := checks.Judge(checks.EvaluateAll(bctx, t.Registry, s.Checks, vars, env))
			cancel()
			if v.Outcome == checks.Unknown && ctx.Err() == nil && bctx.Err() == nil {
				return "", fmt.Errorf("before the solution, the checks could not be evaluated: %w", v.EngineErr)
			}
			res := v.Results
			if v.Outcome == checks.Passed {
				return "", fmt.Errorf("before the solution, its checks already hold, so they cannot tell whether the learner did the step:\n%s\nif something from before the lesson makes it hold (such as an image the lesson pulls), remove that first, since dockstep test never touches what existed before; otherwise make a check more specific, or mark the check block {holds-before} if the step is meant to be done already", describeResults(s.Checks, res, true))
			}
		}
	}
	for _, a := range s.Solution {
		if err := rep.Do(ctx, a); err != nil {
			return "", fmt.Errorf("replaying the solution: %w", err)
		}
	}
	// After the solution the step is done as dockstep check judges it: its
	// checks pass and its quiz's answer can be read.
	v, err := t.waitFor(ctx, s, vars, env)
	if err != nil {
		return "", err
	}
	if v.Outcome != checks.Passed {
		if q := s.Quiz; v.QuizErr != nil && q.AnswerFrom != nil {
			return "", fmt.Errorf("the quiz's answer cannot be read from the engine after the solution (%s:%d): %w", q.AnswerFrom.Pos.File, q.AnswerFrom.Pos.Line, v.QuizErr)
		}
		return "", fmt.Errorf("after the solution, its checks still fail (waited %s):\n%s", t.Wait, describeResults(s.Checks, v.Results, false))
	}
	if len(s.Checks) == 0 {
		notes = append(notes, "no checks")
	}
	if q := s.Quiz; q != nil {
		// Each right answer, given as a learner would, must be taken.
		ans, err := t.Registry.CompileQuiz(q, vars)
		if err != nil {
			return "", fmt.Errorf("the quiz's answer: %w", err)
		}
		for _, a := range v.QuizAnswers {
			ok, err := ans.Accepts(ctx, env, a)
			if err != nil {
				return "", fmt.Errorf("the quiz's answer %q cannot be checked (%s:%d): %w", a, q.Pos.File, q.Pos.Line, err)
			}
			if !ok {
				return "", fmt.Errorf("the quiz does not accept its own answer %q (%s:%d): its answer kind and its Accepts disagree", a, q.Pos.File, q.Pos.Line)
			}
		}
		notes = append(notes, "quiz answer: "+oneLine(strings.Join(v.QuizAnswers, " or ")))
	}
	if len(notes) == 0 {
		return "", nil
	}
	return " [" + strings.Join(notes, "; ") + "]", nil
}

// waitFor judges the step, quiz unasked, until it is done or --wait is up,
// and gives the last verdict.
func (t *Prover) waitFor(ctx context.Context, s *lessons.Step, vars map[string]string, env *checks.Env) (checks.Verdict, error) {
	deadline := t.now().Add(t.Wait)
	for {
		v := checks.JudgeStep(ctx, t.Registry, s, vars, env, checks.QuizUnasked)
		res := v.Results
		if v.Outcome == checks.Passed {
			return v, nil
		}
		for _, r := range res {
			if r.Err != nil && !checks.IsEngineError(r.Err) {
				// Does not compile with these variables: waiting will not help.
				return v, fmt.Errorf("a check cannot be evaluated: %w", r.Err)
			}
		}
		if t.now().After(deadline) || ctx.Err() != nil {
			if v.Outcome == checks.Unknown && ctx.Err() == nil {
				// Still no engine at the end: not the lesson's fault.
				return v, fmt.Errorf("the Docker engine stopped answering: %w", v.EngineErr)
			}
			return v, nil
		}
		select {
		case <-ctx.Done():
		case <-clock.Or(t.Clock).After(500 * time.Millisecond):
		}
	}
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

// LessonScope names what a lesson may create, so that cleanup leaves alone
// objects that others make on the same engine meanwhile: the lesson's
// images, the images its Dockerfiles start FROM, every word of its
// commands (image references, --name values) and the volume names of their
// -v NAME:/path and --mount source=NAME.
func LessonScope(l *lessons.Lesson, vars map[string]string) Scope {
	scope := Scope(append([]string(nil), l.Images...))
	for _, s := range l.Steps {
		for _, a := range s.Solution {
			text := lessons.Expand(a.Text, vars)
			if a.Kind == lessons.WriteFile || a.Kind == lessons.AppendFile {
				if strings.Contains(strings.ToLower(path.Base(a.Path)), "dockerfile") {
					for _, line := range strings.Split(text, "\n") {
						if f := strings.Fields(line); len(f) > 1 && strings.EqualFold(f[0], "FROM") {
							// FROM [--platform=...] image [AS name]
							for _, w := range f[1:] {
								if !strings.HasPrefix(w, "--") {
									scope = append(scope, w)
									break
								}
							}
						}
					}
				}
				continue
			}
			words := strings.FieldsFunc(text, func(r rune) bool {
				return strings.ContainsRune(" \t\n;|&()$`'\"<>", r)
			})
			for i, w := range words {
				scope = append(scope, w)
				flag, v, ok := strings.Cut(w, "=")
				if ok && v != "" {
					scope = append(scope, v)
				}
				if !ok && i+1 < len(words) {
					v = words[i+1]
				}
				scope = append(scope, volumeNames(flag, v)...)
			}
		}
	}
	return scope
}

// volumeName is what the engine accepts as a volume name; a host path is
// not one.
var volumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// volumeNames gives the volume names in the value v of a docker run flag:
// NAME in -v NAME:/path (not a host path), the source of --mount.
func volumeNames(flag, v string) []string {
	switch flag {
	case "-v", "--volume":
		name, _, ok := strings.Cut(v, ":")
		if ok && volumeName.MatchString(name) {
			return []string{name}
		}
	case "--mount":
		for _, kv := range strings.Split(v, ",") {
			if k, name, ok := strings.Cut(kv, "="); ok && (k == "source" || k == "src") && volumeName.MatchString(name) {
				return []string{name}
			}
		}
	}
	return nil
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
