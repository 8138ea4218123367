package classroom

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// switchable is a server whose handler a test changes: down, up, or
// storing but losing its answers.
type switchable struct {
	h atomic.Value // http.Handler
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.h.Load().(http.Handler).ServeHTTP(w, r)
}

func (s *switchable) set(h http.Handler) { s.h.Store(h) }

var down = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "down", http.StatusBadGateway)
})

func TestReporterQueuesWhileOfflineAndLosesNothing(t *testing.T) {
	r := newTestRoom(t)
	sw := &switchable{}
	sw.set(down)
	front := httptest.NewServer(sw)
	defer front.Close()
	state := t.TempDir()
	q, err := NewReporter(state, front.URL+"/join/"+r.srv.Info().Code, "Eve")
	if err != nil {
		t.Fatal(err)
	}
	q.Add(lessonStarted("", 3))
	for i := 1; i <= 3; i++ {
		q.Add(ev("", StepStarted, i))
		q.Add(ev("", StepPassed, i))
	}
	if err := q.Send(context.Background()); err == nil {
		t.Fatal("Send worked with the room down")
	}
	if got := q.Status(); !strings.Contains(got, "offline, 8 queued") {
		t.Errorf("status = %q, want offline with 8 queued (joined + 7)", got)
	}
	// Another process of the same learner opens the same queue.
	q2, err := NewReporter(state, front.URL+"/join/"+r.srv.Info().Code, "Eve")
	if err != nil {
		t.Fatal(err)
	}
	q2.Add(Event{Kind: LessonFinished, Lesson: "l1"})

	// The room stores but the answer is lost: the events are sent again
	// and stored once.
	real := r.srv.Handler()
	sw.set(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		real.ServeHTTP(httptest.NewRecorder(), req)
		if strings.HasSuffix(req.URL.Path, "/events") {
			http.Error(w, "lost", http.StatusBadGateway)
			return
		}
		real.ServeHTTP(w, req) // a join is answered (a second learner row is harmless here)
	}))
	q.Send(context.Background())
	sw.set(real)
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if q.Queued() != 0 || !strings.HasSuffix(q.Status(), "connected") {
		t.Errorf("after flush: %d queued, status %q", q.Queued(), q.Status())
	}
	n, _ := r.store.CountEvents(context.Background())
	if n != 9 {
		t.Errorf("room stored %d events, want 9: each once", n)
	}
	var room Summary
	getJSON(t, r.http.URL+"/api/room", r.srv.Info().Instructor, &room)
	var eve *LearnerView
	for i := range room.Learners {
		if room.Learners[i].Name == "Eve" && room.Learners[i].Lesson != "" {
			eve = &room.Learners[i]
		}
	}
	if eve == nil || eve.Status != StatusFinished || strings.Join(eve.Cells, ",") != "done,done,done" {
		t.Errorf("Eve = %+v, want her lesson finished, complete", eve)
	}
}

func TestReporterJoinsAgainWhenTheRoomForgotIt(t *testing.T) {
	r := newTestRoom(t)
	sw := &switchable{}
	sw.set(r.srv.Handler())
	front := httptest.NewServer(sw)
	defer front.Close()
	code := r.srv.Info().Code
	q, err := NewReporter(t.TempDir(), front.URL+"/join/"+code, "Fay")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A new room with the same code would be a new database: here, the
	// learner's secret is simply unknown to a fresh server on another file.
	other := newTestRoom(t)
	other.srv.info.Code = code
	sw.set(other.srv.Handler())
	q.Add(ev("", StepStarted, 1))
	q.Send(context.Background()) // refused: unknown token; forgets it
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := other.store.CountEvents(context.Background()); n != 1 {
		t.Errorf("the new room stored %d events, want 1", n)
	}
}

func TestReporterRefusedCode(t *testing.T) {
	r := newTestRoom(t)
	q, err := NewReporter(t.TempDir(), r.http.URL+"/join/wrongcode", "Gus")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(context.Background()); err == nil {
		t.Fatal("joining with a wrong code worked")
	}
	if got := q.Status(); !strings.Contains(got, "not joined") || !strings.Contains(got, "no room with code") {
		t.Errorf("status = %q, want it to say the room refused the code", got)
	}
}

func TestReporterRunSendsInTheBackground(t *testing.T) {
	r := newTestRoom(t)
	q, err := NewReporter(t.TempDir(), r.joinURL(), "Hal")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wake, stop := r.srv.Room().Subscribe()
	defer stop()
	q.Add(ev("", StepStarted, 1))
	for {
		if n, _ := r.store.CountEvents(context.Background()); n == 2 {
			return
		}
		select {
		case <-wake:
		case <-time.After(30 * time.Second):
			t.Fatal("the events never reached the room")
		}
	}
}

func TestParseJoinURL(t *testing.T) {
	for _, c := range []struct{ in, base, code string }{
		{"http://10.0.0.5:7878/join/abc123", "http://10.0.0.5:7878", "abc123"},
		{"https://room.example/join/abc/", "https://room.example", "abc"},
		{"http://h:1/join/", "", ""},
		{"ftp://h/join/x", "", ""},
		{"h:7878/join/x", "", ""},
		{"http://h/other/x", "", ""},
	} {
		base, code, err := ParseJoinURL(c.in)
		if base != c.base || code != c.code || (err == nil) != (c.base != "") {
			t.Errorf("ParseJoinURL(%q) = %q, %q, %v; want %q, %q", c.in, base, code, err, c.base, c.code)
		}
	}
}

func TestRedactAndFirstLine(t *testing.T) {
	got := FirstLine(Redact("no file /home/ada/ws/app/Dockerfile\nsecond line", "/home/ada/ws/app", "/home/ada"))
	if got != "no file ./Dockerfile" {
		t.Errorf("got %q", got)
	}
	if got := FirstLine(strings.Repeat("é", 400)); len(got) > maxDiagnosis || !strings.HasSuffix(got, "…") {
		t.Errorf("a long diagnosis is cut to %d bytes: %q", len(got), got)
	}
}

// TestReporterKeepsEscapesOutOfTheTerminal: what a room sends (its title,
// notes, errors) is printed in the learner's terminal, so escape sequences
// from a rogue room must not reach it.
func TestReporterKeepsEscapesOutOfTheTerminal(t *testing.T) {
	r := newTestRoom(t)
	r.srv.info.Title = "Room\x1b]0;owned\x07"
	q, err := NewReporter(t.TempDir(), r.joinURL(), "Hal")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.srv.room.AddNote(Note{ID: 99, Text: "look up\x1b[2J\nnow"})
	q.Add(ev("", StepStarted, 1))
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	notes := q.Notes()
	if len(notes) != 1 || notes[0] != "look up [2J\nnow" {
		t.Errorf("notes = %q, want the note with its escape made a space and its line break kept", notes)
	}
	if st := q.Status(); strings.ContainsRune(st, 0x1b) || strings.ContainsRune(st, 0x07) {
		t.Errorf("status = %q, want no control characters from the room's title", st)
	}
}
