// Package checks verifies the state of a Docker engine against what a lesson
// step expects, and explains in a beginner's words what differs.
//
// Each kind of check is a small type in its own file, registered by name in
// a Registry. A kind compiles a check from the YAML fields a lesson gives it,
// rejecting bad fields when the lesson loads, and evaluates it against the
// engine through the Docker interface declared here.
package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/internal/clock"
	"github.com/dockstep/dockstep/lessons"
)

// Docker is the part of the Docker Engine API that checks use. The client
// from github.com/docker/docker/client satisfies it; tests use fakes.
type Docker interface {
	ImageList(ctx context.Context, options image.ListOptions) ([]image.Summary, error)
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
	ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error)
	ContainerLogs(ctx context.Context, id string, options container.LogsOptions) (io.ReadCloser, error)
	Events(ctx context.Context, options events.ListOptions) (<-chan events.Message, <-chan error)
	VolumeInspect(ctx context.Context, id string) (volume.Volume, error)
	NetworkInspect(ctx context.Context, id string, options network.InspectOptions) (network.Inspect, error)
	VolumeList(ctx context.Context, options volume.ListOptions) (volume.ListResponse, error)
	NetworkList(ctx context.Context, options network.ListOptions) ([]network.Summary, error)
}

// Env is what a check is evaluated against.
type Env struct {
	Docker Docker
	// Dir is the learner's working directory, for file and dockerfile checks.
	Dir string
	// Since is when the step began, for checks that read the engine's event
	// history; zero means as far back as the engine remembers.
	Since time.Time
	// HTTP is the client for http checks; nil means a default one.
	HTTP *http.Client
	// MaxWait, when set, bounds how long a check that retries (http) keeps
	// trying, below the timeout the lesson gives it. The interactive runner
	// sets it, since it checks again on every event anyway and must answer
	// the learner quickly.
	MaxWait time.Duration
	// Clock tells the time and waits; nil means the system clock.
	Clock clock.Clock
	// Rechoose says, for a host port the learner chose as a lesson
	// variable, how to choose another: publishing the container on another
	// port than the lesson's would not pass its checks. Ports not in it get
	// the advice to publish on another port.
	Rechoose map[int]string

	// memo remembers, between evaluations against the same Env, which
	// containers matched a check, so that checking again asks the engine
	// about those containers only. See memo.go. A pointer, so that the
	// copies EvaluateAll makes share it.
	memo *memo
	// seen is what the checks of one evaluation learnt from the engine,
	// shared between them (see evaluation.go); nil outside EvaluateAll.
	seen *evaluation
}

// Result is the outcome of one check.
type Result struct {
	Kind   string
	Passed bool
	// Message says what was found: on failure, the diagnosis a learner can
	// act on (what was expected, what is there, what to do).
	Message string
	// Err is set when the check could not be evaluated at all, such as when
	// the engine cannot be reached. Passed is then false.
	Err error
	// Missing names the object whose absence made the check fail, such as
	// "container homepage": when several checks of a step look at the same
	// missing object, the learner is told once (Judge).
	Missing string
	// Port is a port of this machine that the failure is about: for a
	// container check, the host port the container it wants was to
	// publish; for an http check, the local port nothing answers on, with
	// no running container publishing it. When a step's container check
	// says why, its http check is not told too (Judge).
	Port int
	// Wrong names the object that is there but not as the check wants it,
	// such as "container notebook" with another volume at /data.
	Wrong string
	// Uses names the objects a check's failure is about, such as the
	// container a command check's docker exec runs in, or the containers a
	// network check misses on its network. When other checks of the step
	// say that each of them is missing or wrong, this check's failure
	// follows from theirs, and the learner is not told it too (Judge).
	Uses []string
}

// Check is a compiled check, ready to evaluate.
type Check interface {
	Kind() string
	Evaluate(ctx context.Context, env *Env) Result
}

// Answer reads the right answer to a quiz from the engine.
type Answer interface {
	// Accepts reports whether the learner's answer is right.
	Accepts(ctx context.Context, env *Env, given string) (bool, error)
	// Answers lists every right answer as a learner would give it, the one
	// to show first, for showing after a wrong answer and for the prover,
	// which checks that Accepts takes each. A container port published on
	// IPv4 and IPv6 can have two host ports, for one.
	Answers(ctx context.Context, env *Env) ([]string, error)
}

// WrongExplainer is implemented by the answers that can say why a wrong
// answer is wrong, in a learner's words, when they recognise the mistake
// (a container's own port given for the host port it is published on);
// "" when they do not.
type WrongExplainer interface {
	WhyWrong(ctx context.Context, env *Env, given string) string
}

// CompileFunc turns the YAML value a lesson gives a check kind into a check.
// Lines in errors wrapped with lessons.AtLine point at the field at fault.
type CompileFunc func(n *yaml.Node) (Check, error)

// AnswerFunc does the same for a kind of engine-read quiz answer.
type AnswerFunc func(n *yaml.Node) (Answer, error)

// Registry holds the check kinds and answer kinds by name.
type Registry struct {
	checks  map[string]CompileFunc
	answers map[string]AnswerFunc
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{checks: map[string]CompileFunc{}, answers: map[string]AnswerFunc{}}
}

// Register adds a check kind.
func (r *Registry) Register(kind string, f CompileFunc) { r.checks[kind] = f }

// RegisterAnswer adds a kind of engine-read quiz answer.
func (r *Registry) RegisterAnswer(kind string, f AnswerFunc) { r.answers[kind] = f }

// Kinds lists the registered check kinds, sorted.
func (r *Registry) Kinds() []string { return sortedKeys(r.checks) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Compile compiles a check with the given variable values filled in.
func (r *Registry) Compile(spec lessons.CheckSpec, vars map[string]string) (Check, error) {
	f, ok := r.checks[spec.Kind]
	if !ok {
		return nil, lessons.AtLine(spec.Pos.Line, fmt.Errorf("unknown check kind %q; the kinds are %s", spec.Kind, strings.Join(r.Kinds(), ", ")))
	}
	c, err := f(spec.Expand(vars))
	if err != nil {
		return nil, prefixErr(spec.Kind, err)
	}
	if a, ok := c.(adviser); ok && len(spec.Commands) > 0 {
		cmds := make([]string, len(spec.Commands))
		for i, s := range spec.Commands {
			cmds[i] = lessons.Expand(s, vars)
		}
		a.advise(cmds)
	}
	return c, nil
}

// adviser is a check that quotes the step's own commands when it tells the
// learner what to run.
type adviser interface {
	advise(commands []string)
}

// lessonCommand picks, among the lines of the step's commands, the first
// that contains every word of words (such as "docker run" and the image),
// or "".
func lessonCommand(commands []string, words ...string) string {
	var lines []string
	for _, c := range commands {
		lines = append(lines, strings.Split(c, "\n")...)
	}
	for _, c := range lines {
		c = strings.TrimSpace(c)
		ok := true
		for _, w := range words {
			if w != "" && !strings.Contains(c, w) {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	return ""
}

// CompileAnswer compiles an engine-read quiz answer.
func (r *Registry) CompileAnswer(spec lessons.CheckSpec, vars map[string]string) (Answer, error) {
	f, ok := r.answers[spec.Kind]
	if !ok {
		return nil, lessons.AtLine(spec.Pos.Line, fmt.Errorf("unknown answer kind %q; answers can be read with %s", spec.Kind, strings.Join(sortedKeys(r.answers), ", ")))
	}
	a, err := f(spec.Expand(vars))
	if err != nil {
		return nil, prefixErr(spec.Kind, err)
	}
	if ad, ok := a.(adviser); ok && len(spec.Commands) > 0 {
		cmds := make([]string, len(spec.Commands))
		for i, s := range spec.Commands {
			cmds[i] = lessons.Expand(s, vars)
		}
		ad.advise(cmds)
	}
	return a, nil
}

// ValidateCheck implements lessons.Validator.
func (r *Registry) ValidateCheck(spec lessons.CheckSpec, vars map[string]string) error {
	_, err := r.Compile(spec, vars)
	return err
}

// ValidateAnswer implements lessons.Validator.
func (r *Registry) ValidateAnswer(spec lessons.CheckSpec, vars map[string]string) error {
	_, err := r.CompileAnswer(spec, vars)
	return err
}

// prefixErr puts "kind: " before each message, keeping the lines.
func prefixErr(kind string, err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, prefixErr(kind, e))
		}
		return errors.Join(out...)
	}
	var le *lessons.LineError
	if errors.As(err, &le) {
		return lessons.AtLine(le.Line, fmt.Errorf("%s check: %w", kind, le.Err))
	}
	return fmt.Errorf("%s check: %w", kind, err)
}
