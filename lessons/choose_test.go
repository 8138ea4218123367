package lessons

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestChoosingLessons(t *testing.T) {
	src := Source{Display: "course", Dir: ".", FS: fstest.MapFS{
		"01-hello.md": lessonFile("Hello", "vars:\n  user:\n    prompt: \"Your name\"\n    default: ada\n"),
		"02-web.md":   lessonFile("Web", ""),
		"03-bad.md":   {Data: []byte("---\nformat: 1\ntitle: Bad\nnope: 1\n---\n\n## A step\n")},
	}}
	good := Source{Display: "good", Dir: ".", FS: fstest.MapFS{
		"01-hello.md": lessonFile("Hello", ""),
		"02-web.md":   lessonFile("Web", ""),
	}}
	empty := Source{Display: "empty", Dir: ".", FS: fstest.MapFS{}}
	dir := t.TempDir()
	mine := filepath.Join(dir, "09-mine.md")
	if err := os.WriteFile(mine, lessonFile("Mine", "").Data, 0o644); err != nil {
		t.Fatal(err)
	}
	ids := func(ls []*Lesson) string {
		var s []string
		for _, l := range ls {
			s = append(s, l.ID)
		}
		return strings.Join(s, " ")
	}
	usage := func(t *testing.T, err error, with string) {
		t.Helper()
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), with) {
			t.Errorf("got %v, want a *UsageError with %q", err, with)
		}
	}

	t.Run("Readable", func(t *testing.T) {
		if sel, err := src.Readable([]string{"bad"}); err != nil || ids(sel.Lessons) != "bad" || len(sel.Problems) != 1 {
			t.Errorf("Readable(bad) = %s, %d problems, %v; want bad with its problem", ids(sel.Lessons), len(sel.Problems), err)
		}
		_, err := empty.Readable(nil)
		usage(t, err, "no lessons could be read")
		var nf *NotFoundError
		if _, err := src.Readable([]string{"nope"}); !errors.As(err, &nf) {
			t.Errorf("Readable(nope): got %v, want a *NotFoundError", err)
		}
	})
	t.Run("Sound", func(t *testing.T) {
		if ls, err := src.Sound([]string{"2", "hello"}); err != nil || ids(ls) != "web hello" {
			t.Errorf("Sound(2, hello) = %s, %v; want web hello", ids(ls), err)
		}
		_, err := src.Sound(nil)
		usage(t, err, "fix these problems first")
	})
	t.Run("One", func(t *testing.T) {
		if l, err := src.One("web"); err != nil || l.ID != "web" {
			t.Errorf("One(web) = %v, %v", l, err)
		}
		_, err := src.One(dir + string(filepath.Separator) + "..")
		if err == nil {
			t.Errorf("One of a folder of several lessons: no error")
		}
		_, err = src.One("bad")
		usage(t, err, "fix these problems first")
	})
	t.Run("ID", func(t *testing.T) {
		if id, err := src.ID("3"); err != nil || id != "bad" {
			t.Errorf("ID(3) = %q, %v; want bad, whatever its problems", id, err)
		}
		os.WriteFile(filepath.Join(dir, "10-more.md"), lessonFile("More", "").Data, 0o644)
		defer os.Remove(filepath.Join(dir, "10-more.md"))
		_, err := src.ID(dir)
		usage(t, err, "holds 2 lessons; name one lesson")
	})
	t.Run("Course", func(t *testing.T) {
		for _, tc := range []struct{ arg, ids, id string }{
			{"", "hello web", ""},
			{"web", "hello web", "web"},
			{mine, "mine", "mine"},
		} {
			ls, id, err := good.Course(tc.arg)
			if err != nil || ids(ls) != tc.ids || id != tc.id {
				t.Errorf("Course(%q) = %s, %q, %v; want %s, %q", tc.arg, ids(ls), id, err, tc.ids, tc.id)
			}
		}
		_, _, err := src.Course("")
		usage(t, err, "fix these problems first")
	})
	t.Run("VarFlags", func(t *testing.T) {
		hello, err := src.One("hello")
		if err != nil {
			t.Fatal(err)
		}
		if set, err := VarFlags([]string{"user=bo"}, []*Lesson{hello}); err != nil || set["user"] != "bo" {
			t.Errorf("VarFlags(user=bo) = %v, %v", set, err)
		}
		_, err = VarFlags([]string{"user"}, []*Lesson{hello})
		usage(t, err, "write it as name=value")
		_, err = VarFlags([]string{"usr=bo"}, []*Lesson{hello})
		usage(t, err, "usr")
	})
}

func TestChoosingWithVars(t *testing.T) {
	src := Source{Display: "course", Dir: ".", FS: fstest.MapFS{
		"01-hello.md": lessonFile("Hello", "vars:\n  user:\n    prompt: \"Your name\"\n    default: ada\n"),
		"02-web.md":   lessonFile("Web", ""),
	}}
	var usage *UsageError
	if ls, set, err := src.SoundVars(nil, []string{"user=grace"}); err != nil || len(ls) != 2 || set["user"] != "grace" {
		t.Errorf("SoundVars: got %d lessons, %v, %v", len(ls), set, err)
	}
	if _, _, err := src.SoundVars(nil, []string{"colour=red"}); !errors.As(err, &usage) {
		t.Errorf("SoundVars with an unknown variable: got %v, want a usage error", err)
	}
	if l, set, err := src.OneVars("hello", []string{"user=grace"}); err != nil || l.ID != "hello" || set["user"] != "grace" {
		t.Errorf("OneVars: got %v, %v, %v", l, set, err)
	}
	if _, _, err := src.OneVars("web", []string{"user=grace"}); !errors.As(err, &usage) {
		t.Errorf("OneVars with another lesson's variable: got %v, want a usage error", err)
	}
}
