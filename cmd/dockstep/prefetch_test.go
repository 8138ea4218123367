package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/engine"
	"github.com/dockstep/dockstep/internal/iostreams"
	"github.com/dockstep/dockstep/internal/workshop"
)

// mirrorOnlyImage makes an image that exists only in the local mirror
// (127.0.0.1:5555), as library/<name>:latest, so that pulling <name> goes
// through the mirror. Its top layer is its own, so that a pull downloads
// something. It returns <name>; the pulled image is removed when the test
// ends.
func mirrorOnlyImage(t *testing.T, c *client.Client) string {
	t.Helper()
	ctx := context.Background()
	name := dockertest.Name("dockstep-prefetch")
	inMirror := "127.0.0.1:5555/library/" + name + ":latest"
	dockertest.Busybox(t, c, name+"-base:latest")
	dockertest.Build(t, c, inMirror, "FROM "+name+"-base:latest\nRUN echo "+name+" > /id && head -c 300000 /bin/busybox > /payload\n")
	rc, err := c.ImagePush(ctx, inMirror, image.PushOptions{RegistryAuth: "e30="})
	if err != nil {
		t.Fatalf("pushing %s: %v", inMirror, err)
	}
	if _, err := engine.Follow(rc, io.Discard, inMirror, false); err != nil {
		t.Fatalf("pushing %s: %v", inMirror, err)
	}
	rc.Close()
	if _, err := c.ImageRemove(ctx, inMirror, image.RemoveOptions{Force: true}); err != nil {
		t.Fatalf("removing %s after pushing it: %v", inMirror, err)
	}
	t.Cleanup(func() {
		c.ImageRemove(context.Background(), name+":latest", image.RemoveOptions{Force: true})
	})
	if _, err := c.ImageInspect(ctx, name); err == nil {
		t.Fatalf("%s is present before the test pulls it", name)
	}
	return name
}

// lessonNeeding writes a lesson needing image into a folder of its own, from
// the fixture template, and returns the folder.
func lessonNeeding(t *testing.T, image string) string {
	t.Helper()
	tmpl, err := os.ReadFile(filepath.Join("testdata", "doctor-prefetch", "lesson.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "01-pull.md"), []byte(strings.ReplaceAll(string(tmpl), "IMAGE", image)), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPrefetchThroughMirror pulls an image that only the mirror holds,
// skips it the second time, then pushes it into the room registry and
// pulls it back from there.
func TestPrefetchThroughMirror(t *testing.T) {
	c := dockertest.Client(t)
	env := engineEnv(t)
	ctx := context.Background()
	name := mirrorOnlyImage(t, c)
	dir := lessonNeeding(t, name)

	code, out, errOut := runEnv(t, env, "prefetch", "--lessons", dir)
	if code != 0 {
		t.Fatalf("got exit %d, want 0\n%s%s", code, out, errOut)
	}
	wants := []string{
		"Fetching 1 image into the engine at ",
		name + ": latest: Pulling from library/" + name,
		": Pull complete",
		name + ": Status: Downloaded newer image for " + name + ":latest",
		"Pulled 1 image (",
		"0 already present, 0 failed",
	}
	// The busybox layer under it is there already: the classic image store
	// says so; the containerd one does not mention it.
	layers := "1/1"
	if !dockertest.ContainerdStore(t, c) {
		wants = append(wants, ": Already exists")
		layers = "2/2"
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output does not hold %q:\n%s", w, out)
		}
	}
	t.Logf("prefetch output:\n%s", out)
	if strings.Contains(out, "Pulled 1 image (0B)") {
		t.Errorf("got no bytes counted for a pull that downloaded a layer:\n%s", out)
	}
	if strings.Contains(out, "\r") {
		t.Errorf("got a redrawn bar without a terminal:\n%q", out)
	}
	if _, err := c.ImageInspect(ctx, name); err != nil {
		t.Fatalf("%s is not present after prefetch: %v", name, err)
	}

	code, out, errOut = runEnv(t, env, "prefetch", "--lessons", dir)
	if code != 0 || !strings.Contains(out, name+": already present") || !strings.Contains(out, "Pulled 0 images (0B), 1 already present") {
		t.Errorf("second prefetch: got exit %d, want 0 and %s already present:\n%s%s", code, name, out, errOut)
	}

	// Push into the room registry, then pull it back from there.
	room := "127.0.0.1:5556/library/" + name + ":latest"
	t.Cleanup(func() { c.ImageRemove(context.Background(), room, image.RemoveOptions{Force: true}) })
	code, out, errOut = runEnv(t, env, "prefetch", "--lessons", dir, "--push-to", "127.0.0.1:5556")
	if code != 0 {
		t.Fatalf("--push-to: got exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, w := range []string{room + ": The push refers to repository", ": Pushed\n", "Pushed 1 image to 127.0.0.1:5556, 0 failed", "registry mirror"} {
		if !strings.Contains(out, w) {
			t.Errorf("--push-to output does not hold %q:\n%s", w, out)
		}
	}
	if _, err := c.ImageInspect(ctx, room); err == nil {
		t.Errorf("the extra tag %s is still there after the push", room)
	}
	tags := registryTags(t, "127.0.0.1:5556", "library/"+name)
	if len(tags) != 1 || tags[0] != "latest" {
		t.Errorf("got tags %q in the room registry, want [latest]", tags)
	}
	// Pull it back by prefetching a lesson that names it, on a "terminal":
	// the bar is drawn in place. The image is removed first, so that its
	// own layer comes from the room registry.
	if _, err := c.ImageRemove(ctx, name+":latest", image.RemoveOptions{Force: true}); err != nil {
		t.Fatalf("removing %s before pulling it back: %v", name, err)
	}
	var out2, errOut2 bytes.Buffer
	code = run([]string{"prefetch", "--lessons", lessonNeeding(t, room)}, &iostreams.Streams{In: strings.NewReader(""), Out: &out2, ErrOut: &errOut2, OutTTY: true})
	if code != 0 {
		t.Fatalf("pulling %s back: got exit %d\n%s%s", room, code, out2.String(), errOut2.String())
	}
	t.Logf("prefetch output on a terminal:\n%q", out2.String())
	// The engine with the containerd image store gives no size for a layer
	// fetched between two of its progress reports: the bar says so.
	bar := regexp.MustCompile(`\r` + regexp.QuoteMeta(room) + ` +\[=+\] +([0-9.]+kB / [0-9.]+kB|[0-9.]+k?B \+ 1 unsized) +` + layers + ` layers\x1b\[K\n`)
	if !bar.MatchString(out2.String()) {
		t.Errorf("got no finished progress bar for %s on a terminal:\n%q", room, out2.String())
	}
	if _, err := c.ImageInspect(ctx, room); err != nil {
		t.Errorf("%s is not present after pulling it back: %v", room, err)
	}

	// A tag in the room registry's name that was there before the push is
	// the instructor's: it is pushed and left in place.
	if err := c.ImageTag(ctx, room, name+":latest"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runEnv(t, env, "prefetch", "--lessons", dir, "--push-to", "127.0.0.1:5556")
	if code != 0 {
		t.Fatalf("--push-to with the tag present: got exit %d, want 0\n%s%s", code, out, errOut)
	}
	if _, err := c.ImageInspect(ctx, room); err != nil {
		t.Errorf("prefetch removed %s, a tag that was there before it: %v", room, err)
	}
	// One that names another image is never moved.
	other := dockertest.Name("dockstep-test/prefetch-other") + ":latest"
	otherID := dockertest.Busybox(t, c, other, "LABEL other="+other)
	if _, err := c.ImageRemove(ctx, room, image.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.ImageTag(ctx, other, room); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runEnv(t, env, "prefetch", "--lessons", dir, "--push-to", "127.0.0.1:5556")
	if code == 0 || !strings.Contains(out+errOut, room+" already names another image on this machine") {
		t.Errorf("--push-to over another image's tag: got exit %d, want non-zero and a refusal:\n%s%s", code, out, errOut)
	}
	if insp, err := c.ImageInspect(ctx, room); err != nil || insp.ID != otherID {
		t.Errorf("prefetch moved or removed %s (now %s, %v), which named another image", room, insp.ID, err)
	}
}

func registryTags(t *testing.T, registry, repo string) []string {
	t.Helper()
	resp, err := http.Get("http://" + registry + "/v2/" + repo + "/tags/list")
	if err != nil {
		t.Fatalf("asking %s for the tags of %s: %v", registry, repo, err)
	}
	defer resp.Body.Close()
	var list struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("tags of %s in %s: %v", repo, registry, err)
	}
	return list.Tags
}

// TestPrefetchFails checks an image that cannot be pulled: exit 1, with
// the image, the lesson and what to do.
func TestPrefetchFails(t *testing.T) {
	var out bytes.Buffer
	fake := &registryEngine{refuse: "dockstep-test/no-such-image:never"}
	o := &prefetchOptions{base: fakeBase(t, doctorLessons, &out), lessons: []string{"missing"},
		engine: func(context.Context) (workshop.FetchEngine, engine.Endpoint, error) {
			return fake, engine.Endpoint{}, nil
		}}
	err := runPrefetch(context.Background(), o)
	if code := exitCode(err); code != 1 {
		t.Errorf("got exit %d, want 1", code)
	}
	for _, w := range []string{"dockstep-test/no-such-image:never: cannot pull it:", "needed by: missing", "fix: ", "1 failed", "1 image could not be fetched"} {
		if !strings.Contains(out.String()+fmt.Sprint(err), w) {
			t.Errorf("output does not hold %q:\n%s%v", w, out.String(), err)
		}
	}
}

func TestPushToAddress(t *testing.T) {
	code, _, errOut := runCapture(t, "prefetch", "--push-to", "http://room:5000", "--lessons", doctorLessons)
	if code != 2 || !strings.Contains(errOut, "HOST:PORT") {
		t.Errorf("got exit %d and %q, want 2 and advice to give HOST:PORT", code, errOut)
	}
}

func TestPrefetchList(t *testing.T) {
	env := map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:19999"} // --list needs no engine
	code, out, errOut := runEnv(t, env, "prefetch", "--list", "--lessons", doctorLessons)
	want := "busybox\ndockstep-test/no-such-image:never\n"
	if code != 0 || out != want {
		t.Errorf("got exit %d and\n%s%s\nwant 0 and\n%s", code, out, errOut, want)
	}
}
