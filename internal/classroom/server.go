package classroom

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed web
var webFS embed.FS

// Server is the room's HTTP server: the learners' API, the instructor's
// API, the dashboard and its event stream.
type Server struct {
	store *Store
	room  *Room
	info  RoomInfo

	mu      sync.Mutex
	secrets map[int64]string // learner id → secret
	limits  map[int64]*bucket
	joins   map[string]*bucket // by remote address

	// Now is the time; tests set it.
	Now func() time.Time
	// Ping is how often an idle stream gets a keep-alive comment;
	// WriteTimeout how long one write to a dashboard may take before the
	// dashboard is dropped; SummaryEvery how often the per-step figures
	// and last-seen times are sent at most.
	Ping, WriteTimeout, SummaryEvery time.Duration
	// LearnerRate and LearnerBurst limit each learner's posts (per second);
	// JoinRate and JoinBurst the joins from one address.
	LearnerRate, LearnerBurst float64
	JoinRate, JoinBurst       float64
	// MaxLearners caps the room.
	MaxLearners int
	// JoinURL is what learners run dockstep join with, shown on the
	// dashboard.
	JoinURL string
}

// NewServer opens the room kept in store: its code and tokens, made the
// first time, and everything recorded, replayed into the room's state.
func NewServer(ctx context.Context, store *Store, title string) (*Server, error) {
	info, err := store.Room(title)
	if err != nil {
		return nil, fmt.Errorf("reading the room: %w", err)
	}
	s := &Server{
		store: store, room: NewRoom(info.Title), info: info,
		secrets: map[int64]string{}, limits: map[int64]*bucket{}, joins: map[string]*bucket{},
		Now:  time.Now,
		Ping: 15 * time.Second, WriteTimeout: 10 * time.Second, SummaryEvery: time.Second,
		LearnerRate: 10, LearnerBurst: 40, JoinRate: 20, JoinBurst: 100,
		MaxLearners: 2000,
	}
	ls, err := store.Learners()
	if err != nil {
		return nil, fmt.Errorf("reading the learners: %w", err)
	}
	for _, l := range ls {
		s.secrets[l.ID] = l.Secret
		s.room.AddLearner(l.ID, l.Name, l.Joined)
	}
	var batch []StoredEvent
	err = store.Events(ctx, 0, func(e StoredEvent) error {
		batch = append(batch, e)
		if len(batch) == 1000 {
			s.room.Apply(batch...)
			batch = batch[:0]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the events: %w", err)
	}
	s.room.Apply(batch...)
	notes, err := store.Notes(0)
	if err != nil {
		return nil, fmt.Errorf("reading the notes: %w", err)
	}
	for _, n := range notes {
		s.room.AddNote(n)
	}
	return s, nil
}

// Info is the room's title, code and instructor token.
func (s *Server) Info() RoomInfo { return s.info }

// Room is the room's state.
func (s *Server) Room() *Room { return s.room }

// Handler routes the server's requests.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web")
	mux.HandleFunc("GET /{$}", s.dashboard)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /join/{code}", s.joinPage)
	mux.HandleFunc("POST /api/join", s.join)
	mux.HandleFunc("POST /api/events", s.events)
	mux.HandleFunc("GET /api/room", s.instructor(s.roomAPI))
	mux.HandleFunc("GET /api/stream", s.instructor(s.stream))
	mux.HandleFunc("POST /api/notes", s.instructor(s.note))
	mux.HandleFunc("GET /api/export.json", s.instructor(s.exportJSON))
	mux.HandleFunc("GET /api/export.csv", s.instructor(s.exportCSV))
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// fail answers an error as JSON: {"error": "..."}.
func fail(w http.ResponseWriter, code int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf(format, args...)})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// same compares two secrets in constant time.
func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// bearer is the token of the Authorization header, or of ?token= (for the
// browser's EventSource and links, which cannot set headers).
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return r.URL.Query().Get("token")
}

// instructor lets through only requests with the instructor's token.
func (s *Server) instructor(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := bearer(r)
		if t == "" {
			fail(w, http.StatusUnauthorized, "this needs the instructor's token: Authorization: Bearer TOKEN (printed by dockstep classroom serve)")
			return
		}
		if !same(t, s.info.Instructor) {
			fail(w, http.StatusForbidden, "wrong instructor token; use the one printed by dockstep classroom serve")
			return
		}
		h(w, r)
	}
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("token")
	if t == "" || !same(t, s.info.Instructor) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "This is a dockstep classroom. The dashboard needs the instructor's token:\nopen the \"dashboard:\" address that dockstep classroom serve printed.\nLearners join with: dockstep join URL (the \"learners:\" line).\n")
		return
	}
	page, err := webFS.ReadFile("web/index.html")
	if err != nil {
		fail(w, http.StatusInternalServerError, "the dashboard is missing from this build: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(page)
}

func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !same(r.PathValue("code"), s.info.Code) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "There is no room with this code here; check the address on the projector.\n")
		return
	}
	fmt.Fprintf(w, "This is the dockstep room %q. To join it, run in a terminal:\n\n  dockstep join %s\n", s.info.Title, joinURL(r, s.info.Code))
}

func joinURL(r *http.Request, code string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/join/" + code
}

// JoinRequest is the body of POST /api/join.
type JoinRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// JoinReply is the answer to a join: the learner's token, which only they
// hold, and the notes so far (the learner is shown only later ones).
type JoinReply struct {
	Learner    int64  `json:"learner"`
	Token      string `json:"token"`
	Title      string `json:"title"`
	NotesAfter int64  `json:"notes_after"`
	// Error is set instead when the join is refused.
	Error string `json:"error,omitempty"`
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	if !s.allow(s.joinBucket(remoteHost(r)), s.JoinRate, s.JoinBurst, now) {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many joins from this address; wait a moment")
		return
	}
	var req JoinRequest
	body := http.MaxBytesReader(w, r.Body, 4<<10)
	dec := json.NewDecoder(body)
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, "the join request is over %d bytes", tooBig.Limit)
			return
		}
		fail(w, http.StatusBadRequest, "the join request is not JSON {\"code\":..., \"name\":...}: %v", err)
		return
	}
	if !same(req.Code, s.info.Code) {
		fail(w, http.StatusNotFound, "there is no room with code %q here; check the join address on the projector", Truncate(req.Code, 40))
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if err := CheckName(req.Name); err != nil {
		fail(w, http.StatusBadRequest, "%v: give a name of 1 to %d characters on one line", err, maxName)
		return
	}
	// The count and the insert under one lock, so that joins at the same
	// moment cannot take the room past its size.
	s.mu.Lock()
	if len(s.secrets) >= s.MaxLearners {
		s.mu.Unlock()
		fail(w, http.StatusForbidden, "the room is full (%d learners)", s.MaxLearners)
		return
	}
	l, err := s.store.AddLearner(req.Name, now)
	if err != nil {
		s.mu.Unlock()
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	s.secrets[l.ID] = l.Secret
	s.mu.Unlock()
	s.room.AddLearner(l.ID, l.Name, now)
	var last int64
	if _, ns, _ := s.room.Changed(1<<62, 0); len(ns) > 0 {
		last = ns[len(ns)-1].ID
	}
	reply(w, JoinReply{Learner: l.ID, Token: fmt.Sprintf("%d.%s", l.ID, l.Secret), Title: s.info.Title, NotesAfter: last})
}

// remoteHost is the address a request came from, without its port.
func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// learner returns the learner whose token the request carries.
func (s *Server) learner(r *http.Request) (int64, int, string) {
	t := bearer(r)
	if t == "" {
		return 0, http.StatusUnauthorized, "this needs the learner's token: Authorization: Bearer TOKEN, as returned by POST /api/join"
	}
	idText, secret, ok := strings.Cut(t, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		return 0, http.StatusUnauthorized, "the token is not a learner's token"
	}
	s.mu.Lock()
	want, known := s.secrets[id]
	s.mu.Unlock()
	if !known || !same(secret, want) {
		return 0, http.StatusForbidden, "this token belongs to no learner of this room; join again"
	}
	return id, 0, ""
}

// EventsReply answers a learner's batch: the ids now stored (all of the
// batch's, the new and those stored before) and the instructor's notes
// after the learner's last.
type EventsReply struct {
	Acked []string `json:"acked"`
	Notes []Note   `json:"notes"`
	// Error is set instead when the batch is refused.
	Error string `json:"error,omitempty"`
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	id, code, msg := s.learner(r)
	if code != 0 {
		fail(w, code, "%s", msg)
		return
	}
	now := s.Now()
	if !s.allow(s.learnerBucket(id), s.LearnerRate, s.LearnerBurst, now) {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many requests from this learner; slow down")
		return
	}
	b, err := DecodeBatch(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || errors.Is(err, ErrTooLarge) {
			fail(w, http.StatusRequestEntityTooLarge, "%v", err)
			return
		}
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	added, err := s.store.Append(r.Context(), id, b.Events, now)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "the room could not store the events (they stay queued): %v", err)
		return
	}
	s.room.Seen(id, now)
	s.room.Apply(added...)
	rep := EventsReply{Acked: make([]string, 0, len(b.Events)), Notes: []Note{}}
	for _, e := range b.Events {
		rep.Acked = append(rep.Acked, e.ID)
	}
	_, notes, _ := s.room.Changed(1<<62, b.NotesAfter)
	if notes != nil {
		rep.Notes = notes
	}
	reply(w, rep)
}

func (s *Server) roomAPI(w http.ResponseWriter, r *http.Request) {
	reply(w, s.room.Summary(s.Now()))
}

func (s *Server) note(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "the note is not JSON {\"text\": ...}: %v", err)
		return
	}
	req.Text = strings.Join(strings.Fields(req.Text), " ")
	if req.Text == "" {
		fail(w, http.StatusBadRequest, "the note is empty")
		return
	}
	if err := checkText("the note", req.Text, maxNote); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	n, err := s.store.AddNote(req.Text, s.Now())
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	s.room.AddNote(n)
	reply(w, n)
}

// ExportedEvent is an event of the JSON export: who sent it, and when it
// arrived.
type ExportedEvent struct {
	Seq      int64     `json:"seq"`
	Learner  int64     `json:"learner"`
	Name     string    `json:"name"`
	Received time.Time `json:"received"`
	Event
}

func (s *Server) names() (map[int64]string, error) {
	ls, err := s.store.Learners()
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(ls))
	for _, l := range ls {
		m[l.ID] = l.Name
	}
	return m, nil
}

func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request) {
	names, err := s.names()
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="classroom.json"`)
	enc := json.NewEncoder(w)
	io.WriteString(w, "{\"title\":")
	enc.Encode(s.info.Title)
	io.WriteString(w, ",\"events\":[")
	first := true
	err = s.store.Events(r.Context(), 0, func(e StoredEvent) error {
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		return enc.Encode(ExportedEvent{Seq: e.Seq, Learner: e.Learner, Name: names[e.Learner], Received: e.Received, Event: e.Event})
	})
	io.WriteString(w, "]}\n")
	_ = err // the response has started; a broken export shows as broken JSON
}

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) {
	names, err := s.names()
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="classroom.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "learner", "name", "kind", "at", "received", "lesson", "step", "step_title", "diagnosis"})
	s.store.Events(r.Context(), 0, func(e StoredEvent) error {
		var diags []string
		for _, f := range e.Failed {
			diags = append(diags, f.Kind+": "+f.Diagnosis)
		}
		step := ""
		if e.Step > 0 {
			step = strconv.Itoa(e.Step)
		}
		return cw.Write([]string{strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.Learner, 10), csvSafe(names[e.Learner]), string(e.Kind),
			e.At.UTC().Format(time.RFC3339), e.Received.UTC().Format(time.RFC3339), csvSafe(e.Lesson), step, csvSafe(e.StepTitle), csvSafe(strings.Join(diags, " | "))})
	})
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a learner's name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// bucket is a token bucket: rate tokens a second, at most burst.
type bucket struct {
	tokens float64
	last   time.Time
}

func (s *Server) learnerBucket(id int64) *bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.limits[id]
	if b == nil {
		b = &bucket{tokens: s.LearnerBurst}
		s.limits[id] = b
	}
	return b
}

func (s *Server) joinBucket(host string) *bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.joins[host]
	if b == nil {
		b = &bucket{tokens: s.JoinBurst}
		s.joins[host] = b
	}
	return b
}

// allow takes a token from b, if there is one.
func (s *Server) allow(b *bucket, rate, burst float64, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens += now.Sub(b.last).Seconds() * rate
	}
	b.tokens = min(b.tokens, burst)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
