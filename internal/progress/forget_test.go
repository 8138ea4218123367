package progress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestForget(t *testing.T) {
	save := func(t *testing.T) string {
		dir := t.TempDir()
		p := newProgress()
		p.Lesson("first-image").MarkDone("Pull", time.Now())
		p.Lesson("other").MarkDone("Run", time.Now())
		if err := NewStore(dir).Save(p); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	byNumber := func(arg string) (string, error) {
		if arg == "1" {
			return "first-image", nil
		}
		return "", errors.New("no lesson " + arg)
	}
	for _, tc := range []struct {
		name, id string
		answer   bool
		confirm  bool
		says     string
		left     int
	}{
		{name: "one lesson by id", id: "first-image", says: "Forgot your progress in lesson first-image.", left: 1},
		{name: "one lesson by number", id: "1", says: "Forgot your progress in lesson first-image.", left: 1},
		{name: "every lesson", says: "Forgot your progress in every lesson.", left: 0},
		{name: "asked, yes", confirm: true, answer: true, says: "Forgot your progress in every lesson.", left: 0},
		{name: "asked, no", confirm: true, says: "Nothing was reset.", left: 2},
		{name: "a lesson without progress", id: "third", says: "", left: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := save(t)
			var out bytes.Buffer
			f := Forgetting{ID: tc.id, Lesson: byNumber, Out: &out, ErrOut: &out, Now: time.Now()}
			if tc.id == "third" {
				f.Lesson = func(string) (string, error) { return "third", nil }
				tc.says = "You have no progress in lesson third; nothing to reset."
			}
			if tc.confirm {
				f.Confirm = func(string) (bool, error) { return tc.answer, nil }
			}
			if err := Forget(dir, f); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(out.String()); got != tc.says {
				t.Errorf("says %q, want %q", got, tc.says)
			}
			p, err := NewStore(dir).Load()
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Lessons) != tc.left {
				t.Errorf("got %d lessons left, want %d", len(p.Lessons), tc.left)
			}
		})
	}
}

// Forget passes on the errors of naming the lesson and of asking.
func TestForgetPassesErrorsOn(t *testing.T) {
	dir := t.TempDir()
	p := newProgress()
	p.Lesson("first-image").MarkDone("Pull", time.Now())
	if err := NewStore(dir).Save(p); err != nil {
		t.Fatal(err)
	}
	want := errors.New("no lesson nope")
	var out bytes.Buffer
	if err := Forget(dir, Forgetting{ID: "nope", Lesson: func(string) (string, error) { return "", want }, Out: &out, ErrOut: &out}); err != want {
		t.Errorf("naming: got %v, want %v", err, want)
	}
	if err := Forget(dir, Forgetting{Confirm: func(string) (bool, error) { return false, want }, Out: &out, ErrOut: &out}); err != want {
		t.Errorf("asking: got %v, want %v", err, want)
	}
}
