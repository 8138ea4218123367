package classroom

import (
	"context"
	"fmt"
	"io"

	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// Join opens learner name's seat in the room at joinURL, its queue kept in
// dockstep's state folder (progress.StateDir). Start sends it.
func Join(joinURL, name string, errOut io.Writer) (*Seat, error) {
	dir, err := progress.StateDir()
	if err != nil {
		return nil, err
	}
	seat, err := OpenSeat(dir, joinURL, name, errOut)
	if err != nil {
		return nil, fmt.Errorf("joining the room: %w", err)
	}
	return seat, nil
}

// Joiner is how the runner joins the room at joinURL (runner.Session's
// Join): the learner's seat, already sending.
func Joiner(joinURL string, errOut io.Writer) func(ctx context.Context, name string) (runner.Seat, error) {
	return func(ctx context.Context, name string) (runner.Seat, error) {
		seat, err := Join(joinURL, name, errOut)
		if err != nil {
			return nil, err
		}
		seat.Start()
		return seat, nil
	}
}

// UsageError is a join address or a learner's name, as a command's flags
// give them, that the room cannot take.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitStatus is how dockstep ends on e: status 2, as on every usage error.
func (e *UsageError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

// CheckFlags checks, before a command does anything else, the room's join
// address (urlFlag names its flag: "" for dockstep join's argument) and
// the learner's name, which needName requires (dockstep check cannot ask
// it). What does not fit is a *UsageError. Without a join address there
// is no room, and nothing to check.
func CheckFlags(joinURL, urlFlag, name string, needName bool) error {
	if joinURL == "" {
		return nil
	}
	if needName && name == "" {
		return &UsageError{"--room needs --name: the name the room shows you by"}
	}
	if name != "" {
		if err := CheckName(name); err != nil {
			return &UsageError{fmt.Sprintf("--name: %v", err)}
		}
	}
	if _, _, err := ParseJoinURL(joinURL); err != nil {
		if urlFlag != "" {
			return &UsageError{fmt.Sprintf("%s: %v", urlFlag, err)}
		}
		return &UsageError{err.Error()}
	}
	return nil
}

// SendCheck reports dockstep check's report to the room at joinURL, as
// learner name (Seat.ReportCheck). It never fails the check: what goes
// wrong is said on errOut. Without a join address nothing is sent.
func SendCheck(ctx context.Context, joinURL, name string, errOut io.Writer, les *lessons.Lesson, onlyStep int, rep *grade.Report, vars map[string]string, dir string) {
	if joinURL == "" {
		return
	}
	seat, err := Join(joinURL, name, errOut)
	if err != nil {
		fmt.Fprintf(errOut, "room: not reported: %v\n", err)
		return
	}
	seat.ReportCheck(ctx, les, onlyStep, rep, vars, dir)
}
