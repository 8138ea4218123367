// Package grade checks a lesson's steps against the present state of the
// engine and the working folder, without a learner: the report dockstep
// check prints, as text or JSON, for graders, CI and the curious.
package grade

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// Report is what dockstep check prints; its JSON is the --json output.
type Report struct {
	Lesson string `json:"lesson"`
	Passed bool   `json:"passed"`
	Steps  []Step `json:"steps"`
}

// Step is one step's outcome.
type Step struct {
	Step   int     `json:"step"`
	Title  string  `json:"title"`
	Passed bool    `json:"passed"`
	Checks []Check `json:"checks"`
}

// Check is one check's outcome.
type Check struct {
	Kind    string `json:"kind"`
	Passed  bool   `json:"passed"`
	Message string `json:"message"`
}

// Steps checks each step in turn, telling notice (when not nil) which. It returns an error only when the
// engine could not be asked.
func Steps(ctx context.Context, reg *checks.Registry, l *lessons.Lesson, steps []*lessons.Step, vars map[string]string, env *checks.Env, notice *Notice) (*Report, error) {
	rep := &Report{Lesson: l.ID, Passed: true, Steps: []Step{}}
	for _, s := range steps {
		if notice != nil {
			notice.step(s)
		}
		// Nobody answers the quiz here: a quiz read from the engine
		// holds when its answer can be read (its answer is not shown, so
		// that dockstep check spoils no quiz).
		v := checks.JudgeStep(ctx, reg, s, vars, env, checks.QuizUnasked)
		if v.Outcome == checks.Unknown {
			return nil, v.EngineErr
		}
		sr := Step{Step: s.Index, Title: s.Title, Passed: v.Outcome == checks.Passed, Checks: []Check{}}
		for _, r := range v.Results {
			msg := r.Message
			if r.Err != nil && msg == "" {
				msg = r.Err.Error()
			}
			sr.Checks = append(sr.Checks, Check{Kind: r.Kind, Passed: r.Passed, Message: msg})
		}
		if q := s.Quiz; q != nil && q.AnswerFrom != nil && (v.Outcome == checks.Passed || v.QuizErr != nil) {
			// The quiz was judged: a row of its own.
			c := Check{Kind: "quiz", Passed: v.QuizErr == nil, Message: "its answer can be read from the engine"}
			if v.QuizErr != nil {
				c.Message = v.QuizErr.Error()
			}
			sr.Checks = append(sr.Checks, c)
		}
		if !sr.Passed {
			rep.Passed = false
		}
		rep.Steps = append(rep.Steps, sr)
	}
	return rep, nil
}

// NeedsEngine reports whether any check of the steps asks the engine, so
// that steps with only file, dockerfile, command or http checks never
// connect to it.
func NeedsEngine(reg *checks.Registry, steps []*lessons.Step, vars map[string]string) bool {
	for _, s := range steps {
		for _, c := range s.Checks {
			if n, err := reg.Needs(c, vars); err != nil || n.Engine {
				return true
			}
		}
	}
	return false
}

// CompileProblems lists, as file:line: message (the lesson and step for the
// course built into dockstep: lessons.Pos.Where), the checks of the steps
// that do not compile with the variables' values (an image name with
// spaces): a usage error, found before asking the engine anything.
func CompileProblems(reg *checks.Registry, steps []*lessons.Step, vars map[string]string) []string {
	var probs []string
	for _, s := range steps {
		for _, c := range s.Checks {
			if _, err := reg.Compile(c, vars); err != nil {
				for _, e := range flattenErr(err) {
					at := c.Pos
					var le *lessons.LineError
					if errors.As(e, &le) && le.Line > 0 {
						at.Line = le.Line
					}
					probs = append(probs, fmt.Sprintf("%s: %v", at.Where(), e))
				}
			}
		}
	}
	return probs
}

// flattenErr lists the errors joined in err.
func flattenErr(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenErr(e)...)
		}
		return out
	}
	return []error{err}
}

const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	reset = "\x1b[0m"
)

// WriteText writes the report as a line per step, with the reason under
// each failing check.
func (rep *Report) WriteText(w io.Writer, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + reset
	}
	passed := 0
	for _, s := range rep.Steps {
		mark := paint(red, "FAIL")
		if s.Passed {
			mark = paint(green, "PASS")
			passed++
		}
		note := ""
		if len(s.Checks) == 0 {
			note = " (nothing to check)"
		}
		fmt.Fprintf(w, "%s  step %d: %s%s\n", mark, s.Step, s.Title, note)
		for _, c := range s.Checks {
			if c.Passed {
				continue
			}
			msg := strings.ReplaceAll(c.Message, "\n", "\n      ")
			fmt.Fprintf(w, "      %s: %s\n", c.Kind, msg)
		}
	}
	fmt.Fprintf(w, "%s: %d of %d step%s pass\n", rep.Lesson, passed, len(rep.Steps), plural(len(rep.Steps)))
}

// Notice says on standard error what dockstep check waits for, when a
// step's checks take more than a moment: a web page that does not answer,
// an engine that is slow.
type Notice struct {
	Out      io.Writer
	Deadline time.Time
	mu       sync.Mutex
	current  string
	timer    *time.Timer
	stopped  bool
}

// step starts the wait for a step's checks.
func (w *Notice) step(s *lessons.Step) {
	var kinds []string
	for _, c := range s.Checks {
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.current = fmt.Sprintf("the %s check%s of step %d", strings.Join(kinds, " and "), plural(len(s.Checks)), s.Index)
	if w.timer != nil {
		w.timer.Stop()
	}
	what := w.current
	w.timer = time.AfterFunc(time.Second, func() {
		// Under the lock, and not after Stop: the caller writes to the
		// same stream once the check is over.
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.stopped || w.current != what {
			return
		}
		fmt.Fprintf(w.Out, "dockstep check: waiting for %s (at most %s more)\n", what, time.Until(w.Deadline).Round(time.Second))
	})
}

// What names the checks waited for last.
func (w *Notice) What() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.current
}

// Stop ends the wait: nothing is written after it returns.
func (w *Notice) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	if w.timer != nil {
		w.timer.Stop()
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
