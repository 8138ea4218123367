package runner

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
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

// The room shows one line of each failed check: a command check's first line
// only leads into the command's output, which says why.
func TestRoomDiagnosisKeepsTheReason(t *testing.T) {
	rec := &recordingReporter{}
	s := &stepRun{
		lessonRun: &lessonRun{r: &Runner{Reporter: rec}, l: &lessons.Lesson{ID: "networks"}},
		step:      &lessons.Step{Index: 3, Title: "Visit the shop by its name"},
	}
	s.reportVerdict(verdictFailing, []checks.Result{
		{Kind: "network", Message: "no network shop-net: create it with docker network create shop-net\n  more"},
		{Kind: "command", Message: "\"docker exec visitor wget -qO- http://shop\" exited with status 1:\n    \n    Error response from daemon: No such container: visitor\n    second"},
		{Kind: "command", Message: "\"false\" exited with status 1:\n   \n"},
		{Kind: "file", Passed: true, Message: "note.txt is as wanted"},
	})
	want := []FailedCheck{
		{"network", "no network shop-net: create it with docker network create shop-net"},
		{"command", "\"docker exec visitor wget -qO- http://shop\" exited with status 1: Error response from daemon: No such container: visitor"},
		{"command", "\"false\" exited with status 1"},
	}
	if len(rec.acts) != 1 || !slices.Equal(rec.acts[0].Failed, want) {
		t.Errorf("reported %+v, want one check_failed with %+v", rec.acts, want)
	}
}
