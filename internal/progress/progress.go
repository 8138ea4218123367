// Package progress keeps what dockstep remembers about the learner, in the
// state folder (StateDir): the progress file, progress.json, that several
// dockstep processes read and write at once (Store merges each save into
// the file under a lock), and the checks' memo of the containers that last
// passed, containers.json.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/dockstep/dockstep/lessons"
)

// Version is the version of the progress file this build writes and
// reads.
const Version = 1

// progressFile is the name of the progress file inside the state folder.
const progressFile = "progress.json"

// StateDir returns the folder where dockstep keeps the learner's progress:
// $XDG_STATE_HOME/dockstep, or ~/.local/state/dockstep when XDG_STATE_HOME is
// unset, empty or relative (the XDG spec says to ignore relative paths).
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "dockstep"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find where to keep your progress: %w; set HOME or XDG_STATE_HOME", err)
	}
	return filepath.Join(home, ".local", "state", "dockstep"), nil
}

// Store reads and writes the progress file, progress.json, in one folder.
//
// Several dockstep processes may use the same file at once: two windows
// open on lessons, dockstep reset or list in another terminal. So Save
// never writes back a copy of what it loaded: it takes an advisory lock on
// progress.json.lock beside the file, reads the file again, applies what
// this process changed since it last loaded or saved (field by field: a
// step done, a variable given, the current step), and replaces the file
// atomically. A reset is kept in the file as the time the lesson was
// forgotten, so no process can bring back what was recorded before it.
type Store struct {
	dir string
}

// NewStore returns a store for progress.json in dir. Nothing is read or
// created until Load or Save.
func NewStore(dir string) *Store { return &Store{dir: dir} }

// Path is the progress file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, progressFile) }

// lockPath is the file the store locks while it reads and writes the
// progress; it is never removed, so every process locks the same file.
func (s *Store) lockPath() string { return s.Path() + ".lock" }

// CorruptError is the warning Load returns when the progress file could not
// be read as progress. The file has been moved aside and the learner starts
// afresh; the runner shows the warning and carries on. Save returns it too
// when it found the file unreadable: the progress was saved all the same.
type CorruptError struct {
	Path     string // where the file was
	SetAside string // where it is now
	Err      error  // why it could not be read
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("the progress file %s could not be read (%v); it was moved to %s and your progress starts afresh", e.Path, e.Err, e.SetAside)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Load reads the progress. A missing file is empty progress. A file that is
// not valid progress is renamed to progress.json.corrupt-<timestamp>, and Load
// returns empty progress together with a *CorruptError saying where the file
// went. Any other problem, such as a folder that cannot be read, is returned
// as an error with no progress.
func (s *Store) Load() (*Progress, error) {
	prog, err := s.read()
	var corrupt *corruptFile
	if errors.As(err, &corrupt) {
		// Set it aside only under the lock, and only if it is still the
		// file that could not be read: another process may have just
		// replaced it with good progress.
		err = s.locked(func() error {
			prog, err = s.readAside()
			return err
		})
	}
	if prog != nil {
		prog.saved = prog.clone()
	}
	return prog, err
}

// corruptFile is read's error for a file that is not progress.
type corruptFile struct{ err error }

func (e *corruptFile) Error() string { return e.err.Error() }

// read reads and decodes the progress file: empty progress when there is
// none, a *corruptFile error when it is not progress.
func (s *Store) read() (*Progress, error) {
	p := s.Path()
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return newProgress(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading your progress: %w", err)
	}
	prog, perr := decodeProgress(data)
	if perr == nil {
		return prog, nil
	}
	var newer *newerVersionError
	if errors.As(perr, &newer) {
		// Written by a newer dockstep: keep it for that version rather than
		// setting it aside.
		return nil, fmt.Errorf("%s: %w", p, perr)
	}
	return nil, &corruptFile{perr}
}

// readAside is read for a caller holding the lock: a file that is not
// progress is moved aside, and the caller gets empty progress and a
// *CorruptError.
func (s *Store) readAside() (*Progress, error) {
	prog, err := s.read()
	var corrupt *corruptFile
	if !errors.As(err, &corrupt) {
		return prog, err
	}
	p := s.Path()
	aside, err := setAside(p)
	if err != nil {
		return nil, fmt.Errorf("the progress file %s could not be read (%v), and moving it aside failed: %w; remove the file to start afresh", p, corrupt.err, err)
	}
	return newProgress(), &CorruptError{Path: p, SetAside: aside, Err: corrupt.err}
}

// locked runs fn holding the store's lock, creating the folder (mode 0700)
// if needed. The lock is the operating system's: it goes with the process
// that holds it, however that process ends.
func (s *Store) locked(fn func() error) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(s.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	defer unlockFile(f)
	return fn()
}

type newerVersionError struct{ version int }

func (e *newerVersionError) Error() string {
	return fmt.Sprintf("the progress file is version %d, written by a newer dockstep than this one (which reads version %d); upgrade dockstep, or run dockstep reset to start afresh", e.version, Version)
}

func decodeProgress(data []byte) (*Progress, error) {
	var prog Progress
	if err := json.Unmarshal(data, &prog); err != nil {
		return nil, err
	}
	switch {
	case prog.Version == 0:
		return nil, errors.New("it has no version")
	case prog.Version > Version:
		return nil, &newerVersionError{prog.Version}
	}
	if prog.Lessons == nil {
		prog.Lessons = map[string]*LessonProgress{}
	}
	for id, lp := range prog.Lessons {
		if lp == nil {
			lp = &LessonProgress{}
			prog.Lessons[id] = lp
		}
		lp.init()
	}
	return &prog, nil
}

// setAside renames a corrupt file to a name that is not yet taken.
func setAside(p string) (string, error) {
	base := p + ".corrupt-" + time.Now().UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(p, aside); err != nil {
		return "", err
	}
	return aside, nil
}

// saveHook, when set (by tests), is called at stages of Save: "locked" once
// the lock is held, "written" when the new file is on disk but not yet in
// place.
var saveHook func(stage string)

// Save records what changed in p since it was loaded or last saved. Holding
// the lock, it reads the file again, applies p's changes to it, and writes
// the result atomically: to a temporary file in the same folder, synced to
// disk, then renamed over progress.json. Changes other processes saved in
// the meantime are kept; p itself is left as it is. Save creates the folder
// (mode 0700) if needed. When the file on disk could not be read, it is set
// aside, p's progress is saved, and Save returns a *CorruptError.
func (s *Store) Save(p *Progress) error {
	err := s.locked(func() error {
		if saveHook != nil {
			saveHook("locked")
		}
		s.removeTemporary()
		disk, err := s.readAside()
		var corrupt *CorruptError
		if err != nil && !errors.As(err, &corrupt) {
			return err
		}
		merge(disk, p.saved, p)
		if werr := s.write(disk); werr != nil {
			return werr
		}
		p.saved = p.clone()
		return err
	})
	var corrupt *CorruptError
	if err != nil && !errors.As(err, &corrupt) {
		return fmt.Errorf("saving your progress to %s: %w", s.Path(), err)
	}
	return err
}

// ResetElsewhere reports whether the progress in the lesson with this id
// was reset in the file, by another process (dockstep reset), after p last
// knew of it. If so, p forgets the lesson as of that reset, as if it had
// been loaded since: a window open on the lesson shows it reset, and its
// next Save neither brings back nor resets again what was forgotten. The
// file is only read; one that cannot be read is no reset.
func (s *Store) ResetElsewhere(p *Progress, id string) (bool, error) {
	disk, err := s.read()
	var corrupt *corruptFile
	switch {
	case errors.As(err, &corrupt):
		return false, nil // the next Save sets it aside, and says so
	case err != nil:
		return false, err
	}
	at, known := disk.Resets[id], p.Resets[id]
	if p.saved != nil && p.saved.Resets[id].After(known) {
		known = p.saved.Resets[id]
	}
	if !at.After(known) {
		return false, nil
	}
	p.forget(id, at)
	if p.saved != nil {
		p.saved.forget(id, at)
	}
	return true, nil
}

// removeTemporary removes what a process killed while saving left behind.
// Only the holder of the lock writes temporary files, so under the lock any
// that exist are orphans.
func (s *Store) removeTemporary() {
	tmps, _ := filepath.Glob(filepath.Join(s.dir, progressFile+".tmp-*"))
	for _, t := range tmps {
		os.Remove(t)
	}
}

// write replaces the progress file with p, atomically.
func (s *Store) write(p *Progress) error {
	p.Version = Version
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	f, err := os.CreateTemp(s.dir, progressFile+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if saveHook != nil {
		saveHook("written")
	}
	if err := os.Rename(tmp, s.Path()); err != nil {
		os.Remove(tmp)
		return err
	}
	// Make the rename itself durable. Not every file system can sync a
	// folder; the file is in place either way.
	if d, err := os.Open(s.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Progress is everything dockstep remembers about one learner.
type Progress struct {
	// Version is the format of the progress file: the package's Version.
	Version int `json:"version"`
	// Current is the id of the lesson in progress.
	Current string `json:"current,omitempty"`
	// Lessons holds each lesson's progress by lesson id.
	Lessons map[string]*LessonProgress `json:"lessons,omitempty"`
	// Resets holds when the progress in each lesson was last forgotten, by
	// lesson id. What was recorded in a lesson before then is never brought
	// back by a process that had loaded it earlier.
	Resets map[string]time.Time `json:"resets,omitempty"`

	// saved is the progress as this process last loaded or saved it: Save
	// writes only what differs from it.
	saved *Progress
	// resetAll is when Reset("") was called, if it was.
	resetAll time.Time
}

func newProgress() *Progress {
	return &Progress{Version: Version, Lessons: map[string]*LessonProgress{}}
}

// LessonProgress is the learner's progress in one lesson. Steps are known by
// their titles, so that a lesson edited since keeps the progress of every
// step whose title did not change.
type LessonProgress struct {
	// Step is the title of the current step.
	Step string `json:"step,omitempty"`
	// Done holds the titles of finished steps and when they were finished.
	Done map[string]time.Time `json:"done,omitempty"`
	// Skipped holds the titles of the steps the learner skipped.
	Skipped map[string]bool `json:"skipped,omitempty"`
	// Vars are the values the learner gave the lesson's variables.
	Vars map[string]string `json:"vars,omitempty"`
	// Started holds when each step was first shown, by title; "ran" checks
	// look for commands run since then.
	Started map[string]time.Time `json:"started,omitempty"`
	// Workspace is the learner's working directory for this lesson.
	Workspace string `json:"workspace,omitempty"`
}

// init makes every map ready to be written to.
func (lp *LessonProgress) init() {
	if lp.Done == nil {
		lp.Done = map[string]time.Time{}
	}
	if lp.Skipped == nil {
		lp.Skipped = map[string]bool{}
	}
	if lp.Vars == nil {
		lp.Vars = map[string]string{}
	}
	if lp.Started == nil {
		lp.Started = map[string]time.Time{}
	}
}

// Lesson returns the progress in the lesson with this id, creating it on
// first use. Its maps are never nil.
func (p *Progress) Lesson(id string) *LessonProgress {
	if p.Lessons == nil {
		p.Lessons = map[string]*LessonProgress{}
	}
	lp := p.Lessons[id]
	if lp == nil {
		lp = &LessonProgress{}
		p.Lessons[id] = lp
	}
	lp.init()
	return lp
}

// Reset forgets, as of at, the progress in the lesson with this id, or in
// every lesson when id is "". Saved, the reset wins over whatever other
// processes recorded in the lesson before at.
func (p *Progress) Reset(id string, at time.Time) {
	if p.Resets == nil {
		p.Resets = map[string]time.Time{}
	}
	if id == "" {
		for id := range p.Lessons {
			p.Resets[id] = at
		}
		p.Current = ""
		p.Lessons = map[string]*LessonProgress{}
		p.resetAll = at
		return
	}
	delete(p.Lessons, id)
	p.Resets[id] = at
	if p.Current == id {
		p.Current = ""
	}
}

// MarkStarted records that the step was shown at t, unless it was shown
// before: a step's start time is when it was first shown.
func (lp *LessonProgress) MarkStarted(title string, t time.Time) {
	lp.init()
	if _, ok := lp.Started[title]; !ok {
		lp.Started[title] = t
	}
}

// MarkDone records that the step was finished at t. A finished step is no
// longer skipped.
func (lp *LessonProgress) MarkDone(title string, t time.Time) {
	lp.init()
	lp.Done[title] = t
	delete(lp.Skipped, title)
}

// MarkSkipped records that the learner skipped the step.
func (lp *LessonProgress) MarkSkipped(title string) {
	lp.init()
	lp.Skipped[title] = true
}

// IsFinished reports whether the step with this title is done or skipped.
func (lp *LessonProgress) IsFinished(title string) bool {
	if lp == nil {
		return false
	}
	_, done := lp.Done[title]
	return done || lp.Skipped[title]
}

// FirstUnfinished returns the index (0-based) of the first step of l that is
// neither done nor skipped, or len(l.Steps) when all are.
func (lp *LessonProgress) FirstUnfinished(l *lessons.Lesson) int {
	for i, s := range l.Steps {
		if !lp.IsFinished(s.Title) {
			return i
		}
	}
	return len(l.Steps)
}

// SkippedSteps counts the steps of l that the learner skipped and has not done
// since.
func (lp *LessonProgress) SkippedSteps(l *lessons.Lesson) int {
	n := 0
	for _, s := range l.Steps {
		if _, done := lp.Done[s.Title]; !done && lp.Skipped[s.Title] {
			n++
		}
	}
	return n
}

// State says in words how far the learner is in l: "not started",
// "2 of 6 steps done", "finished", or, when steps were skipped, "done, 2
// skipped" and "2 of 6 steps done, 1 skipped" (three steps behind). A nil
// lp is not started.
func (lp *LessonProgress) State(l *lessons.Lesson) string {
	if lp == nil {
		return "not started"
	}
	finished, total := lp.Finished(l)
	skipped := lp.SkippedSteps(l)
	switch {
	case finished == total && skipped == 0:
		return "finished"
	case finished == total:
		return fmt.Sprintf("done, %d skipped", skipped)
	case skipped == 0:
		return fmt.Sprintf("%d of %d steps done", finished, total)
	}
	return fmt.Sprintf("%d of %d steps done, %d skipped", finished-skipped, total, skipped)
}

// Finished counts the steps of l that are done or skipped, and all its steps.
// Progress recorded under titles the lesson no longer has is not counted.
func (lp *LessonProgress) Finished(l *lessons.Lesson) (done, total int) {
	for _, s := range l.Steps {
		if lp.IsFinished(s.Title) {
			done++
		}
	}
	return done, len(l.Steps)
}

// Restart forgets which steps were done, skipped and started, for the
// learner to go through the lesson again. The variables, the workspace and
// the current step are kept.
func (lp *LessonProgress) Restart() {
	lp.Done, lp.Skipped, lp.Started = nil, nil, nil
	lp.init()
}
