// Package classroom is dockstep's live room for an instructor: a server on
// the instructor's laptop that learners' runners report to, a dashboard
// that shows the room as it moves, and the learner's side that queues what
// happens and sends it in the background.
//
// The parts:
//   - event.go: what a learner sends, and the decoder that checks it;
//   - store.go: the room's SQLite database (modernc.org/sqlite, no cgo);
//   - room.go: the room as the dashboard shows it, built from the events;
//   - server.go, stream.go: the HTTP API and the Server-Sent Events stream;
//   - web/: the dashboard page, embedded in the binary;
//   - reporter.go: the learner's queue in the state folder and its sender.
//
// What a learner sends is small and fixed: the kind of thing that happened,
// the lesson and step, and for failed checks their kinds and the first line
// of each diagnosis. Never commands, file contents, environment, host names
// or paths; docs/classroom.md lists every field.
package classroom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind says what happened to a learner.
type Kind string

// The kinds of event a learner sends.
const (
	Joined         Kind = "joined"
	LessonStarted  Kind = "lesson_started"
	StepStarted    Kind = "step_started"
	CheckFailed    Kind = "check_failed"
	HintShown      Kind = "hint_shown"
	SolutionShown  Kind = "solution_shown"
	RunForMe       Kind = "run_for_me"
	QuizRight      Kind = "quiz_right"
	QuizWrong      Kind = "quiz_wrong"
	StepPassed     Kind = "step_passed"
	StepSkipped    Kind = "step_skipped"
	LessonFinished Kind = "lesson_finished"
	// Heartbeat says the learner is still there; it is not stored.
	Heartbeat Kind = "heartbeat"
)

var kinds = map[Kind]bool{
	Joined: true, LessonStarted: true, StepStarted: true, CheckFailed: true,
	HintShown: true, SolutionShown: true, RunForMe: true, QuizRight: true,
	QuizWrong: true, StepPassed: true, StepSkipped: true, LessonFinished: true,
	Heartbeat: true,
}

// Event is one thing that happened to a learner, as sent to the room.
type Event struct {
	// ID is chosen by the learner's queue; the room keeps each learner's
	// ids once, so that an event sent twice is stored once.
	ID   string    `json:"id"`
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`
	// Lesson is the lesson's id, LessonTitle its title.
	Lesson      string `json:"lesson,omitempty"`
	LessonTitle string `json:"lesson_title,omitempty"`
	// Steps are the titles of the lesson's steps, and Done and Skipped the
	// (1-based) steps already finished, with lesson_started.
	Steps   []string `json:"steps,omitempty"`
	Done    []int    `json:"done,omitempty"`
	Skipped []int    `json:"skipped,omitempty"`
	// Step is the step's number (1-based) and StepTitle its title.
	Step      int    `json:"step,omitempty"`
	StepTitle string `json:"step_title,omitempty"`
	// Failed are the checks that failed, with check_failed.
	Failed []Failure `json:"failed,omitempty"`
}

// Failure is a check that failed: its kind and the first line of its
// diagnosis.
type Failure struct {
	Kind      string `json:"kind"`
	Diagnosis string `json:"diagnosis"`
}

// Batch is the body of a learner's POST /api/events.
type Batch struct {
	Events []Event `json:"events"`
	// NotesAfter is the id of the last instructor's note the learner has;
	// the answer carries the notes after it.
	NotesAfter int64 `json:"notes_after"`
}

// Limits of what one request may carry.
const (
	MaxBody        = 64 << 10
	MaxBatch       = 200
	maxID          = 64
	maxText        = 200
	maxDiagnosis   = 300
	maxSteps       = 200
	maxFailures    = 20
	maxName        = 40
	maxNote        = 500
	maxClockSkewed = 24 * time.Hour
)

// ErrTooLarge is the error of a body over MaxBody.
var ErrTooLarge = fmt.Errorf("the body is over %d bytes", MaxBody)

// DecodeBatch reads and checks a batch of events. The error says which
// event and field is wrong, for the 400 answer.
func DecodeBatch(r io.Reader) (*Batch, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if len(data) > MaxBody {
		return nil, ErrTooLarge
	}
	var b Batch
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("the body is not a JSON batch of events: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the body holds more than one JSON value")
	}
	if len(b.Events) > MaxBatch {
		return nil, fmt.Errorf("%d events in one batch; send at most %d", len(b.Events), MaxBatch)
	}
	if b.NotesAfter < 0 {
		return nil, errors.New("notes_after is negative")
	}
	for i := range b.Events {
		if err := b.Events[i].Validate(); err != nil {
			return nil, fmt.Errorf("event %d: %w", i+1, err)
		}
	}
	return &b, nil
}

// Validate checks every field of an event against what a learner may send.
func (e *Event) Validate() error {
	if e.ID == "" || len(e.ID) > maxID {
		return fmt.Errorf("id must have 1 to %d characters", maxID)
	}
	for _, c := range e.ID {
		if !(c == '-' || c == '_' || c == '.' || c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c))) {
			return fmt.Errorf("id %q: only letters, digits, '-', '_' and '.'", e.ID)
		}
	}
	if !kinds[e.Kind] {
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
	if e.At.IsZero() {
		return errors.New("at (the time) is missing")
	}
	if e.At.Year() < 2000 || e.At.Year() > 9999 {
		return fmt.Errorf("at %s is not a plausible time", e.At.Format(time.RFC3339))
	}
	for name, v := range map[string]string{"lesson": e.Lesson, "lesson_title": e.LessonTitle, "step_title": e.StepTitle} {
		if err := checkText(name, v, maxText); err != nil {
			return err
		}
	}
	if len(e.Steps) > maxSteps {
		return fmt.Errorf("steps: %d titles; at most %d", len(e.Steps), maxSteps)
	}
	for i, s := range e.Steps {
		if err := checkText(fmt.Sprintf("steps[%d]", i), s, maxText); err != nil {
			return err
		}
	}
	for _, list := range [][]int{e.Done, e.Skipped} {
		if len(list) > maxSteps {
			return fmt.Errorf("at most %d done or skipped steps", maxSteps)
		}
		for _, n := range list {
			if n < 1 || n > maxSteps {
				return fmt.Errorf("step number %d is out of range", n)
			}
		}
	}
	if e.Step < 0 || e.Step > maxSteps {
		return fmt.Errorf("step %d is out of range", e.Step)
	}
	if len(e.Failed) > maxFailures {
		return fmt.Errorf("failed: %d checks; at most %d", len(e.Failed), maxFailures)
	}
	for i, f := range e.Failed {
		if err := checkText(fmt.Sprintf("failed[%d].kind", i), f.Kind, maxText); err != nil {
			return err
		}
		if err := checkText(fmt.Sprintf("failed[%d].diagnosis", i), f.Diagnosis, maxDiagnosis); err != nil {
			return err
		}
	}
	switch e.Kind {
	case LessonStarted, StepStarted, CheckFailed, StepPassed, StepSkipped, LessonFinished,
		HintShown, SolutionShown, RunForMe, QuizRight, QuizWrong:
		if e.Lesson == "" {
			return fmt.Errorf("%s needs its lesson", e.Kind)
		}
	}
	switch e.Kind {
	case StepStarted, CheckFailed, StepPassed, StepSkipped:
		if e.Step == 0 {
			return fmt.Errorf("%s needs its step", e.Kind)
		}
	}
	return nil
}

// checkText accepts one line of printable text of at most max bytes.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%s is over %d bytes", field, max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not UTF-8", field)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("%s holds a control character (a line break?)", field)
	}
	return nil
}

// CheckName accepts a learner's display name.
func CheckName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("the name is empty")
	}
	return checkText("the name", name, maxName)
}

// FirstLine is the first line of a diagnosis, cut to what an event may
// carry.
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return Truncate(s, maxDiagnosis)
}

// plain is text from the room made safe to print in a learner's terminal:
// control characters (escape sequences among them) become spaces, except
// line breaks, and it is cut to max bytes. A room is trusted with words, not
// with the terminal.
func plain(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return Truncate(s, max)
}

// Truncate cuts s to at most max bytes without splitting a character.
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Redact takes folders out of a diagnosis before it leaves the learner's
// machine: dir (the lesson's working folder) becomes ".", home "~".
func Redact(s, dir, home string) string {
	for _, p := range []struct{ from, to string }{{dir, "."}, {home, "~"}} {
		if len(p.from) > 1 {
			s = strings.ReplaceAll(s, p.from, p.to)
		}
	}
	return s
}
