package runner

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

// ProgressVersion is the version of the progress file this build writes and
// reads.
const ProgressVersion = 1

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
type Store struct {
	dir string
}

// NewStore returns a store for progress.json in dir. Nothing is read or
// created until Load or Save.
func NewStore(dir string) *Store { return &Store{dir: dir} }

// Path is the progress file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, progressFile) }

// CorruptError is the warning Load returns when the progress file could not
// be read as progress. The file has been moved aside and the learner starts
// afresh; the runner shows the warning and carries on.
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
	aside, err := setAside(p)
	if err != nil {
		return nil, fmt.Errorf("the progress file %s could not be read (%v), and moving it aside failed: %w; remove the file to start afresh", p, perr, err)
	}
	return newProgress(), &CorruptError{Path: p, SetAside: aside, Err: perr}
}

type newerVersionError struct{ version int }

func (e *newerVersionError) Error() string {
	return fmt.Sprintf("the progress file is version %d, written by a newer dockstep than this one (which reads version %d); upgrade dockstep, or run dockstep reset to start afresh", e.version, ProgressVersion)
}

func decodeProgress(data []byte) (*Progress, error) {
	var prog Progress
	if err := json.Unmarshal(data, &prog); err != nil {
		return nil, err
	}
	switch {
	case prog.Version == 0:
		return nil, errors.New("it has no version")
	case prog.Version > ProgressVersion:
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

// Save writes the progress atomically: to a temporary file in the same folder,
// synced to disk, then renamed over progress.json. It creates the folder
// (mode 0700) if needed.
func (s *Store) Save(p *Progress) error {
	if p.Version == 0 {
		p.Version = ProgressVersion
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("saving your progress: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("saving your progress: %w", err)
	}
	f, err := os.CreateTemp(s.dir, progressFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving your progress: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("saving your progress to %s: %w", s.Path(), err)
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
	if err := os.Rename(tmp, s.Path()); err != nil {
		return fail(err)
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
	// Version is the format of the progress file: ProgressVersion.
	Version int `json:"version"`
	// Current is the id of the lesson in progress.
	Current string `json:"current,omitempty"`
	// Lessons holds each lesson's progress by lesson id.
	Lessons map[string]*LessonProgress `json:"lessons,omitempty"`
}

func newProgress() *Progress {
	return &Progress{Version: ProgressVersion, Lessons: map[string]*LessonProgress{}}
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

// Reset forgets the progress in the lesson with this id, or in every lesson
// when id is "".
func (p *Progress) Reset(id string) {
	if id == "" {
		p.Current = ""
		p.Lessons = map[string]*LessonProgress{}
		return
	}
	delete(p.Lessons, id)
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
