package prover

import (
	"context"
	"io"
	"os/exec"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// fakeEngine holds objects in memory and records what is removed.
type fakeEngine struct {
	containers []container.Summary
	images     []image.Summary
	volumes    []*volume.Volume
	networks   []network.Summary
	removed    []string
	// pulls are the image references the engine's pull events name, and
	// pushes those of its push events, which come first.
	pulls, pushes []string
}

func (f *fakeEngine) Events(ctx context.Context, _ events.ListOptions) (<-chan events.Message, <-chan error) {
	msgs := make(chan events.Message, len(f.pushes)+len(f.pulls))
	errs := make(chan error, 1)
	for _, p := range f.pushes {
		msgs <- events.Message{Type: events.ImageEventType, Action: events.ActionPush, Actor: events.Actor{ID: p}}
	}
	for _, p := range f.pulls {
		msgs <- events.Message{Type: events.ImageEventType, Action: events.ActionPull, Actor: events.Actor{ID: p}}
	}
	go func() {
		// The stream ends once every event was read, as the engine's does
		// with an until time.
		for len(msgs) > 0 {
			time.Sleep(time.Millisecond)
		}
		errs <- io.EOF
	}()
	return msgs, errs
}

func (f *fakeEngine) ContainerList(context.Context, container.ListOptions) ([]container.Summary, error) {
	return f.containers, nil
}
func (f *fakeEngine) ImageList(context.Context, image.ListOptions) ([]image.Summary, error) {
	return f.images, nil
}
func (f *fakeEngine) VolumeList(context.Context, volume.ListOptions) (volume.ListResponse, error) {
	return volume.ListResponse{Volumes: f.volumes}, nil
}
func (f *fakeEngine) NetworkList(context.Context, network.ListOptions) ([]network.Summary, error) {
	return f.networks, nil
}
func (f *fakeEngine) ContainerRemove(_ context.Context, id string, _ container.RemoveOptions) error {
	f.removed = append(f.removed, "container "+id)
	return nil
}
func (f *fakeEngine) ImageRemove(_ context.Context, ref string, _ image.RemoveOptions) ([]image.DeleteResponse, error) {
	f.removed = append(f.removed, "image "+ref)
	return nil, nil
}
func (f *fakeEngine) ImageTag(_ context.Context, source, target string) error {
	f.removed = append(f.removed, "tag "+target+" to "+source)
	return nil
}
func (f *fakeEngine) VolumeRemove(_ context.Context, id string, _ bool) error {
	f.removed = append(f.removed, "volume "+id)
	return nil
}
func (f *fakeEngine) NetworkRemove(_ context.Context, id string) error {
	f.removed = append(f.removed, "network "+id)
	return nil
}

func TestCleanupRemovesOnlyWhatAppeared(t *testing.T) {
	before := &fakeEngine{
		containers: []container.Summary{{ID: "c-old", Names: []string{"/old"}, Image: "busybox"}},
		images: []image.Summary{
			{ID: "i-busybox", RepoTags: []string{"busybox:latest"}, Created: 1},
			{ID: "i-other", RepoTags: []string{"other:1"}, Created: 2},
		},
		volumes:  []*volume.Volume{{Name: "v-old"}},
		networks: []network.Summary{{ID: "n-bridge", Name: "bridge"}},
	}
	tests := []struct {
		name  string
		scope Scope
		want  []string
	}{
		{
			name: "everything new",
			want: []string{
				"container c-learner", "container c-lesson", "container c-stranger",
				"image i-catnip", "image i-python", "image i-stranger",
				"image ada/busybox:mine",
				"volume v-lesson", "volume v-stranger",
				"network n-lesson",
			},
		},
		{
			name:  "in scope only",
			scope: Scope{"python:3", "ada/catnip", "busybox", "ada/busybox:mine", "v-lesson", "lesson-net"},
			want: []string{
				"container c-lesson",
				"image i-catnip", "image i-python",
				"image ada/busybox:mine",
				"volume v-lesson",
				"network n-lesson",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEngine{}
			*f = *before
			snap, err := TakeSnapshot(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			f.containers = append(slices.Clone(before.containers),
				container.Summary{ID: "c-lesson", Names: []string{"/happy_turing"}, Image: "python:3", ImageID: "i-python"},
				// Started by the learner meanwhile, from an image older than
				// the lesson, under a name the lesson does not give.
				container.Summary{ID: "c-learner", Names: []string{"/my-shell"}, Image: "busybox", ImageID: "i-busybox"},
				container.Summary{ID: "c-stranger", Names: []string{"/someone-else"}, Image: "stranger:1"},
			)
			f.images = []image.Summary{
				{ID: "i-busybox", RepoTags: []string{"busybox:latest", "ada/busybox:mine"}, Created: 1},
				{ID: "i-other", RepoTags: []string{"other:1"}, Created: 2},
				{ID: "i-python", RepoTags: []string{"python:3"}, Created: 3},
				{ID: "i-catnip", RepoTags: []string{"ada/catnip:latest"}, Created: 4},
				{ID: "i-stranger", RepoTags: []string{"stranger:1"}, Created: 5},
			}
			f.volumes = append(slices.Clone(before.volumes), &volume.Volume{Name: "v-lesson"}, &volume.Volume{Name: "v-stranger"})
			f.networks = append(slices.Clone(before.networks), network.Summary{ID: "n-lesson", Name: "lesson-net"})
			got, err := snap.Cleanup(context.Background(), f, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			removed := slices.Clone(f.removed)
			sort.Strings(removed)
			want := slices.Clone(tt.want)
			sort.Strings(want)
			if !slices.Equal(removed, want) {
				t.Errorf("removed %q, want %q", removed, want)
			}
			if got.Count() != len(tt.want) {
				t.Errorf("Count() = %d, want %d (%s)", got.Count(), len(tt.want), got)
			}
		})
	}
}

func TestCleanupRemovesChildImagesFirst(t *testing.T) {
	f := &fakeEngine{}
	snap, err := TakeSnapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	f.images = []image.Summary{
		{ID: "base", RepoTags: []string{"python:3"}, Created: 10},
		{ID: "child", RepoTags: []string{"ada/catnip:latest"}, Created: 20},
	}
	if _, err := snap.Cleanup(context.Background(), f, nil); err != nil {
		t.Fatal(err)
	}
	if want := []string{"image child", "image base"}; !slices.Equal(f.removed, want) {
		t.Errorf("removed %q, want %q", f.removed, want)
	}
}

// Parent links decide the order when creation times tie, as they do for
// the layers of a quick build.
func TestCleanupRemovesChildrenFirstWhenTimesTie(t *testing.T) {
	f := &fakeEngine{}
	snap, err := TakeSnapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	f.images = []image.Summary{
		{ID: "base", RepoTags: []string{"python:3"}, Created: 10},
		{ID: "layer", ParentID: "base", Created: 20},
		{ID: "app", ParentID: "layer", RepoTags: []string{"ada/catnip:latest"}, Created: 20},
	}
	if _, err := snap.Cleanup(context.Background(), f, Scope{"python:3", "ada/catnip"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"image app", "image layer", "image base"}; !slices.Equal(f.removed, want) {
		t.Errorf("removed %q, want %q", f.removed, want)
	}
}

// A build that failed half-way leaves untagged layers, and a container, on
// top of the image it started from; they go with it, in scope or not.
func TestCleanupRemovesWhatAFailedBuildLeft(t *testing.T) {
	f := &fakeEngine{images: []image.Summary{{ID: "stranger-base", RepoTags: []string{"stranger:1"}, Created: 1}}}
	snap, err := TakeSnapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	f.images = append(f.images,
		image.Summary{ID: "python", RepoTags: []string{"python:3"}, Created: 10},
		image.Summary{ID: "layer1", ParentID: "python", Created: 11},
		image.Summary{ID: "layer2", ParentID: "layer1", Created: 12},
		image.Summary{ID: "stranger-layer", ParentID: "stranger-base", Created: 13},
	)
	f.containers = []container.Summary{{ID: "c-build", Image: "4f3a1b2c3d4e", ImageID: "layer2", Names: []string{"/cool_chebyshev"}}}
	if _, err := snap.Cleanup(context.Background(), f, Scope{"python:3"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"container c-build", "image layer2", "image layer1", "image python"}
	if !slices.Equal(f.removed, want) {
		t.Errorf("removed %q, want %q", f.removed, want)
	}
}

func TestNormalizeRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"busybox", "busybox:latest"},
		{"docker.io/library/busybox", "busybox:latest"},
		{"library/python:3", "python:3"},
		{"ada/catnip", "ada/catnip:latest"},
		{"127.0.0.1:5555/library/busybox", "127.0.0.1:5555/library/busybox:latest"},
		{"sha256:abc", "sha256:abc"},
	}
	for _, tt := range tests {
		if got := normalizeRef(tt.in); got != tt.want {
			t.Errorf("normalizeRef(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCleanupAgainstEngine creates objects before and after a snapshot and
// checks that only the later ones, and only those in scope, are removed.
func TestCleanupAgainstEngine(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	oldRef := dockertest.Name("dockstep-cleanup-old")
	dockertest.Busybox(t, c, oldRef)
	oldCtr := dockertest.Name("dockstep-cleanup-old")
	dockertest.RemoveContainerAtEnd(t, c, oldCtr)
	dockertest.Run(t, "create", "--name", oldCtr, oldRef, "true")

	snap, err := TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	newRef := dockertest.Name("dockstep-cleanup-new")
	dockertest.Build(t, c, newRef, "FROM "+oldRef+"\nLABEL made=during\n")
	newCtr, strangerCtr := dockertest.Name("dockstep-cleanup-new"), dockertest.Name("dockstep-cleanup-stranger")
	dockertest.RemoveContainerAtEnd(t, c, newCtr)
	dockertest.RemoveContainerAtEnd(t, c, strangerCtr)
	dockertest.Run(t, "run", "--name", newCtr, newRef, "true")
	dockertest.Run(t, "create", "--name", strangerCtr, oldRef, "true")
	tag := dockertest.Name("dockstep-cleanup-tag")
	dockertest.Run(t, "tag", oldRef, tag)
	t.Cleanup(func() { exec.Command("docker", "rmi", tag).Run() })
	vol := dockertest.Name("dockstep-cleanup-vol")
	dockertest.Run(t, "volume", "create", vol)
	t.Cleanup(func() { exec.Command("docker", "volume", "rm", vol).Run() })

	got, err := snap.Cleanup(ctx, c, Scope{newRef, tag, vol})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.Containers, newCtr) || len(got.Containers) != 1 {
		t.Errorf("removed containers %q, want only %s", got.Containers, newCtr)
	}
	if want := []string{tag + ":latest"}; !slices.Equal(got.Untagged, want) {
		t.Errorf("untagged %q, want %q", got.Untagged, want)
	}
	assertGone(t, c, "image", newRef, true)
	assertGone(t, c, "container", newCtr, true)
	assertGone(t, c, "volume", vol, true)
	assertGone(t, c, "image", tag, true)
	assertGone(t, c, "image", oldRef, false)
	assertGone(t, c, "container", oldCtr, false)
	assertGone(t, c, "container", strangerCtr, false)
}

func assertGone(t *testing.T, c *client.Client, kind, name string, gone bool) {
	t.Helper()
	var err error
	ctx := context.Background()
	switch kind {
	case "image":
		_, err = c.ImageInspect(ctx, name)
	case "container":
		_, err = c.ContainerInspect(ctx, name)
	case "volume":
		_, err = c.VolumeInspect(ctx, name)
	}
	if gone && err == nil {
		t.Errorf("%s %s is still there after cleanup", kind, name)
	}
	if !gone && err != nil {
		t.Errorf("%s %s was removed by cleanup, but it existed before (or was out of scope): %v", kind, name, err)
	}
}

// TestPulledListsWhatThePullEventsName: on the containerd image store a
// built image has a repository digest, like a pulled one; only the engine's
// pull events tell them apart.
func TestPulledListsWhatThePullEventsName(t *testing.T) {
	f := &fakeEngine{images: []image.Summary{{ID: "old", RepoTags: []string{"busybox:latest"}, RepoDigests: []string{"busybox@sha256:1"}}}}
	snap, err := TakeSnapshot(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	f.images = append(f.images,
		image.Summary{ID: "pulled", RepoTags: []string{"python:3"}, RepoDigests: []string{"python@sha256:2"}},
		image.Summary{ID: "built", RepoTags: []string{"ada/catnip:latest"}, RepoDigests: []string{"ada/catnip@sha256:3"}},
	)
	// The lesson pushed its own image to a registry and pulled it back.
	f.pushes = []string{"localhost:5000/hello:v1"}
	f.pulls = []string{"python:3", "localhost:5000/hello:v1", "docker.io/library/python:3"}
	got, err := snap.Pulled(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"python:3"}; !slices.Equal(got, want) {
		t.Errorf("Pulled() = %q, want %q", got, want)
	}
	if !SameImage("busybox", "docker.io/library/busybox:latest") || SameImage("python:3", "python:3.12") {
		t.Errorf("SameImage compares references wrongly")
	}
}
