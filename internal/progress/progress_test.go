package progress

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockstep/dockstep/lessons"
)

func TestProgressRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "dockstep")
	s := NewStore(dir)
	p, err := s.Load()
	if err != nil {
		t.Fatalf("Load of a missing file: %v", err)
	}
	if p.Version != Version || len(p.Lessons) != 0 || p.Current != "" {
		t.Fatalf("Load of a missing file = %+v, want empty progress", p)
	}
	when := time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC)
	p.Current = "first-image"
	lp := p.Lesson("first-image")
	lp.Step = "Build it"
	lp.MarkDone("Pull busybox", when)
	lp.MarkSkipped("Look around")
	lp.Vars["name"] = "web"
	lp.MarkStarted("Build it", when.Add(time.Minute))
	lp.MarkStarted("Build it", when.Add(time.Hour)) // not the first time: ignored
	lp.Workspace = "/home/ada/dockstep-first-image"
	if err := s.Save(p); err != nil {
		t.Fatalf("Save: %v", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o700 {
		t.Errorf("state folder mode = %v, want 0700", got)
	}

	got, err := NewStore(dir).Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Current != "first-image" {
		t.Errorf("Current = %q, want first-image", got.Current)
	}
	g := got.Lessons["first-image"]
	if g == nil {
		t.Fatalf("lessons after Load = %v, want first-image", got.Lessons)
	}
	if g.Step != "Build it" || g.Workspace != lp.Workspace || g.Vars["name"] != "web" || !g.Skipped["Look around"] {
		t.Errorf("lesson progress = %+v, want %+v", g, lp)
	}
	if d := g.Done["Pull busybox"]; !d.Equal(when) {
		t.Errorf("Done[Pull busybox] = %v, want %v", d, when)
	}
	if st := g.Started["Build it"]; !st.Equal(when.Add(time.Minute)) {
		t.Errorf("Started[Build it] = %v, want the first time, %v", st, when.Add(time.Minute))
	}
}

func TestProgressSaveLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir)
	p, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		p.Lesson("l").MarkDone(strings.Repeat("x", i+1), time.Now())
		if err := s.Save(p); err != nil {
			t.Fatalf("Save %d: %v", i, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "progress.json" || names[1] != "progress.json.lock" {
		t.Errorf("files in the state folder = %v, want only progress.json and its lock file", names)
	}
	st, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("progress.json mode = %v, want 0600", got)
	}
}

func TestProgressCorruptFileIsSetAside(t *testing.T) {
	tests := []struct {
		name, content string
	}{
		{"truncated", `{"version": 1, "lessons": {"a": {"step": "x"`},
		{"not json", "\x00\x01garbage"},
		{"wrong types", `{"version": "one"}`},
		{"no version", `{"current": "a"}`},
		{"trailing data", `{"version": 1} {"version": 1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := NewStore(dir)
			if err := os.WriteFile(s.Path(), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := s.Load()
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load error = %v, want a *CorruptError", err)
			}
			if p == nil || len(p.Lessons) != 0 || p.Version != Version {
				t.Errorf("progress = %+v, want empty progress", p)
			}
			if !strings.HasPrefix(filepath.Base(ce.SetAside), "progress.json.corrupt-") || filepath.Dir(ce.SetAside) != dir {
				t.Errorf("set aside as %s, want %s/progress.json.corrupt-<time>", ce.SetAside, dir)
			}
			if !strings.Contains(err.Error(), ce.SetAside) {
				t.Errorf("warning %q does not say where the file went (%s)", err, ce.SetAside)
			}
			old, rerr := os.ReadFile(ce.SetAside)
			if rerr != nil || string(old) != tt.content {
				t.Errorf("set-aside file = %q, %v; want the old content %q", old, rerr, tt.content)
			}
			if _, serr := os.Stat(s.Path()); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("progress.json still there after being set aside (stat: %v)", serr)
			}
			// The learner carries on: progress saves and loads again.
			p.Lesson("a").MarkSkipped("x")
			if err := s.Save(p); err != nil {
				t.Fatalf("Save after a corrupt file: %v", err)
			}
			if p2, err := s.Load(); err != nil || !p2.Lesson("a").Skipped["x"] {
				t.Errorf("Load after Save = %+v, %v", p2, err)
			}
		})
	}
}

func TestProgressCorruptTwiceKeepsBoth(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir)
	var asides []string
	for i, content := range []string{"first {", "second {"} {
		if err := os.WriteFile(s.Path(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load()
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("Load %d: error = %v, want a *CorruptError", i, err)
		}
		asides = append(asides, ce.SetAside)
	}
	if asides[0] == asides[1] {
		t.Fatalf("both corrupt files set aside as %s", asides[0])
	}
	for i, want := range []string{"first {", "second {"} {
		if got, err := os.ReadFile(asides[i]); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", asides[i], got, err, want)
		}
	}
}

func TestProgressNewerVersionIsNotSetAside(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir)
	if err := os.WriteFile(s.Path(), []byte(`{"version": 99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load()
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) || p != nil {
		t.Fatalf("Load = %v, %v; want an error that is not a CorruptError", p, err)
	}
	if !strings.Contains(err.Error(), "newer dockstep") {
		t.Errorf("error %q does not say a newer dockstep wrote the file", err)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Errorf("progress.json of a newer version was moved: %v", err)
	}
}

func TestProgressLoadErrors(t *testing.T) {
	t.Run("state folder is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "dockstep")
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := NewStore(f).Load()
		var ce *CorruptError
		if err == nil || errors.As(err, &ce) || p != nil {
			t.Fatalf("Load = %v, %v; want a plain error", p, err)
		}
		if err := NewStore(f).Save(newProgress()); err == nil {
			t.Errorf("Save into a file succeeded, want an error")
		}
	})
	t.Run("progress.json is a folder", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "progress.json"), 0o700); err != nil {
			t.Fatal(err)
		}
		p, err := NewStore(dir).Load()
		var ce *CorruptError
		if err == nil || errors.As(err, &ce) || p != nil {
			t.Fatalf("Load = %v, %v; want a plain error", p, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "progress.json")); err != nil {
			t.Errorf("the folder progress.json was moved: %v", err)
		}
	})
	t.Run("unreadable folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any folder")
		}
		dir := t.TempDir()
		s := NewStore(dir)
		if err := s.Save(newProgress()); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		p, err := s.Load()
		var ce *CorruptError
		if err == nil || errors.As(err, &ce) || p != nil {
			t.Fatalf("Load = %v, %v; want a plain error", p, err)
		}
		if !errors.Is(err, os.ErrPermission) {
			t.Errorf("Load error = %v, want a permission error", err)
		}
	})
}

func TestStateDir(t *testing.T) {
	home := t.TempDir()
	abs := filepath.Join(t.TempDir(), "xdg")
	tests := []struct {
		name, xdg, want string
	}{
		{"absolute XDG_STATE_HOME", abs, filepath.Join(abs, "dockstep")},
		{"unset", "", filepath.Join(home, ".local", "state", "dockstep")},
		{"relative is ignored", "relative/state", filepath.Join(home, ".local", "state", "dockstep")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			got, err := StateDir()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("StateDir() = %s, want %s", got, tt.want)
			}
		})
	}
}

func lessonWithSteps(titles ...string) *lessons.Lesson {
	l := &lessons.Lesson{ID: "l"}
	for i, title := range titles {
		l.Steps = append(l.Steps, &lessons.Step{Index: i + 1, Title: title})
	}
	return l
}

func TestProgressSurvivesLessonEdits(t *testing.T) {
	p := newProgress()
	lp := p.Lesson("l")
	now := time.Now()
	lp.MarkDone("Pull", now)
	lp.MarkDone("Run", now)
	lp.MarkSkipped("Inspect")

	before := lessonWithSteps("Pull", "Run", "Inspect", "Clean up")
	if got := lp.FirstUnfinished(before); got != 3 {
		t.Errorf("FirstUnfinished = %d, want 3", got)
	}
	if done, total := lp.Finished(before); done != 3 || total != 4 {
		t.Errorf("Finished = %d of %d, want 3 of 4", done, total)
	}

	// The author renamed "Run" and added a step before it: only that step
	// loses its progress.
	after := lessonWithSteps("Pull", "Look", "Run a container", "Inspect", "Clean up")
	if got := lp.FirstUnfinished(after); got != 1 {
		t.Errorf("after the edit FirstUnfinished = %d, want 1", got)
	}
	if done, total := lp.Finished(after); done != 2 || total != 5 {
		t.Errorf("after the edit Finished = %d of %d, want 2 of 5", done, total)
	}

	all := lessonWithSteps("Pull", "Inspect")
	if got := lp.FirstUnfinished(all); got != 2 {
		t.Errorf("all finished: FirstUnfinished = %d, want 2", got)
	}
	var empty *LessonProgress
	if got := empty.FirstUnfinished(before); got != 0 {
		t.Errorf("nil progress: FirstUnfinished = %d, want 0", got)
	}
}

func TestProgressReset(t *testing.T) {
	p := newProgress()
	p.Current = "a"
	p.Lesson("a").MarkSkipped("x")
	p.Lesson("b").MarkSkipped("y")

	p.Reset("a", time.Now())
	if _, ok := p.Lessons["a"]; ok || p.Current != "" {
		t.Errorf("after Reset(a): lessons %v, current %q; want a gone and no current lesson", p.Lessons, p.Current)
	}
	if !p.Lesson("b").Skipped["y"] {
		t.Errorf("Reset(a) lost lesson b's progress")
	}
	p.Current = "b"
	p.Reset("", time.Now())
	if len(p.Lessons) != 0 || p.Current != "" {
		t.Errorf("after Reset(\"\"): %+v, want no progress", p)
	}
}

// window loads the progress as a dockstep window does when it opens.
func window(t *testing.T, s *Store) *Progress {
	t.Helper()
	p, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func save(t *testing.T, s *Store, p *Progress) {
	t.Helper()
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
}

// The first scenario: window A on one lesson, window B on another,
// each with the copy it loaded when it opened. A step done in B and a quiz
// answered in A are both kept.
func TestProgressTwoWindowsKeepBothChanges(t *testing.T) {
	s := NewStore(t.TempDir())
	a, b := window(t, s), window(t, s)
	now := time.Now()
	b.Current = "hello-busybox"
	b.Lesson("hello-busybox").MarkDone("Pull", now)
	save(t, s, b)
	a.Current = "images"
	a.Lesson("images").MarkDone("Quiz", now)
	a.Lesson("images").Vars["user"] = "ada"
	save(t, s, a)

	got := window(t, s)
	if _, ok := got.Lesson("hello-busybox").Done["Pull"]; !ok {
		t.Errorf("window B's step was lost when window A saved: %+v", got.Lessons)
	}
	if _, ok := got.Lesson("images").Done["Quiz"]; !ok || got.Lesson("images").Vars["user"] != "ada" {
		t.Errorf("window A's changes are missing: %+v", got.Lessons["images"])
	}
	if got.Current != "images" {
		t.Errorf("current lesson = %q, want images (the last one started)", got.Current)
	}
}

// Two windows on the same lesson change different fields, and the same
// field: each field takes the last change saved.
func TestProgressSameLessonMergesByField(t *testing.T) {
	s := NewStore(t.TempDir())
	first := window(t, s)
	first.Lesson("l").Vars["user"] = "old"
	first.Lesson("l").Workspace = "/w"
	save(t, s, first)

	a, b := window(t, s), window(t, s)
	now := time.Now()
	a.Lesson("l").MarkDone("one", now)
	a.Lesson("l").Vars["user"] = "from-a"
	save(t, s, a)
	b.Lesson("l").MarkSkipped("two")
	b.Lesson("l").Vars["user"] = "from-b"
	b.Lesson("l").Step = "three"
	save(t, s, b)

	lp := window(t, s).Lesson("l")
	if _, ok := lp.Done["one"]; !ok || !lp.Skipped["two"] {
		t.Errorf("done %v, skipped %v; want one done (A) and two skipped (B)", lp.Done, lp.Skipped)
	}
	if lp.Vars["user"] != "from-b" || lp.Step != "three" || lp.Workspace != "/w" {
		t.Errorf("user %q, step %q, workspace %q; want from-b (saved last), three, /w (changed by nobody)", lp.Vars["user"], lp.Step, lp.Workspace)
	}

	// Going through the lesson again in A clears its steps, and only those
	// A knew of are cleared... and saving twice writes nothing twice.
	a.Lesson("l").Done = nil
	save(t, s, a)
	save(t, s, a)
	lp = window(t, s).Lesson("l")
	if len(lp.Done) != 0 || !lp.Skipped["two"] || lp.Vars["user"] != "from-b" {
		t.Errorf("after A cleared its steps: %+v; want no steps done, B's skip and variable kept", lp)
	}
}

// The second scenario: dockstep reset while a window is open on the
// lesson. The window's next step does not bring the lesson back.
func TestProgressResetWhileAWindowIsOpen(t *testing.T) {
	s := NewStore(t.TempDir())
	w := window(t, s)
	w.Current = "first-image"
	lp := w.Lesson("first-image")
	start := time.Now().Add(-time.Hour)
	for _, step := range []string{"one", "two", "three"} {
		lp.MarkStarted(step, start)
		lp.MarkDone(step, start)
	}
	lp.Vars["user"] = "ada"
	save(t, s, w)

	r := window(t, s)
	r.Reset("first-image", time.Now())
	save(t, s, r)

	// The window was on step four: the learner does it.
	lp.MarkStarted("four", time.Now())
	lp.MarkDone("four", time.Now())
	lp.Step = "five"
	save(t, s, w)

	got := window(t, s)
	g := got.Lesson("first-image")
	for _, step := range []string{"one", "two", "three"} {
		if _, ok := g.Done[step]; ok {
			t.Errorf("step %q came back after the reset: %v", step, g.Done)
		}
	}
	if _, ok := g.Done["four"]; !ok || g.Step != "five" {
		t.Errorf("the step done after the reset = %+v, want four done and five current", g)
	}
	if _, ok := g.Vars["user"]; ok || got.Current != "" {
		t.Errorf("variables %v, current %q after the reset; want none", g.Vars, got.Current)
	}

	// A step the window finished before the reset but saves after it is
	// not brought back either.
	late := window(t, s)
	late.Lesson("first-image").MarkDone("six", time.Now())
	r = window(t, s)
	r.Reset("first-image", time.Now().Add(time.Second))
	save(t, s, r)
	save(t, s, late)
	if lp, ok := window(t, s).Lessons["first-image"]; ok {
		t.Errorf("progress recorded before the reset came back: %+v", lp)
	}
}

func TestProgressResetAllWhileAWindowIsOpen(t *testing.T) {
	s := NewStore(t.TempDir())
	w := window(t, s)
	w.Lesson("a").MarkDone("x", time.Now())
	save(t, s, w)
	other := window(t, s)
	other.Lesson("b").MarkDone("y", time.Now())
	save(t, s, other)

	r := window(t, s)
	r.Reset("", time.Now())
	save(t, s, r)
	// The window leaves its lesson: nothing of it comes back.
	w.Lesson("a").Step = ""
	w.Current = ""
	save(t, s, w)
	if got := window(t, s); len(got.Lessons) != 0 {
		t.Errorf("lessons after reset of everything = %+v, want none", got.Lessons)
	}
}

// A window leaving its lesson clears the current lesson only if no other
// window started another one since.
func TestProgressLeavingKeepsAnotherWindowsCurrent(t *testing.T) {
	s := NewStore(t.TempDir())
	a := window(t, s)
	a.Current = "a"
	save(t, s, a)
	b := window(t, s)
	b.Current = "b"
	save(t, s, b)
	a.Current = ""
	save(t, s, a)
	if got := window(t, s).Current; got != "b" {
		t.Errorf("current lesson = %q, want b, started in the other window", got)
	}
	b.Current = ""
	save(t, s, b)
	if got := window(t, s).Current; got != "" {
		t.Errorf("current lesson = %q after b was left, want none", got)
	}
}

func TestProgressStateInWords(t *testing.T) {
	l := lessonWithSteps("a", "b", "c")
	now := time.Now()
	tests := []struct {
		name string
		lp   func() *LessonProgress
		want string
	}{
		{"none", func() *LessonProgress { return nil }, "not started"},
		{"some done", func() *LessonProgress {
			lp := &LessonProgress{}
			lp.MarkDone("a", now)
			return lp
		}, "1 of 3 steps done"},
		{"one skipped", func() *LessonProgress {
			lp := &LessonProgress{}
			lp.MarkDone("a", now)
			lp.MarkSkipped("b")
			return lp
		}, "1 of 3 steps done, 1 skipped"},
		{"all done", func() *LessonProgress {
			lp := &LessonProgress{}
			for _, s := range []string{"a", "b", "c"} {
				lp.MarkDone(s, now)
			}
			return lp
		}, "finished"},
		{"through with skips", func() *LessonProgress {
			lp := &LessonProgress{}
			lp.MarkSkipped("a")
			lp.MarkDone("b", now)
			lp.MarkSkipped("c")
			return lp
		}, "done, 2 skipped"},
		{"skipped then done", func() *LessonProgress {
			lp := &LessonProgress{}
			lp.MarkSkipped("a")
			lp.MarkDone("a", now)
			lp.MarkDone("b", now)
			lp.MarkDone("c", now)
			return lp
		}, "finished"},
	}
	for _, tt := range tests {
		if got := tt.lp().State(l); got != tt.want {
			t.Errorf("%s: State = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// BenchmarkStoreSave measures one save as the runner makes it after a step:
// lock, read the file again, merge one change, write and sync.
func BenchmarkStoreSave(b *testing.B) {
	s := NewStore(b.TempDir())
	p, err := s.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range []string{"hello-busybox", "static-site", "images", "first-image"} {
		for i := range 10 {
			p.Lesson(l).MarkDone(fmt.Sprintf("step %d", i), time.Now())
		}
	}
	if err := s.Save(p); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		p.Lesson("first-image").Step = fmt.Sprintf("step %d", i%10)
		if err := s.Save(p); err != nil {
			b.Fatal(err)
		}
	}
}

// A window open on a lesson learns of a reset made in another process, once,
// and forgets the lesson as of it: what it saves next is only what was done
// since, and its own reset is not news to it.
func TestProgressResetElsewhere(t *testing.T) {
	s := NewStore(t.TempDir())
	w := window(t, s)
	w.Current = "first-image"
	lp := w.Lesson("first-image")
	for _, step := range []string{"one", "two"} {
		lp.MarkDone(step, time.Now().Add(-time.Hour))
	}
	save(t, s, w)
	if reset, err := s.ResetElsewhere(w, "first-image"); err != nil || reset {
		t.Fatalf("before any reset: ResetElsewhere = %v, %v; want false, nil", reset, err)
	}

	r := window(t, s)
	r.Reset("first-image", time.Now())
	save(t, s, r)
	reset, err := s.ResetElsewhere(w, "first-image")
	if err != nil || !reset {
		t.Fatalf("after a reset in another window: ResetElsewhere = %v, %v; want true, nil", reset, err)
	}
	if _, ok := w.Lessons["first-image"]; ok {
		t.Errorf("the window still holds the reset lesson: %+v", w.Lessons["first-image"])
	}
	if reset, _ := s.ResetElsewhere(w, "first-image"); reset {
		t.Errorf("the same reset was reported twice")
	}

	w.Current = "first-image"
	w.Lesson("first-image").MarkDone("three", time.Now().Add(time.Second))
	save(t, s, w)
	got := window(t, s).Lessons["first-image"]
	if got == nil || len(got.Done) != 1 || got.Done["three"].IsZero() {
		t.Errorf("after the reset the file holds %+v, want only step three done", got)
	}

	w.Reset("first-image", time.Now().Add(2*time.Second))
	save(t, s, w)
	if reset, _ := s.ResetElsewhere(w, "first-image"); reset {
		t.Errorf("the window's own reset was reported as another's")
	}
}
