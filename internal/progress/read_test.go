package progress

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockstep/dockstep/lessons"
)

func TestListSaysWhereTheLearnerIs(t *testing.T) {
	steps := func(titles ...string) []*lessons.Step {
		var ss []*lessons.Step
		for i, s := range titles {
			ss = append(ss, &lessons.Step{Index: i + 1, Title: s})
		}
		return ss
	}
	ls := []*lessons.Lesson{
		{ID: "new", Steps: steps("a", "b")},
		{ID: "half", Steps: steps("a", "b", "c")},
		{ID: "skipped", Steps: steps("a", "b", "c")},
		{ID: "done", Steps: steps("a")},
		{ID: "done-skipping", Steps: steps("a", "b")},
	}
	p := newProgress()
	p.Current = "half"
	now := time.Now()
	p.Lesson("half").MarkDone("a", now)
	p.Lesson("skipped").MarkDone("a", now)
	p.Lesson("skipped").MarkSkipped("b")
	p.Lesson("done").MarkDone("a", now)
	p.Lesson("done-skipping").MarkDone("a", now)
	p.Lesson("done-skipping").MarkSkipped("b")
	want := []string{"0/2", "1/3 (current)", "1/3, 1 skipped", "finished", "done, 1 skipped"}
	for i, r := range p.List(ls) {
		if r.ID != ls[i].ID || r.Where() != want[i] {
			t.Errorf("%s: %q, want %q", ls[i].ID, r.Where(), want[i])
		}
	}
}

func TestShownWarnsAndGoesOn(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	var warned []string
	warn := func(msg string) { warned = append(warned, msg) }
	if p := Shown(warn); p == nil || p.Lessons == nil || len(warned) != 0 {
		t.Fatalf("no progress file: got %+v, warnings %q; want empty progress and no warning", p, warned)
	}
	if err := os.MkdirAll(filepath.Join(state, "dockstep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "dockstep", progressFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := Shown(warn); p == nil || p.Lessons == nil || len(warned) != 1 {
		t.Errorf("a corrupt progress file: got %+v, warnings %q; want empty progress and one warning", p, warned)
	}
}

func TestVarsWithoutAsking(t *testing.T) {
	src := "---\nformat: 1\ntitle: V\nvars:\n  a: {prompt: A}\n  b: {prompt: B, default: bee}\n  c: {prompt: C, default: sea}\n  port: {prompt: P, type: port}\n---\n\n## One\n\nUses {{a}} {{b}} {{c}} {{port}}.\n"
	l, probs := lessons.ParseBytes(nil, "01-v.md", "01-v.md", []byte(src), lessons.Options{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	p := newProgress()
	p.Lesson(l.ID).Vars = map[string]string{"b": "saved-b", "c": "saved-c"}
	vars, err := p.Vars([]*lessons.Lesson{l}, map[string]string{"c": "given-c"})
	if err != nil {
		t.Fatal(err)
	}
	got := vars(l)
	if got["b"] != "saved-b" || got["c"] != "given-c" || got["a"] == "" || got["port"] == "" {
		t.Errorf("got %v, want c given, b saved, a and port sample values", got)
	}
	if _, err := p.Vars([]*lessons.Lesson{l}, map[string]string{"port": "80"}); err == nil {
		t.Error("port=80 given: no error, want one (not a port between 1024 and 65535)")
	}
}

func TestWriteTable(t *testing.T) {
	var out strings.Builder
	rows := []Listing{{ID: "first-image", Title: "Your first image", Steps: 3, Done: 1, Current: true}, {ID: "volumes", Title: "Volumes", Steps: 2}}
	if err := WriteTable(&out, rows); err != nil {
		t.Fatal(err)
	}
	want := "#  ID           TITLE             STEPS  DONE\n" +
		"1  first-image  Your first image  3      1/3 (current)\n" +
		"2  volumes      Volumes           2      0/2\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestSelected(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "01-web.md"), []byte("---\nformat: 1\ntitle: Web\nvars:\n  port: {default: \"8080\", pattern: \"[0-9]+\"}\n---\n\n## Serve\n\nText.\n"), 0o644)
	course := lessons.Source{FS: os.DirFS(dir), Dir: ".", Display: dir}
	warn := func(msg string) { t.Errorf("warning: %s", msg) }
	sel, vars, err := Selected(course, nil, []string{"port=9090"}, warn)
	if err != nil || len(sel.Lessons) != 1 || vars(sel.Lessons[0])["port"] != "9090" {
		t.Fatalf("got %v, %v; want the lesson with port 9090", sel, err)
	}
	var usage *lessons.UsageError
	if _, _, err := Selected(course, nil, []string{"port=http"}, warn); !errors.As(err, &usage) {
		t.Errorf("a --var that does not fit: got %v, want a usage error", err)
	}
	if _, _, err := Selected(course, nil, []string{"colour=red"}, warn); !errors.As(err, &usage) {
		t.Errorf("an unknown --var: got %v, want a usage error", err)
	}
}

func TestListed(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "01-web.md"), []byte("---\nformat: 1\ntitle: Web\n---\n\n## Serve\n\nText.\n"), 0o644)
	warn := func(msg string) { t.Errorf("warning: %s", msg) }
	rows, err := Listed(lessons.Source{FS: os.DirFS(dir), Dir: ".", Display: dir}, warn)
	if err != nil || len(rows) != 1 || rows[0].Where() != "0/1" {
		t.Fatalf("got %+v, %v; want the lesson, not started", rows, err)
	}
	os.WriteFile(filepath.Join(dir, "02-bad.md"), []byte("---\nformat: 1\n---\n"), 0o644)
	var usage *lessons.UsageError
	if _, err := Listed(lessons.Source{FS: os.DirFS(dir), Dir: ".", Display: dir}, warn); !errors.As(err, &usage) || !strings.HasSuffix(err.Error(), "\nfix these problems (dockstep lint shows them too)") {
		t.Errorf("with a broken lesson: got %v, want a usage error listing its problems", err)
	}
}
