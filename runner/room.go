package runner

import (
	"strings"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// Reporter hears what the learner does, for an instructor's live room
// (dockstep join, start --room). The runner calls it as things happen; it
// must return at once and never fail the runner.
type Reporter interface {
	Report(Activity)
	// Status is a line about the room, such as "room: NAME, connected".
	Status() string
	// Notes returns the instructor's notes that arrived since the last call.
	Notes() []string
}

// ActivityKind says what the learner did or met.
type ActivityKind string

// What the runner reports.
const (
	LessonStarted  ActivityKind = "lesson_started"
	StepStarted    ActivityKind = "step_started"
	CheckFailed    ActivityKind = "check_failed"
	HintShown      ActivityKind = "hint_shown"
	SolutionShown  ActivityKind = "solution_shown"
	RunForMe       ActivityKind = "run_for_me"
	QuizRight      ActivityKind = "quiz_right"
	QuizWrong      ActivityKind = "quiz_wrong"
	StepPassed     ActivityKind = "step_passed"
	StepSkipped    ActivityKind = "step_skipped"
	LessonFinished ActivityKind = "lesson_finished"
)

// Activity is one thing to report: the lesson and step, and for a failed
// check which kinds failed and the first line of each diagnosis. It never
// holds commands, file contents or the learner's answers.
type Activity struct {
	Kind        ActivityKind
	Lesson      string
	LessonTitle string
	// Steps, Done and Skipped are the lesson's step titles and the numbers
	// (1-based) of the steps already done or skipped, with LessonStarted.
	Steps         []string
	Done, Skipped []int
	Step          int
	StepTitle     string
	Failed        []FailedCheck
	// Dir is the lesson's working directory, for the reporter to keep out
	// of diagnoses.
	Dir string
}

// FailedCheck is a check that failed and the first line of why.
type FailedCheck struct{ Kind, Diagnosis string }

// report tells the reporter, if there is one, about the lesson.
func (lr *lessonRun) report(kind ActivityKind, step *lessons.Step, failed []FailedCheck) {
	if lr.r.Reporter == nil {
		return
	}
	a := Activity{Kind: kind, Lesson: lr.l.ID, LessonTitle: lr.l.Title, Failed: failed, Dir: lr.dir}
	if step != nil {
		a.Step, a.StepTitle = step.Index, lessons.Expand(step.Title, lr.vars)
	}
	if kind == LessonStarted {
		for _, s := range lr.l.Steps {
			a.Steps = append(a.Steps, lessons.Expand(s.Title, lr.vars))
			if _, done := lr.lp.Done[s.Title]; done {
				a.Done = append(a.Done, s.Index)
			} else if lr.lp.Skipped[s.Title] {
				a.Skipped = append(a.Skipped, s.Index)
			}
		}
	}
	lr.r.Reporter.Report(a)
}

// reportVerdict reports a failing verdict the learner is shown.
func (s *stepRun) reportVerdict(v verdict, results []checks.Result) {
	if v != verdictFailing {
		return
	}
	var failed []FailedCheck
	for _, r := range results {
		if !r.Passed {
			failed = append(failed, FailedCheck{Kind: r.Kind, Diagnosis: diagnosisLine(r.Message)})
		}
	}
	s.report(CheckFailed, s.step, failed)
}

// diagnosisLine is a check's message in one line, for the room: its first
// line, and when that only leads into what follows (a command check's
// "... exited with status 1:" above the command's output), the first line
// of what follows too, which says why.
func diagnosisLine(msg string) string {
	first, rest, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	first = strings.TrimSpace(first)
	if !strings.HasSuffix(first, ":") {
		return first
	}
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return first + " " + l
		}
	}
	return strings.TrimSuffix(first, ":")
}

// roomLines are the instructor's notes and the room's status, drawn under
// the step when the learner is in a room.
func (lr *lessonRun) roomLines() string {
	if lr.r.Reporter == nil {
		return ""
	}
	if n := lr.r.Reporter.Notes(); len(n) > 0 {
		lr.screen.notes = append(lr.screen.notes, n...)
		if len(lr.screen.notes) > 3 {
			lr.screen.notes = lr.screen.notes[len(lr.screen.notes)-3:]
		}
	}
	var b strings.Builder
	for _, n := range lr.screen.notes {
		b.WriteString("📣 From the instructor: " + n + "\n")
	}
	if st := lr.r.Reporter.Status(); st != "" {
		b.WriteString("· " + st + "\n")
	}
	return b.String()
}
