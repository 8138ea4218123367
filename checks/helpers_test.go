package checks

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"gopkg.in/yaml.v3"

	"github.com/dockstep/dockstep/lessons"
)

// spec reads a check written as a lesson writes it ("image: busybox") into a
// CheckSpec whose lines are those of src.
func spec(t testing.TB, src string) lessons.CheckSpec {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("bad test check %q: %v", src, err)
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode || len(m.Content) != 2 {
		t.Fatalf("bad test check %q: want one kind: fields", src)
	}
	return lessons.CheckSpec{Kind: m.Content[0].Value, Value: m.Content[1], Pos: lessons.Pos{File: "test.md", Line: m.Content[0].Line}}
}

// compile compiles a check written as a lesson writes it.
func compile(t testing.TB, src string) Check {
	t.Helper()
	c, err := Default().Compile(spec(t, src), nil)
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return c
}

// fakeDocker is an engine in memory. It embeds the Docker interface, so a
// method a test does not expect panics; it implements what the checks call.
type fakeDocker struct {
	Docker
	images     map[string]image.InspectResponse // by normalised reference
	containers []fakeContainer
	volumes    map[string]bool
	networks   map[string]network.Inspect
	// history is the engine's event log: Events sends those of the types
	// asked for, then ends.
	history []events.Message
	err     error // returned by every call, as from an engine that is down
}

func (f *fakeDocker) Events(ctx context.Context, o events.ListOptions) (<-chan events.Message, <-chan error) {
	msgs, errs := make(chan events.Message), make(chan error, 1)
	go func() {
		for _, m := range f.history {
			if t := o.Filters.Get("type"); len(t) > 0 && t[0] != string(m.Type) {
				continue
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
		errs <- io.EOF
	}()
	return msgs, errs
}

type fakeContainer struct {
	summary container.Summary
	inspect container.InspectResponse
	log     string
}

func notFound(what string) error { return fmt.Errorf("no such %s: %w", what, cerrdefs.ErrNotFound) }

// addImage adds an image under the given names, with layers.
func (f *fakeDocker) addImage(id string, layers []string, names ...string) {
	if f.images == nil {
		f.images = map[string]image.InspectResponse{}
	}
	insp := image.InspectResponse{ID: id, RepoTags: names}
	insp.RootFS.Layers = layers
	for _, n := range names {
		r, err := parseImageRef(n)
		if err != nil {
			panic(err)
		}
		f.images[r.named.String()] = insp
	}
}

func (f *fakeDocker) ImageInspect(ctx context.Context, ref string, _ ...client.ImageInspectOption) (image.InspectResponse, error) {
	if f.err != nil {
		return image.InspectResponse{}, f.err
	}
	if insp, ok := f.images[ref]; ok {
		return insp, nil
	}
	for _, insp := range f.images {
		if insp.ID == ref {
			return insp, nil
		}
	}
	return image.InspectResponse{}, notFound("image " + ref)
}

func (f *fakeDocker) ImageList(ctx context.Context, _ image.ListOptions) ([]image.Summary, error) {
	if f.err != nil {
		return nil, f.err
	}
	seen := map[string]bool{}
	var out []image.Summary
	for _, insp := range f.images {
		if !seen[insp.ID] {
			seen[insp.ID] = true
			out = append(out, image.Summary{ID: insp.ID, RepoTags: insp.RepoTags})
		}
	}
	return out, nil
}

// ContainerList honours All and the ancestor (by image ID) and name filters.
func (f *fakeDocker) ContainerList(ctx context.Context, o container.ListOptions) ([]container.Summary, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []container.Summary
	for _, c := range f.containers {
		s := c.summary
		if !o.All && s.State != "running" {
			continue
		}
		if a := o.Filters.Get("ancestor"); len(a) > 0 && a[0] != s.ImageID {
			continue
		}
		if n := o.Filters.Get("name"); len(n) > 0 && !regexp.MustCompile(n[0]).MatchString(s.Names[0]) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func (f *fakeDocker) ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error) {
	if f.err != nil {
		return container.InspectResponse{}, f.err
	}
	for _, c := range f.containers {
		if c.summary.ID == id || c.summary.Names[0] == "/"+id {
			return c.inspect, nil
		}
	}
	return container.InspectResponse{}, notFound("container " + id)
}

func (f *fakeDocker) ContainerLogs(ctx context.Context, id string, _ container.LogsOptions) (io.ReadCloser, error) {
	for _, c := range f.containers {
		if c.summary.ID == id {
			return io.NopCloser(strings.NewReader(c.log)), nil
		}
	}
	return nil, notFound("container " + id)
}

func (f *fakeDocker) VolumeInspect(ctx context.Context, name string) (volume.Volume, error) {
	if f.err != nil {
		return volume.Volume{}, f.err
	}
	if f.volumes[name] {
		return volume.Volume{Name: name}, nil
	}
	return volume.Volume{}, notFound("volume " + name)
}

func (f *fakeDocker) VolumeList(ctx context.Context, _ volume.ListOptions) (volume.ListResponse, error) {
	if f.err != nil {
		return volume.ListResponse{}, f.err
	}
	var l volume.ListResponse
	for name := range f.volumes {
		l.Volumes = append(l.Volumes, &volume.Volume{Name: name})
	}
	return l, nil
}

func (f *fakeDocker) NetworkList(ctx context.Context, _ network.ListOptions) ([]network.Summary, error) {
	if f.err != nil {
		return nil, f.err
	}
	var l []network.Summary
	for name, n := range f.networks {
		n.Name = name
		l = append(l, n)
	}
	return l, nil
}

func (f *fakeDocker) NetworkInspect(ctx context.Context, name string, _ network.InspectOptions) (network.Inspect, error) {
	if f.err != nil {
		return network.Inspect{}, f.err
	}
	if n, ok := f.networks[name]; ok {
		return n, nil
	}
	return network.Inspect{}, notFound("network " + name)
}
