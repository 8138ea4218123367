package runner

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// recordingReporter keeps what the runner reports.
type recordingReporter struct {
	mu    sync.Mutex
	acts  []Activity
	notes []string
}

func (r *recordingReporter) Report(a Activity) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acts = append(r.acts, a)
}

func (r *recordingReporter) Status() string { return "room: Test room, offline, 2 queued" }

func (r *recordingReporter) Notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.notes
	r.notes = nil
	return n
}

func (r *recordingReporter) say(note string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, note)
}

// kinds lists the reported activities as "kind step".
func (r *recordingReporter) kinds() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []string
	for _, a := range r.acts {
		s = append(s, fmt.Sprintf("%s %d", a.Kind, a.Step))
	}
	return strings.Join(s, ", ")
}

func TestRunnerReportsToTheRoom(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	rec := &recordingReporter{}
	h.r.Reporter = rec
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.wantOut("room: Test room, offline, 2 queued")
	rec.say("Look at the projector")
	menu.choose(t, "Show a hint (1 of 2)")
	menu = h.p.next(t)
	h.wantOut("📣 From the instructor: Look at the projector")

	h.waitVerdicts(1)
	h.flags.raise("a")
	sub.msgs <- containerStarted()
	menu.waitCancelled(t)
	menu = h.p.next(t) // step 2
	h.waitVerdicts(3)  // on arrival, quietly
	sub.msgs <- containerStarted()
	h.waitVerdicts(4)
	menu.waitCancelled(t)
	menu = h.p.next(t)
	h.wantOut("flag b is down")
	menu.choose(t, "Skip this step")
	h.p.next(t).choose(t, "Continue")
	h.p.next(t).choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
	want := "lesson_started 0, step_started 1, hint_shown 1, step_passed 1, step_started 2, check_failed 2, step_skipped 2, step_started 3, step_passed 3, lesson_finished 0"
	if got := rec.kinds(); got != want {
		t.Errorf("reported:\n  %s\nwant:\n  %s", got, want)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	first := rec.acts[0]
	if first.Lesson != "loop-basic" || len(first.Steps) != 3 || first.Steps[1] != "Raise flag b" {
		t.Errorf("lesson_started = %+v, want the lesson's id and step titles", first)
	}
	failed := rec.acts[5]
	if len(failed.Failed) != 1 || failed.Failed[0].Kind != "flag" || !strings.Contains(failed.Failed[0].Diagnosis, "flag b is down") {
		t.Errorf("check_failed = %+v, want the flag check and its diagnosis", failed)
	}
}

// A learner who asks for a check and fails it, again and again with the same
// diagnosis, has failed each of those checks: the room counts them to tell
// who is stuck.
func TestRunnerReportsEveryCheckTheLearnerAsksFor(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	rec := &recordingReporter{}
	h.r.Reporter = rec
	h.start("loop-basic")
	menu := h.p.next(t)
	menu.choose(t, "Skip this step")
	menu = h.p.next(t) // step 2: flag b is down
	for range 3 {
		menu.choose(t, "Check now")
		menu = h.p.next(t)
		h.wantOut("flag b is down")
	}
	menu.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
	want := "lesson_started 0, step_started 1, step_skipped 1, step_started 2, check_failed 2, check_failed 2, check_failed 2"
	if got := rec.kinds(); got != want {
		t.Errorf("reported:\n  %s\nwant:\n  %s", got, want)
	}
}
