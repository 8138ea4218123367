package classroom

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRoomFollowsALearner(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	diag := Failure{Kind: "container", Diagnosis: "publishes 8888→80, the app listens on 5000"}
	seq := int64(0)
	stored := func(learner int64, e Event, min int) StoredEvent {
		seq++
		e.At = at(min)
		return StoredEvent{Seq: seq, Learner: learner, Received: at(min), Event: e}
	}
	r := NewRoom("t")
	r.AddLearner(1, "ada", t0)
	r.AddLearner(2, "bob", t0)
	resumed := lessonStarted("", 4)
	resumed.Done, resumed.Skipped = []int{1}, []int{2}
	r.Apply(
		stored(1, resumed, 0),
		stored(1, ev("", StepStarted, 3), 0),
		stored(1, ev("", CheckFailed, 3, diag), 1),
		stored(1, ev("", HintShown, 3), 2),
		stored(1, ev("", CheckFailed, 3, diag), 3),
		// A step_started for the step already on (dockstep check) keeps
		// the time and the failures.
		stored(1, ev("", StepStarted, 3), 4),
		stored(1, ev("", CheckFailed, 3, diag), 5),
		stored(2, lessonStarted("", 4), 0),
		stored(2, ev("", StepStarted, 1), 0),
		stored(2, ev("", StepPassed, 1), 2),
		stored(2, ev("", StepStarted, 2), 2),
		stored(2, ev("", StepSkipped, 2), 3),
		stored(2, ev("", StepStarted, 3), 3),
		stored(2, ev("", CheckFailed, 3, diag), 4),
		stored(2, ev("", StepPassed, 3), 7),
	)
	s := r.Summary(at(10))
	ada, bob := s.Learners[0], s.Learners[1]
	if got := strings.Join(ada.Cells, ","); got != "done,skipped,failing,todo" {
		t.Errorf("ada's cells = %s", got)
	}
	if ada.FailsInRow != 3 || ada.Status != StatusFailing || !ada.OnStepSince.Equal(at(0)) || ada.Hints != 1 || len(ada.Diagnosis) != 1 {
		t.Errorf("ada = %+v, want 3 failures in a row on step 3 since 9:00, one hint", ada)
	}
	if got := strings.Join(bob.Cells, ","); got != "done,skipped,done,todo" || bob.FailsInRow != 0 || bob.Status != StatusWorking {
		t.Errorf("bob = %+v", bob)
	}
	var step3 *StepView
	for i := range s.Steps {
		if s.Steps[i].Step == 3 {
			step3 = &s.Steps[i]
		}
	}
	if step3 == nil || step3.Here != 1 || step3.Passed != 1 || step3.MedianSeconds != 240 {
		t.Fatalf("step 3 = %+v, want 1 there, 1 passed in 4 minutes", step3)
	}
	if len(step3.Diagnoses) != 1 || step3.Diagnoses[0].Learners != 2 || step3.Diagnoses[0].Diagnosis != diag.Diagnosis {
		t.Errorf("step 3 diagnoses = %+v, want the one diagnosis met by 2 learners", step3.Diagnoses)
	}

	// Finishing marks the rest done and the learner finished.
	r.Apply(stored(1, ev("", StepPassed, 3), 11), stored(1, ev("", StepStarted, 4), 11), stored(1, Event{Kind: LessonFinished, Lesson: "l1"}, 12))
	ada = r.Summary(at(12)).Learners[0]
	if ada.Status != StatusFinished || strings.Join(ada.Cells, ",") != "done,skipped,done,done" {
		t.Errorf("ada after finishing = %+v", ada)
	}
}

func TestRoomClampsFutureClocks(t *testing.T) {
	r := NewRoom("t")
	now := time.Now()
	e := ev("1", StepStarted, 1)
	e.At = now.Add(time.Hour) // the learner's clock is an hour ahead
	r.Apply(StoredEvent{Seq: 1, Learner: 1, Received: now, Event: e})
	if l := r.Summary(now).Learners[0]; l.OnStepSince.After(now) {
		t.Errorf("on step since %v, after the event arrived (%v)", l.OnStepSince, now)
	}
}

func TestChangedListsRowsAfterACursor(t *testing.T) {
	r := NewRoom("t")
	r.Apply(StoredEvent{Seq: 1, Learner: 1, Event: ev("1", StepStarted, 1)},
		StoredEvent{Seq: 2, Learner: 2, Event: ev("1", StepStarted, 1)},
		StoredEvent{Seq: 3, Learner: 1, Event: ev("2", StepPassed, 1)})
	ls, _, last := r.Changed(2, 0)
	if len(ls) != 1 || ls[0].ID != 1 || last != 3 {
		t.Errorf("changed after 2 = %+v (last %d), want learner 1 only, last 3", ls, last)
	}
	if ls, _, _ := r.Changed(3, 0); len(ls) != 0 {
		t.Errorf("changed after 3 = %+v, want none", ls)
	}
}

func TestRoomGrowsTheStepsOfALearnerSeenOnlyByStep(t *testing.T) {
	r := NewRoom("t")
	r.Apply(StoredEvent{Seq: 1, Learner: 1, Event: ev("1", StepPassed, 2)})
	l := r.Summary(time.Now()).Learners[0]
	if strings.Join(l.Cells, ",") != "todo,done" || l.Steps[1] != "Step 2" {
		t.Errorf("learner = %+v, want cells todo,done and step 2's title", l)
	}
}

func TestRoomKeepsTheStepWhenTheSameLessonStartsAgain(t *testing.T) {
	r := NewRoom("t")
	diag := Failure{Kind: "file", Diagnosis: "no note.txt"}
	seq := int64(0)
	check := func() { // what one dockstep check of a lesson failing at step 2 sends
		started := lessonStarted("", 3)
		started.Done = []int{1}
		for _, e := range []Event{started, ev("", StepStarted, 2), ev("", CheckFailed, 2, diag)} {
			seq++
			e.ID = fmt.Sprint(seq)
			r.Apply(StoredEvent{Seq: seq, Learner: 1, Received: time.Now(), Event: e})
		}
	}
	check()
	since := r.Summary(time.Now()).Learners[0].OnStepSince
	check()
	check()
	l := r.Summary(time.Now()).Learners[0]
	if l.FailsInRow != 3 || !l.OnStepSince.Equal(since) || strings.Join(l.Cells, ",") != "done,failing,todo" {
		t.Errorf("after three checks: %+v, want 3 failures in a row on step 2 since the first", l)
	}
	// Started again after finishing, the lesson starts afresh.
	seq++
	r.Apply(StoredEvent{Seq: seq, Learner: 1, Received: time.Now(), Event: Event{ID: "f", Kind: LessonFinished, Lesson: "l1", At: time.Now()}})
	check()
	if l := r.Summary(time.Now()).Learners[0]; l.FailsInRow != 1 {
		t.Errorf("after finishing and starting again: %d failures in a row, want 1", l.FailsInRow)
	}
}

// TestChangedSeesEventsAppliedOutOfOrder: two learners' posts are stored as
// events 4 and 5 but applied 5 first; a stream that read up to the change
// of 5 must still be told of the change 4 makes.
func TestChangedSeesEventsAppliedOutOfOrder(t *testing.T) {
	r := NewRoom("t")
	r.Apply(StoredEvent{Seq: 5, Learner: 2, Event: ev("1", StepStarted, 1)})
	_, _, cursor := r.Changed(0, 0)
	r.Apply(StoredEvent{Seq: 4, Learner: 1, Event: ev("1", StepStarted, 1)})
	ls, _, _ := r.Changed(cursor, 0)
	if len(ls) != 1 || ls[0].ID != 1 {
		t.Errorf("changed after cursor %d = %+v, want learner 1", cursor, ls)
	}
}
