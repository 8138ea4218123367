package classroom

import (
	"sort"
	"sync"
	"time"
)

// Cell states of the dashboard's grid, one per step of a learner's lesson.
const (
	CellTodo    = "todo"
	CellCurrent = "current"
	CellFailing = "failing"
	CellDone    = "done"
	CellSkipped = "skipped"
)

// Learner statuses.
const (
	StatusJoined   = "joined"   // no lesson started yet
	StatusWorking  = "working"  // on a step, nothing failing
	StatusFailing  = "failing"  // the last check of the step failed
	StatusFinished = "finished" // the lesson is done
)

// LearnerView is a learner as the dashboard and GET /api/room show them.
type LearnerView struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Lesson      string    `json:"lesson"`
	LessonTitle string    `json:"lesson_title"`
	Steps       []string  `json:"steps"`
	Cells       []string  `json:"cells"`
	Step        int       `json:"step"`
	StepTitle   string    `json:"step_title"`
	Status      string    `json:"status"`
	OnStepSince time.Time `json:"on_step_since"`
	// FailsInRow counts the failed checks and wrong answers since the step
	// started or last went well.
	FailsInRow int       `json:"fails_in_row"`
	Diagnosis  []Failure `json:"diagnosis"`
	Hints      int       `json:"hints"`
	Solutions  int       `json:"solutions"`
	RunForMe   int       `json:"run_for_me"`
	LastSeen   time.Time `json:"last_seen"`
	// Seq is the last event that changed the learner.
	Seq int64 `json:"seq"`
}

// StepView sums up one step of a lesson across the room.
type StepView struct {
	Lesson      string `json:"lesson"`
	LessonTitle string `json:"lesson_title"`
	Step        int    `json:"step"`
	Title       string `json:"title"`
	// Here is how many learners are on the step now, Passed how many have
	// done it, and MedianSeconds the median time those took.
	Here          int     `json:"here"`
	Passed        int     `json:"passed"`
	MedianSeconds float64 `json:"median_seconds"`
	// Diagnoses are the most common failures of the step, by how many
	// learners met each.
	Diagnoses []DiagnosisCount `json:"diagnoses"`
}

// DiagnosisCount is a failure and how many learners met it.
type DiagnosisCount struct {
	Kind      string `json:"kind"`
	Diagnosis string `json:"diagnosis"`
	Learners  int    `json:"learners"`
}

// Summary is the room at one moment: GET /api/room answers it.
type Summary struct {
	Title    string        `json:"title"`
	Now      time.Time     `json:"now"`
	Learners []LearnerView `json:"learners"`
	Steps    []StepView    `json:"steps"`
	Notes    []Note        `json:"notes"`
}

type stepKey struct {
	lesson string
	step   int
}

type stepStats struct {
	lessonTitle, title string
	durations          []time.Duration
	// diags maps a failure to the learners who met it on this step.
	diags map[Failure]map[int64]bool
}

// Room is the room as events built it. It is safe for concurrent use; the
// server applies each stored event to it, and the dashboard streams read it.
type Room struct {
	mu       sync.Mutex
	title    string
	learners map[int64]*LearnerView
	steps    map[stepKey]*stepStats
	notes    []Note
	seq      int64 // how many events were applied: the number of the last change
	subs     map[chan struct{}]bool
}

// NewRoom returns an empty room.
func NewRoom(title string) *Room {
	return &Room{
		title:    title,
		learners: map[int64]*LearnerView{},
		steps:    map[stepKey]*stepStats{},
		subs:     map[chan struct{}]bool{},
	}
}

// AddLearner puts a learner in the room.
func (r *Room) AddLearner(id int64, name string, joined time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLearner(id, name, joined)
	r.wake()
}

func (r *Room) addLearner(id int64, name string, joined time.Time) *LearnerView {
	l := r.learners[id]
	if l == nil {
		l = &LearnerView{ID: id, Name: name, Status: StatusJoined, LastSeen: joined, Steps: []string{}, Cells: []string{}, Diagnosis: []Failure{}}
		r.learners[id] = l
	}
	return l
}

// Seen records that a learner was heard from.
func (r *Room) Seen(id int64, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l := r.learners[id]; l != nil && at.After(l.LastSeen) {
		l.LastSeen = at
	}
}

// AddNote records an instructor's note.
func (r *Room) AddNote(n Note) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
	r.wake()
}

// Apply updates the room with stored events, in their order.
func (r *Room) Apply(evs ...StoredEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.apply(e)
	}
	if len(evs) > 0 {
		r.wake()
	}
}

func (r *Room) apply(se StoredEvent) {
	// The room numbers its own changes: two learners' posts may be stored
	// as events 4 and 5 and reach here as 5, then 4, and a stream that had
	// read up to 5 must still be told of the change that 4 made. Replaying
	// the stored events at start counts them again the same way, so the
	// numbers a reconnecting browser holds still mean the same changes.
	r.seq++
	l := r.learners[se.Learner]
	if l == nil {
		l = r.addLearner(se.Learner, "?", se.Received)
	}
	l.Seq = r.seq
	if se.Received.After(l.LastSeen) {
		l.LastSeen = se.Received
	}
	e := se.Event
	// A learner's clock may be ahead of the room's: nothing happened later
	// than it arrived.
	at := e.At
	if at.After(se.Received) {
		at = se.Received
	}
	if e.Kind == LessonStarted || l.Lesson != e.Lesson && e.Lesson != "" {
		r.startLesson(l, e)
	}
	// A learner heard of only through dockstep check --step has no list of
	// steps: it grows to the steps reported.
	for e.Step > len(l.Cells) {
		l.Cells = append(l.Cells, CellTodo)
		l.Steps = append(l.Steps, "")
	}
	if e.Step >= 1 && e.StepTitle != "" {
		l.Steps[e.Step-1] = e.StepTitle
	}
	cell := func(state string) {
		if e.Step >= 1 {
			l.Cells[e.Step-1] = state
		}
	}
	switch e.Kind {
	case StepStarted:
		if l.Step != e.Step || l.Status == StatusFinished || l.Status == StatusJoined {
			l.OnStepSince = at
			l.FailsInRow = 0
			l.Diagnosis = []Failure{}
		}
		l.Step, l.StepTitle = e.Step, e.StepTitle
		l.Status = StatusWorking
		cell(CellCurrent)
		r.stats(l, e.Step, e.StepTitle)
	case CheckFailed, QuizWrong:
		r.onStep(l, e, at)
		l.FailsInRow++
		l.Status = StatusFailing
		cell(CellFailing)
		if e.Kind == QuizWrong {
			l.Diagnosis = []Failure{{Kind: "quiz", Diagnosis: "wrong answer to the question"}}
		} else {
			l.Diagnosis = append([]Failure{}, e.Failed...)
		}
		st := r.stats(l, e.Step, e.StepTitle)
		for _, f := range l.Diagnosis {
			if st.diags[f] == nil {
				st.diags[f] = map[int64]bool{}
			}
			st.diags[f][l.ID] = true
		}
	case HintShown:
		r.onStep(l, e, at)
		l.Hints++
	case SolutionShown:
		r.onStep(l, e, at)
		l.Solutions++
	case RunForMe:
		r.onStep(l, e, at)
		l.RunForMe++
	case QuizRight:
		r.onStep(l, e, at)
		l.FailsInRow = 0
		l.Status = StatusWorking
		cell(CellCurrent)
	case StepPassed, StepSkipped:
		if e.Kind == StepPassed {
			cell(CellDone)
			st := r.stats(l, e.Step, e.StepTitle)
			if l.Step == e.Step && !l.OnStepSince.IsZero() && !at.Before(l.OnStepSince) {
				st.durations = append(st.durations, at.Sub(l.OnStepSince))
			}
		} else {
			cell(CellSkipped)
		}
		l.FailsInRow = 0
		l.Diagnosis = []Failure{}
		l.Status = StatusWorking
	case LessonFinished:
		l.Status = StatusFinished
		l.Step, l.StepTitle = 0, ""
		l.FailsInRow = 0
		l.Diagnosis = []Failure{}
		for i, c := range l.Cells {
			if c == CellCurrent || c == CellFailing {
				l.Cells[i] = CellDone
			}
		}
	}
}

// onStep moves the learner to the event's step when an event shows them on
// another one than last heard (a step_started lost to an old dockstep, or a
// one-shot dockstep check).
func (r *Room) onStep(l *LearnerView, e Event, at time.Time) {
	if e.Step == 0 || e.Step == l.Step && l.Status != StatusFinished {
		return
	}
	l.Step, l.StepTitle = e.Step, e.StepTitle
	l.OnStepSince = at
	l.FailsInRow = 0
	l.Diagnosis = []Failure{}
	l.Status = StatusWorking
	if e.Step <= len(l.Cells) {
		l.Cells[e.Step-1] = CellCurrent
	}
}

func (r *Room) startLesson(l *LearnerView, e Event) {
	// The lesson the learner is on, started again (a resumed runner, one
	// more dockstep check): the step they are on, its time and its
	// failures stand.
	again := e.Lesson == l.Lesson && l.Status != StatusFinished && l.Status != StatusJoined
	var onCell string
	if again && l.Step >= 1 && l.Step <= len(l.Cells) {
		onCell = l.Cells[l.Step-1]
	}
	l.Lesson, l.LessonTitle = e.Lesson, e.LessonTitle
	if e.Kind == LessonStarted || len(e.Steps) > 0 {
		l.Steps = append([]string{}, e.Steps...)
	}
	l.Cells = make([]string, len(l.Steps))
	for i := range l.Cells {
		l.Cells[i] = CellTodo
	}
	for _, n := range e.Done {
		if n <= len(l.Cells) {
			l.Cells[n-1] = CellDone
		}
	}
	for _, n := range e.Skipped {
		if n <= len(l.Cells) {
			l.Cells[n-1] = CellSkipped
		}
	}
	if again && l.Step <= len(l.Cells) {
		if l.Step >= 1 && l.Cells[l.Step-1] == CellTodo {
			l.Cells[l.Step-1] = onCell
		}
		return
	}
	l.Step, l.StepTitle = 0, ""
	l.FailsInRow = 0
	l.Diagnosis = []Failure{}
	l.Status = StatusWorking
}

func (r *Room) stats(l *LearnerView, step int, title string) *stepStats {
	k := stepKey{l.Lesson, step}
	st := r.steps[k]
	if st == nil {
		st = &stepStats{diags: map[Failure]map[int64]bool{}}
		r.steps[k] = st
	}
	if title != "" {
		st.title = title
	}
	if l.LessonTitle != "" {
		st.lessonTitle = l.LessonTitle
	}
	return st
}

// Seq is the number of the last change: how many events were applied.
func (r *Room) Seq() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// Summary returns the whole room as it is now.
func (r *Room) Summary(now time.Time) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{Title: r.title, Now: now, Learners: []LearnerView{}, Steps: r.stepViews(), Notes: append([]Note{}, r.notes...)}
	for _, l := range r.learners {
		s.Learners = append(s.Learners, l.copy())
	}
	sort.Slice(s.Learners, func(i, j int) bool { return s.Learners[i].ID < s.Learners[j].ID })
	return s
}

// Changed returns the learners changed by events after seq, oldest change
// first, and the notes after note id, with the room's last event.
func (r *Room) Changed(seq, note int64) ([]LearnerView, []Note, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ls []LearnerView
	for _, l := range r.learners {
		if l.Seq > seq || seq == 0 && l.Seq == 0 {
			ls = append(ls, l.copy())
		}
	}
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].Seq != ls[j].Seq {
			return ls[i].Seq < ls[j].Seq
		}
		return ls[i].ID < ls[j].ID
	})
	var ns []Note
	for _, n := range r.notes {
		if n.ID > note {
			ns = append(ns, n)
		}
	}
	return ls, ns, r.seq
}

// Seen returns when each learner was last heard from.
func (r *Room) LastSeen() map[int64]time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[int64]time.Time, len(r.learners))
	for id, l := range r.learners {
		m[id] = l.LastSeen
	}
	return m
}

// Steps returns the per-step aggregates.
func (r *Room) Steps() []StepView {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stepViews()
}

func (r *Room) stepViews() []StepView {
	here := map[stepKey]int{}
	for _, l := range r.learners {
		if l.Step > 0 && l.Status != StatusFinished && l.Step <= len(l.Cells) &&
			(l.Cells[l.Step-1] == CellCurrent || l.Cells[l.Step-1] == CellFailing) {
			here[stepKey{l.Lesson, l.Step}]++
		}
	}
	out := []StepView{}
	for k, st := range r.steps {
		v := StepView{Lesson: k.lesson, LessonTitle: st.lessonTitle, Step: k.step, Title: st.title,
			Here: here[k], Passed: len(st.durations), MedianSeconds: median(st.durations).Seconds(), Diagnoses: []DiagnosisCount{}}
		for f, who := range st.diags {
			v.Diagnoses = append(v.Diagnoses, DiagnosisCount{Kind: f.Kind, Diagnosis: f.Diagnosis, Learners: len(who)})
		}
		sort.Slice(v.Diagnoses, func(i, j int) bool {
			a, b := v.Diagnoses[i], v.Diagnoses[j]
			if a.Learners != b.Learners {
				return a.Learners > b.Learners
			}
			return a.Diagnosis < b.Diagnosis
		})
		if len(v.Diagnoses) > 5 {
			v.Diagnoses = v.Diagnoses[:5]
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Lesson != out[j].Lesson {
			return out[i].Lesson < out[j].Lesson
		}
		return out[i].Step < out[j].Step
	})
	return out
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (l *LearnerView) copy() LearnerView {
	c := *l
	c.Steps = append([]string{}, l.Steps...)
	c.Cells = append([]string{}, l.Cells...)
	c.Diagnosis = append([]Failure{}, l.Diagnosis...)
	return c
}

// Subscribe returns a channel that receives a signal whenever the room
// changes, and a function that ends the subscription.
func (r *Room) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	r.mu.Lock()
	r.subs[ch] = true
	r.mu.Unlock()
	return ch, func() {
		r.mu.Lock()
		delete(r.subs, ch)
		r.mu.Unlock()
	}
}

// wake signals every subscriber without waiting: a signal already pending
// stands for this one too.
func (r *Room) wake() {
	for ch := range r.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
