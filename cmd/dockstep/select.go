package main

import (
	"fmt"
	"os"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/lessons"
)

// source is where the lessons come from: --lessons, or the embedded course.
func (g *globals) source() lessons.Source {
	opts := lessons.Options{Validator: registry()}
	if g.lessonsDir != "" {
		return lessons.Source{FS: os.DirFS(g.lessonsDir), Dir: ".", Display: g.lessonsDir, Options: opts}
	}
	return lessons.Source{FS: lessons.Course(), Dir: ".", Display: lessons.CourseDir, Options: opts}
}

// lessonVars is the lessons args name (Source.Readable), and the values
// their variables take for the commands that never ask them
// (progress.Vars): --var, the learner's saved answer, the default, a
// sample value. A --var that does not fit ends dockstep with exit status 2.
func (b *base) lessonVars(args, flags []string) (lessons.Selection, func(*lessons.Lesson) map[string]string, error) {
	sel, err := b.course.Readable(args)
	if err != nil {
		return sel, nil, err
	}
	given, err := lessons.VarFlags(flags, sel.Lessons)
	if err != nil {
		return sel, nil, err
	}
	vars, err := b.progress().Vars(sel.Lessons, given)
	if err != nil {
		return sel, nil, exitf(2, "%v", err)
	}
	return sel, vars, nil
}

// progress reads the learner's progress for display; what goes wrong is
// a warning, and no progress is shown.
func (b *base) progress() *progress.Progress {
	return progress.Shown(func(msg string) { fmt.Fprintf(b.io.ErrOut, "warning: %s\n", msg) })
}
