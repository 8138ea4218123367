package replay

// What the lesson made: the containers the engine reports created while
// one of the Replayer's own commands runs, from its start to its end; for a
// command started in the background, which runs on while the learner works
// and others use the engine, only the first container it creates.
// $DOCKSTEP_FILTER keeps replayed commands to them (and to those the
// caller's Made adds), so that a container someone else creates meanwhile,
// even of the lesson's image, is never touched.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
)

// EventSource is the part of the Docker client that a Replayer asks which
// containers its commands created. The client satisfies it.
type EventSource interface {
	Events(ctx context.Context, options events.ListOptions) (<-chan events.Message, <-chan error)
}

// window is the time one of the Replayer's commands ran: from start until
// end (zero while it runs). from is where the next look at the engine's
// events starts: start, or where the last look at a running command ended.
// background is set for a command started in the background: only the
// first container it creates is its own.
type window struct {
	start, end, from time.Time
	background       bool
}

// eventsWait bounds one look at the engine's past events.
const eventsWait = 10 * time.Second

// begin records that a command starts now, in the background or not.
func (r *Replayer) begin(background bool) *window {
	now := time.Now()
	w := &window{start: now, from: now, background: background}
	r.mu.Lock()
	r.windows = append(r.windows, w)
	r.mu.Unlock()
	return w
}

// finish records that the command of w has ended, and asks the engine at
// once what it created, while the engine still remembers the events.
func (r *Replayer) finish(ctx context.Context, w *window) {
	r.mu.Lock()
	w.end = time.Now()
	r.mu.Unlock()
	// An engine that cannot answer now is asked again when the filter is
	// needed.
	r.collect(ctx)
}

// collect asks the engine which containers were created while the
// Replayer's commands ran, since it last asked, and adds them to what the
// lesson made.
func (r *Replayer) collect(ctx context.Context) error {
	if r.Docker == nil {
		return nil
	}
	r.mu.Lock()
	ws := slices.Clone(r.windows)
	r.mu.Unlock()
	var errs []error
	for _, w := range ws {
		r.mu.Lock()
		from, until, ended := w.from, w.end, !w.end.IsZero()
		r.mu.Unlock()
		if !ended {
			until = time.Now()
		}
		ids, err := created(ctx, r.Docker, from, until)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if w.background && len(ids) > 0 {
			// A background command's own container is the first it
			// creates; what is created later, while it runs on, may be
			// anyone's.
			ids, ended = ids[:1], true
		}
		r.mu.Lock()
		for _, id := range ids {
			if !slices.Contains(r.made, id) {
				r.made = append(r.made, id)
			}
		}
		if ended {
			r.windows = slices.DeleteFunc(r.windows, func(x *window) bool { return x == w })
		} else {
			w.from = until
		}
		r.mu.Unlock()
	}
	return errors.Join(errs...)
}

// created lists the containers the engine reports created between since
// and until, in the order they were created.
func created(ctx context.Context, d EventSource, since, until time.Time) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, eventsWait)
	defer cancel()
	msgs, errc := d.Events(ctx, events.ListOptions{
		Since:   stamp(since),
		Until:   stamp(until),
		Filters: filters.NewArgs(filters.Arg("type", string(events.ContainerEventType)), filters.Arg("event", string(events.ActionCreate))),
	})
	var ids []string
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return ids, nil
			}
			if m.Actor.ID != "" && !slices.Contains(ids, m.Actor.ID) {
				ids = append(ids, m.Actor.ID)
			}
		case err := <-errc:
			if err == nil || errors.Is(err, io.EOF) {
				return ids, nil
			}
			return nil, fmt.Errorf("asking the engine which containers the lesson's commands created: %w", err)
		}
	}
}

// stamp is a time as the engine's events API reads it: Unix seconds and
// nanoseconds.
func stamp(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// lessonMade is every container the lesson made: those the Replayer's
// commands created, and those the caller's Made adds.
func (r *Replayer) lessonMade(ctx context.Context) ([]string, error) {
	if err := r.collect(ctx); err != nil {
		return nil, err
	}
	r.mu.Lock()
	ids := slices.Clone(r.made)
	r.mu.Unlock()
	if r.Made != nil {
		more, err := r.Made(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range more {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}
