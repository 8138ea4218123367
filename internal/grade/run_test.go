package grade

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/lessons"
)

// downEngine is an engine whose every answer is an error.
type downEngine struct{ checks.Docker }

func (downEngine) Close() error { return nil }

func (downEngine) ImageList(context.Context, image.ListOptions) ([]image.Summary, error) {
	return nil, errors.New("connection refused")
}

func (downEngine) ImageInspect(context.Context, string, ...client.ImageInspectOption) (image.InspectResponse, error) {
	return image.InspectResponse{}, errors.New("connection refused")
}

const engineLesson = "---\nformat: 1\ntitle: Images\n---\n\n" +
	"## Write the note\n\n```check\nfile: note.txt\n```\n\n" +
	"## Pull it\n\n```check\nimage: busybox\n```\n"

func parse(t *testing.T, src string) *lessons.Lesson {
	t.Helper()
	l, probs := lessons.ParseBytes(nil, "01-x.md", "01-x.md", []byte(src), lessons.Options{Validator: checks.Default()})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return l
}

func TestRun(t *testing.T) {
	l := parse(t, engineLesson)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("x"), 0o644)
	connected := 0
	ep := engine.Endpoint{Host: "tcp://fake:2375", Source: "a test"}
	req := func(step int, connect func(context.Context) (Engine, engine.Endpoint, error)) Request {
		return Request{Lesson: l, Step: step, Dir: dir, Timeout: 5 * time.Second, Registry: checks.Default(),
			Connect: func(ctx context.Context) (Engine, engine.Endpoint, error) { connected++; return connect(ctx) }}
	}
	down := func(context.Context) (Engine, engine.Endpoint, error) { return downEngine{}, ep, nil }

	rep, err := Run(context.Background(), req(1, down))
	if err != nil || !rep.Passed || len(rep.Steps) != 1 || connected != 0 {
		t.Errorf("step 1 (a file check): report %+v, error %v, %d connections; want it passing without the engine", rep, err, connected)
	}
	var usage *UsageError
	if _, err := Run(context.Background(), req(3, down)); !errors.As(err, &usage) || !strings.Contains(err.Error(), "steps 1 to 2") {
		t.Errorf("step 3: error %v, want a usage error naming steps 1 to 2", err)
	}
	r := req(0, down)
	r.Timeout = 0
	if _, err := Run(context.Background(), r); !errors.As(err, &usage) {
		t.Errorf("no timeout: error %v, want a usage error", err)
	}
	var lost *engine.UnreachableError
	if _, err := Run(context.Background(), req(2, down)); !errors.As(err, &lost) || !strings.Contains(lost.Err.Error(), "connection refused") || !strings.Contains(err.Error(), "tcp://fake:2375 (from a test)") {
		t.Errorf("step 2 with the engine down: error %v, want the engine unreachable, named, with the cause", err)
	}
	refused := errors.New("no engine")
	if _, err := Run(context.Background(), req(0, func(context.Context) (Engine, engine.Endpoint, error) { return nil, ep, refused })); err != refused {
		t.Errorf("connect failing: error %v, want connect's own", err)
	}
}

func TestFolder(t *testing.T) {
	saved := t.TempDir()
	if got, err := Folder("", saved); err != nil || got != saved {
		t.Errorf("Folder(\"\", saved) = %q, %v; want the saved folder", got, err)
	}
	if got, err := Folder("", filepath.Join(saved, "gone")); err != nil || !filepath.IsAbs(got) {
		t.Errorf("Folder with the saved folder gone = %q, %v; want the current directory, absolute", got, err)
	}
	var usage *UsageError
	if _, err := Folder(filepath.Join(saved, "gone"), ""); !errors.As(err, &usage) {
		t.Errorf("Folder(missing) error %v, want a usage error", err)
	}
}

func TestExitStatus(t *testing.T) {
	if code, msg := (&UsageError{"lesson l has steps 1 to 2"}).ExitStatus("dockstep check"); code != 2 || msg != "lesson l has steps 1 to 2" {
		t.Errorf("usage: %d %q", code, msg)
	}
	if code, msg := (&TimeoutError{Timeout: time.Second, What: "a web page"}).ExitStatus("dockstep check"); code != 1 || msg != "dockstep check: gave up after 1s waiting for a web page; give it longer with --timeout" {
		t.Errorf("timeout: %d %q", code, msg)
	}
}
