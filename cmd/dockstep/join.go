package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

func newJoinCmd(g *globals) *cobra.Command {
	var o startOptions
	cmd := &cobra.Command{
		Use:   "join URL [--name NAME]",
		Short: "Join an instructor's room and run the lessons with the room watching",
		Long: `Join runs the usual lesson runner and reports your progress to an
instructor's room (dockstep classroom serve prints the URL). It asks your
name, as the room will show it, unless --name gives it.

Your dockstep never waits for the room: what it reports is queued in your
state folder and sent in the background, so nothing is lost when the Wi-Fi
drops. Only the lesson, the step, and for a failed check its kind and the
first line of why are sent: never your commands, files, environment, host
name or paths.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.room = args[0]
			return g.runInteractive(cmd.Context(), "", o)
		},
	}
	addStartFlags(cmd, &o)
	cmd.Flags().Lookup("room").Hidden = true
	return cmd
}

// roomFlags adds --room and --name to a command.
func roomFlags(cmd *cobra.Command, room, name *string) {
	cmd.Flags().StringVar(room, "room", "", "report to the instructor's room at this join `URL` (see dockstep join)")
	cmd.Flags().StringVar(name, "name", "", "your `name` as the room shows it")
}

// openRoom opens the learner's queue for the room and starts sending it in
// the background until ctx is done.
func openRoom(ctx context.Context, url, name string) (*classroom.Reporter, error) {
	if _, _, err := classroom.ParseJoinURL(url); err != nil {
		return nil, exitf(2, "--room: %v", err)
	}
	dir, err := runner.StateDir()
	if err != nil {
		return nil, exitf(2, "%v", err)
	}
	q, err := classroom.NewReporter(dir, url, name)
	if err != nil {
		return nil, exitf(2, "joining the room: %v", err)
	}
	return q, nil
}

// roomReporter is what the runner reports through: it turns the runner's
// activities into the room's events, with the learner's folders taken out
// of diagnoses.
type roomReporter struct {
	q      *classroom.Reporter
	errOut io.Writer
	warn   sync.Once
}

func (r *roomReporter) Report(a runner.Activity) {
	if err := r.q.Add(activityEvent(a)); err != nil {
		r.warn.Do(func() { fmt.Fprintf(r.errOut, "warning: the room will miss some of your progress: %v\n", err) })
	}
}

func (r *roomReporter) Status() string  { return r.q.Status() }
func (r *roomReporter) Notes() []string { return r.q.Notes() }

// activityEvent is the room's event for a runner activity.
func activityEvent(a runner.Activity) classroom.Event {
	home, _ := os.UserHomeDir()
	e := classroom.Event{
		Kind: classroom.Kind(a.Kind), At: time.Now(),
		Lesson: classroom.Truncate(a.Lesson, 200), LessonTitle: classroom.Truncate(a.LessonTitle, 200),
		Done: a.Done, Skipped: a.Skipped,
		Step: a.Step, StepTitle: classroom.Truncate(a.StepTitle, 200),
	}
	for _, s := range a.Steps {
		e.Steps = append(e.Steps, classroom.Truncate(s, 200))
	}
	for _, f := range a.Failed {
		e.Failed = append(e.Failed, classroom.Failure{
			Kind:      classroom.Truncate(f.Kind, 200),
			Diagnosis: classroom.FirstLine(classroom.Redact(f.Diagnosis, a.Dir, home)),
		})
	}
	return e
}

// reportCheck reports a dockstep check's result to the room: the steps that
// pass, and the first that fails with why. It never changes the exit code;
// events the room did not take in a few seconds stay queued.
func (g *globals) reportCheck(ctx context.Context, o checkOptions, l *lessons.Lesson, rep *grade.Report, vars map[string]string, dir string) {
	q, err := openRoom(ctx, o.room, o.name)
	if err != nil {
		fmt.Fprintf(g.io.errOut, "room: not reported: %v\n", err)
		return
	}
	r := &roomReporter{q: q, errOut: g.io.errOut}
	base := runner.Activity{Lesson: l.ID, LessonTitle: l.Title, Dir: dir}
	act := func(kind runner.ActivityKind, s grade.Step, failed []runner.FailedCheck) {
		a := base
		a.Kind, a.Step, a.StepTitle, a.Failed = kind, s.Step, s.Title, failed
		r.Report(a)
	}
	if o.step == 0 {
		a := base
		a.Kind = runner.LessonStarted
		for _, s := range l.Steps {
			a.Steps = append(a.Steps, lessons.Expand(s.Title, vars))
		}
		for _, s := range rep.Steps {
			if s.Passed {
				a.Done = append(a.Done, s.Step)
			}
		}
		r.Report(a)
	}
	for _, s := range rep.Steps {
		if s.Passed {
			if o.step != 0 {
				act(runner.StepPassed, s, nil)
			}
			continue
		}
		var failed []runner.FailedCheck
		for _, c := range s.Checks {
			if !c.Passed {
				failed = append(failed, runner.FailedCheck{Kind: c.Kind, Diagnosis: c.Message})
			}
		}
		act(runner.StepStarted, s, nil)
		act(runner.CheckFailed, s, failed)
		break
	}
	if rep.Passed && o.step == 0 {
		r.Report(runner.Activity{Kind: runner.LessonFinished, Lesson: l.ID, LessonTitle: l.Title})
	}
	fctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := q.Flush(fctx); err != nil || q.Queued() > 0 {
		fmt.Fprintf(g.io.errOut, "%s; the rest is sent the next time you report to this room\n", q.Status())
	}
}

// liveRoom is the runner's reporter while it runs: the queue, sent in the
// background until stop.
type liveRoom struct {
	roomReporter
	cancel context.CancelFunc
	done   chan struct{}
}

// joinRoom asks the learner's name if --name did not give it, opens the
// room's queue and starts sending it.
func (g *globals) joinRoom(ctx context.Context, p runner.Prompter, o startOptions) (*liveRoom, error) {
	name := o.name
	if name == "" {
		var err error
		name, err = p.Input(ctx, "Your name, as the instructor's room will show it:", "", classroom.CheckName)
		if err != nil {
			return nil, exitf(130, "\nStopped before joining the room.")
		}
	}
	q, err := openRoom(ctx, o.room, name)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	lr := &liveRoom{roomReporter: roomReporter{q: q, errOut: g.io.errOut}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(lr.done)
		q.Run(sctx)
	}()
	return lr, nil
}

// stop ends the sending, after giving what is queued a moment to go; what
// is left is sent next time.
func (lr *liveRoom) stop() {
	lr.cancel()
	<-lr.done
	if lr.q.Queued() == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lr.q.Flush(ctx)
}
