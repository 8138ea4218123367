package grade

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
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/lessons"
)

// Request is one dockstep check: a lesson's steps (all, or one) judged
// against the engine and a folder, within a time limit.
type Request struct {
	Lesson *lessons.Lesson
	// Step is the one step to check (1-based); 0 checks them all.
	Step int
	// Vars are the lesson's variables' values.
	Vars map[string]string
	// Dir is the folder file and Dockerfile checks look in (see Folder).
	Dir      string
	Timeout  time.Duration
	Registry *checks.Registry
	// Connect reaches the engine; it is called only when a check needs it,
	// its error is returned as it is, and what it gives is closed at the
	// end of the run.
	Connect func(context.Context) (Engine, engine.Endpoint, error)
	// Memo keeps, between runs, the containers that passed last time, so
	// that they are asked about first; nil keeps nothing.
	Memo Memo
	// Waiting, when not nil, hears what a slow check waits for.
	Waiting io.Writer
}

// Engine is what dockstep check needs of the engine.
type Engine interface {
	checks.Docker
	Close() error
}

// The engine's client is one, as engine.Factory gives it.
var _ Engine = (*engine.Client)(nil)

// Memo is where the checks' memo is kept between runs.
type Memo interface {
	LoadMemo() map[string][]string
	SaveMemo(map[string][]string) error
}

// UsageError is a request that cannot be checked as given: a step that is
// not there, a variable's value that makes a check invalid, a bad timeout.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitStatus is how dockstep ends on e: status 2, as on every usage error.
func (e *UsageError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

// TimeoutError is a check that did not finish within the request's time.
type TimeoutError struct {
	Timeout time.Duration
	// What names the checks it waited for.
	What string
}

// ExitStatus is how dockstep ends on e: status 1, as on a failing check,
// after the command's name.
func (e *TimeoutError) ExitStatus(cmd string) (int, string) { return 1, cmd + ": " + e.Error() }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("gave up after %s waiting for %s; give it longer with --timeout", e.Timeout, e.What)
}

// Run checks the request's steps. Its errors are a *UsageError, a
// *TimeoutError, Connect's, or, when the engine stopped answering during
// the check, an *engine.UnreachableError naming it.
func Run(ctx context.Context, r Request) (*Report, error) {
	l, steps := r.Lesson, r.Lesson.Steps
	if r.Step != 0 {
		if r.Step < 1 || r.Step > len(l.Steps) {
			return nil, &UsageError{fmt.Sprintf("lesson %s has steps 1 to %d; there is no step %d", l.ID, len(l.Steps), r.Step)}
		}
		steps = l.Steps[r.Step-1 : r.Step]
	}
	// Variable values can make a field invalid (an image name with spaces):
	// found before asking the engine anything.
	if probs := CompileProblems(r.Registry, steps, r.Vars); len(probs) > 0 {
		return nil, &UsageError{strings.Join(probs, "\n") + "\ncheck the values given with --var"}
	}
	if r.Timeout <= 0 {
		return nil, &UsageError{fmt.Sprintf("--timeout must be more than 0, not %s", r.Timeout)}
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	// A check that retries (http) stops a little before the deadline, so
	// that its own diagnosis is what the learner reads.
	env := &checks.Env{Dir: r.Dir, MaxWait: r.Timeout * 9 / 10}
	// Steps with only file, dockerfile, command or http checks never
	// connect to the engine.
	var ep engine.Endpoint
	if NeedsEngine(r.Registry, steps, r.Vars) {
		d, e, err := r.Connect(ctx)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		env.Docker, ep = d, e
	}
	var memo map[string][]string
	if r.Memo != nil && env.Docker != nil {
		memo = r.Memo.LoadMemo()
		env.SetMemo(memo)
	}
	var waiting *Notice
	if r.Waiting != nil {
		waiting = &Notice{Out: r.Waiting, Deadline: time.Now().Add(r.Timeout)}
	}
	rep, err := Steps(ctx, r.Registry, l, steps, r.Vars, env, waiting)
	if waiting != nil {
		waiting.Stop()
	}
	if r.Memo != nil && env.Docker != nil && err == nil {
		if now := env.Memo(); !maps.EqualFunc(now, memo, slices.Equal) {
			r.Memo.SaveMemo(now)
		}
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		te := &TimeoutError{Timeout: r.Timeout}
		if waiting != nil {
			te.What = waiting.What()
		}
		return nil, te
	case err != nil && env.Docker != nil:
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return nil, engine.Unreachable(ep, err)
	case err != nil:
		return nil, err
	}
	return rep, nil
}

// Folder is the folder a check looks in: dir when given, else saved (the
// folder dockstep start put the lesson's files in) when it is still there,
// else the current directory; made absolute, and it must be a folder.
func Folder(dir, saved string) (string, error) {
	if dir == "" {
		dir = "."
		if st, err := os.Stat(saved); saved != "" && err == nil && st.IsDir() {
			dir = saved
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", &UsageError{fmt.Sprintf("--dir: %v", err)}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", &UsageError{fmt.Sprintf("--dir %s is not a folder", dir)}
	}
	return dir, nil
}
