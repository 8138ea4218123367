package prover

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/lessons"
)

// These tests hold cleanup to its rule against the real engine: it removes
// what a lesson created, never what the learner owns.

func removeVolumeAtEnd(t *testing.T, name string) {
	t.Cleanup(func() { exec.Command("docker", "volume", "rm", "-f", name).Run() })
}

func removeImageIDAtEnd(t *testing.T, c *client.Client, id string) {
	t.Cleanup(func() {
		c.ImageRemove(context.Background(), id, image.RemoveOptions{Force: true, PruneChildren: true})
	})
}

func imageID(t *testing.T, c *client.Client, ref string) string {
	t.Helper()
	insp, err := c.ImageInspect(context.Background(), ref)
	if err != nil {
		return ""
	}
	return insp.ID
}

// A demo's record, kept for later, must not remove a tag or a volume the
// presenter made again under the same name since.
func TestRemoveLeavesATagOrVolumeMadeAgain(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	base := dockertest.Name("dockstep-safety-base")
	dockertest.Busybox(t, c, base)
	snap, err := TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	tag := dockertest.Name("dockstep-safety-tag")
	dockertest.Run(t, "tag", base, tag)
	vol := dockertest.Name("dockstep-safety-vol")
	removeVolumeAtEnd(t, vol)
	dockertest.Run(t, "volume", "create", vol)
	rec, err := snap.New(ctx, c, Scope{tag, vol})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Tags) != 1 || len(rec.Volumes) != 1 {
		t.Fatalf("recorded %+v, want the tag %s and the volume %s", rec, tag, vol)
	}

	// Later, the presenter builds their own image under that tag, and
	// makes their own volume under that name.
	mine := dockertest.Build(t, c, tag, "FROM "+base+"\nLABEL owner=presenter\n")
	dockertest.Run(t, "volume", "rm", vol)
	dockertest.Run(t, "volume", "create", "--label", "owner=presenter", vol)

	got, err := Remove(ctx, c, rec)
	if err != nil {
		t.Fatal(err)
	}
	if id := imageID(t, c, tag); id != mine {
		t.Errorf("the tag %s names %q after Remove, want the presenter's image %s", tag, id, mine)
	}
	assertGone(t, c, "volume", vol, false)
	if len(got.Untagged) != 0 || len(got.Volumes) != 0 || len(got.Left) != 2 {
		t.Errorf("Remove says %s; want nothing removed and the tag and volume left alone", got)
	}
}

// A lesson that rebuilds (or pulls anew) a tag the learner had leaves it
// naming the learner's image afterwards.
func TestCleanupGivesATagBack(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	ref := dockertest.Name("dockstep-safety-learner")
	old := dockertest.Busybox(t, c, ref)
	removeImageIDAtEnd(t, c, old)
	snap, err := TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	lessons := dockertest.Build(t, c, ref, "FROM "+ref+"\nLABEL made=by-the-lesson\n")
	if lessons == old {
		t.Fatal("the build made no new image")
	}

	got, err := snap.Cleanup(ctx, c, Scope{ref})
	if err != nil {
		t.Fatal(err)
	}
	if id := imageID(t, c, ref); id != old {
		t.Errorf("the tag %s names %q after cleanup, want the learner's image %s (cleanup said %s)", ref, id, old, got)
	}
	if id := imageID(t, c, lessons); id != "" {
		t.Errorf("the lesson's image %s is still there", lessons)
	}
	if len(got.Restored) != 1 || !strings.Contains(got.String(), "tags given back "+ref) {
		t.Errorf("cleanup says %q, want it to say the tag %s was given back", got, ref)
	}
}

// A container the learner starts meanwhile, from an image older than the
// lesson, under a name the lesson does not give, stays.
func TestCleanupLeavesTheLearnersContainers(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	base := dockertest.Name("dockstep-safety-base")
	dockertest.Busybox(t, c, base)
	snap, err := TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	learners, lessons := dockertest.Name("dockstep-safety-mine"), dockertest.Name("dockstep-safety-lesson")
	dockertest.RemoveContainerAtEnd(t, c, learners)
	dockertest.RemoveContainerAtEnd(t, c, lessons)
	dockertest.Run(t, "create", "--name", learners, base, "true")
	dockertest.Run(t, "create", "--name", lessons, base, "true")

	got, err := snap.Cleanup(ctx, c, Scope{base, lessons})
	if err != nil {
		t.Fatal(err)
	}
	assertGone(t, c, "container", learners, false)
	assertGone(t, c, "container", lessons, true)
	if !slices.Equal(got.Containers, []string{lessons}) {
		t.Errorf("removed containers %q, want only %s", got.Containers, lessons)
	}
}

// Volumes named by -v NAME:/path and --mount source=NAME are the lesson's.
func TestCleanupRemovesNamedVolumesOfRunFlags(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	base := dockertest.Name("dockstep-safety-base")
	dockertest.Busybox(t, c, base)
	byV, byMount := dockertest.Name("dockstep-safety-v"), dockertest.Name("dockstep-safety-mount")
	removeVolumeAtEnd(t, byV)
	removeVolumeAtEnd(t, byMount)
	cmd := "docker run --rm -v " + byV + ":/data --mount type=volume,source=" + byMount + ",target=/more " + base + " true"
	l := &lessons.Lesson{Steps: []*lessons.Step{{Solution: []lessons.Action{{Kind: lessons.Run, Text: cmd}}}}}
	scope := LessonScope(l, nil)

	snap, err := TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	dockertest.Run(t, strings.Fields(cmd)[1:]...)
	got, err := snap.Cleanup(ctx, c, scope)
	if err != nil {
		t.Fatal(err)
	}
	assertGone(t, c, "volume", byV, true)
	assertGone(t, c, "volume", byMount, true)
	if len(got.Volumes) != 2 {
		t.Errorf("removed volumes %q, want %s and %s", got.Volumes, byV, byMount)
	}
}

func TestLessonScopeVolumes(t *testing.T) {
	l := &lessons.Lesson{Steps: []*lessons.Step{{Solution: []lessons.Action{
		{Kind: lessons.Run, Text: "docker run -v mydata:/data --volume=cache:/c -v /srv/www:/www -v ./here:/h busybox"},
		{Kind: lessons.Run, Text: "docker run --mount type=volume,src=db,dst=/db --mount=source=logs,target=/l --mount type=bind,source=/tmp,target=/t busybox"},
	}}}}
	got := LessonScope(l, nil)
	for _, w := range []string{"mydata", "cache", "db", "logs"} {
		if !slices.Contains(got, w) {
			t.Errorf("scope lacks the volume %q: %q", w, got)
		}
	}
	for _, w := range []string{"/srv/www", "./here", "/tmp"} {
		if slices.Contains(got, w) {
			t.Errorf("scope has the host path %q as a volume: %q", w, got)
		}
	}
}
