package grade

import (
	"encoding/json"
	"io"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
)

// Learner fills in r.Vars and r.Dir as dockstep check takes them, from the
// command line and from what dockstep start saved of the lesson (saved;
// nil when the learner never started it): each variable is the value
// given (--var), else the learner's answer, else its default; the folder
// is dir (--dir), else the lesson's own folder when it is still there,
// else the current one (Folder). What does not fit is a *UsageError.
func (r *Request) Learner(given map[string]string, dir string, saved *progress.LessonProgress) error {
	if saved == nil {
		saved = &progress.LessonProgress{}
	}
	vars, err := r.Lesson.Resolve(lessons.Values{Given: given, Saved: saved.Vars})
	if err != nil {
		return &UsageError{err.Error()}
	}
	r.Vars = vars
	r.Dir, err = Folder(dir, saved.Workspace)
	return err
}

// Write writes the report to w as text (WriteText), or as indented JSON,
// dockstep check --json's output.
func (rep *Report) Write(w io.Writer, asJSON, color bool) error {
	if !asJSON {
		rep.WriteText(w, color)
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
