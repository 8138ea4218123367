package main

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/demo"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/workshop"
)

// demoOptions are what dockstep demo runs with.
type demoOptions struct {
	base
	engine func(context.Context) (demo.Engine, engine.Endpoint, error)
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
			o.base, o.engine, o.lesson = g.base(), engine.Factory[demo.Engine](g.engineOptions()), args
			o.dial = engine.Dialer[workshop.Engine](g.engineOptions())
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
	ls, given, err := o.course.SoundVars(o.lesson, o.vars)
	if err != nil {
		return err
	}
	l := ls[0]
	return demo.Present(ctx, demo.Session{
		Lesson: l, Given: given, From: o.from, Speed: o.speed,
		Auto: o.auto, Wait: o.wait, Keep: o.keep, Reset: o.reset, Notes: o.notes, Record: o.record,
		Registry: registry(),
		Connect:  o.engine, Dial: o.dial,
		Fetch: func(ctx context.Context) error { return o.fetch(ctx, l.ID) },
		In:    o.io.In, Out: o.io.Out, ErrOut: o.io.ErrOut,
		InTTY: o.io.InTTY, OutTTY: o.io.OutTTY, Color: o.io.Color(),
	})
}
