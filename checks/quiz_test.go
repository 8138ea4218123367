package checks

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/lessons"
)

// quizStep parses a one-step lesson with the given check and quiz blocks.
func quizStep(t *testing.T, check, quiz string) *lessons.Step {
	t.Helper()
	src := "---\nformat: 1\ntitle: Q\nvars:\n  n: {prompt: A number, default: \"2\"}\n---\n\n## Look\n\n```sh\ndocker ps\n```\n\n"
	if check != "" {
		src += "```check\n" + check + "\n```\n\n"
	}
	src += "```quiz\n" + quiz + "\n```\n\n```hint\nLook.\n```\n"
	l, probs := lessons.ParseBytes(nil, "01-q.md", "01-q.md", []byte(src), lessons.Options{Validator: Default()})
	if len(probs) > 0 {
		t.Fatalf("the fixture lesson has problems: %v", probs)
	}
	return l.Steps[0]
}

// TestWithQuiz: a step is done when its checks pass and its quiz is
// answered right, or, with nobody to answer it (dockstep check, the
// prover), when the quiz's answer can be read.
func TestWithQuiz(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"n": "2"}
	written := quizStep(t, "", "question: How many?\nanswer: \"{{n}}\"")
	read := quizStep(t, "", "question: Which port?\nanswer: {host-port: {container: web, port: 80}}")
	checked := quizStep(t, "file: note.txt", "question: How many?\nanswer: \"{{n}}\"")
	empty := &Env{Docker: &fakeDocker{}, Dir: t.TempDir()}
	down := &Env{Docker: &fakeDocker{err: errors.New("Cannot connect to the Docker daemon at unix:///nope.sock. Is the docker daemon running?")}}
	tests := []struct {
		name    string
		step    *lessons.Step
		env     *Env
		quiz    QuizState
		want    Outcome
		reason  string // in the reason
		answers []string
	}{
		{"open quiz", written, empty, QuizOpen, Failing, "not answered yet", nil},
		{"answered right", written, empty, QuizRight, Passed, "", nil},
		{"unasked, written answer", written, empty, QuizUnasked, Passed, "", []string{"2"}},
		{"unasked, nothing to read it from", read, empty, QuizUnasked, Failing, "no container web", nil},
		{"unasked, engine down", read, down, QuizUnasked, Unknown, "cannot ask the Docker engine", nil},
		{"failing checks decide alone", checked, empty, QuizRight, Failing, "note.txt", nil},
		{"failing checks, quiz not even read", checked, empty, QuizUnasked, Failing, "note.txt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := JudgeStep(ctx, Default(), tt.step, vars, tt.env, tt.quiz)
			if v.Outcome != tt.want || !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("got %v %q, want %v with %q", v.Outcome, v.Reason, tt.want, tt.reason)
			}
			if !reflect.DeepEqual(v.QuizAnswers, tt.answers) {
				t.Errorf("got answers %q, want %q", v.QuizAnswers, tt.answers)
			}
			if (v.Outcome == Failing && tt.step.Checks == nil) != (v.QuizErr != nil || tt.quiz == QuizOpen) {
				t.Errorf("got QuizErr %v with outcome %v", v.QuizErr, v.Outcome)
			}
		})
	}
}

// TestCompileQuizWritten: a written answer is taken in any case and with
// spaces around it, after the variables are put in.
func TestCompileQuizWritten(t *testing.T) {
	s := quizStep(t, "", "question: Which image?\nanswer: \" Busy{{n}} \"")
	a, err := Default().CompileQuiz(s.Quiz, map[string]string{"n": "box"})
	if err != nil {
		t.Fatal(err)
	}
	for given, want := range map[string]bool{"busybox": true, "  BUSYBOX ": true, "busy": false, "Busy{{n}}": false} {
		if ok, err := a.Accepts(context.Background(), nil, given); err != nil || ok != want {
			t.Errorf("Accepts(%q) = %v, %v; want %v", given, ok, err, want)
		}
	}
	if got, _ := a.Answers(context.Background(), nil); !reflect.DeepEqual(got, []string{"Busybox"}) {
		t.Errorf("Answers = %q, want [Busybox]", got)
	}
}
