package workshop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/dockstep/dockstep/internal/engine"
)

// fakeEngine is an engine in memory: the images it holds, those a registry
// offers, the containers that publish ports, and whether a container can
// start.
type fakeEngine struct {
	pingErr    error
	apiVersion string
	images     map[string]image.InspectResponse
	pullable   map[string][]ocispec.Platform
	publishers map[string]container.Summary // by "8080/tcp"
	startErr   error
	created    []string
	removed    []string
	pulled     []string
	tagged     []string
	pushed     []string
}

func (f *fakeEngine) Ping(context.Context) (types.Ping, error) { return types.Ping{}, f.pingErr }
func (f *fakeEngine) ServerVersion(context.Context) (types.Version, error) {
	return types.Version{Version: "28.0.0", APIVersion: f.apiVersion}, nil
}
func (f *fakeEngine) Info(context.Context) (system.Info, error) {
	return system.Info{OSType: "linux", Architecture: "x86_64", OperatingSystem: "Debian", Name: "elsewhere"}, nil
}
func (f *fakeEngine) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (image.InspectResponse, error) {
	if i, ok := f.images[ref]; ok {
		return i, nil
	}
	return image.InspectResponse{}, cerrdefs.ErrNotFound.WithMessage("no such image: " + ref)
}
func (f *fakeEngine) DistributionInspect(_ context.Context, ref, _ string) (registry.DistributionInspect, error) {
	if p, ok := f.pullable[ref]; ok {
		return registry.DistributionInspect{Platforms: p}, nil
	}
	return registry.DistributionInspect{}, errors.New("manifest unknown")
}
func (f *fakeEngine) ContainerList(_ context.Context, o container.ListOptions) ([]container.Summary, error) {
	if c, ok := f.publishers[o.Filters.Get("publish")[0]]; ok {
		return []container.Summary{c}, nil
	}
	return nil, nil
}
func (f *fakeEngine) ContainerCreate(_ context.Context, cfg *container.Config, hc *container.HostConfig, _ *network.NetworkingConfig, _ *ocispec.Platform, name string) (container.CreateResponse, error) {
	if len(hc.PortBindings) == 0 {
		return container.CreateResponse{}, errors.New("the trial container publishes no port")
	}
	f.created = append(f.created, cfg.Image)
	return container.CreateResponse{ID: name}, nil
}
func (f *fakeEngine) ContainerStart(context.Context, string, container.StartOptions) error {
	return f.startErr
}
func (f *fakeEngine) ContainerRemove(_ context.Context, id string, _ container.RemoveOptions) error {
	f.removed = append(f.removed, id)
	return nil
}
func (f *fakeEngine) Close() error { return nil }
func (f *fakeEngine) ImagePull(_ context.Context, ref string, _ image.PullOptions) (io.ReadCloser, error) {
	if _, ok := f.pullable[ref]; !ok {
		return nil, errors.New("pull access denied for " + ref)
	}
	f.pulled = append(f.pulled, ref)
	f.images[ref] = image.InspectResponse{ID: "sha256:" + ref}
	return io.NopCloser(strings.NewReader(`{"status":"Downloaded newer image for ` + ref + `"}` + "\n")), nil
}
func (f *fakeEngine) ImageTag(_ context.Context, src, target string) error {
	f.tagged = append(f.tagged, target)
	f.images[target] = f.images[src]
	return nil
}
func (f *fakeEngine) ImagePush(_ context.Context, ref string, _ image.PushOptions) (io.ReadCloser, error) {
	f.pushed = append(f.pushed, ref)
	return io.NopCloser(strings.NewReader(`{"status":"pushed"}` + "\n")), nil
}
func (f *fakeEngine) ImageRemove(_ context.Context, ref string, _ image.RemoveOptions) ([]image.DeleteResponse, error) {
	f.removed = append(f.removed, ref)
	delete(f.images, ref)
	return nil, nil
}

func newFake() *fakeEngine {
	return &fakeEngine{
		apiVersion: "1.47",
		images:     map[string]image.InspectResponse{"busybox": {ID: "sha256:bb", Os: "linux", Architecture: "amd64", Size: 4e6}},
		pullable:   map[string][]ocispec.Platform{"python:3": {{OS: "linux", Architecture: "amd64"}}, "arm/only": {{OS: "linux", Architecture: "arm64"}}},
		publishers: map[string]container.Summary{"8080/tcp": {Names: []string{"/someone-else"}, Image: "nginx", Status: "Up 2 hours"}},
	}
}

var ep = engine.Endpoint{Host: "tcp://192.0.2.1:2375", Source: "DOCKER_HOST"}

// runDoctor runs the doctor against the fake and returns each line as
// "status check: detail".
func runDoctor(t *testing.T, f *fakeEngine, dialErr error, nd Needs) (*Report, string) {
	t.Helper()
	dr := &Doctor{
		Dial: func() (Engine, engine.Endpoint, error) {
			if dialErr != nil {
				return nil, ep, dialErr
			}
			return f, ep, nil
		},
		LookPath: func(string) (string, error) { return "/usr/bin/docker", nil },
	}
	rep := &Report{}
	dr.Check(context.Background(), rep, nd)
	var b strings.Builder
	for _, it := range rep.Checks {
		fmt.Fprintf(&b, "%s %s: %s\n", it.Status, it.Check, it.Detail)
	}
	return rep, b.String()
}

func TestDoctorWithAFakeEngine(t *testing.T) {
	nd := Needs{
		Images: []*ImageNeed{{Ref: "busybox"}, {Ref: "python:3"}, {Ref: "arm/only"}, {Ref: "gone/away"}},
		Ports:  []*PortNeed{{Port: 8080, Proto: "tcp", Where: "web.md:9"}, {Port: 8081, Proto: "tcp"}},
	}
	f := newFake()
	rep, out := runDoctor(t, f, nil, nd)
	for _, w := range []string{
		"ok docker CLI: /usr/bin/docker",
		"ok engine: answers at tcp://192.0.2.1:2375 (from DOCKER_HOST)",
		"ok version: Docker Engine 28.0.0, API 1.47",
		"ok image busybox: present",
		"ok image python:3: not present yet, but the engine can pull it",
		"fail image arm/only: not present, and it exists only for linux/arm64 while the engine runs linux/amd64",
		"fail image gone/away: not present, and the engine cannot pull it: manifest unknown",
		"ok docker run: a container of busybox started with a published port",
		"fail port 8080: held by container someone-else (image nginx, Up 2 hours)",
		"ok port 8081: no container publishes it on the engine's machine",
		"skip disk:",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("the checklist does not say %q:\n%s", w, out)
		}
	}
	if fails, noEngine := rep.Finish(); fails != 3 || noEngine || rep.OK {
		t.Errorf("got %d failures (no engine: %v, ok: %v), want 3 with an engine", fails, noEngine, rep.OK)
	}
	if len(f.created) != 1 || len(f.removed) != 1 {
		t.Errorf("created %v and removed %v, want one trial container made and removed", f.created, f.removed)
	}
}

func TestDoctorCatchesAMissingBridge(t *testing.T) {
	f := newFake()
	f.startErr = errors.New("Error response from daemon: network bridge not found")
	_, out := runDoctor(t, f, nil, Needs{Images: []*ImageNeed{{Ref: "busybox"}}})
	if !strings.Contains(out, "fail docker run: docker run -P busybox fails: the engine's default bridge network is missing") {
		t.Errorf("the checklist does not name the missing bridge:\n%s", out)
	}
	if len(f.removed) != 1 {
		t.Errorf("removed %v, want the trial container removed", f.removed)
	}
}

func TestDoctorWithoutAnEngine(t *testing.T) {
	tests := []struct {
		name    string
		f       *fakeEngine
		dialErr error
		want    string
	}{
		{"no endpoint", nil, &engine.UnreachableError{Err: errors.New("no context")}, "fail engine:"},
		{"no answer", &fakeEngine{pingErr: errors.New("connection refused")}, nil, "fail engine: no answer from the engine at tcp://192.0.2.1:2375 (from DOCKER_HOST): connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, out := runDoctor(t, tt.f, tt.dialErr, Needs{})
			if !strings.Contains(out, tt.want) {
				t.Errorf("the checklist does not say %q:\n%s", tt.want, out)
			}
			if _, noEngine := rep.Finish(); !noEngine {
				t.Errorf("Finish does not say the engine could not be used:\n%s", out)
			}
		})
	}
}

func TestDoctorOldEngine(t *testing.T) {
	f := newFake()
	f.apiVersion = "1.40"
	_, out := runDoctor(t, f, nil, Needs{})
	if !strings.Contains(out, "fail version: Docker Engine 28.0.0 (API 1.40) is older than dockstep supports") {
		t.Errorf("the checklist does not fail the version:\n%s", out)
	}
}

func TestDoctorNoDockerCLI(t *testing.T) {
	dr := &Doctor{
		Dial:     func() (Engine, engine.Endpoint, error) { return newFake(), ep, nil },
		LookPath: func(string) (string, error) { return "", errors.New("not found") },
	}
	rep := &Report{}
	dr.Check(context.Background(), rep, Needs{})
	if it := rep.Checks[0]; it.Check != "docker CLI" || it.Status != StatusFail || !strings.Contains(it.Fix, "install Docker") {
		t.Errorf("got %+v, want the docker CLI line failing with how to install it", it)
	}
}

func TestPrefetchWithAFakeEngine(t *testing.T) {
	f := newFake()
	var out strings.Builder
	p := &Prefetcher{Engine: f, Out: &out}
	failed := p.PullAll(context.Background(), []*ImageNeed{{Ref: "busybox"}, {Ref: "python:3"}, {Ref: "gone/away", Lessons: []string{"web"}}})
	if failed != 1 || fmt.Sprint(f.pulled) != "[python:3]" {
		t.Errorf("got %d failed, pulled %v; want 1 failed and python:3 pulled\n%s", failed, f.pulled, out.String())
	}
	for _, w := range []string{"busybox: already present", "gone/away: cannot pull it: pull access denied", "needed by: web", "Pulled 1 image"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output does not say %q:\n%s", w, out.String())
		}
	}
	out.Reset()
	if failed := p.PushAll(context.Background(), "room:5000"); failed != 0 {
		t.Errorf("PushAll: %d failed\n%s", failed, out.String())
	}
	if got, want := fmt.Sprint(f.pushed), "[room:5000/library/busybox:latest room:5000/library/python:3]"; got != want {
		t.Errorf("pushed %s, want %s", got, want)
	}
	// The extra tags are removed; the images stay.
	if got, want := fmt.Sprint(f.removed), fmt.Sprint(f.tagged); got != want {
		t.Errorf("removed %s, want the tags made %s", got, want)
	}
	if _, ok := f.images["python:3"]; !ok {
		t.Error("python:3 itself is gone after the push")
	}
}
