package progress

// What the commands read from the learner's progress: the lessons as
// dockstep list shows them, the progress for display, and the values of
// the variables without asking.

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/dockstep/dockstep/lessons"
)

// Listing is a lesson with the learner's progress in it, as dockstep list
// shows it; its JSON is list --json's.
type Listing struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Steps   int    `json:"steps"`
	Summary string `json:"summary,omitempty"`
	// Done counts the steps finished or skipped.
	Done int `json:"done"`
	// Skipped counts the steps skipped (and not done since).
	Skipped int `json:"skipped"`
	// Current is set on the lesson that dockstep resumes.
	Current bool `json:"current,omitempty"`
}

// List lists the lessons, in their order, with the learner's progress.
func (p *Progress) List(ls []*lessons.Lesson) []Listing {
	out := make([]Listing, 0, len(ls))
	for _, l := range ls {
		r := Listing{ID: l.ID, Title: l.Title, Steps: len(l.Steps), Summary: l.Summary, Current: p.Current == l.ID}
		if lp, ok := p.Lessons[l.ID]; ok && lp != nil {
			r.Done, _ = lp.Finished(l)
			r.Skipped = lp.SkippedSteps(l)
		}
		out = append(out, r)
	}
	return out
}

// Where says in a few words how far the learner is, for list's DONE
// column: "2/6", "finished", "done, 1 skipped", "1/6, 1 skipped", with
// "(current)" on the unfinished lesson dockstep resumes.
func (r Listing) Where() string {
	where := fmt.Sprintf("%d/%d", r.Done, r.Steps)
	switch {
	case r.Done == r.Steps && r.Steps > 0 && r.Skipped > 0:
		where = fmt.Sprintf("done, %d skipped", r.Skipped)
	case r.Done == r.Steps && r.Steps > 0:
		where = "finished"
	case r.Skipped > 0:
		where = fmt.Sprintf("%d/%d, %d skipped", r.Done-r.Skipped, r.Steps, r.Skipped)
	}
	if r.Current && r.Done < r.Steps {
		where += " (current)"
	}
	return where
}

// Listed is every lesson of course, in order, with the learner's progress
// (Shown, warning on warn), as dockstep list shows them. Lessons with
// problems are a *lessons.UsageError listing them.
func Listed(course lessons.Source, warn func(string)) ([]Listing, error) {
	all, probs := course.Load()
	if len(probs) > 0 {
		return nil, &lessons.UsageError{Msg: probs.Error() + "\nfix these problems (dockstep lint shows them too)"}
	}
	return Shown(warn).List(all), nil
}

// WriteTable writes the lessons as dockstep list shows them: a table with
// their number, id, title, steps and how far the learner is (Where).
func WriteTable(w io.Writer, rows []Listing) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tID\tTITLE\tSTEPS\tDONE")
	for i, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", i+1, r.ID, r.Title, r.Steps, r.Where())
	}
	return tw.Flush()
}

// Shown reads the learner's progress to show it or to use their saved
// answers. What goes wrong is said to warn, as a line, and what could be
// read is used: a progress file set aside as corrupt, or none at all.
func Shown(warn func(string)) *Progress {
	dir, err := StateDir()
	if err != nil {
		warn(err.Error())
		return newProgress()
	}
	prog, err := NewStore(dir).Load()
	var corrupt *CorruptError
	switch {
	case errors.As(err, &corrupt):
		warn(err.Error())
	case err != nil:
		warn(err.Error() + "; progress is not shown")
		return newProgress()
	}
	return prog
}

// Vars gives each lesson's variables the values the learner will use,
// without asking: given (--var), else their answers saved by dockstep
// start, else the default, else a sample value. A given value that does
// not fit is an error.
func (p *Progress) Vars(ls []*lessons.Lesson, given map[string]string) (func(*lessons.Lesson) map[string]string, error) {
	out := map[*lessons.Lesson]map[string]string{}
	for _, l := range ls {
		var saved map[string]string
		if lp := p.Lessons[l.ID]; lp != nil {
			saved = lp.Vars
		}
		sample := l.SampleVars()
		vs, err := l.Resolve(lessons.Values{Given: given, Saved: saved, Ask: func(v lessons.Var) (string, error) {
			return sample[v.Name], nil
		}})
		if err != nil {
			return nil, err
		}
		out[l] = vs
	}
	return func(l *lessons.Lesson) map[string]string { return out[l] }, nil
}

// Selected is the lessons args name in course (Source.Readable), and the
// values their variables take for the commands that never ask them
// (Vars, with the progress Shown, warning on warn): the --var flags, the
// learner's saved answer, the default, a sample value. What does not fit
// is a *lessons.UsageError.
func Selected(course lessons.Source, args, flags []string, warn func(string)) (lessons.Selection, func(*lessons.Lesson) map[string]string, error) {
	sel, err := course.Readable(args)
	if err != nil {
		return sel, nil, err
	}
	given, err := lessons.VarFlags(flags, sel.Lessons)
	if err != nil {
		return sel, nil, err
	}
	vars, err := Shown(warn).Vars(sel.Lessons, given)
	if err != nil {
		return sel, nil, &lessons.UsageError{Msg: err.Error()}
	}
	return sel, vars, nil
}
