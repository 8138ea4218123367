package runner

// "Run it for me": dockstep carries out the step's solution for the
// learner, in a goroutine of its own that reports to the loop as events
// (evRunOutput, evRunAttach, evRunDetach, evRunDone); the loop keeps what
// it hears in runState, and draw shows it.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dockstep/dockstep/internal/replay"
	"github.com/dockstep/dockstep/lessons"
)

// runState is "run it for me": dockstep running the step's solution.
type runState struct {
	// confirming is set while the learner is asked whether dockstep may
	// run the solution.
	confirming bool
	// running is set while the solution runs; attached, while its command
	// attachedCmd runs on the learner's terminal, which dockstep must not
	// draw on then, after the screen that says so.
	running, attached bool
	attachedCmd       string
	// seq numbers the runs, so that late output of an old one is ignored.
	seq int
	// out collects what the running solution writes.
	out *runOutput
	// ran is set once dockstep has run the solution in this step; log is
	// the commands it ran and the end of their output, err what went
	// wrong, in plain words.
	ran      bool
	log, err string
}

// runnable are the solution's actions that dockstep can carry out.
func (s *stepRun) runnable() []lessons.Action {
	var out []lessons.Action
	for _, a := range s.step.Solution {
		if !a.Manual {
			out = append(out, a)
		}
	}
	return out
}

// startRun runs the solution's actions for the learner in a goroutine of
// its own, which reports its output and its end as events. An interactive
// command on the learner's terminal first asks the loop to let go of the
// terminal (evRunAttach), and gives it back when it ends (evRunDetach).
func (s *stepRun) startRun(ctx context.Context) {
	s.report(RunForMe, s.step, nil)
	s.run.running, s.run.ran, s.watch.quiet = true, false, false
	s.run.log, s.run.err, s.note = "", "", ""
	s.run.seq++
	seq := s.run.seq
	s.run.out = &runOutput{tail: tailWriter{max: 40}, notify: func() {
		<-s.r.clock().After(runOutputEvery)
		s.send(event{kind: evRunOutput, seq: seq})
	}}
	s.rep.Out = s.run.out
	acts, rep, vars := s.runnable(), s.rep, s.vars
	go func() {
		var err error
		for _, a := range acts {
			cmd := summary(a, vars)
			fmt.Fprintln(s.run.out, replay.Prompted(cmd))
			attach := a.Interactive && rep.Terminal != nil
			if attach {
				reply := make(chan struct{})
				s.ch <- event{kind: evRunAttach, text: cmd, reply: reply}
				<-reply
			}
			if err = rep.Do(ctx, a); err != nil {
				break
			}
			switch {
			case a.Kind == lessons.Background:
				fmt.Fprintln(s.run.out, "(it keeps running in the background until you leave the lesson; a later step may stop it)")
			case attach:
				fmt.Fprintln(s.run.out, "(you used it in this terminal)")
			}
			if attach {
				s.ch <- event{kind: evRunDetach}
			}
		}
		s.ch <- event{kind: evRunDone, err: err}
	}()
}

// runOutputEvery is how often the screen shows the running solution's new
// output.
const runOutputEvery = 100 * time.Millisecond

// runDone records the end of a run, then checks the step.
func (s *stepRun) runDone(ctx context.Context, err error) {
	s.run.running, s.run.attached, s.run.ran = false, false, true
	s.rep.Out = nil
	s.run.log = s.run.out.take()
	s.dirty = true
	var ae *replay.ActionError
	switch {
	case ctx.Err() != nil:
		if s.outcome == stepPending {
			s.outcome, s.err = stepQuit, ErrInterrupted
		}
		return
	case errors.As(err, &ae):
		s.run.err = ae.Plain()
	case err != nil:
		s.run.err = err.Error()
	}
	if len(s.step.Checks) > 0 && s.outcome == stepPending {
		s.watch.eventAt = time.Time{}
		s.check(ctx)
	}
}

// runOutput is what the running solution writes: the end of it is kept for
// the screen, and the loop is told, at most every runOutputEvery, that there
// is more.
type runOutput struct {
	mu      sync.Mutex
	tail    tailWriter
	pending bool
	notify  func()
}

func (o *runOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tail.Write(p)
	if !o.pending {
		o.pending = true
		go o.notify()
	}
	return len(p), nil
}

// take returns the output so far and lets the next write notify again.
func (o *runOutput) take() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending = false
	return o.tail.String()
}

func summary(a lessons.Action, vars map[string]string) string {
	switch a.Kind {
	case lessons.WriteFile:
		return "write " + a.Path
	case lessons.AppendFile:
		return "append to " + a.Path
	case lessons.Background:
		return lessons.Expand(a.Text, vars) + " &"
	}
	return lessons.Expand(a.Text, vars)
}

// tailWriter keeps the last max lines written to it.
type tailWriter struct {
	max   int
	lines []string
	part  string
}

func (t *tailWriter) Write(p []byte) (int, error) {
	text := t.part + string(p)
	parts := strings.Split(text, "\n")
	t.part = parts[len(parts)-1]
	t.lines = append(t.lines, parts[:len(parts)-1]...)
	if over := len(t.lines) - t.max; over > 0 {
		t.lines = t.lines[over:]
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	s := strings.Join(t.lines, "\n")
	if t.part != "" {
		if s != "" {
			s += "\n"
		}
		s += t.part
	}
	return s
}
