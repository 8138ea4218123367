package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dockstep/dockstep/internal/demo"
	"github.com/dockstep/dockstep/internal/prover"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// demoOptions are the flags of dockstep demo.
type demoOptions struct {
	from   string
	auto   bool
	speed  string
	record string
	reset  bool
	notes  string
	keep   bool
	vars   []string
	wait   time.Duration
}

// humanSpeed is the default typing pace, in characters a second.
const humanSpeed = 20

func newDemoCmd(g *globals) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [LESSON]",
		Short: "Present a lesson live: type and run each step's commands, with its checks on screen",
		Long: `Demo is for an instructor in front of an audience. For each step of the
lesson it shows the step's title and the start of its text, types the
step's commands into a real shell on this screen, runs them, and shows a ✓
with how long the engine took once the step's checks hold.

Keys: Enter (or Space) types the next command at --speed, and runs it at
the next Enter; → shows the whole command at once; ← goes back a step; r
runs the step's commands again; p hands you the shell (exit it to come
back); q quits. While a command runs, Ctrl-C interrupts it.

A file the lesson writes is typed into the shell as a here-document, line
by line. A {background} command, such as a web server run in the
foreground, is started with & and left running; the jobs still running at
the end are stopped with a kill typed like the rest. Nothing runs that has
not been shown on screen first.

Before the first step the lesson is checked as "dockstep doctor LESSON"
does: the engine answers, its images are already here, its ports are free.
At the end the demo offers to remove what it created (and only that: it
records the containers, images, volumes and networks that appeared during
the demo and that the lesson names); --reset removes what an earlier demo
of the lesson left.

--auto runs the whole lesson without keys, for a kiosk, a recording or CI.
--record FILE.cast writes what the audience saw as an asciicast v2 file
(asciinema play FILE.cast replays it). --notes TTY shows each step's
presenter notes (the lesson's notes blocks) on another terminal: run tty
there to learn its name.

Variables take their defaults (or sample values); set them with --var.

Exit status: 0 when the demo ran to the end and, with --auto, every step's
checks held; 1 when a step's checks did not hold with --auto (naming the
step) or the lesson cannot be presented here; 2 for a lesson or usage
error; 3 when the Docker engine cannot be used.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "start at this `step` (its number or title)")
	f.BoolVar(&o.auto, "auto", false, "run the whole lesson without waiting for keys")
	f.StringVar(&o.speed, "speed", strconv.Itoa(humanSpeed), "typing speed in `chars` a second, or instant")
	f.StringVar(&o.record, "record", "", "record what the audience sees as an asciicast v2 `file`")
	f.BoolVar(&o.reset, "reset", false, "first remove what an earlier demo of this lesson created")
	f.StringVar(&o.notes, "notes", "", "show presenter notes on this `tty` (such as /dev/pts/3)")
	f.BoolVar(&o.keep, "keep", false, "with --auto, leave what the demo created instead of removing it at the end")
	f.StringArrayVar(&o.vars, "var", nil, "set a lesson variable, as `name=value` (repeatable)")
	f.DurationVar(&o.wait, "wait", 30*time.Second, "how long a step's checks get to hold after its commands")
	return cmd
}

func runDemo(ctx context.Context, g *globals, o demoOptions, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	speed, err := parseSpeed(o.speed)
	if err != nil {
		return exitf(2, "%v", err)
	}
	sel, err := g.selectLessons(args)
	if err != nil {
		return err
	}
	if len(sel.Problems) > 0 {
		return lintFirst(sel.Problems)
	}
	l := sel.Lessons[0]
	from, err := stepIndex(l, o.from)
	if err != nil {
		return exitf(2, "%v", err)
	}
	set, err := varFlags(o.vars, []*lessons.Lesson{l})
	if err != nil {
		return err
	}
	vars, err := demoVars(l, set)
	if err != nil {
		return exitf(2, "%v", err)
	}
	outTTY := g.io.outTTY
	if !o.auto && (!g.io.inTTY || !outTTY) {
		return exitf(2, "dockstep demo needs a terminal for its keys and its screen; use --auto to run the lesson without one")
	}

	c, _, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	stateDir, err := runner.StateDir()
	if err != nil {
		return fmt.Errorf("finding dockstep's state folder: %w", err)
	}
	recordPath := demo.RecordPath(stateDir, l.ID)
	if o.reset {
		removed, err := demo.RemoveRecorded(ctx, c, recordPath)
		if err != nil {
			return exitf(1, "dockstep demo --reset: %v", err)
		}
		fmt.Fprintf(g.io.errOut, "reset: removed %s, which earlier demos of %s created\n", removed, l.ID)
	}
	if err := g.demoPreflight(ctx, l, o.auto); err != nil {
		return err
	}
	tracker, err := demo.NewRecorder(ctx, c, recordPath, l.ID, prover.LessonScope(l, vars))
	if err != nil {
		return err
	}

	root, err := os.MkdirTemp("", "dockstep-demo-")
	if err != nil {
		return fmt.Errorf("making the demo's folder: %w", err)
	}
	defer os.RemoveAll(root)
	dir := filepath.Join(root, l.ID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("making the demo's folder: %w", err)
	}
	if _, _, err := runner.CopyWorkspace(l, dir, nil); err != nil {
		return err
	}

	opts := demo.Options{
		Lesson: l, Vars: vars, Dir: dir, Registry: g.registry(), Docker: c, Tracker: tracker,
		In: g.io.in, Out: g.io.out, Plain: !outTTY,
		Auto: o.auto, Speed: speed, From: from, Wait: o.wait, Keep: o.keep,
	}
	opts.Pause = 800 * time.Millisecond
	if speed == 0 {
		opts.Pause = 150 * time.Millisecond
	}
	if f, ok := g.io.out.(*os.File); ok && outTTY {
		if w, h, err := term.GetSize(int(f.Fd())); err == nil {
			opts.Width, opts.Height = w, h
		}
		// A projector's display mirrored mid-talk changes the size.
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		defer signal.Stop(winch)
		sizes := make(chan [2]int, 1)
		go func() {
			for range winch {
				if w, h, err := term.GetSize(int(f.Fd())); err == nil {
					sizes <- [2]int{w, h}
				}
			}
		}()
		opts.Resized = sizes
	}
	if o.notes != "" {
		nf, err := os.OpenFile(o.notes, os.O_WRONLY, 0)
		if err != nil {
			return exitf(2, "--notes %s: %v; give the name that tty prints in the terminal for your notes", o.notes, err)
		}
		defer nf.Close()
		opts.Notes = nf
	}
	if o.record != "" {
		rf, err := os.Create(o.record)
		if err != nil {
			return exitf(2, "--record: %v", err)
		}
		defer rf.Close()
		opts.Record = rf
	}
	restore := func() {}
	if in, ok := g.io.in.(*os.File); ok && !o.auto {
		old, err := term.MakeRaw(int(in.Fd()))
		if err != nil {
			return fmt.Errorf("reading keys from the terminal: %w", err)
		}
		restore = func() { term.Restore(int(in.Fd()), old) }
	}
	out, err := demo.Run(ctx, opts)
	restore()
	if err != nil {
		return exitf(1, "dockstep demo: %v", err)
	}
	if out.Removed != "" {
		fmt.Fprintf(g.io.out, "removed what the demo created: %s\n", out.Removed)
	}
	if out.Failed != nil {
		s := out.Failed
		return exitf(1, "dockstep demo: step %d %q (%s:%d): its checks did not hold:\n%s", s.Index, s.Title, s.Pos.File, s.Pos.Line, indentLines(out.Why, "  "))
	}
	if out.Quit && o.auto {
		return exitf(130, "dockstep demo: interrupted")
	}
	if out.Quit {
		fmt.Fprintf(g.io.out, "%s: quit; %d of %d steps' checks held\n", l.ID, out.Held, checkedSteps(l))
		return nil
	}
	fmt.Fprintf(g.io.out, "%s: %d of %d steps checked and held\n", l.ID, out.Held, checkedSteps(l))
	return nil
}

// parseSpeed reads --speed: characters a second, or instant (0).
func parseSpeed(s string) (float64, error) {
	if s == "instant" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("--speed %q: give characters a second, such as %d, or instant", s, humanSpeed)
	}
	return v, nil
}

// stepIndex finds the step --from names, by number or title.
func stepIndex(l *lessons.Lesson, from string) (int, error) {
	if from == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(from); err == nil {
		if n < 1 || n > len(l.Steps) {
			return 0, fmt.Errorf("--from %d: %s has steps 1 to %d", n, l.ID, len(l.Steps))
		}
		return n - 1, nil
	}
	var titles []string
	for i, s := range l.Steps {
		if strings.EqualFold(s.Title, from) {
			return i, nil
		}
		titles = append(titles, fmt.Sprintf("%d %q", s.Index, s.Title))
	}
	return 0, fmt.Errorf("--from %q: %s has no step of that title; its steps are %s", from, l.ID, strings.Join(titles, ", "))
}

// demoVars gives the lesson's variables --var, else their defaults, else
// sample values, as dockstep test does (lessons.Resolve).
func demoVars(l *lessons.Lesson, set map[string]string) (map[string]string, error) {
	sample := l.SampleVars()
	return l.Resolve(lessons.Values{Given: set, Ask: func(v lessons.Var) (string, error) {
		if err := v.Check(sample[v.Name]); err != nil {
			return "", fmt.Errorf("variable %s=%q: %w; set another value with --var %s=...", v.Name, sample[v.Name], err, v.Name)
		}
		return sample[v.Name], nil
	}})
}

func checkedSteps(l *lessons.Lesson) int {
	n := 0
	for _, s := range l.Steps {
		if len(s.Checks) > 0 {
			n++
		}
	}
	return n
}

func indentLines(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// demoPreflight checks the lesson as dockstep doctor LESSON does: the
// engine answers, the images are here, the ports are free. With problems,
// --auto stops; a presenter may fetch the images or go on anyway.
func (g *globals) demoPreflight(ctx context.Context, l *lessons.Lesson, auto bool) error {
	check := func() (*workshop.Report, int, bool, bool) {
		rep := &workshop.Report{Lessons: []string{l.ID}}
		g.checkMachine(ctx, rep, []*lessons.Lesson{l}, nil)
		fails, noEngine := rep.Finish()
		images := false
		for _, it := range rep.Checks {
			images = images || it.Status == workshop.StatusFail && strings.HasPrefix(it.Check, "image ")
		}
		return rep, fails, noEngine, images
	}
	rep, fails, noEngine, images := check()
	if fails == 0 {
		return nil
	}
	rep.Print(g.io.errOut, g.io.color())
	fix := "fix the lines marked " + workshop.FailMark(g.io.color())
	if images {
		fix += " (dockstep prefetch " + l.ID + " fetches the images)"
	}
	if noEngine {
		return exitf(3, "dockstep demo: the Docker engine cannot be used: %s", fix)
	}
	if auto {
		return exitf(1, "dockstep demo: %s is not ready to present here: %s, then run the demo again", l.ID, fix)
	}
	in := bufio.NewReader(g.io.in)
	ask := func(q string) bool {
		fmt.Fprintf(g.io.errOut, "%s [y/N] ", q)
		line, _ := in.ReadString('\n')
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y")
	}
	if images && ask("Fetch the missing images now, with dockstep prefetch "+l.ID+"?") {
		if err := runPrefetch(ctx, g, []string{l.ID}, prefetchOptions{}); err != nil {
			return err
		}
		if _, fails, _, _ = check(); fails == 0 {
			return nil
		}
	}
	if !ask("Present " + l.ID + " anyway?") {
		return exitf(1, "dockstep demo: %s, then run the demo again", fix)
	}
	return nil
}
