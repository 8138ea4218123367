package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dockstep/dockstep/internal/iostreams"
	"github.com/dockstep/dockstep/internal/progress"
)

// saveProgress writes a progress file in a fresh XDG_STATE_HOME: step 1 of
// e2e-run done, and some progress in a lesson "other".
func saveProgress(t *testing.T) *progress.Store {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir, err := progress.StateDir()
	if err != nil {
		t.Fatal(err)
	}
	st := progress.NewStore(dir)
	p, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	p.Current = "e2e-run"
	p.Lesson("e2e-run").MarkDone("Run a container", time.Now())
	p.Lesson("other").MarkDone("x", time.Now())
	if err := st.Save(p); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestListShowsProgress(t *testing.T) {
	saveProgress(t)
	code, out, errOut := runCapture(t, "--lessons", "testdata/e2e-lessons", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "DONE") {
		t.Fatalf("list printed %q, want a header with DONE and one lesson", out)
	}
	if !strings.HasSuffix(lines[1], "1/3 (current)") {
		t.Errorf("lesson line = %q, want it to end in 1/3 (current)", lines[1])
	}

	code, out, _ = runCapture(t, "--lessons", "testdata/e2e-lessons", "list", "--json")
	if code != 0 || !strings.Contains(out, `"done": 1`) || !strings.Contains(out, `"current": true`) {
		t.Errorf("list --json: exit %d, %s; want done 1 and current true", code, out)
	}
}

func TestResetWithYes(t *testing.T) {
	st := saveProgress(t)
	code, out, errOut := runCapture(t, "--lessons", "testdata/e2e-lessons", "reset", "--yes", "e2e-run")
	if code != 0 || !strings.Contains(out, "Forgot your progress in lesson e2e-run") {
		t.Fatalf("reset --yes e2e-run: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	p, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Lessons["e2e-run"]; ok || p.Current != "" {
		t.Errorf("after reset: lessons %v, current %q; want e2e-run forgotten", p.Lessons, p.Current)
	}
	if _, ok := p.Lessons["other"]; !ok {
		t.Errorf("reset of one lesson also forgot another")
	}

	code, _, _ = runCapture(t, "reset", "-y")
	if p, _ := st.Load(); code != 0 || len(p.Lessons) != 0 {
		t.Errorf("reset -y: exit %d, %d lessons left; want 0, 0", code, len(p.Lessons))
	}
}

func TestResetAsksFirst(t *testing.T) {
	for _, tc := range []struct {
		answer  bool
		forgets bool
		says    string
	}{
		{answer: false, forgets: false, says: "Nothing was reset."},
		{answer: true, forgets: true, says: "Forgot your progress in every lesson."},
	} {
		t.Run(tc.says, func(t *testing.T) {
			st := saveProgress(t)
			var out bytes.Buffer
			g := &globals{io: &iostreams.Streams{Out: &out, ErrOut: &out}, lessonsDir: "testdata/e2e-lessons"}
			var asked string
			err := runReset(context.Background(), &resetOptions{base: g.base(), prompter: func() (progress.Confirmer, error) {
				return &scriptedConfirm{asked: &asked, answer: tc.answer}, nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if asked != "Forget your progress in every lesson?" {
				t.Errorf("asked %q", asked)
			}
			if !strings.Contains(out.String(), tc.says) {
				t.Errorf("output %q, want %q", out.String(), tc.says)
			}
			p, _ := st.Load()
			if forgot := len(p.Lessons) == 0; forgot != tc.forgets {
				t.Errorf("progress forgotten: %v, want %v", forgot, tc.forgets)
			}
		})
	}
}

func TestResetWithoutTerminalNeedsYes(t *testing.T) {
	saveProgress(t)
	code, _, errOut := runCapture(t, "reset")
	if code != 2 || !strings.Contains(errOut, "--yes") {
		t.Errorf("reset without a terminal: exit %d, stderr %q; want 2 and a hint to use --yes", code, errOut)
	}
}

func TestResetUnknownLesson(t *testing.T) {
	saveProgress(t)
	code, _, errOut := runCapture(t, "--lessons", "testdata/e2e-lessons", "reset", "--yes", "nope")
	if code != 2 || !strings.Contains(errOut, `no lesson "nope"`) {
		t.Errorf("exit %d, stderr %q; want 2 and no lesson \"nope\"", code, errOut)
	}
}

func TestListSaysWhenStepsWereSkipped(t *testing.T) {
	st := saveProgress(t)
	p, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	lp := p.Lesson("e2e-run")
	lp.MarkSkipped("Remove the container")
	lp.MarkSkipped("Read this")
	if err := st.Save(p); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCapture(t, "--lessons", "testdata/e2e-lessons", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); !strings.HasSuffix(lines[1], "done, 2 skipped") {
		t.Errorf("lesson line = %q, want it to end in \"done, 2 skipped\", not finished", lines[1])
	}
	code, out, _ = runCapture(t, "--lessons", "testdata/e2e-lessons", "list", "--json")
	if code != 0 || !strings.Contains(out, `"skipped": 2`) {
		t.Errorf("list --json: exit %d, %s; want skipped 2", code, out)
	}
}

// scriptedConfirm answers a confirmation as told, keeping the question.
type scriptedConfirm struct {
	asked  *string
	answer bool
}

func (c *scriptedConfirm) Confirm(_ context.Context, msg string, _ bool) (bool, error) {
	*c.asked = msg
	return c.answer, nil
}

func (c *scriptedConfirm) Close() error { return nil }
