package classroom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Reporter is the learner's side of the room. Events go first to a queue
// file in the learner's state folder, then to the room in the background;
// the room acknowledges them by id and the queue forgets them. Nothing the
// learner does waits for the room: a learner offline for ten minutes shows
// up complete when back. Several dockstep processes of one learner (a
// runner and a dockstep check) share the queue through a file lock.
type Reporter struct {
	file   string
	base   string // the room's address: scheme://host:port
	code   string
	name   string
	client *http.Client
	wake   chan struct{}
	// Heartbeat is how often the room hears from an idle learner.
	Heartbeat time.Duration

	mu        sync.Mutex
	title     string
	connected bool
	tried     bool
	queued    int
	refused   string
	notes     []string
}

// queueFile is the queue as kept on disk.
type queueFile struct {
	URL     string `json:"url"`
	Name    string `json:"name"`
	Learner int64  `json:"learner,omitempty"`
	Token   string `json:"token,omitempty"`
	Title   string `json:"title,omitempty"`
	// Prefix makes this queue's event ids its own; Next numbers them.
	Prefix     string  `json:"prefix"`
	Next       int64   `json:"next"`
	NotesAfter int64   `json:"notes_after"`
	Pending    []Event `json:"pending"`
}

// ParseJoinURL splits a join address, http(s)://HOST:PORT/join/CODE, into
// the room's address and its code.
func ParseJoinURL(s string) (base, code string, err error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("%q is not a room's join address; it looks like http://HOST:7878/join/CODE (the \"learners:\" line of dockstep classroom serve)", s)
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(u.Path, "/"), "/join/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", "", fmt.Errorf("%q has no room code; the join address ends in /join/CODE", s)
	}
	return u.Scheme + "://" + u.Host, rest, nil
}

// NewReporter opens the queue of learner name in room joinURL, kept under
// stateDir, creating it (with a "joined" event) the first time.
func NewReporter(stateDir, joinURL, name string) (*Reporter, error) {
	base, code, err := ParseJoinURL(joinURL)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := CheckName(name); err != nil {
		return nil, fmt.Errorf("%v: give a name of 1 to %d characters", err, maxName)
	}
	dir := filepath.Join(stateDir, "classroom")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the classroom queue folder: %w", err)
	}
	sum := sha256.Sum256([]byte(base + "/join/" + code + "\n" + name))
	r := &Reporter{
		file: filepath.Join(dir, hex.EncodeToString(sum[:8])+".json"),
		base: base, code: code, name: name,
		client:    &http.Client{Timeout: 10 * time.Second},
		wake:      make(chan struct{}, 1),
		Heartbeat: 15 * time.Second,
	}
	err = r.update(func(q *queueFile) error {
		if q.Prefix == "" {
			q.URL, q.Name, q.Prefix = base+"/join/"+code, name, randomHex(4)
			q.add(Event{Kind: Joined, At: time.Now()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (q *queueFile) add(e Event) {
	q.Next++
	e.ID = fmt.Sprintf("%s-%d", q.Prefix, q.Next)
	q.Pending = append(q.Pending, e)
}

// update reads the queue under its lock, lets fn change it, and writes it
// back atomically.
func (r *Reporter) update(fn func(*queueFile) error) error {
	unlock, err := lockFile(r.file + ".lock")
	if err != nil {
		return fmt.Errorf("locking the classroom queue: %w", err)
	}
	defer unlock()
	var q queueFile
	data, err := os.ReadFile(r.file)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading the classroom queue: %w", err)
	default:
		if err := json.Unmarshal(data, &q); err != nil {
			// A damaged queue is started afresh rather than stopping the
			// learner; what it held is lost to the room only.
			q = queueFile{}
		}
	}
	if err := fn(&q); err != nil {
		return err
	}
	data, err = json.Marshal(&q)
	if err != nil {
		return err
	}
	tmp := r.file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("writing the classroom queue: %w", err)
	}
	if err := os.Rename(tmp, r.file); err != nil {
		return fmt.Errorf("writing the classroom queue: %w", err)
	}
	r.mu.Lock()
	r.queued = len(q.Pending)
	if q.Title != "" {
		r.title = plain(q.Title, maxText)
	}
	r.mu.Unlock()
	return nil
}

// Add queues an event and wakes the sender. It never waits for the room.
func (r *Reporter) Add(e Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	err := r.update(func(q *queueFile) error {
		probe := e
		probe.ID = "x"
		if err := probe.Validate(); err != nil {
			return fmt.Errorf("not queued for the room: %w", err)
		}
		q.add(e)
		return nil
	})
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return err
}

// Run sends the queue to the room until ctx is done: at once when events
// are added, every Heartbeat when idle, and with growing waits while the
// room cannot be reached.
func (r *Reporter) Run(ctx context.Context) {
	wait := time.Duration(0)
	for {
		err := r.Send(ctx)
		switch {
		case err == nil:
			wait = r.Heartbeat
		case wait < time.Second || wait >= r.Heartbeat:
			wait = time.Second
		default:
			wait = min(wait*2, 30*time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-r.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Flush sends until the queue is empty, the room fails, or ctx is done.
func (r *Reporter) Flush(ctx context.Context) error {
	for {
		if err := r.Send(ctx); err != nil {
			return err
		}
		r.mu.Lock()
		n := r.queued
		r.mu.Unlock()
		if n == 0 || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// errRefused is a room's answer that trying again will not change.
type errRefused struct{ msg string }

func (e *errRefused) Error() string { return e.msg }

// Send joins the room if needed, then posts one batch of the queue (an
// empty one is a heartbeat) and drops what the room acknowledged.
func (r *Reporter) Send(ctx context.Context) error {
	err := r.send(ctx)
	r.mu.Lock()
	r.tried = true
	r.connected = err == nil
	var refused *errRefused
	if errors.As(err, &refused) {
		r.refused = refused.msg
	} else if err == nil {
		r.refused = ""
	}
	r.mu.Unlock()
	return err
}

func (r *Reporter) send(ctx context.Context) error {
	var q queueFile
	if err := r.update(func(f *queueFile) error { q = *f; return nil }); err != nil {
		return err
	}
	if q.Token == "" {
		if err := r.join(ctx); err != nil {
			return err
		}
		if err := r.update(func(f *queueFile) error { q = *f; return nil }); err != nil {
			return err
		}
	}
	batch := Batch{Events: q.Pending, NotesAfter: q.NotesAfter}
	if len(batch.Events) > 50 {
		batch.Events = batch.Events[:50]
	}
	if batch.Events == nil {
		batch.Events = []Event{}
	}
	var rep EventsReply
	status, err := r.post(ctx, "/api/events", q.Token, batch, &rep)
	switch {
	case err != nil:
		return err
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		// The room does not know this token (a new database): join again.
		r.update(func(f *queueFile) error { f.Token, f.Learner = "", 0; return nil })
		return fmt.Errorf("the room did not know this learner; joining again")
	case status != http.StatusOK:
		return fmt.Errorf("the room answered %d: %s", status, FirstLine(rep.Error))
	}
	acked := make(map[string]bool, len(rep.Acked))
	for _, id := range rep.Acked {
		acked[id] = true
	}
	return r.update(func(f *queueFile) error {
		kept := f.Pending[:0]
		for _, e := range f.Pending {
			if !acked[e.ID] {
				kept = append(kept, e)
			}
		}
		f.Pending = kept
		for _, n := range rep.Notes {
			if n.ID > f.NotesAfter {
				f.NotesAfter = n.ID
				r.mu.Lock()
				r.notes = append(r.notes, plain(n.Text, maxNote))
				r.mu.Unlock()
			}
		}
		return nil
	})
}

func (r *Reporter) join(ctx context.Context) error {
	var rep JoinReply
	status, err := r.post(ctx, "/api/join", "", JoinRequest{Code: r.code, Name: r.name}, &rep)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		if status == http.StatusNotFound || status == http.StatusBadRequest || status == http.StatusForbidden {
			return &errRefused{msg: fmt.Sprintf("the room refused to let you join (%s)", FirstLine(rep.Error))}
		}
		return fmt.Errorf("the room answered %d to joining: %s", status, FirstLine(rep.Error))
	}
	return r.update(func(f *queueFile) error {
		f.Learner, f.Token, f.Title, f.NotesAfter = rep.Learner, rep.Token, rep.Title, rep.NotesAfter
		return nil
	})
}

// post sends v as JSON and decodes a 200 answer into out.
func (r *Reporter) post(ctx context.Context, path, token string, v, out any) (int, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	// A refusal's {"error": ...} lands in out's Error field, where it has
	// one.
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(out); err != nil && res.StatusCode == http.StatusOK {
		return 0, fmt.Errorf("the room's answer is not understood: %w", err)
	}
	return res.StatusCode, nil
}

// Status is the line the runner shows: "room: TITLE, connected", or
// "room: TITLE, offline, N queued".
func (r *Reporter) Status() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	title := r.title
	if title == "" {
		title = strings.TrimPrefix(strings.TrimPrefix(r.base, "http://"), "https://")
	}
	switch {
	case r.refused != "":
		return fmt.Sprintf("room: %s, not joined: %s; check the join address", title, r.refused)
	case r.connected:
		// Events queued a moment ago are on their way: the runner draws
		// right after reporting, and "sending 1" would only be noise.
		return fmt.Sprintf("room: %s, connected", title)
	case !r.tried:
		return fmt.Sprintf("room: %s, connecting", title)
	}
	return fmt.Sprintf("room: %s, offline, %d queued", title, r.queued)
}

// Queued is how many events wait to be sent.
func (r *Reporter) Queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queued
}

// Notes returns the instructor's notes received since the last call.
func (r *Reporter) Notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.notes
	r.notes = nil
	return n
}
