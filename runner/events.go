package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/fsnotify/fsnotify"

	"github.com/dockstep/dockstep/internal/clock"
)

// eventKind says what happened. The runner's loop reads every event from one
// channel and handles it in one switch.
type eventKind int

const (
	// evChoice: the learner answered the menu or the quiz (or the prompt was
	// cancelled).
	evChoice eventKind = iota
	// evEngine: the engine reported something a check may look at.
	evEngine
	// evFiles: a file in the working directory changed.
	evFiles
	// evPoll: time for the periodic re-check.
	evPoll
	// evStreamBroken: the engine's event stream failed; Err says why.
	evStreamBroken
	// evStreamRestored: the event stream works again.
	evStreamRestored
	// evRunOutput: the solution run for the learner wrote more output.
	evRunOutput
	// evRunAttach: the solution is about to take the terminal; the loop
	// draws what the learner needs to know, then closes reply.
	evRunAttach
	// evRunDetach: the solution's command has given the terminal back; the
	// rest of the run is drawn again.
	evRunDetach
	// evRunDone: the solution has been run; err says why it did not work.
	evRunDone
	// evResize: the terminal has a new size to draw for.
	evResize
	// evProgress: the progress file was replaced, perhaps by another
	// process (dockstep reset in another terminal).
	evProgress
)

func (k eventKind) String() string {
	return [...]string{"choice", "engine", "files", "poll", "stream-broken", "stream-restored", "run-output", "run-attach", "run-detach", "run-done", "resize", "progress"}[k]
}

// event is one thing the runner's loop reacts to.
type event struct {
	kind eventKind
	// seq tells a current prompt answer from a stale one.
	seq int
	// index is the chosen option, for evChoice.
	index int
	// text is the typed answer, for evChoice from a quiz Input.
	text string
	err  error
	// at is when the engine event happened, by the engine's clock.
	at time.Time
	// msg is the engine's event, for evEngine.
	msg events.Message
	// size is the width and height to draw for, for evResize.
	size [2]int
	// reply is closed by the loop once it has handled an evRunAttach.
	reply chan struct{}
}

// EngineEvents is the part of the Docker client that the runner watches.
// checks.Docker includes it.
type EngineEvents interface {
	Events(ctx context.Context, options events.ListOptions) (<-chan events.Message, <-chan error)
}

// relevantActions are the engine events after which a step's checks may
// give a different answer, by type of object.
var relevantActions = map[events.Type]map[events.Action]bool{
	events.ContainerEventType: actionSet(events.ActionCreate, events.ActionStart, events.ActionDie, events.ActionDestroy,
		events.ActionRename, events.ActionPause, events.ActionUnPause, events.ActionCommit, events.ActionHealthStatus,
		events.ActionUpdate), // docker update --restart changes what a container check sees
	events.ImageEventType: actionSet(events.ActionPull, events.ActionPush, events.ActionTag, events.ActionUnTag,
		events.ActionDelete, events.ActionImport, events.ActionLoad, "build"),
	events.VolumeEventType:  actionSet(events.ActionCreate, events.ActionDestroy),
	events.NetworkEventType: actionSet(events.ActionCreate, events.ActionDestroy, events.ActionConnect, events.ActionDisconnect),
}

func actionSet(as ...events.Action) map[events.Action]bool {
	m := make(map[events.Action]bool, len(as))
	for _, a := range as {
		m[a] = true
	}
	return m
}

// relevant reports whether an engine event may change a check's answer.
// Health status actions carry the status after a colon.
func relevant(m events.Message) bool {
	action, _, _ := strings.Cut(string(m.Action), ":")
	return relevantActions[m.Type][events.Action(action)]
}

// watchOptions tune the watchers; zero values take the defaults.
type watchOptions struct {
	// backoff is the first wait before resubscribing after the stream
	// broke; it doubles up to maxBackoff.
	backoff, maxBackoff time.Duration
	// settle is how long a new subscription must last without failing to
	// count as restored.
	settle time.Duration
}

func (o watchOptions) withDefaults() watchOptions {
	if o.backoff == 0 {
		o.backoff = 200 * time.Millisecond
	}
	if o.maxBackoff == 0 {
		o.maxBackoff = 5 * time.Second
	}
	if o.settle == 0 {
		o.settle = 500 * time.Millisecond
	}
	return o
}

// watchEngine follows the engine's event stream until ctx is done, calling
// send with an evEngine for each relevant event. When the stream breaks, as
// when the engine restarts, it sends evStreamBroken once, resubscribes with
// growing waits from where the stream stopped (so that the engine replays
// what happened meanwhile), and sends evStreamRestored once the stream
// holds again.
func watchEngine(ctx context.Context, src EngineEvents, clock clock.Clock, o watchOptions, send func(event)) {
	o = o.withDefaults()
	f := filters.NewArgs()
	for t := range relevantActions {
		f.Add("type", string(t))
	}
	since := clock.Now()
	broken := false
	wait := o.backoff
	for ctx.Err() == nil {
		sub, cancel := context.WithCancel(ctx)
		opts := events.ListOptions{Filters: f}
		if broken {
			opts.Since = fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond())
		}
		msgs, errs := src.Events(sub, opts)
		var settled <-chan time.Time
		if broken {
			settled = clock.After(o.settle)
		}
		err := func() error {
			for {
				select {
				case m := <-msgs:
					if t := time.Unix(0, m.TimeNano); m.TimeNano != 0 && t.After(since) {
						since = t
					}
					if broken {
						broken, settled, wait = false, nil, o.backoff
						send(event{kind: evStreamRestored})
					}
					if relevant(m) {
						send(event{kind: evEngine, at: time.Unix(0, m.TimeNano), msg: m})
					}
				case err := <-errs:
					if err == nil {
						err = errors.New("the event stream ended")
					}
					return err
				case <-settled:
					broken, settled, wait = false, nil, o.backoff
					send(event{kind: evStreamRestored})
				case <-ctx.Done():
					return nil
				}
			}
		}()
		cancel()
		if ctx.Err() != nil {
			return
		}
		if !broken {
			broken = true
			send(event{kind: evStreamBroken, err: err})
		}
		select {
		case <-clock.After(wait):
		case <-ctx.Done():
			return
		}
		wait = min(2*wait, o.maxBackoff)
	}
}

// maxWatchedDirs bounds how many folders watchFiles follows, so that a
// working directory such as a home folder does not exhaust inotify watches.
const maxWatchedDirs = 256

// watchFiles sends evFiles when a file in dir is written, created, removed
// or renamed, until ctx is done. With recursive, it watches the folders
// below dir too (not hidden ones such as .git, and at most maxWatchedDirs).
// It returns an error when dir cannot be watched at all.
func watchFiles(ctx context.Context, dir string, recursive bool, send func(event)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s for changes: %w", dir, err)
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return fmt.Errorf("watching %s for changes: %w", dir, err)
	}
	watched := 1
	add := func(root string) {
		if !recursive {
			return
		}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil || !d.IsDir() || p == dir:
				return nil
			case strings.HasPrefix(d.Name(), ".") || watched >= maxWatchedDirs:
				return filepath.SkipDir
			}
			if w.Add(p) == nil {
				watched++
			}
			return nil
		})
	}
	add(dir)
	follow(ctx, w, func(e fsnotify.Event) {
		if e.Has(fsnotify.Create) {
			if st, err := os.Stat(e.Name); err == nil && st.IsDir() {
				add(e.Name)
			}
		}
		if e.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Remove|fsnotify.Rename) != 0 {
			send(event{kind: evFiles, at: time.Now()})
		}
	})
	return nil
}

// follow hands each of w's events to on, in a goroutine of its own, until
// ctx is done or w stops, then closes w. w's errors (a queue overflow) are
// dropped: the periodic re-check makes up for a missed event.
func follow(ctx context.Context, w *fsnotify.Watcher, on func(fsnotify.Event)) {
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Events:
				if !ok {
					return
				}
				on(e)
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
}

// watchProgress sends evProgress when the progress file at path is
// replaced, by this process or another, until ctx is done. Where the
// folder cannot be watched, the periodic re-check looks instead.
func watchProgress(ctx context.Context, path string, send func(event)) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return
	}
	if err := w.Add(filepath.Dir(path)); err != nil {
		w.Close()
		return
	}
	follow(ctx, w, func(e fsnotify.Event) {
		if filepath.Clean(e.Name) == filepath.Clean(path) && e.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
			send(event{kind: evProgress})
		}
	})
}
