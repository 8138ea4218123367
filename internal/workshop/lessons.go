package workshop

import (
	"context"
	"fmt"
	"io"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/lessons"
)

// Lessons is dockstep doctor's checklist for the lessons ls, with their
// variables as vars gives them; probs are the problems of the lessons
// that could not be read, a failed line of their own.
func (dr *Doctor) Lessons(ctx context.Context, reg *checks.Registry, ls []*lessons.Lesson, probs lessons.Problems, vars func(*lessons.Lesson) map[string]string) *Report {
	rep := &Report{}
	for _, l := range ls {
		rep.Lessons = append(rep.Lessons, l.ID)
	}
	if len(probs) > 0 {
		rep.add(Item{Check: "lessons", Status: StatusFail, Detail: probs.Error(), Fix: "correct the lessons; \"dockstep lint\" lists the same problems"})
	}
	dr.Check(ctx, rep, CollectNeeds(reg, ls, vars))
	return rep
}

// EngineName is "the Docker engine", with its endpoint and where that
// choice came from when the checklist knows them.
func (r *Report) EngineName() string {
	if r.Endpoint.Host == "" {
		return "the Docker engine"
	}
	return "the Docker engine at " + engine.Endpoint{Host: r.Endpoint.Host, Source: r.Endpoint.Source}.String()
}

// FetchEngine is the engine's client dockstep prefetch uses, closed when
// done.
type FetchEngine interface {
	PrefetchEngine
	Close() error
}

// The engine's client is one, as engine.Factory gives it.
var _ FetchEngine = (*engine.Client)(nil)

// Fetching is dockstep prefetch: the images some lessons need, pulled into
// the engine, and with PushTo pushed into a workshop registry.
type Fetching struct {
	Images []*ImageNeed
	// PushTo is the workshop registry, HOST:PORT; "" pushes nowhere.
	PushTo string
	// List only prints the images, a line each.
	List bool
	// Connect makes the engine's client, only when there are images to
	// pull; its error is Fetch's.
	Connect func(context.Context) (FetchEngine, engine.Endpoint, error)
	// Out shows the progress; TTY redraws its bars in place.
	Out io.Writer
	TTY bool
}

// FetchError is a Fetch that could not fetch (or push) some images, each
// said on Out.
type FetchError struct {
	Failed  int
	Pushing bool
}

// ExitStatus is how dockstep ends on e: status 1, after the command's name.
func (e *FetchError) ExitStatus(cmd string) (int, string) { return 1, cmd + ": " + e.Error() }

func (e *FetchError) Error() string {
	what := "fetched"
	if e.Pushing {
		what = "fetched or pushed"
	}
	return fmt.Sprintf("%d image%s could not be %s; see the messages above", e.Failed, plural(e.Failed), what)
}

// Fetch pulls f.Images that the engine does not hold yet, and pushes them
// to f.PushTo. Its errors are a *FetchError, or Connect's.
func Fetch(ctx context.Context, f Fetching) error {
	if f.List {
		for _, in := range f.Images {
			fmt.Fprintln(f.Out, in.Ref)
		}
		return nil
	}
	if len(f.Images) == 0 {
		fmt.Fprintln(f.Out, "The lessons need no images.")
		return nil
	}
	c, ep, err := f.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(f.Out, "Fetching %d image%s into the engine at %s\n", len(f.Images), plural(len(f.Images)), ep)
	p := &Prefetcher{Engine: c, Out: f.Out, TTY: f.TTY}
	failed := p.PullAll(ctx, f.Images)
	if f.PushTo != "" {
		failed += p.PushAll(ctx, f.PushTo)
	}
	if failed > 0 {
		return &FetchError{Failed: failed, Pushing: f.PushTo != ""}
	}
	return nil
}
