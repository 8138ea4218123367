package demo

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dockstep/dockstep/internal/workshop"
	"github.com/dockstep/dockstep/internal/workspace"
	"github.com/dockstep/dockstep/lessons"
)

// HumanSpeed is the default typing pace, in characters a second.
const HumanSpeed = 20

// ParseSpeed reads a typing speed: characters a second, or instant (0).
func ParseSpeed(s string) (float64, error) {
	if s == "instant" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("--speed %q: give characters a second, such as %d, or instant", s, HumanSpeed)
	}
	return v, nil
}

// PauseFor is how long --auto pauses before each command at a speed, so
// that the audience can follow: shorter when typing is instant.
func PauseFor(speed float64) time.Duration {
	if speed == 0 {
		return 150 * time.Millisecond
	}
	return 800 * time.Millisecond
}

// StepIndex finds the step from names, by number or title ("" is the
// first), as an index into l.Steps.
func StepIndex(l *lessons.Lesson, from string) (int, error) {
	if from == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(from); err == nil {
		if n < 1 || n > len(l.Steps) {
			return 0, fmt.Errorf("--from %d: %s has steps 1 to %d", n, l.ID, len(l.Steps))
		}
		return n - 1, nil
	}
	var titles []string
	for i, s := range l.Steps {
		if strings.EqualFold(s.Title, from) {
			return i, nil
		}
		titles = append(titles, fmt.Sprintf("%d %q", s.Index, s.Title))
	}
	return 0, fmt.Errorf("--from %q: %s has no step of that title; its steps are %s", from, l.ID, strings.Join(titles, ", "))
}

// Vars gives the lesson's variables the values given, else their
// defaults, else sample values, as dockstep test does: a demo asks no
// questions.
func Vars(l *lessons.Lesson, given map[string]string) (map[string]string, error) {
	sample := l.SampleVars()
	return l.Resolve(lessons.Values{Given: given, Ask: func(v lessons.Var) (string, error) {
		if err := v.Check(sample[v.Name]); err != nil {
			return "", fmt.Errorf("variable %s=%q: %w; set another value with --var %s=...", v.Name, sample[v.Name], err, v.Name)
		}
		return sample[v.Name], nil
	}})
}

// Workspace makes the demo shell's folder, named for the lesson in a
// scratch folder, with the lesson's workspace copied in. remove deletes
// the scratch folder.
func Workspace(l *lessons.Lesson) (dir string, remove func(), err error) {
	root, err := os.MkdirTemp("", "dockstep-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("making the demo's folder: %w", err)
	}
	remove = func() { os.RemoveAll(root) }
	dir = filepath.Join(root, l.ID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		remove()
		return "", nil, fmt.Errorf("making the demo's folder: %w", err)
	}
	if _, _, err := workspace.Copy(l, dir, nil); err != nil {
		remove()
		return "", nil, err
	}
	return dir, remove, nil
}

// FailedStep says which step's checks did not hold with --auto, and why;
// "" when none failed.
func (o Outcome) FailedStep() string {
	s := o.Failed
	if s == nil {
		return ""
	}
	why := "  " + strings.ReplaceAll(o.Why, "\n", "\n  ")
	return fmt.Sprintf("step %d %q (%s:%d): its checks did not hold:\n%s", s.Index, s.Title, s.Pos.File, s.Pos.Line, why)
}

// Summary is the line printed at the end of the demo of l.
func (o Outcome) Summary(l *lessons.Lesson) string {
	checked := 0
	for _, s := range l.Steps {
		if len(s.Checks) > 0 {
			checked++
		}
	}
	if o.Quit {
		return fmt.Sprintf("%s: quit; %d of %d steps' checks held", l.ID, o.Held, checked)
	}
	return fmt.Sprintf("%s: %d of %d steps checked and held", l.ID, o.Held, checked)
}

// Preflight checks, before the first step, that a lesson can be presented
// here, as dockstep doctor LESSON does: the engine answers, the images are
// here, the ports are free. With problems, --auto stops; a presenter may
// fetch the images or go on anyway.
type Preflight struct {
	Lesson string
	// Check fills in the doctor's checklist for the lesson.
	Check func(*workshop.Report)
	// Fetch pulls the lesson's images, as dockstep prefetch LESSON does.
	Fetch func() error
	// Auto: nobody to ask.
	Auto bool
	// In gives the presenter's answers; ErrOut shows the checklist.
	In     io.Reader
	ErrOut io.Writer
	Color  bool
}

// NotReadyError is a lesson the presenter chose not to present here, or
// could not: NoEngine when the engine cannot be used.
type NotReadyError struct {
	NoEngine bool
	Msg      string
}

func (e *NotReadyError) Error() string { return e.Msg }

// ExitStatus is how dockstep demo ends on e: status 3 when the engine
// cannot be used, else 1, after the command's name.
func (e *NotReadyError) ExitStatus(cmd string) (int, string) {
	if e.NoEngine {
		return 3, cmd + ": " + e.Error()
	}
	return 1, cmd + ": " + e.Error()
}

// Run checks, asks when there are problems, and returns nil when the demo
// may begin; else a *NotReadyError or Fetch's error.
func (p *Preflight) Run() error {
	check := func() (*workshop.Report, int, bool, bool) {
		rep := &workshop.Report{Lessons: []string{p.Lesson}}
		p.Check(rep)
		fails, noEngine := rep.Finish()
		images := false
		for _, it := range rep.Checks {
			images = images || it.Status == workshop.StatusFail && strings.HasPrefix(it.Check, "image ")
		}
		return rep, fails, noEngine, images
	}
	rep, fails, noEngine, images := check()
	if fails == 0 {
		return nil
	}
	rep.Print(p.ErrOut, p.Color)
	fix := "fix the lines marked " + workshop.FailMark(p.Color)
	if images {
		fix += " (dockstep prefetch " + p.Lesson + " fetches the images)"
	}
	if noEngine {
		return &NotReadyError{NoEngine: true, Msg: "the Docker engine cannot be used: " + fix}
	}
	if p.Auto {
		return &NotReadyError{Msg: fmt.Sprintf("%s is not ready to present here: %s, then run the demo again", p.Lesson, fix)}
	}
	in := bufio.NewReader(p.In)
	ask := func(q string) bool {
		fmt.Fprintf(p.ErrOut, "%s [y/N] ", q)
		line, _ := in.ReadString('\n')
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y")
	}
	if images && ask("Fetch the missing images now, with dockstep prefetch "+p.Lesson+"?") {
		if err := p.Fetch(); err != nil {
			return err
		}
		if _, fails, _, _ = check(); fails == 0 {
			return nil
		}
	}
	if !ask("Present " + p.Lesson + " anyway?") {
		return &NotReadyError{Msg: fix + ", then run the demo again"}
	}
	return nil
}
