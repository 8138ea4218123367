// Command dockstep is an interactive tutorial runner for Docker: it shows a
// lesson one step at a time and checks the learner's work against the real
// Docker engine.
package main

import (
	"errors"
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], newStreams()))
}

// run executes dockstep with the given arguments and returns the exit code.
func run(args []string, io *streams) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(io.errOut, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(io.errOut, "dockstep: %v\n", err)
	return 2
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
