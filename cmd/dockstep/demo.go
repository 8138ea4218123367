package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/demo"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/prover"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// demoOptions are what dockstep demo runs with.
type demoOptions struct {
	base
	engine func(context.Context) (demoEngine, engine.Endpoint, error)
	// dial and fetch are doctor's and prefetch's, for the check before the
	// first step.
	dial   func() (workshop.Engine, engine.Endpoint, error)
	fetch  func(ctx context.Context, lesson string) error
	lesson []string
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

// demoEngine is what dockstep demo needs of the engine: what checks read,
// and what the record of created objects lists and removes.
type demoEngine interface {
	checks.Docker
	prover.CleanupDocker
	Close() error
}

var _ demoEngine = (*engine.Client)(nil)

func newDemoCmd(g *globals, runF func(context.Context, *demoOptions) error) *cobra.Command {
	o := &demoOptions{}
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
			o.base, o.engine, o.dial, o.lesson = g.base(), connectAs[demoEngine](g), g.dial, args
			o.fetch = func(ctx context.Context, lesson string) error {
				p := &prefetchOptions{}
				g.fillPrefetch(p, []string{lesson})
				return runPrefetch(ctx, p)
			}
			return runWith(cmd.Context(), o, runF, runDemo)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "start at this `step` (its number or title)")
	f.BoolVar(&o.auto, "auto", false, "run the whole lesson without waiting for keys")
	f.StringVar(&o.speed, "speed", strconv.Itoa(demo.HumanSpeed), "typing speed in `chars` a second, or instant")
	f.StringVar(&o.record, "record", "", "record what the audience sees as an asciicast v2 `file`")
	f.BoolVar(&o.reset, "reset", false, "first remove what an earlier demo of this lesson created")
	f.StringVar(&o.notes, "notes", "", "show presenter notes on this `tty` (such as /dev/pts/3)")
	f.BoolVar(&o.keep, "keep", false, "with --auto, leave what the demo created instead of removing it at the end")
	f.StringArrayVar(&o.vars, "var", nil, "set a lesson variable, as `name=value` (repeatable)")
	f.DurationVar(&o.wait, "wait", 30*time.Second, "how long a step's checks get to hold after its commands")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions) error {
	speed, err := demo.ParseSpeed(o.speed)
	if err != nil {
		return exitf(2, "%v", err)
	}
	ls, err := o.soundLessons(o.lesson)
	if err != nil {
		return err
	}
	l := ls[0]
	from, err := demo.StepIndex(l, o.from)
	if err != nil {
		return exitf(2, "%v", err)
	}
	set, err := varFlags(o.vars, []*lessons.Lesson{l})
	if err != nil {
		return err
	}
	vars, err := demo.Vars(l, set)
	if err != nil {
		return exitf(2, "%v", err)
	}
	outTTY := o.io.outTTY
	if !o.auto && (!o.io.inTTY || !outTTY) {
		return exitf(2, "dockstep demo needs a terminal for its keys and its screen; use --auto to run the lesson without one")
	}

	c, _, err := o.engine(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	stateDir, err := progress.StateDir()
	if err != nil {
		return fmt.Errorf("finding dockstep's state folder: %w", err)
	}
	recordPath := demo.RecordPath(stateDir, l.ID)
	if o.reset {
		removed, err := demo.RemoveRecorded(ctx, c, recordPath)
		if err != nil {
			return exitf(1, "dockstep demo --reset: %v", err)
		}
		fmt.Fprintf(o.io.errOut, "reset: removed %s, which earlier demos of %s created\n", removed, l.ID)
	}
	pre := &demo.Preflight{
		Lesson: l.ID, Auto: o.auto, In: o.io.in, ErrOut: o.io.errOut, Color: o.io.color(),
		Check: func(rep *workshop.Report) { checkMachine(ctx, &o.base, o.dial, rep, []*lessons.Lesson{l}, nil) },
		Fetch: func() error { return o.fetch(ctx, l.ID) },
	}
	var notReady *demo.NotReadyError
	if err := pre.Run(); errors.As(err, &notReady) && notReady.NoEngine {
		return exitf(3, "dockstep demo: %v", err)
	} else if notReady != nil {
		return exitf(1, "dockstep demo: %v", err)
	} else if err != nil {
		return err
	}
	tracker, err := demo.NewRecorder(ctx, c, recordPath, l.ID, prover.LessonScope(l, vars))
	if err != nil {
		return err
	}
	dir, remove, err := demo.Workspace(l)
	if err != nil {
		return err
	}
	defer remove()

	opts := demo.Options{
		Lesson: l, Vars: vars, Dir: dir, Registry: registry(), Docker: c, Tracker: tracker,
		In: o.io.in, Out: o.io.out, Plain: !outTTY,
		Auto: o.auto, Speed: speed, From: from, Wait: o.wait, Keep: o.keep, Pause: demo.PauseFor(speed),
	}
	if f, ok := o.io.out.(*os.File); ok && outTTY {
		// A projector's display mirrored mid-talk changes the size.
		opts.Width, opts.Height, _ = runner.TerminalSize(f)
		opts.Resized = runner.WatchTerminalSize(ctx, f)
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
	if in, ok := o.io.in.(*os.File); ok && !o.auto {
		old, err := term.MakeRaw(int(in.Fd()))
		if err != nil {
			return fmt.Errorf("reading keys from the terminal: %w", err)
		}
		restore = func() { term.Restore(int(in.Fd()), old) }
	}
	out, err := demo.Run(ctx, opts)
	restore()
	switch {
	case err != nil:
		return exitf(1, "dockstep demo: %v", err)
	case out.Removed != "":
		fmt.Fprintf(o.io.out, "removed what the demo created: %s\n", out.Removed)
	}
	switch {
	case out.Failed != nil:
		return exitf(1, "dockstep demo: %s", out.FailedStep())
	case out.Quit && o.auto:
		return exitf(130, "dockstep demo: interrupted")
	}
	fmt.Fprintln(o.io.out, out.Summary(l))
	return nil
}
