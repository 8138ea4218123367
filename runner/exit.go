package runner

import (
	"errors"
	"fmt"
)

// NoTerminalError is the runner's command (Command, such as "dockstep
// start") run where standard input or output is not a terminal.
type NoTerminalError struct{ Command string }

func (e *NoTerminalError) Error() string {
	return fmt.Sprintf(`%s needs a terminal: it shows the lesson and asks you what to do next,
but standard input or standard output is not a terminal here.
To check a lesson's steps without a terminal, run: dockstep check LESSON`, e.Command)
}

// ExitStatus is how dockstep ends on e: status 2, as on a usage error.
func (e *NoTerminalError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

// StoppedError is a session the learner stopped (Ctrl-C, SIGTERM,
// SIGHUP): Err is ErrInterrupted, the progress saved, or ErrNotJoined.
type StoppedError struct{ Err error }

func (e *StoppedError) Error() string { return e.Err.Error() }
func (e *StoppedError) Unwrap() error { return e.Err }

// ExitStatus is how dockstep ends on e: status 130, as after Ctrl-C, saying
// what became of the learner's progress.
func (e *StoppedError) ExitStatus(cmd string) (int, string) {
	if errors.Is(e.Err, ErrNotJoined) {
		return 130, "\nStopped before joining the room."
	}
	return 130, "\nStopped; your progress is saved. Run dockstep again to carry on."
}

// Stopped is err, from Start, as the command ends on it: a *StoppedError
// when the learner stopped the session.
func Stopped(err error) error {
	if errors.Is(err, ErrInterrupted) || errors.Is(err, ErrNotJoined) {
		return &StoppedError{err}
	}
	return err
}
