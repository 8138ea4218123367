// Command dockstep is an interactive tutorial runner for Docker: it shows a
// lesson one step at a time and checks the learner's work against the real
// Docker engine.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/dockstep/dockstep/internal/classroom"
	"github.com/dockstep/dockstep/internal/demo"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/iostreams"
	"github.com/dockstep/dockstep/internal/prover"
	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/lessons"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], iostreams.System()))
}

// run executes dockstep with the given arguments and returns the exit code.
func run(args []string, io *iostreams.Streams) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	name := "dockstep"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	ee := exitFor(name, err)
	if ee.msg != "" {
		fmt.Fprintln(io.ErrOut, ee.msg)
	}
	return ee.code
}

// exitError ends dockstep with a given exit code, after printing msg (when
// not empty) to standard error.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// exitFor is the one place where what ended a command becomes dockstep's
// exit status and message: an *exitError as it is, and the subsystems'
// typed errors by their kind; cmd (such as "dockstep demo") names the
// command when what failed was not what the user typed. Anything else is
// status 2.
func exitFor(cmd string, err error) *exitError {
	var (
		ee          *exitError
		unreachable *engine.UnreachableError
		notFound    *lessons.NotFoundError
		lessonUsage *lessons.UsageError
		demoUsage   *demo.UsageError
		gradeUsage  *grade.UsageError
		roomUsage   *classroom.UsageError
		notReady    *demo.NotReadyError
		stopped     *demo.StoppedError
		reset       *demo.ResetError
		timeout     *grade.TimeoutError
		fetch       *workshop.FetchError
		proving     *prover.FailedError
	)
	switch {
	case errors.As(err, &ee):
		return ee
	case errors.As(err, &unreachable):
		return &exitError{code: 3, msg: unreachable.Error()}
	case errors.As(err, &notFound), errors.As(err, &lessonUsage), errors.As(err, &demoUsage), errors.As(err, &gradeUsage), errors.As(err, &roomUsage):
		return &exitError{code: 2, msg: err.Error()}
	case errors.As(err, &notReady) && notReady.NoEngine:
		return &exitError{code: 3, msg: cmd + ": " + err.Error()}
	case errors.As(err, &reset):
		return &exitError{code: 1, msg: cmd + " --reset: " + err.Error()}
	case notReady != nil, errors.As(err, &stopped), errors.As(err, &timeout), errors.As(err, &fetch):
		return &exitError{code: 1, msg: cmd + ": " + err.Error()}
	case errors.As(err, &proving):
		code := 1
		switch {
		case proving.Interrupted:
			code = 130
		case proving.EngineLost:
			code = 3
		}
		return &exitError{code: code, msg: err.Error()}
	case errors.Is(err, demo.ErrInterrupted):
		return &exitError{code: 130, msg: cmd + ": interrupted"}
	}
	return &exitError{code: 2, msg: "dockstep: " + err.Error()}
}
