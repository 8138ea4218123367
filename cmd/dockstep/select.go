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

// selectLessons finds the lessons args name, as every command takes them:
// ids, numbers as dockstep list shows them, lesson files or folders; all
// of them without args. An argument naming nothing, or no lesson to be
// found at all, ends dockstep with exit status 2.
func (b *base) selectLessons(args []string) (lessons.Selection, error) {
	sel, err := b.course.Select(args)
	switch {
	case err != nil:
		return sel, exitf(2, "%v", err)
	case len(sel.Lessons) == 0:
		return sel, exitf(2, "no lessons could be read:\n%s", sel.Problems.Error())
	}
	return sel, nil
}

// soundLessons are the lessons args name, for the commands that run them:
// lessons with problems end dockstep with exit status 2.
func (b *base) soundLessons(args []string) ([]*lessons.Lesson, error) {
	sel, err := b.selectLessons(args)
	if err == nil && len(sel.Problems) > 0 {
		err = lintFirst(sel.Problems)
	}
	return sel.Lessons, err
}

// oneLesson is the single lesson arg names, for the commands that work on
// one. Its problems end dockstep with exit status 2.
func (b *base) oneLesson(arg string) (*lessons.Lesson, error) {
	ls, err := b.soundLessons([]string{arg})
	if err == nil && len(ls) != 1 {
		err = exitf(2, "%s holds %d lessons; name one lesson", arg, len(ls))
	}
	if err != nil {
		return nil, err
	}
	return ls[0], nil
}

// lintFirst is the exit of a command given lessons with problems.
func lintFirst(probs lessons.Problems) error {
	return exitf(2, "%s\nfix these problems first (dockstep lint shows them too)", probs.Error())
}

// varFlags reads --var name=value flags, and holds them to the one policy
// for names: each must be a variable of one of the lessons.
func varFlags(flags []string, ls []*lessons.Lesson) (map[string]string, error) {
	set, err := lessons.ParseVarFlags(flags)
	if err == nil {
		err = lessons.CheckVarNames(set, ls)
	}
	if err != nil {
		return nil, exitf(2, "%v", err)
	}
	return set, nil
}

// lessonVars is the lessons args name (selectLessons), and the values
// their variables take for the commands that never ask them
// (progress.Vars): --var, the learner's saved answer, the default, a
// sample value. A --var that does not fit ends dockstep with exit status 2.
func (b *base) lessonVars(args, flags []string) (lessons.Selection, func(*lessons.Lesson) map[string]string, error) {
	sel, err := b.selectLessons(args)
	if err != nil {
		return sel, nil, err
	}
	given, err := varFlags(flags, sel.Lessons)
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
	return progress.Shown(func(msg string) { fmt.Fprintf(b.io.errOut, "warning: %s\n", msg) })
}
