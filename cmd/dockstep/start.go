package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// startOptions are the flags of dockstep start (and of dockstep alone).
type startOptions struct {
	vars []string
	// room and name: report to an instructor's room (dockstep join).
	room, name string
}

func newStartCmd(g *globals) *cobra.Command {
	var o startOptions
	cmd := &cobra.Command{
		Use:   "start [LESSON]",
		Short: "Start or resume a lesson at its first unfinished step",
		Long: `Start shows a lesson one step at a time. Run the step's commands in another
terminal: dockstep watches your Docker engine and moves on by itself when the
step is done. LESSON is a lesson id (see dockstep list) or the path of a
lesson file; without it, dockstep offers the lessons.

dockstep start needs a terminal; to check a lesson without one, use
dockstep check.

Exit status: 0 when you quit, 130 after Ctrl-C (your progress is saved),
2 for a lesson or usage error, 3 when the Docker engine cannot be reached.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return g.runInteractive(cmd.Context(), id, o)
		},
	}
	addStartFlags(cmd, &o)
	return cmd
}

func addStartFlags(cmd *cobra.Command, o *startOptions) {
	cmd.Flags().StringArrayVar(&o.vars, "var", nil, "give the lesson variable `name=value` instead of being asked (repeat for each)")
	roomFlags(cmd, &o.room, &o.name)
}

// needTerminal is the message of the interactive commands without one.
const needTerminal = `%s needs a terminal: it shows the lesson and asks you what to do next,
but standard input or standard output is not a terminal here.
To check a lesson's steps without a terminal, run: dockstep check LESSON`

// runInteractive runs the lesson runner: on lesson id, or, without one, on
// the lesson in progress or the one the learner chooses.
func (g *globals) runInteractive(ctx context.Context, id string, o startOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	what := "dockstep start"
	if id == "" {
		what = "dockstep"
	}
	in, inOK := g.io.in.(*os.File)
	out, outOK := g.io.out.(*os.File)
	if !g.io.inTTY || !g.io.outTTY || !inOK || !outOK {
		return exitf(2, needTerminal, what)
	}
	course, id, err := g.runCourse(id)
	if err != nil {
		return err
	}
	vars, err := varFlags(o.vars, course)
	if err != nil {
		return err
	}
	if o.room != "" {
		if _, _, err := classroom.ParseJoinURL(o.room); err != nil {
			return exitf(2, "%v", err)
		}
		if o.name != "" {
			if err := classroom.CheckName(o.name); err != nil {
				return exitf(2, "--name: %v", err)
			}
		}
	}

	c, _, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	dir, err := runner.StateDir()
	if err != nil {
		return exitf(2, "%v", err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return exitf(2, "cannot tell the current directory: %v", err)
	}

	// Whatever happens, leave the terminal as it was found.
	if st, err := term.GetState(int(in.Fd())); err == nil {
		defer term.Restore(int(in.Fd()), st)
	}
	prompt, err := runner.NewSurveyPrompter(in, out, g.io.errOut, g.io.color())
	if err != nil {
		return err
	}
	defer prompt.Close()

	// Ctrl-C outside a prompt arrives as a signal; inside one, survey reads
	// it as a key. Both end the runner, which saves the progress.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	var reporter runner.Reporter
	if o.room != "" {
		rep, err := g.joinRoom(ctx, prompt, o)
		if err != nil {
			return err
		}
		defer rep.stop()
		reporter = rep
	}

	width, height := 80, 0
	if w, h, ok := drawSize(out); ok {
		width, height = w, h
	}
	resized := watchSize(ctx, out)
	r := &runner.Runner{
		Out: g.io.out, ErrOut: g.io.errOut,
		Prompt:     prompt,
		Docker:     c,
		Registry:   g.registry(),
		Store:      runner.NewStore(dir),
		Render:     runner.RenderOptions{Color: g.io.color(), Width: width, Height: height},
		Resized:    resized,
		Clear:      true,
		Terminal:   in,
		Dir:        cwd,
		Vars:       vars,
		Reporter:   reporter,
		PortHolder: workshop.HostPortHolder,
	}
	err = r.Run(ctx, course, id)
	if errors.Is(err, runner.ErrInterrupted) {
		return exitf(130, "\nStopped; your progress is saved. Run dockstep again to carry on.")
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return exitf(2, "dockstep: %v", err)
	}
	return nil
}

// runCourse is the lessons the runner offers, and the id of the one to
// start (empty: the learner chooses): one lesson file when arg is a path,
// else the course, with arg as any command takes it (id or number).
func (g *globals) runCourse(arg string) ([]*lessons.Lesson, string, error) {
	if arg == "" {
		sel, err := g.selectLessons(nil)
		if err != nil {
			return nil, "", err
		}
		if len(sel.Problems) > 0 {
			return nil, "", lintFirst(sel.Problems)
		}
		return sel.Lessons, "", nil
	}
	l, err := g.oneLesson(arg)
	if err != nil {
		return nil, "", err
	}
	if lessons.IsPath(arg) {
		return []*lessons.Lesson{l}, l.ID, nil
	}
	all, _, err := g.runCourse("")
	return all, l.ID, err
}

// drawSize is the width and height the runner draws for on terminal out:
// one column short of it, so that a full line does not wrap, and no wider
// than 100 columns, which read better.
func drawSize(out *os.File) (w, h int, ok bool) {
	w, h, err := term.GetSize(int(out.Fd()))
	if err != nil || w <= 20 {
		return 0, 0, false
	}
	return min(w-1, 100), h, true
}

// watchSize sends the new draw size each time the terminal is resized
// (SIGWINCH), until ctx ends. Only the latest size is kept for the runner.
func watchSize(ctx context.Context, out *os.File) <-chan [2]int {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	sizes := make(chan [2]int, 1)
	go func() {
		defer signal.Stop(winch)
		for {
			select {
			case <-winch:
			case <-ctx.Done():
				return
			}
			w, h, ok := drawSize(out)
			if !ok {
				continue
			}
			select {
			case <-sizes: // a size the runner has not taken yet is stale
			default:
			}
			sizes <- [2]int{w, h}
		}
	}()
	return sizes
}
