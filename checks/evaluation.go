package checks

import (
	"context"
	"sync"

	"github.com/docker/docker/api/types/image"
)

// evaluation holds what the checks of one step, evaluated together, learn
// from the engine, so that each question is asked once: an image check, a
// container check of the same image and its diagnosis share one inspect.
// On the containerd image store an image inspect costs about ten times
// what it does on the classic store, so asking twice shows.
type evaluation struct {
	mu     sync.Mutex
	images map[string]*imageLookup
}

// imageLookup is one image inspect, made by the first check that needs it;
// the others wait for its answer.
type imageLookup struct {
	once  sync.Once
	insp  image.InspectResponse
	found bool
	err   error
}

// forEvaluation returns a copy of e for one evaluation of a step's checks:
// it shares e's memo and has a fresh record of what the checks learn.
func (e *Env) forEvaluation() *Env {
	memoMu.Lock()
	if e.memo == nil {
		e.memo = &memo{}
	}
	memoMu.Unlock()
	c := *e
	c.seen = &evaluation{images: map[string]*imageLookup{}}
	return &c
}

// findImage inspects the image the reference names, once per evaluation.
// It reports found=false when there is no such image; an error means the
// engine did not answer.
func (e *Env) findImage(ctx context.Context, r imageRef) (image.InspectResponse, bool, error) {
	if e.seen == nil {
		return findImage(ctx, e.Docker, r)
	}
	key := r.named.String()
	e.seen.mu.Lock()
	l := e.seen.images[key]
	if l == nil {
		l = &imageLookup{}
		e.seen.images[key] = l
	}
	e.seen.mu.Unlock()
	l.once.Do(func() { l.insp, l.found, l.err = findImage(ctx, e.Docker, r) })
	return l.insp, l.found, l.err
}
