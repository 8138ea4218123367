package classroom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestJoinPostAndRoom(t *testing.T) {
	r := newTestRoom(t)
	info := r.srv.Info()
	tok := join(t, r.http.URL, info.Code, "Ada")
	batch := Batch{Events: []Event{
		lessonStarted("a-1", 3),
		ev("a-2", StepStarted, 1),
		ev("a-3", StepPassed, 1),
		ev("a-4", StepStarted, 2),
		ev("a-5", CheckFailed, 2, Failure{Kind: "container", Diagnosis: "publishes 8888→80, the app listens on 5000"}),
	}}
	status, out := do(t, "POST", r.http.URL+"/api/events", tok, batch)
	if status != 200 {
		t.Fatalf("posting events: got %d %v, want 200", status, out)
	}
	if got := len(out["acked"].([]any)); got != 5 {
		t.Errorf("acked %d events, want 5", got)
	}
	// The same batch again (a lost answer): acknowledged, stored once.
	if status, out := do(t, "POST", r.http.URL+"/api/events", tok, batch); status != 200 || len(out["acked"].([]any)) != 5 {
		t.Fatalf("posting again: got %d %v, want 200 and 5 acked", status, out)
	}
	if n, err := r.store.CountEvents(context.Background()); err != nil || n != 5 {
		t.Errorf("stored %d events (err %v), want 5: duplicates must be stored once", n, err)
	}

	var room Summary
	getJSON(t, r.http.URL+"/api/room", info.Instructor, &room)
	if len(room.Learners) != 1 {
		t.Fatalf("room has %d learners, want 1", len(room.Learners))
	}
	l := room.Learners[0]
	if l.Name != "Ada" || l.Lesson != "l1" || l.Step != 2 || l.Status != StatusFailing {
		t.Errorf("learner = %+v, want Ada on l1 step 2, failing", l)
	}
	if got, want := strings.Join(l.Cells, ","), "done,failing,todo"; got != want {
		t.Errorf("cells = %s, want %s", got, want)
	}
	if l.LastSeen.IsZero() {
		t.Error("last_seen is not set")
	}
	var found bool
	for _, s := range room.Steps {
		if s.Step == 2 && len(s.Diagnoses) == 1 && s.Diagnoses[0].Learners == 1 && strings.Contains(s.Diagnoses[0].Diagnosis, "8888") {
			found = true
		}
	}
	if !found {
		t.Errorf("steps = %+v, want step 2 with its diagnosis met by 1 learner", room.Steps)
	}
}

func getJSON(t testing.TB, url, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestBadInputGets4xxWithAMessage(t *testing.T) {
	r := newTestRoom(t)
	info := r.srv.Info()
	tok := join(t, r.http.URL, info.Code, "Bob")
	huge := `{"events":[` + strings.Repeat(`{"id":"x","kind":"heartbeat","at":"2026-01-01T00:00:00Z"},`, 2000) + `]}`
	u := r.http.URL
	for _, c := range []struct {
		name, method, url, token string
		body                     any
		want                     int
	}{
		{"wrong room code", "POST", u + "/api/join", "", JoinRequest{Code: "nope", Name: "x"}, 404},
		{"empty name", "POST", u + "/api/join", "", JoinRequest{Code: info.Code, Name: " "}, 400},
		{"name with a line break", "POST", u + "/api/join", "", JoinRequest{Code: info.Code, Name: "a\nb"}, 400},
		{"name too long", "POST", u + "/api/join", "", JoinRequest{Code: info.Code, Name: strings.Repeat("n", 41)}, 400},
		{"join garbage", "POST", u + "/api/join", "", "\x00\x01garbage", 400},
		{"no learner token", "POST", u + "/api/events", "", `{"events":[]}`, 401},
		{"wrong learner token", "POST", u + "/api/events", "1.deadbeef", `{"events":[]}`, 403},
		{"not a token", "POST", u + "/api/events", "garbage", `{"events":[]}`, 401},
		{"instructor token as learner", "POST", u + "/api/events", info.Instructor, `{"events":[]}`, 401},
		{"garbage events", "POST", u + "/api/events", tok, "not json", 400},
		{"two values", "POST", u + "/api/events", tok, `{"events":[]} {}`, 400},
		{"unknown kind", "POST", u + "/api/events", tok, `{"events":[{"id":"1","kind":"rm -rf","at":"2026-01-01T00:00:00Z"}]}`, 400},
		{"no id", "POST", u + "/api/events", tok, `{"events":[{"kind":"heartbeat","at":"2026-01-01T00:00:00Z"}]}`, 400},
		{"no time", "POST", u + "/api/events", tok, `{"events":[{"id":"1","kind":"heartbeat"}]}`, 400},
		{"step without lesson", "POST", u + "/api/events", tok, `{"events":[{"id":"1","kind":"step_started","step":1,"at":"2026-01-01T00:00:00Z"}]}`, 400},
		{"control characters", "POST", u + "/api/events", tok, `{"events":[{"id":"1","kind":"hint_shown","lesson":"a\u001b[2J","at":"2026-01-01T00:00:00Z"}]}`, 400},
		{"oversized body", "POST", u + "/api/events", tok, huge, 413},
		{"room without token", "GET", u + "/api/room", "", nil, 401},
		{"room with a learner's token", "GET", u + "/api/room", tok, nil, 403},
		{"stream with a wrong token", "GET", u + "/api/stream", "nope", nil, 403},
		{"note without token", "POST", u + "/api/notes", "", `{"text":"hi"}`, 401},
		{"empty note", "POST", u + "/api/notes", info.Instructor, `{"text":"  "}`, 400},
		{"export with a learner's token", "GET", u + "/api/export.csv", tok, nil, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := do(t, c.method, c.url, c.token, c.body)
			if status != c.want {
				t.Fatalf("got %d %v, want %d", status, out, c.want)
			}
			if msg, _ := out["error"].(string); msg == "" {
				t.Errorf("answer %v has no error message", out)
			}
		})
	}
	// The server is still there, and nothing of the above was stored.
	if n, err := r.store.CountEvents(context.Background()); err != nil || n != 0 {
		t.Errorf("stored %d events (err %v), want 0", n, err)
	}
}

func TestDashboardNeedsTheToken(t *testing.T) {
	r := newTestRoom(t)
	for _, c := range []struct {
		url  string
		want int
	}{
		{"/", 401},
		{"/?token=wrong", 401},
		{"/?token=" + r.srv.Info().Instructor, 200},
		{"/static/app.js", 200},
		{"/join/" + r.srv.Info().Code, 200},
		{"/join/wrong", 404},
	} {
		res, err := http.Get(r.http.URL + c.url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("GET %s: got %d, want %d", c.url, res.StatusCode, c.want)
		}
	}
}

func TestLearnerIsRateLimited(t *testing.T) {
	r := newTestRoom(t)
	r.srv.LearnerRate, r.srv.LearnerBurst = 0, 3
	tok := join(t, r.http.URL, r.srv.Info().Code, "Flood")
	for i := 1; i <= 4; i++ {
		status, out := do(t, "POST", r.http.URL+"/api/events", tok, `{"events":[]}`)
		want := 200
		if i == 4 {
			want = 429
		}
		if status != want {
			t.Fatalf("post %d: got %d %v, want %d", i, status, out, want)
		}
	}
}

func TestNotesReachLearners(t *testing.T) {
	r := newTestRoom(t)
	info := r.srv.Info()
	if status, out := do(t, "POST", r.http.URL+"/api/notes", info.Instructor, `{"text":"before you joined"}`); status != 200 {
		t.Fatalf("note: %d %v", status, out)
	}
	status, joined := do(t, "POST", r.http.URL+"/api/join", "", JoinRequest{Code: info.Code, Name: "Cy"})
	if status != 200 {
		t.Fatal(joined)
	}
	after := int64(joined["notes_after"].(float64))
	do(t, "POST", r.http.URL+"/api/notes", info.Instructor, `{"text":"Stop and look up:   port 8080"}`)
	_, out := do(t, "POST", r.http.URL+"/api/events", joined["token"].(string), Batch{Events: []Event{}, NotesAfter: after})
	notes := out["notes"].([]any)
	if len(notes) != 1 || notes[0].(map[string]any)["text"] != "Stop and look up: port 8080" {
		t.Errorf("notes = %v, want only the note sent after joining, spaces folded", notes)
	}
}

func TestExports(t *testing.T) {
	r := newTestRoom(t)
	info := r.srv.Info()
	tok := join(t, r.http.URL, info.Code, "=HYPERLINK(\"x\")")
	formula := ev("3", StepStarted, 2)
	formula.Lesson = "@SUM(A1:A9)"
	do(t, "POST", r.http.URL+"/api/events", tok, Batch{Events: []Event{lessonStarted("1", 2), ev("2", CheckFailed, 1, Failure{"image", "no image web"}), formula}})
	res, err := http.Get(r.http.URL + "/api/export.csv?token=" + info.Instructor)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if lines := strings.Count(string(csv), "\n"); lines != 4 {
		t.Errorf("CSV has %d lines, want a header and 3 events:\n%s", lines, csv)
	}
	if !strings.Contains(string(csv), "'@SUM(A1:A9)") {
		t.Errorf("CSV = %s, want the lesson kept from being a formula", csv)
	}
	if !strings.Contains(string(csv), `'=HYPERLINK`) || !strings.Contains(string(csv), "image: no image web") {
		t.Errorf("CSV = %s, want the name kept from being a formula and the diagnosis", csv)
	}
	var exp struct {
		Title  string          `json:"title"`
		Events []ExportedEvent `json:"events"`
	}
	getJSON(t, r.http.URL+"/api/export.json", info.Instructor, &exp)
	if exp.Title != "Test room" || len(exp.Events) != 3 || exp.Events[1].Kind != CheckFailed || exp.Events[1].Name != `=HYPERLINK("x")` {
		t.Errorf("JSON export = %+v", exp)
	}
}

func TestRestartKeepsTheRoom(t *testing.T) {
	r := newTestRoom(t)
	info := r.srv.Info()
	tok := join(t, r.http.URL, info.Code, "Dee")
	do(t, "POST", r.http.URL+"/api/events", tok, Batch{Events: []Event{lessonStarted("1", 2), ev("2", StepStarted, 1), ev("3", StepPassed, 1)}})
	r.close()

	r2 := openTestRoom(t, r.db)
	if r2.srv.Info() != info {
		t.Fatalf("room after restart = %+v, want %+v", r2.srv.Info(), info)
	}
	// The learner's token still works, and what was recorded is there.
	if status, out := do(t, "POST", r2.http.URL+"/api/events", tok, Batch{Events: []Event{ev("4", StepStarted, 2)}}); status != 200 {
		t.Fatalf("posting after restart: %d %v", status, out)
	}
	var room Summary
	getJSON(t, r2.http.URL+"/api/room", info.Instructor, &room)
	if len(room.Learners) != 1 || strings.Join(room.Learners[0].Cells, ",") != "done,current" {
		t.Errorf("learners after restart = %+v, want Dee with step 1 done, on step 2", room.Learners)
	}
}

// sseEvent is one message of the stream.
type sseEvent struct{ id, event, data string }

// openStream connects to the dashboard's stream from lastID.
func openStream(t *testing.T, r *testRoom, lastID string) (<-chan sseEvent, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", r.http.URL+"/api/stream?token="+r.srv.Info().Instructor, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" || res.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("stream: %d %v", res.StatusCode, res.Header)
	}
	ch := make(chan sseEvent, 100)
	go func() {
		defer close(ch)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.event != "" {
					ch <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.data = line[6:]
			}
		}
	}()
	return ch, cancel
}

// nextLearner returns the next learner message of the stream.
func nextLearner(t *testing.T, ch <-chan sseEvent) (sseEvent, LearnerView) {
	t.Helper()
	for e := range ch {
		if e.event == "learner" {
			var l LearnerView
			if err := json.Unmarshal([]byte(e.data), &l); err != nil {
				t.Fatal(err)
			}
			return e, l
		}
	}
	t.Fatal("the stream ended")
	return sseEvent{}, LearnerView{}
}

func TestStreamReplaysWhatAReconnectingDashboardMissed(t *testing.T) {
	r := newTestRoom(t)
	info := r.srv.Info()
	ada := join(t, r.http.URL, info.Code, "Ada")
	bob := join(t, r.http.URL, info.Code, "<script>alert(1)</script>")
	do(t, "POST", r.http.URL+"/api/events", ada, Batch{Events: []Event{lessonStarted("1", 2), ev("2", StepStarted, 1)}})

	ch, stop := openStream(t, r, "")
	// Bob, who has sent nothing yet, comes first; then Ada.
	_, l := nextLearner(t, ch)
	if l.Name != "<script>alert(1)</script>" || l.Status != StatusJoined {
		t.Fatalf("first row = %+v, want Bob, just joined", l)
	}
	first, l := nextLearner(t, ch)
	if l.Name != "Ada" || l.Step != 1 {
		t.Fatalf("first row = %+v, want Ada on step 1", l)
	}
	stop()
	// Missed while away: Bob starts.
	do(t, "POST", r.http.URL+"/api/events", bob, Batch{Events: []Event{lessonStarted("1", 2), ev("2", StepStarted, 1)}})

	ch, stop = openStream(t, r, first.id)
	defer stop()
	e, l := nextLearner(t, ch)
	if l.Name != "<script>alert(1)</script>" || l.Step != 1 {
		t.Fatalf("after reconnecting from %s: row = %+v, want Bob's (only what was missed)", first.id, l)
	}
	if parseCursor(e.id).seq <= parseCursor(first.id).seq {
		t.Errorf("id %s does not move on from %s", e.id, first.id)
	}
	// Live: a new event arrives as a row, without reconnecting.
	do(t, "POST", r.http.URL+"/api/events", ada, Batch{Events: []Event{ev("3", StepPassed, 1)}})
	_, l = nextLearner(t, ch)
	if l.Name != "Ada" || l.Cells[0] != CellDone {
		t.Errorf("live row = %+v, want Ada with step 1 done", l)
	}
}

func TestStreamSendsNotesAndSummaries(t *testing.T) {
	r := newTestRoom(t)
	r.srv.SummaryEvery = 10 * time.Millisecond
	info := r.srv.Info()
	ch, stop := openStream(t, r, "0.0")
	defer stop()
	do(t, "POST", r.http.URL+"/api/notes", info.Instructor, `{"text":"break at 11"}`)
	var note, summary bool
	for e := range ch {
		switch e.event {
		case "note":
			note = strings.Contains(e.data, "break at 11") && parseCursor(e.id).note == 1
		case "summary":
			summary = strings.Contains(e.data, `"now"`)
		}
		if note && summary {
			return
		}
	}
	t.Errorf("stream ended; note %v, summary %v", note, summary)
}

// stuckWriter is a dashboard that stops reading: a write waits until its
// deadline, then fails, as on a real connection.
type stuckWriter struct {
	header    http.Header
	deadlines chan time.Time
	deadline  time.Time
}

func (w *stuckWriter) Header() http.Header { return w.header }
func (w *stuckWriter) WriteHeader(int)     {}
func (w *stuckWriter) Flush()              {}
func (w *stuckWriter) SetWriteDeadline(t time.Time) error {
	w.deadline = t
	w.deadlines <- t
	return nil
}
func (w *stuckWriter) Write(p []byte) (int, error) {
	if w.deadline.IsZero() {
		return 0, errors.New("write without a deadline")
	}
	time.Sleep(time.Until(w.deadline))
	return 0, os.ErrDeadlineExceeded
}

func TestStreamDropsADashboardThatStopsReading(t *testing.T) {
	r := newTestRoom(t)
	r.srv.WriteTimeout = time.Millisecond
	w := &stuckWriter{header: http.Header{}, deadlines: make(chan time.Time, 10)}
	req := httptest.NewRequest("GET", "/api/stream", nil)
	done := make(chan struct{})
	go func() { r.srv.stream(w, req); close(done) }()
	<-done // the stream gave up on its first write, at its deadline
	if len(w.deadlines) == 0 {
		t.Fatal("the stream wrote without a deadline")
	}
	if n := len(r.srv.Room().subs); n != 0 {
		t.Errorf("%d subscriptions left after the dashboard was dropped", n)
	}
}

func TestStreamKeepsAliveWithComments(t *testing.T) {
	r := newTestRoom(t)
	r.srv.Ping = 5 * time.Millisecond
	req, _ := http.NewRequest("GET", r.http.URL+"/api/stream?token="+r.srv.Info().Instructor, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	var retry bool
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "retry: ") {
			retry = true
		}
		if sc.Text() == ":ping" {
			if !retry {
				t.Error("no retry: field before the first ping")
			}
			return
		}
	}
	t.Fatal("the stream ended without a :ping")
}

// TestJoinsAtOnceKeepTheRoomSize: many learners joining at the same moment
// never take the room past its size.
func TestJoinsAtOnceKeepTheRoomSize(t *testing.T) {
	r := newTestRoom(t)
	r.srv.MaxLearners = 3
	r.srv.JoinRate, r.srv.JoinBurst = 1000, 1000
	var wg sync.WaitGroup
	var mu sync.Mutex
	joined := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(JoinRequest{Code: r.srv.Info().Code, Name: fmt.Sprintf("learner %d", i)})
			res, err := http.Post(r.http.URL+"/api/join", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				mu.Lock()
				joined++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if joined != 3 {
		t.Errorf("%d learners joined a room for 3", joined)
	}
}
