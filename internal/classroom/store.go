package classroom

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite", without cgo
)

// migrations bring the database from one schema version to the next:
// migrations[i] takes version i to i+1. Append, never edit.
var migrations = []string{
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE learners (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		secret TEXT NOT NULL,
		joined INTEGER NOT NULL
	);
	CREATE TABLE events (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		learner INTEGER NOT NULL REFERENCES learners(id),
		eid TEXT NOT NULL,
		kind TEXT NOT NULL,
		at INTEGER NOT NULL,
		received INTEGER NOT NULL,
		body TEXT NOT NULL,
		UNIQUE (learner, eid)
	);
	CREATE TABLE notes (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		text TEXT NOT NULL,
		at INTEGER NOT NULL
	);`,
}

// SchemaVersion is the version of the database this dockstep writes.
var SchemaVersion = len(migrations)

// Store is the room's database: the room's code and tokens, its learners,
// every event they sent and the instructor's notes.
type Store struct {
	db *sql.DB
	// mu serialises writers: SQLite has one writer at a time, and waiting
	// here is cheaper than its busy loop.
	mu sync.Mutex
}

// StoredEvent is an event as stored: with its place in the room's order,
// who sent it and when it arrived.
type StoredEvent struct {
	Seq      int64     `json:"seq"`
	Learner  int64     `json:"learner"`
	Received time.Time `json:"received"`
	Event
}

// Learner is a learner of the room.
type Learner struct {
	ID     int64
	Name   string
	Secret string
	Joined time.Time
}

// Note is a message the instructor sent to every learner.
type Note struct {
	ID   int64     `json:"id"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// RoomInfo is what identifies the room: its title, the code that lets a
// learner join and the instructor's token.
type RoomInfo struct {
	Title      string
	Code       string
	Instructor string
}

// OpenStore opens (creating it if needed) the database at path, in WAL
// mode, and brings its schema up to date.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the folder of the room's database: %w", err)
	}
	// Every connection gets these pragmas; synchronous=FULL makes a commit
	// durable before the learner is told the event is stored.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate() error {
	var v int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("reading the schema version (is this a dockstep room database?): %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this dockstep knows (%d); use a newer dockstep", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := s.db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
		}
	}
	return nil
}

// Room returns the room's title, code and instructor token, making them
// the first time. A title given replaces the one stored.
func (s *Store) Room(title string) (RoomInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.Begin()
	if err != nil {
		return RoomInfo{}, err
	}
	defer tx.Rollback()
	get := func(key string, make func() string) (string, error) {
		var v string
		err := tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			v = make()
			_, err = tx.Exec(`INSERT INTO meta (key, value) VALUES (?, ?)`, key, v)
		}
		return v, err
	}
	var info RoomInfo
	if info.Code, err = get("code", func() string { return randomHex(6) }); err != nil {
		return info, err
	}
	if info.Instructor, err = get("instructor", func() string { return randomHex(24) }); err != nil {
		return info, err
	}
	if title != "" {
		if _, err := tx.Exec(`INSERT INTO meta (key, value) VALUES ('title', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, title); err != nil {
			return info, err
		}
	}
	if info.Title, err = get("title", func() string { return "dockstep workshop" }); err != nil {
		return info, err
	}
	return info, tx.Commit()
}

// randomHex is n random bytes from crypto/rand, in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// AddLearner records a new learner with a fresh secret.
func (s *Store) AddLearner(name string, now time.Time) (Learner, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := Learner{Name: name, Secret: randomHex(24), Joined: now}
	res, err := s.db.Exec(`INSERT INTO learners (name, secret, joined) VALUES (?, ?, ?)`, name, l.Secret, now.UnixMilli())
	if err != nil {
		return l, fmt.Errorf("recording the learner: %w", err)
	}
	l.ID, err = res.LastInsertId()
	return l, err
}

// Learners lists the room's learners in the order they joined.
func (s *Store) Learners() ([]Learner, error) {
	rows, err := s.db.Query(`SELECT id, name, secret, joined FROM learners ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Learner
	for rows.Next() {
		var l Learner
		var ms int64
		if err := rows.Scan(&l.ID, &l.Name, &l.Secret, &ms); err != nil {
			return nil, err
		}
		l.Joined = time.UnixMilli(ms)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Append stores a learner's events in one transaction and returns those
// that were new, with their sequence numbers. Events whose id the learner
// sent before are left out: they are stored already. When Append returns
// without error, every event of evs is durably stored.
func (s *Store) Append(ctx context.Context, learner int64, evs []Event, received time.Time) ([]StoredEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (learner, eid, kind, at, received, body) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (learner, eid) DO NOTHING RETURNING seq`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var added []StoredEvent
	for _, e := range evs {
		if e.Kind == Heartbeat {
			continue
		}
		body, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		var seq int64
		err = stmt.QueryRowContext(ctx, learner, e.ID, string(e.Kind), e.At.UnixMilli(), received.UnixMilli(), string(body)).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			continue // a duplicate
		}
		if err != nil {
			return nil, fmt.Errorf("storing event %s: %w", e.ID, err)
		}
		added = append(added, StoredEvent{Seq: seq, Learner: learner, Received: received, Event: e})
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("storing events: %w", err)
	}
	return added, nil
}

// Events calls fn for each stored event after seq, in order.
func (s *Store) Events(ctx context.Context, after int64, fn func(StoredEvent) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, learner, received, body FROM events WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var se StoredEvent
		var ms int64
		var body string
		if err := rows.Scan(&se.Seq, &se.Learner, &ms, &body); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(body), &se.Event); err != nil {
			return fmt.Errorf("event %d is damaged: %w", se.Seq, err)
		}
		se.Received = time.UnixMilli(ms)
		if err := fn(se); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountEvents is how many events are stored.
func (s *Store) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&n)
	return n, err
}

// AddNote stores an instructor's note.
func (s *Store) AddNote(text string, now time.Time) (Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.db.Exec(`INSERT INTO notes (text, at) VALUES (?, ?)`, text, now.UnixMilli())
	if err != nil {
		return Note{}, fmt.Errorf("storing the note: %w", err)
	}
	id, err := res.LastInsertId()
	return Note{ID: id, Text: text, At: now}, err
}

// Notes lists the notes after id, oldest first.
func (s *Store) Notes(after int64) ([]Note, error) {
	rows, err := s.db.Query(`SELECT id, text, at FROM notes WHERE id > ? ORDER BY id`, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		var n Note
		var ms int64
		if err := rows.Scan(&n.ID, &n.Text, &ms); err != nil {
			return nil, err
		}
		n.At = time.UnixMilli(ms)
		out = append(out, n)
	}
	return out, rows.Err()
}
