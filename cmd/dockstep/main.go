// Command dockstep is an interactive tutorial runner for Docker: it shows a
// lesson one step at a time and checks the learner's work against the real
// Docker engine.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/dockstep/dockstep/internal/iostreams"
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
	var ue *usageError
	if errors.As(err, &ue) && ee.msg != "" && jsonAsked(args) {
		// The command never ran to say it as JSON itself.
		if jerr := io.WriteJSON(map[string]string{"error": ee.msg}); jerr != nil {
			fmt.Fprintln(io.ErrOut, jerr)
		}
	}
	if ee.msg != "" {
		fmt.Fprintln(io.ErrOut, ee.msg)
	}
	return ee.code
}

// usageError is a command's arguments or flags that could not be read,
// before it ran: with --json among the arguments, it is printed as JSON
// too, as {"error": ...}.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// jsonAsked says whether args ask for --json, wherever it is among them
// (flags after one that could not be read are never parsed).
func jsonAsked(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true", "--json=1":
			return true
		}
	}
	return false
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

// statusError is a typed error of the package that owns what failed,
// which says how dockstep ends on it: the exit status and the message,
// after the name of the command cmd ("dockstep demo") when it needs it.
type statusError interface {
	error
	ExitStatus(cmd string) (code int, msg string)
}

// exitFor is the one place where what ended a command becomes dockstep's
// exit status and message: an *exitError as it is, a statusError as its
// owner says, anything else status 2.
func exitFor(cmd string, err error) *exitError {
	var ee *exitError
	var se statusError
	switch {
	case errors.As(err, &ee):
		return ee
	case errors.As(err, &se):
		code, msg := se.ExitStatus(cmd)
		return &exitError{code: code, msg: msg}
	}
	return &exitError{code: 2, msg: "dockstep: " + err.Error()}
}
