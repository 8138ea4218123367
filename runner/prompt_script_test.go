package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/events"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// scriptedPrompter hands each question to the test, which answers it, or
// lets the runner cancel it.
type scriptedPrompter struct {
	calls chan *call
}

func newScriptedPrompter() *scriptedPrompter {
	return &scriptedPrompter{calls: make(chan *call)}
}

type call struct {
	kind    string // select, input, confirm
	msg     string
	options []string
	def     string
	// validate is the Input's validator.
	validate func(string) error
	answer   chan answer
	// ended is closed when the prompt returned; err is what it returned.
	ended chan struct{}
	err   error
}

type answer struct {
	index int
	text  string
	yes   bool
	err   error
}

func (p *scriptedPrompter) ask(ctx context.Context, c *call) (answer, error) {
	c.answer = make(chan answer, 1)
	c.ended = make(chan struct{})
	defer close(c.ended)
	select {
	case p.calls <- c:
	case <-ctx.Done():
		c.err = ctx.Err()
		return answer{}, c.err
	}
	select {
	case a := <-c.answer:
		c.err = a.err
		return a, a.err
	case <-ctx.Done():
		c.err = ctx.Err()
		return answer{}, c.err
	}
}

func (p *scriptedPrompter) Select(ctx context.Context, msg string, options []string, def int) (int, error) {
	a, err := p.ask(ctx, &call{kind: "select", msg: msg, options: options, def: fmt.Sprint(def)})
	return a.index, err
}

func (p *scriptedPrompter) Input(ctx context.Context, msg, def string, validate func(string) error) (string, error) {
	a, err := p.ask(ctx, &call{kind: "input", msg: msg, def: def, validate: validate})
	return a.text, err
}

func (p *scriptedPrompter) Confirm(ctx context.Context, msg string, def bool) (bool, error) {
	a, err := p.ask(ctx, &call{kind: "confirm", msg: msg, def: fmt.Sprint(def)})
	return a.yes, err
}

// next waits for the runner's next question.
func (p *scriptedPrompter) next(t testing.TB) *call {
	t.Helper()
	select {
	case c := <-p.calls:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the runner asked nothing within 5s")
		return nil
	}
}

// choose answers a Select with the option whose text starts with prefix.
func (c *call) choose(t *testing.T, prefix string) {
	t.Helper()
	if c.kind != "select" {
		t.Fatalf("got a %s prompt %q, want a select offering %q", c.kind, c.msg, prefix)
	}
	for i, o := range c.options {
		if strings.HasPrefix(o, prefix) {
			c.answer <- answer{index: i}
			return
		}
	}
	t.Fatalf("select %q offers %q, want an option starting with %q", c.msg, c.options, prefix)
}

func (c *call) has(prefix string) bool {
	for _, o := range c.options {
		if strings.HasPrefix(o, prefix) {
			return true
		}
	}
	return false
}

func (c *call) typeText(s string) { c.answer <- answer{text: s} }
func (c *call) confirm(yes bool)  { c.answer <- answer{yes: yes} }
func (c *call) interrupt()        { c.answer <- answer{err: ErrInterrupted} }

// waitCancelled waits for the runner to end the prompt itself.
func (c *call) waitCancelled(t *testing.T) {
	t.Helper()
	select {
	case <-c.ended:
		if !errors.Is(c.err, context.Canceled) {
			t.Fatalf("prompt %q ended with %v, want it cancelled by the runner", c.msg, c.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("prompt %q was not cancelled within 5s", c.msg)
	}
}

// eventEngine is a Docker engine whose event stream the test drives. Only
// Events is implemented; checks in these tests do not ask the engine.
type eventEngine struct {
	checks.Docker
	subs chan *subscription
}

type subscription struct {
	opts events.ListOptions
	msgs chan events.Message
	errs chan error
}

func newEventEngine() *eventEngine { return &eventEngine{subs: make(chan *subscription, 16)} }

func (f *eventEngine) Events(ctx context.Context, opts events.ListOptions) (<-chan events.Message, <-chan error) {
	s := &subscription{opts: opts, msgs: make(chan events.Message, 16), errs: make(chan error, 1)}
	if opts.Until != "" {
		// The replayer asking what its commands created: nothing here.
		s.errs <- io.EOF
		return s.msgs, s.errs
	}
	f.subs <- s
	return s.msgs, s.errs
}

func (f *eventEngine) subscription(t *testing.T) *subscription {
	t.Helper()
	select {
	case s := <-f.subs:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("the runner did not subscribe to the engine's events within 5s")
		return nil
	}
}

// containerStarted is the event of `docker run`.
func containerStarted() events.Message {
	now := time.Now()
	return events.Message{Type: events.ContainerEventType, Action: events.ActionStart, Time: now.Unix(), TimeNano: now.UnixNano()}
}

// namedContainerStarted is the event of `docker run --name name`.
func namedContainerStarted(name string) events.Message {
	m := containerStarted()
	m.Actor = events.Actor{ID: "c0ffee", Attributes: map[string]string{"name": name, "image": "busybox"}}
	return m
}

// flags are what the test's "flag" checks look at.
type flags struct {
	mu  sync.Mutex
	set map[string]bool
	// gate, when set, holds each evaluation of a flag check: it sends a
	// channel on gate and waits until the test closes it.
	gate chan chan struct{}
}

func (f *flags) raise(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set[name] = true
}

func (f *flags) lower(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.set, name)
}

type flagCheck struct {
	f    *flags
	name string
}

func (c flagCheck) Kind() string { return "flag" }

// ownedFlagCheck is a flag check that names its container: the flag's name.
type ownedFlagCheck struct{ flagCheck }

func (c ownedFlagCheck) Subjects() checks.Subjects {
	return checks.Subjects{Containers: []string{c.name}}
}

func (c flagCheck) Evaluate(ctx context.Context, env *checks.Env) checks.Result {
	if c.f.gate != nil {
		release := make(chan struct{})
		c.f.gate <- release
		<-release
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.f.set[c.name] {
		return checks.Result{Passed: true, Message: "flag " + c.name + " is up"}
	}
	return checks.Result{Message: "flag " + c.name + " is down: raise it"}
}

type fileCheck struct{ name string }

func (c fileCheck) Kind() string { return "exists" }

// ReadsFilesOnly: an exists check reads a file, as the file kind does.
func (c fileCheck) ReadsFilesOnly() bool { return true }

func (c fileCheck) Evaluate(ctx context.Context, env *checks.Env) checks.Result {
	if _, err := os.Stat(filepath.Join(env.Dir, c.name)); err != nil {
		return checks.Result{Message: c.name + " does not exist yet"}
	}
	return checks.Result{Passed: true}
}

type fixedAnswer struct{ value string }

func (a fixedAnswer) Accepts(ctx context.Context, env *checks.Env, given string) (bool, error) {
	return given == a.value, nil
}

// WhyWrong recognises one mistake: the answer in upper case.
func (a fixedAnswer) WhyWrong(ctx context.Context, env *checks.Env, given string) string {
	if given != a.value && strings.ToLower(given) == a.value {
		return "it is in lower case"
	}
	return ""
}

func (a fixedAnswer) Answers(ctx context.Context, env *checks.Env) ([]string, error) {
	return []string{a.value}, nil
}

// testRegistry knows the kinds the fixture lessons use: flag (raised by the
// test), exists (a file in the working directory) and the answer kind
// fixed.
func testRegistry(f *flags) *checks.Registry {
	reg := checks.NewRegistry()
	reg.Register("flag", func(n *yaml.Node) (checks.Check, error) {
		return flagCheck{f: f, name: n.Value}, nil
	})
	reg.Register("owned", func(n *yaml.Node) (checks.Check, error) {
		return ownedFlagCheck{flagCheck{f: f, name: n.Value}}, nil
	})
	reg.Register("exists", func(n *yaml.Node) (checks.Check, error) {
		return fileCheck{name: n.Value}, nil
	})
	reg.RegisterAnswer("fixed", func(n *yaml.Node) (checks.Answer, error) {
		return fixedAnswer{value: n.Value}, nil
	})
	return reg
}

// loadFixture parses a lesson from runner/testdata.
func loadFixture(t *testing.T, reg *checks.Registry, name string) *lessons.Lesson {
	t.Helper()
	l, probs := lessons.Parse(os.DirFS("testdata"), name, filepath.Join("testdata", name), lessons.Options{Validator: reg})
	if len(probs) > 0 {
		t.Fatalf("fixture %s: %v", name, probs)
	}
	return l
}
