package classroom

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// Seat is a learner's seat in a room, as dockstep start --room and dockstep
// check --room see it: the runner's Reporter, turning its activities into
// the room's events (with the learner's folders taken out of diagnoses) on
// the learner's queue.
type Seat struct {
	q      *Reporter
	errOut io.Writer
	warn   sync.Once
	home   string

	cancel context.CancelFunc
	done   chan struct{}
}

// OpenSeat opens the queue of learner name for the room at joinURL,
// kept under stateDir. Warnings (a queue that cannot be written) go to
// errOut, once.
func OpenSeat(stateDir, joinURL, name string, errOut io.Writer) (*Seat, error) {
	q, err := NewReporter(stateDir, joinURL, name)
	if err != nil {
		return nil, err
	}
	home, _ := os.UserHomeDir()
	return &Seat{q: q, errOut: errOut, home: home}, nil
}

// Report queues the room's event for a runner activity.
func (l *Seat) Report(a runner.Activity) {
	if err := l.q.Add(l.event(a)); err != nil {
		l.warn.Do(func() { fmt.Fprintf(l.errOut, "warning: the room will miss some of your progress: %v\n", err) })
	}
}

// Status is a line about the room, for the runner's screen.
func (l *Seat) Status() string { return l.q.Status() }

// Notes are the instructor's notes that arrived since the last call.
func (l *Seat) Notes() []string { return l.q.Notes() }

// event is the room's event for a runner activity.
func (l *Seat) event(a runner.Activity) Event {
	e := Event{
		Kind: Kind(a.Kind), At: time.Now(),
		Lesson: Truncate(a.Lesson, 200), LessonTitle: Truncate(a.LessonTitle, 200),
		Done: a.Done, Skipped: a.Skipped,
		Step: a.Step, StepTitle: Truncate(a.StepTitle, 200),
	}
	for _, s := range a.Steps {
		e.Steps = append(e.Steps, Truncate(s, 200))
	}
	for _, f := range a.Failed {
		e.Failed = append(e.Failed, Failure{
			Kind:      Truncate(f.Kind, 200),
			Diagnosis: FirstLine(Redact(f.Diagnosis, a.Dir, l.home)),
		})
	}
	return e
}

// Start sends the queue in the background until Stop.
func (l *Seat) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go func() {
		defer close(l.done)
		l.q.Run(ctx)
	}()
}

// Stop ends the sending Start began, after giving what is queued a moment
// to go; what is left is sent next time.
func (l *Seat) Stop() {
	if l.cancel != nil {
		l.cancel()
		<-l.done
	}
	if l.q.Queued() == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l.q.Flush(ctx)
}

// ReportCheck reports a dockstep check's report on lesson les to the room:
// the steps that pass, and the first that fails with why. onlyStep is the
// step --step named (0: the whole lesson); vars and dir are the lesson's
// variables and folder. Events the room did not take in a few seconds stay
// queued, and errOut says so.
func (l *Seat) ReportCheck(ctx context.Context, les *lessons.Lesson, onlyStep int, rep *grade.Report, vars map[string]string, dir string) {
	base := runner.Activity{Lesson: les.ID, LessonTitle: les.Title, Dir: dir}
	act := func(kind runner.ActivityKind, s grade.Step, failed []runner.FailedCheck) {
		a := base
		a.Kind, a.Step, a.StepTitle, a.Failed = kind, s.Step, s.Title, failed
		l.Report(a)
	}
	if onlyStep == 0 {
		a := base
		a.Kind = runner.LessonStarted
		for _, s := range les.Steps {
			a.Steps = append(a.Steps, lessons.Expand(s.Title, vars))
		}
		for _, s := range rep.Steps {
			if s.Passed {
				a.Done = append(a.Done, s.Step)
			}
		}
		l.Report(a)
	}
	for _, s := range rep.Steps {
		if s.Passed {
			if onlyStep != 0 {
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
	if rep.Passed && onlyStep == 0 {
		l.Report(runner.Activity{Kind: runner.LessonFinished, Lesson: les.ID, LessonTitle: les.Title})
	}
	fctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := l.q.Flush(fctx); err != nil || l.q.Queued() > 0 {
		fmt.Fprintf(l.errOut, "%s; the rest is sent the next time you report to this room\n", l.q.Status())
	}
}
