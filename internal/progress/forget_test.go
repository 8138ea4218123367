package progress

import (
	"bytes"
	"context"
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

// sayYes is a Confirmer that says yes, once closed or not.
type sayYes struct {
	asked  *string
	closed *bool
}

func (s sayYes) Confirm(_ context.Context, msg string, _ bool) (bool, error) {
	*s.asked = msg
	return true, nil
}

func (s sayYes) Close() error { *s.closed = true; return nil }

func TestAsk(t *testing.T) {
	var asked string
	var closed bool
	ok, err := Ask(context.Background(), func() (Confirmer, error) { return sayYes{&asked, &closed}, nil })("your progress in lesson web")
	if !ok || err != nil || asked != "Forget your progress in lesson web?" || !closed {
		t.Errorf("got %v, %v, asked %q, closed %v", ok, err, asked, closed)
	}
	noTerminal := errors.New("no terminal")
	_, err = Ask(context.Background(), func() (Confirmer, error) { return nil, noTerminal })("your progress in every lesson")
	var ask *AskError
	if !errors.As(err, &ask) || ask.What != "your progress in every lesson" || !errors.Is(err, noTerminal) {
		t.Errorf("open failing: got %v, want an *AskError saying what and why", err)
	}
}
