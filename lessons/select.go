package lessons

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Source is where a command's lessons come from: a folder of lesson files
// (dockstep --lessons) or the course built into dockstep.
type Source struct {
	FS      fs.FS
	Dir     string // the folder in FS
	Display string // how the folder is named in messages
	Options Options
	// builtin is set for the course built into dockstep.
	builtin bool
}

// From is the source a command reads: the folder dir (dockstep --lessons),
// or, when dir is empty, the course built into dockstep.
func From(dir string, opts Options) Source {
	if dir != "" {
		return Source{FS: os.DirFS(dir), Dir: ".", Display: dir, Options: opts}
	}
	return Source{FS: Course(), Dir: ".", Display: CourseDir, Options: opts, builtin: true}
}

// Lint is dockstep lint's verdict on the selection: a *UsageError listing
// its problems, or nil and a line saying how much was read.
func (sel Selection) Lint() (string, error) {
	if n := len(sel.Problems); n > 0 {
		return "", &UsageError{fmt.Sprintf("%s\n%d problem%s found", sel.Problems.Error(), n, plural(n))}
	}
	steps := 0
	for _, l := range sel.Lessons {
		steps += len(l.Steps)
	}
	return fmt.Sprintf("%d lesson%s, %d steps: no problems", len(sel.Lessons), plural(len(sel.Lessons)), steps), nil
}

// Load reads every lesson of the source.
func (s Source) Load() ([]*Lesson, Problems) {
	opts := s.Options
	opts.builtin = s.builtin
	return Load(s.FS, s.Dir, s.Display, opts)
}

// Selection is what Select found.
type Selection struct {
	// Lessons are the lessons named, in the order named; every lesson of the
	// source when nothing was named. A lesson with problems is still here
	// when its file could be read, so that what it needs is known.
	Lessons []*Lesson
	// Problems are the problems of the selected lessons' files, and of
	// files that could not be read at all.
	Problems Problems
	// Paths says whether the lessons were named by path, rather than from
	// the source.
	Paths bool
}

// NotFoundError says that an argument names no lesson.
type NotFoundError struct {
	Arg     string
	Display string   // the source's folder
	IDs     []string // the source's lesson ids
	// Unreadable are problems of files that could not be read at all: the
	// lesson may be one of them.
	Unreadable Problems
}

// ExitStatus is how dockstep ends on e: status 2, as on a usage error.
func (e *NotFoundError) ExitStatus(cmd string) (int, string) { return 2, e.Error() }

func (e *NotFoundError) Error() string {
	if len(e.IDs) == 0 {
		return fmt.Sprintf("no lesson %q: no lesson could be read from %s:\n%s", e.Arg, e.Display, e.Unreadable.Error())
	}
	msg := fmt.Sprintf("no lesson %q in %s; the lessons are %s (by id, or by number as dockstep list shows them), or give the path of a lesson file or folder",
		e.Arg, e.Display, strings.Join(e.IDs, ", "))
	if len(e.Unreadable) > 0 {
		msg += "\nthese lesson files could not be read:\n" + e.Unreadable.Error()
	}
	return msg
}

// IsPath reports whether a lesson argument is a path rather than an id or
// a number: it ends in .md, holds a path separator, or names a file or
// folder here.
func IsPath(arg string) bool {
	if strings.HasSuffix(arg, ".md") || strings.ContainsRune(arg, filepath.Separator) || strings.ContainsRune(arg, '/') {
		return true
	}
	_, err := os.Stat(arg)
	return err == nil
}

// Select finds the lessons that args name, the same way for every command:
// a lesson id (first-image), its number in the source's order as dockstep
// list shows it (4), the path of a lesson file, or a folder of lessons.
// With no args every lesson of the source is selected. An argument that
// names nothing is a *NotFoundError.
func (s Source) Select(args []string) (Selection, error) {
	var sel Selection
	if len(args) == 0 {
		sel.Lessons, sel.Problems = s.Load()
		return sel, nil
	}
	var all []*Lesson
	var allProbs Problems
	loaded := false
	for _, a := range args {
		if IsPath(a) {
			ls, ps := LoadPath(a, s.Options)
			sel.Lessons = append(sel.Lessons, ls...)
			sel.Problems = append(sel.Problems, ps...)
			sel.Paths = true
			continue
		}
		if !loaded {
			all, allProbs = s.Load()
			loaded = true
		}
		l := find(all, a)
		if l == nil {
			ids := make([]string, len(all))
			for i, l := range all {
				ids[i] = l.ID
			}
			return sel, &NotFoundError{Arg: a, Display: s.Display, IDs: ids, Unreadable: unreadable(all, allProbs)}
		}
		sel.Lessons = append(sel.Lessons, l)
		sel.Problems = append(sel.Problems, allProbs.Of(l)...)
	}
	return sel, nil
}

// find returns the lesson with the id, or at the 1-based position n.
func find(all []*Lesson, arg string) *Lesson {
	for _, l := range all {
		if l.ID == arg {
			return l
		}
	}
	if n, err := strconv.Atoi(arg); err == nil && n >= 1 && n <= len(all) {
		return all[n-1]
	}
	return nil
}

// Of returns the problems found in the lesson's file.
func (ps Problems) Of(l *Lesson) Problems {
	var out Problems
	for _, p := range ps {
		if p.Pos.File == l.Pos.File {
			out = append(out, p)
		}
	}
	return out
}

// unreadable returns the problems of files none of the lessons came from.
func unreadable(all []*Lesson, probs Problems) Problems {
	read := map[string]bool{}
	for _, l := range all {
		read[l.Pos.File] = true
	}
	var out Problems
	for _, p := range probs {
		if !read[p.Pos.File] {
			out = append(out, p)
		}
	}
	return out
}

// LoadPath reads a lesson file, or every lesson in a folder.
func LoadPath(p string, opts Options) ([]*Lesson, Problems) {
	st, err := os.Stat(p)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err
		}
		return nil, Problems{{Pos: Pos{File: p}, Msg: fmt.Sprintf("cannot read it: %v", err)}}
	}
	if st.IsDir() {
		return Load(os.DirFS(p), ".", p, opts)
	}
	dir, file := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	l, probs := Parse(os.DirFS(dir), file, p, opts)
	if l == nil {
		return nil, probs
	}
	return []*Lesson{l}, probs
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
