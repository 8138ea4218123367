package classroom

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/lessons"
	"github.com/dockstep/dockstep/runner"
)

// pendingEvents reads the events a learner's queue under state holds.
func pendingEvents(t *testing.T, state string) []Event {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(state, "classroom", "*.json"))
	if len(files) != 1 {
		t.Fatalf("queue files %v, want one", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var q queueFile
	if err := json.Unmarshal(raw, &q); err != nil {
		t.Fatal(err)
	}
	return q.Pending
}

func TestReportCheckSendsThePassedStepsAndTheFirstFailure(t *testing.T) {
	state, dir := t.TempDir(), t.TempDir()
	var errOut strings.Builder
	l, err := OpenSeat(state, "http://127.0.0.1:1/join/abc", "Kim", &errOut)
	if err != nil {
		t.Fatal(err)
	}
	les := &lessons.Lesson{ID: "l1", Title: "L", Steps: []*lessons.Step{{Index: 1, Title: "one"}, {Index: 2, Title: "two {{n}}"}, {Index: 3, Title: "three"}}}
	rep := &grade.Report{Lesson: "l1", Steps: []grade.Step{
		{Step: 1, Title: "one", Passed: true},
		{Step: 2, Title: "two", Checks: []grade.Check{{Kind: "file", Passed: true}, {Kind: "file", Message: "no " + dir + "/x.txt\nsecond line"}}},
		{Step: 3, Title: "three", Checks: []grade.Check{{Kind: "image", Message: "never sent"}}},
	}}
	l.ReportCheck(context.Background(), les, 0, rep, map[string]string{"n": "2"}, dir)

	var kinds []string
	evs := pendingEvents(t, state)
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind))
	}
	if got, want := strings.Join(kinds, ","), "joined,lesson_started,step_started,check_failed"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	if started := evs[1]; strings.Join(started.Steps, "|") != "one|two 2|three" || len(started.Done) != 1 || started.Done[0] != 1 {
		t.Errorf("lesson_started = %+v, want the titles expanded and step 1 done", started)
	}
	failed := evs[3]
	if failed.Step != 2 || len(failed.Failed) != 1 || failed.Failed[0].Diagnosis != "no ./x.txt" {
		t.Errorf("check_failed = %+v, want step 2 with the first line of why, without the folder", failed)
	}
	if !strings.Contains(errOut.String(), "sent the next time") {
		t.Errorf("errOut = %q, want it to say the events stay queued", errOut.String())
	}
}

func TestReportCheckOfOneStepThatPasses(t *testing.T) {
	state := t.TempDir()
	l, err := OpenSeat(state, "http://127.0.0.1:1/join/abc", "Kim", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	les := &lessons.Lesson{ID: "l1", Steps: []*lessons.Step{{Index: 1, Title: "one"}, {Index: 2, Title: "two"}}}
	rep := &grade.Report{Lesson: "l1", Passed: true, Steps: []grade.Step{{Step: 2, Title: "two", Passed: true}}}
	l.ReportCheck(context.Background(), les, 2, rep, nil, "")
	evs := pendingEvents(t, state)
	if len(evs) != 2 || evs[1].Kind != StepPassed || evs[1].Step != 2 {
		t.Errorf("events %+v, want joined then step 2 passed (no lesson events for one step)", evs)
	}
}

func TestSeatSendsWhatTheRunnerReports(t *testing.T) {
	r := newTestRoom(t)
	seat, err := OpenSeat(t.TempDir(), r.joinURL(), "Lou", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	seat.Start()
	seat.Report(runner.Activity{Kind: runner.StepStarted, Lesson: "l1", Step: 1, StepTitle: "one"})
	seat.Stop()
	// Stop gives what is queued its moment to go: joined and step_started.
	if n, _ := r.store.CountEvents(context.Background()); n != 2 {
		t.Errorf("the room has %d events, want 2 (joined, step_started); status %q", n, seat.Status())
	}
}
