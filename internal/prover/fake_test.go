package prover

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// fakeDocker is an engine in memory for lessons whose checks read only
// files: cleanup lists and removes from fakeEngine; a check asking the
// engine would panic on the nil checks.Docker.
type fakeDocker struct {
	checks.Docker
	*fakeEngine
}

func (f fakeDocker) ContainerList(ctx context.Context, o container.ListOptions) ([]container.Summary, error) {
	return f.fakeEngine.ContainerList(ctx, o)
}

func (f fakeDocker) ImageList(ctx context.Context, o image.ListOptions) ([]image.Summary, error) {
	return f.fakeEngine.ImageList(ctx, o)
}

func (f fakeDocker) Events(ctx context.Context, o events.ListOptions) (<-chan events.Message, <-chan error) {
	return f.fakeEngine.Events(ctx, o)
}

func (f fakeDocker) VolumeList(ctx context.Context, o volume.ListOptions) (volume.ListResponse, error) {
	return f.fakeEngine.VolumeList(ctx, o)
}

func (f fakeDocker) NetworkList(ctx context.Context, o network.ListOptions) ([]network.Summary, error) {
	return f.fakeEngine.NetworkList(ctx, o)
}

func parseLesson(t *testing.T, src string) *lessons.Lesson {
	t.Helper()
	l, probs := lessons.ParseBytes(nil, "01-fake.md", "01-fake.md", []byte(src), lessons.Options{Validator: checks.Default()})
	if len(probs) > 0 {
		t.Fatalf("the fixture lesson has problems: %v", probs)
	}
	return l
}

const fileLesson = "---\nformat: 1\ntitle: Files\nvars:\n  word: {prompt: A word, default: hello}\n---\n\n" +
	"## Write a note\n\n```text {file=note.txt}\n{{word}}\n```\n\n```check\nfile: {path: note.txt, contains: \"{{word}}\"}\n```\n\n```quiz\nquestion: Which word did you write?\nanswer: \"{{word}}\"\n```\n\n```hint\nWrite it.\n```\n\n" +
	"## A step that already holds\n\n```sh\ntrue\n```\n\n```check\nfile: note.txt\n```\n\n```hint\nNothing to do.\n```\n"

// TestProverWithoutAnEngine proves a lesson whose checks read files: the
// first step holds; the second is caught, since its check held before its
// solution. Only the scratch folder and a fake engine are used.
func TestProverWithoutAnEngine(t *testing.T) {
	l := parseLesson(t, fileLesson)
	var out strings.Builder
	clk := &tickingClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	p := &Prover{
		Docker: fakeDocker{fakeEngine: &fakeEngine{}}, Registry: checks.Default(), Out: &out,
		Vars: map[string]string{"word": "bonjour"}, Wait: time.Second,
		Clock: clk,
	}
	sum := p.All(context.Background(), []*lessons.Lesson{l})
	if sum.Steps != 1 || len(sum.Failed) != 1 || sum.EngineLost {
		t.Fatalf("got %+v, want step 1 held and the lesson failed at step 2\n%s", sum, out.String())
	}
	for _, w := range []string{"ok    1. Write a note", "quiz answer: bonjour]", "FAIL  2. A step that already holds", "already hold", "file check holds", "cleaned up: nothing"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the report does not say %q:\n%s", w, out.String())
		}
	}
	if !strings.Contains(sum.Failed[0], `step 2 "A step that already holds" (01-fake.md:`) {
		t.Errorf("got failure %q, want it to name step 2 and its line", sum.Failed[0])
	}
	if sum.Elapsed <= 0 {
		t.Errorf("got elapsed %s from the injected clock, want more than 0", sum.Elapsed)
	}
}

// TestProverVariables: --var beats the default; a lesson without a default
// gets a sample value; a value that does not fit stops the lesson.
func TestProverVariables(t *testing.T) {
	l := &lessons.Lesson{ID: "v", Vars: []lessons.Var{{Name: "user"}, {Name: "port", Default: "8080", Pattern: "[0-9]+"}}}
	p := &Prover{Vars: map[string]string{"port": "9000"}}
	vars, err := p.vars(l)
	if err != nil || vars["user"] != "user" || vars["port"] != "9000" {
		t.Errorf("got %v, %v; want user=user (a sample) and port=9000", vars, err)
	}
	p.Vars = map[string]string{"port": "http"}
	if _, err := p.vars(l); err == nil || !strings.Contains(err.Error(), "--var port=http") {
		t.Errorf("got %v, want the value that does not fit named", err)
	}
}

// tickingClock moves a second on every look, and never waits.
type tickingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}
func (c *tickingClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// someAnswers is a quiz answer kind with several right answers, of which it
// accepts those listed after the colon: {some: "a b: a b"}.
type someAnswers struct{ answers, accepted []string }

func (a someAnswers) Answers(ctx context.Context, env *checks.Env) ([]string, error) {
	return a.answers, nil
}

func (a someAnswers) Accepts(ctx context.Context, env *checks.Env, given string) (bool, error) {
	for _, x := range a.accepted {
		if x == given {
			return true, nil
		}
	}
	return false, nil
}

// TestProverGivesTheQuizEachAnswer: an answer read from the engine can be
// several (a port published on IPv4 and IPv6 with two host ports), and the
// quiz must accept each of them, one at a time, not the list as one.
func TestProverGivesTheQuizEachAnswer(t *testing.T) {
	reg := checks.Default()
	reg.RegisterAnswer("some", func(n *yaml.Node) (checks.Answer, error) {
		all, accepted, _ := strings.Cut(n.Value, ":")
		return someAnswers{strings.Fields(all), strings.Fields(accepted)}, nil
	})
	for _, tt := range []struct {
		answer string
		want   string // in the report
		held   bool
	}{
		{"a b: a b", "quiz answer: a or b]", true},
		{"a b: a", `the quiz does not accept its own answer "b"`, false},
		{"a: a", "quiz answer: a]", true},
		{":", "gives no answer at all", false},
	} {
		src := "---\nformat: 1\ntitle: Quiz\n---\n\n## Look\n\n```sh\ntrue\n```\n\n```quiz\nquestion: Which?\nanswer: {some: \"" + tt.answer + "\"}\n```\n\n```hint\nLook.\n```\n"
		l, probs := lessons.ParseBytes(nil, "01-quiz.md", "01-quiz.md", []byte(src), lessons.Options{Validator: reg})
		if len(probs) > 0 {
			t.Fatalf("the fixture lesson has problems: %v", probs)
		}
		var out strings.Builder
		p := &Prover{
			Docker: fakeDocker{fakeEngine: &fakeEngine{}}, Registry: reg, Out: &out, Wait: time.Second,
			Clock: &tickingClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)},
		}
		sum := p.All(context.Background(), []*lessons.Lesson{l})
		if held := len(sum.Failed) == 0; held != tt.held || !strings.Contains(out.String(), tt.want) {
			t.Errorf("answer %q: held %v, want %v, and the report saying %q:\n%s", tt.answer, held, tt.held, tt.want, out.String())
		}
	}
}
