package lessons

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func lessonFile(title, vars string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\nformat: 1\ntitle: " + title + "\n" + vars + "---\n\n## A step\n\nSome text.\n")}
}

func TestSelect(t *testing.T) {
	src := Source{Display: "course", Dir: ".", FS: fstest.MapFS{
		"01-hello.md": lessonFile("Hello", ""),
		"02-web.md":   lessonFile("Web", ""),
		"03-bad.md":   {Data: []byte("---\nformat: 1\ntitle: Bad\nnope: 1\n---\n\n## A step\n")},
	}}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "09-mine.md"), lessonFile("Mine", "").Data, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args  []string
		ids   []string
		probs int
		paths bool
	}{
		{nil, []string{"hello", "web", "bad"}, 1, false},
		{[]string{"web"}, []string{"web"}, 0, false},
		{[]string{"2", "1"}, []string{"web", "hello"}, 0, false},
		{[]string{"bad"}, []string{"bad"}, 1, false},
		{[]string{filepath.Join(dir, "09-mine.md")}, []string{"mine"}, 0, true},
		{[]string{dir}, []string{"mine"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			sel, err := src.Select(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, l := range sel.Lessons {
				ids = append(ids, l.ID)
			}
			if !reflect.DeepEqual(ids, tt.ids) || len(sel.Problems) != tt.probs || sel.Paths != tt.paths {
				t.Errorf("got %v with %d problems (paths %v), want %v with %d (paths %v)", ids, len(sel.Problems), sel.Paths, tt.ids, tt.probs, tt.paths)
			}
		})
	}
	for _, arg := range []string{"nope", "4", "0"} {
		_, err := src.Select([]string{arg})
		var nf *NotFoundError
		if !errors.As(err, &nf) || !strings.Contains(err.Error(), "the lessons are hello, web, bad") {
			t.Errorf("Select(%q): got %v, want a NotFoundError listing the lessons", arg, err)
		}
	}
}

func TestResolve(t *testing.T) {
	l := &Lesson{ID: "web", Vars: []Var{
		{Name: "user", Prompt: "Your Docker Hub name", Pattern: "[a-z]+"},
		{Name: "port", Default: "8888"},
	}}
	asked := map[string]string{"user": "grace", "port": "9000"}
	ask := func(v Var) (string, error) { return asked[v.Name], nil }
	tests := []struct {
		name string
		src  Values
		want map[string]string
		err  string
	}{
		{"given beats saved", Values{Given: map[string]string{"user": "ada"}, Saved: map[string]string{"user": "bob"}}, map[string]string{"user": "ada", "port": "8888"}, ""},
		{"saved beats asking", Values{Saved: map[string]string{"user": "bob"}, Ask: ask}, map[string]string{"user": "bob", "port": "9000"}, ""},
		{"a saved value that no longer fits is asked again", Values{Saved: map[string]string{"user": "B0B"}, Ask: ask}, map[string]string{"user": "grace", "port": "9000"}, ""},
		{"nobody to ask: the default", Values{Given: map[string]string{"user": "ada"}}, map[string]string{"user": "ada", "port": "8888"}, ""},
		{"nobody to ask and no default", Values{}, nil, "lesson web needs a value for the variable user (Your Docker Hub name): pass --var user=VALUE"},
		{"a given value that does not fit", Values{Given: map[string]string{"user": "Ada!"}}, nil, "--var user=Ada!: \"Ada!\" does not fit what is asked: Your Docker Hub name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.Resolve(tt.src)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("got error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCheckVarNames(t *testing.T) {
	web := &Lesson{ID: "web", Vars: []Var{{Name: "user"}, {Name: "port"}}}
	bare := &Lesson{ID: "bare"}
	tests := []struct {
		given map[string]string
		ls    []*Lesson
		err   string
	}{
		{map[string]string{"user": "ada"}, []*Lesson{web, bare}, ""},
		{map[string]string{"usr": "ada"}, []*Lesson{web}, "--var usr: lesson web has no such variable; its variables are user, port"},
		{map[string]string{"usr": "ada"}, []*Lesson{bare}, "--var usr: lesson bare has no variables"},
		{map[string]string{"usr": "ada"}, []*Lesson{web, bare}, "--var usr: none of the lessons has such a variable; theirs are user, port"},
	}
	for _, tt := range tests {
		err := CheckVarNames(tt.given, tt.ls)
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.err {
				t.Errorf("got %q, want %q", got, tt.err)
			}
		} else if tt.err != "" {
			t.Errorf("got no error, want %q", tt.err)
		}
	}
}

func TestFrom(t *testing.T) {
	dir := t.TempDir()
	if s := From(dir, Options{}); s.Display != dir || s.Dir != "." {
		t.Errorf("From(%q) = %+v, want the folder", dir, s)
	}
	if s := From("", Options{}); s.Display != CourseDir {
		t.Errorf("From(\"\") = %+v, want the course", s)
	}
}

func TestSelectionLint(t *testing.T) {
	two := Selection{Lessons: []*Lesson{{Steps: []*Step{{}, {}}}, {Steps: []*Step{{}}}}}
	if got, err := two.Lint(); err != nil || got != "2 lessons, 3 steps: no problems" {
		t.Errorf("got %q, %v", got, err)
	}
	bad := Selection{Problems: Problems{{Pos: Pos{File: "01-x.md", Line: 2}, Msg: "no title"}}}
	var usage *UsageError
	if _, err := bad.Lint(); !errors.As(err, &usage) || err.Error() != "01-x.md:2: no title\n1 problem found" {
		t.Errorf("got %v, want a usage error listing the problem", err)
	}
}

// A place in the course built into dockstep is named for the learner by
// lesson and step, since its file is not on their machine; the same lesson
// read from a file is named by file and line.
func TestPlacesInTheBuiltinCourse(t *testing.T) {
	course, probs := From("", Options{}).Load()
	if len(probs) > 0 || len(course) == 0 {
		t.Fatalf("loading the course: %d lessons, %v", len(course), probs)
	}
	for _, l := range course {
		if got := l.Pos.Where(); got != l.ID {
			t.Errorf("lesson %s is at %q, want %q", l.ID, got, l.ID)
		}
		for _, s := range l.Steps {
			want := fmt.Sprintf("%s, step %d", l.ID, s.Index)
			places := []Pos{s.Pos}
			for _, c := range s.Checks {
				places = append(places, c.Pos)
			}
			for _, a := range s.Solution {
				places = append(places, a.Pos)
			}
			if s.Quiz != nil {
				places = append(places, s.Quiz.Pos)
			}
			for _, p := range places {
				if got := p.Where(); got != want {
					t.Errorf("%s:%d is named %q, want %q", p.File, p.Line, got, want)
				}
			}
		}
	}
	dir := "course"
	files, probs := LoadPath(dir, Options{})
	if len(probs) > 0 {
		t.Fatalf("loading %s: %v", dir, probs)
	}
	s := files[0].Steps[0]
	if want := fmt.Sprintf("%s:%d", s.Pos.File, s.Pos.Line); s.Pos.Where() != want || !strings.HasPrefix(want, dir+"/") {
		t.Errorf("step 1 of %s read from a file is named %q, want %q under %s", files[0].ID, s.Pos.Where(), want, dir)
	}
}
