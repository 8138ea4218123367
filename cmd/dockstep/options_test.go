package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/grade"
	"github.com/dockstep/dockstep/internal/iostreams"
	"github.com/dockstep/dockstep/internal/workshop"
)

// These tests call the commands' run functions with fakes, as the GitHub
// CLI's tests do: no engine, no terminal.

// fakeBase is the options part every command has, on the lessons of dir
// (empty: the course), with output in out.
func fakeBase(t *testing.T, dir string, out *bytes.Buffer) base {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	g := &globals{io: &iostreams.Streams{In: strings.NewReader(""), Out: out, ErrOut: out, Getenv: mapEnv(nil)}, lessonsDir: dir}
	return g.base()
}

// exitCode is the status err ends dockstep with.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	return exitFor("dockstep", err).code
}

// lostEngine answers nothing: the engine went away during the check.
type lostEngine struct{ checks.Docker }

func (lostEngine) ImageInspect(context.Context, string, ...client.ImageInspectOption) (image.InspectResponse, error) {
	return image.InspectResponse{}, errors.New("connection reset by peer")
}

func (lostEngine) ImageList(context.Context, image.ListOptions) ([]image.Summary, error) {
	return nil, errors.New("connection reset by peer")
}

func (lostEngine) Close() error { return nil }

func TestCheckEngineLostNamesTheEndpoint(t *testing.T) {
	var out bytes.Buffer
	ep := engine.Endpoint{Host: "tcp://fake:2375", Source: "a test"}
	o := &checkOptions{base: fakeBase(t, "", &out), lesson: checkLesson, step: 1, vars: []string{"image=busybox"}, dir: t.TempDir(), timeout: 5 * time.Second,
		engine: func(context.Context) (grade.Engine, engine.Endpoint, error) { return lostEngine{}, ep, nil }}
	err := runCheck(context.Background(), o)
	if code := exitCode(err); code != 3 || !strings.Contains(err.Error(), "tcp://fake:2375 (from a test)") {
		t.Errorf("exit %d, error %v; want 3 naming the endpoint", code, err)
	}
}

func TestCheckNeedsNoEngineForFileChecks(t *testing.T) {
	var out bytes.Buffer
	o := &checkOptions{base: fakeBase(t, "", &out), lesson: checkLesson, step: 3, vars: []string{"image=x"}, dir: t.TempDir(), timeout: 5 * time.Second,
		engine: func(context.Context) (grade.Engine, engine.Endpoint, error) {
			t.Error("step 3 has only a file check, yet the engine was asked for")
			return nil, engine.Endpoint{}, exitf(3, "no engine")
		}}
	if code := exitCode(runCheck(context.Background(), o)); code != 1 || !strings.Contains(out.String(), "FAIL  step 3: Write a note") {
		t.Errorf("exit %d, output\n%s\nwant 1 and step 3 failing (no note.txt)", code, out.String())
	}
}

// registryEngine is an engine that has no image yet and pulls any but
// refuse.
type registryEngine struct {
	workshop.FetchEngine
	refuse string
	pulled []string
}

func (f *registryEngine) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (image.InspectResponse, error) {
	for _, p := range f.pulled {
		if p == ref {
			return image.InspectResponse{ID: "sha256:" + ref}, nil
		}
	}
	return image.InspectResponse{}, cerrdefs.ErrNotFound.WithMessage("no such image: " + ref)
}

func (f *registryEngine) ImagePull(_ context.Context, ref string, _ image.PullOptions) (io.ReadCloser, error) {
	if ref == f.refuse {
		return nil, errors.New("pull access denied for " + ref + ", repository does not exist")
	}
	f.pulled = append(f.pulled, ref)
	return io.NopCloser(strings.NewReader(`{"status":"Downloaded newer image for ` + ref + `"}` + "\n")), nil
}

func (f *registryEngine) Close() error { return nil }

func TestPrefetchWithAFakeEngine(t *testing.T) {
	var out bytes.Buffer
	fake := &registryEngine{}
	ep := engine.Endpoint{Host: "unix:///fake.sock", Source: "a test"}
	o := &prefetchOptions{base: fakeBase(t, doctorLessons, &out), lessons: []string{"missing"},
		engine: func(context.Context) (workshop.FetchEngine, engine.Endpoint, error) { return fake, ep, nil }}
	if err := runPrefetch(context.Background(), o); err != nil {
		t.Fatalf("prefetch: %v\n%s", err, out.String())
	}
	if len(fake.pulled) == 0 || !strings.Contains(out.String(), "into the engine at unix:///fake.sock (from a test)") {
		t.Errorf("pulled %v, output\n%s\nwant the lesson's images pulled from the engine named", fake.pulled, out.String())
	}
}

// TestFlagsFillTheOptions checks the cobra wiring alone: runF gets the
// options the flags and arguments give, and the command's run function is
// not called.
func TestFlagsFillTheOptions(t *testing.T) {
	g := &globals{io: &iostreams.Streams{Out: io.Discard, ErrOut: io.Discard}}
	var got *checkOptions
	cmd := newCheckCmd(g, func(_ context.Context, o *checkOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"web", "--step", "2", "--var", "a=b", "--json", "--timeout", "3s", "--room", "http://h:1/join/x", "--name", "Ann"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.lesson != "web" || got.step != 2 || strings.Join(got.vars, ",") != "a=b" || !got.asJSON ||
		got.timeout != 3*time.Second || got.room != "http://h:1/join/x" || got.name != "Ann" || got.engine == nil || got.io != g.io {
		t.Errorf("options %+v, want every flag in them, with the streams and an engine factory", got)
	}
}

func TestDoctorWithoutAnEngineNamesIt(t *testing.T) {
	var out bytes.Buffer
	ep := engine.Endpoint{Host: "tcp://fake:2375", Source: "a test"}
	o := &doctorOptions{base: fakeBase(t, doctorLessons, &out), lessons: []string{"missing"},
		dial: func() (workshop.Engine, engine.Endpoint, error) {
			return nil, ep, engine.Unreachable(ep, errors.New("connection refused"))
		}}
	err := runDoctor(context.Background(), o)
	if code := exitCode(err); code != 3 || !strings.Contains(err.Error(), "the Docker engine at tcp://fake:2375 (from a test) cannot be used") {
		t.Errorf("exit %d, error %v; want 3 naming the engine", code, err)
	}
	if !strings.Contains(out.String(), "tcp://fake:2375") {
		t.Errorf("the checklist does not name the engine:\n%s", out.String())
	}
}
