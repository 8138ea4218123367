package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/iostreams"
)

// runDockstep runs the command line and returns its exit code and output.
func runDockstep(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	io := &iostreams.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	code := run(args, io)
	return code, out.String()
}

func TestTestCommandAgainstEngine(t *testing.T) {
	c := dockertest.Client(t)
	img := dockertest.Name("dockstep-testcmd")
	dockertest.Busybox(t, c, img)
	fixture := func(name string) string { return filepath.Join("testdata", "testcmd", name) }

	tests := []struct {
		name    string
		lesson  string
		code    int
		want    []string // in the output, in this order
		wantNot []string
	}{
		{
			name:   "every step holds, twice",
			lesson: "good.md",
			code:   0,
			want: []string{
				"(run 1 of 2)", "ok    1. Make a file", "ok    2. Run a container", "ok    3. Look around", "[no checks]", "cleaned up: containers",
				"(run 2 of 2)", "ok    2. Run a container",
				"ok: 1 lesson, 2 runs each, 6 steps held",
			},
		},
		{
			name:   "a check that holds before the solution",
			lesson: "holds-before.md",
			code:   1,
			want:   []string{"FAIL  1. Run it", "already hold", "image check holds", "holds-before", "FAILED", `step 1 "Run it"`},
		},
		{
			name:    "a check that never passes",
			lesson:  "never.md",
			code:    1,
			want:    []string{"FAIL  1. Run it", "still fail", "container check fails", "-other", "FAILED"},
			wantNot: []string{"ok    1."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := dockertest.Name("dockstep-testcmd")
			t.Cleanup(func() {
				for _, n := range []string{name, name + "-other"} {
					c.ContainerRemove(context.Background(), n, container.RemoveOptions{Force: true})
				}
			})
			args := []string{"test", fixture(tt.lesson), "--var", "image=" + img, "--wait", "3s"}
			if tt.lesson != "holds-before.md" { // the one without a name variable
				args = append(args, "--var", "name="+name)
			}
			if tt.code == 0 {
				args = append(args, "--repeat", "2")
			}
			code, out := runDockstep(t, args...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, tt.code, out)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (after what came before it); output:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tt.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("output has %q; output:\n%s", w, out)
				}
			}
			// What the lesson created is gone; the image it used, which
			// existed before, is not.
			list, err := c.ContainerList(context.Background(), container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", name))})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 0 {
				t.Errorf("%d containers named %s* are left after the test, want 0", len(list), name)
			}
			if _, err := c.ImageInspect(context.Background(), img); err != nil {
				t.Errorf("the image %s, which existed before, is gone: %v", img, err)
			}
		})
	}
}

func TestTestCommandKeep(t *testing.T) {
	c := dockertest.Client(t)
	img := dockertest.Name("dockstep-testcmd")
	dockertest.Busybox(t, c, img)
	name := dockertest.Name("dockstep-testcmd")
	dockertest.RemoveContainerAtEnd(t, c, name)
	code, out := runDockstep(t, "test", filepath.Join("testdata", "testcmd", "good.md"), "--var", "image="+img, "--var", "name="+name, "--keep")
	if code != 0 {
		t.Fatalf("exit code %d, want 0; output:\n%s", code, out)
	}
	if !strings.Contains(out, "kept:") {
		t.Errorf("output does not say what was kept:\n%s", out)
	}
	if _, err := c.ContainerInspect(context.Background(), name); err != nil {
		t.Errorf("with --keep, container %s is gone: %v", name, err)
	}
	// The scratch folder named in the output is kept, with the file.
	_, after, _ := strings.Cut(out, ", in ")
	dir, _, _ := strings.Cut(after, "\n")
	t.Cleanup(func() { os.RemoveAll(dir) })
	if _, err := os.Stat(filepath.Join(dir, "notes", "hello.txt")); err != nil {
		t.Errorf("with --keep, the scratch folder's file is gone: %v", err)
	}
}

func TestTestCommandArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown lesson id", []string{"test", "no-such-lesson"}, 2, `no lesson "no-such-lesson" in lessons/course`},
		{"bad repeat", []string{"test", "--repeat", "0"}, 2, "--repeat must be 1 or more"},
		{"bad var", []string{"test", filepath.Join("testdata", "testcmd", "good.md"), "--var", "novalue"}, 2, "write it as name=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runDockstep(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit code %d, output:\n%s\nwant code %d and %q", code, out, tt.code, tt.want)
			}
		})
	}
}

// TestEmbeddedCourse holds the course to what issues 5 and 14 ask of it:
// the lessons in order, no lint problems, and every step with checks also
// has a hint and a solution that can be replayed.
func TestEmbeddedCourse(t *testing.T) {
	g := &globals{io: &iostreams.Streams{}}
	all, probs := g.source().Load()
	if len(probs) > 0 {
		t.Fatalf("the course has problems:\n%v", probs)
	}
	var ids []string
	for _, l := range all {
		ids = append(ids, l.ID)
	}
	if got, want := strings.Join(ids, " "), "hello-busybox static-site images first-image debugging volumes bind-mounts networks compose layers multi-stage share"; got != want {
		t.Errorf("lessons %q, want %q", got, want)
	}
	for _, l := range all {
		if len(l.Images) == 0 {
			t.Errorf("%s: lists no images in its front matter", l.ID)
		}
		for _, s := range l.Steps {
			if len(s.Checks) == 0 {
				continue
			}
			replayable := 0
			for _, a := range s.Solution {
				if !a.Manual {
					replayable++
				}
			}
			if replayable == 0 {
				t.Errorf("%s:%d: step %q has checks but no solution to replay", s.Pos.File, s.Pos.Line, s.Title)
			}
			if len(s.Hints) == 0 {
				t.Errorf("%s:%d: step %q has checks but no hint", s.Pos.File, s.Pos.Line, s.Title)
			}
		}
	}
}

// TestTestCommandPulledImagesMustBeListed pulls an image from the local
// room registry (127.0.0.1:5556, started by .ci/setup): a lesson that pulls
// it must list it under images.
func TestTestCommandPulledImagesMustBeListed(t *testing.T) {
	c := dockertest.Client(t)
	ref := "127.0.0.1:5556/" + dockertest.Name("dockstep-testcmd-pull") + ":v1"
	dockertest.Busybox(t, c, ref)
	dockertest.Run(t, "push", ref)
	dockertest.Run(t, "rmi", ref)
	t.Cleanup(func() { exec.Command("docker", "rmi", ref).Run() })

	tests := []struct {
		lesson string
		code   int
		want   string
	}{
		{"pulls-listed.md", 0, "ok: 1 lesson"},
		{"pulls-unlisted.md", 1, "the lesson pulled " + ref + ", which its front matter does not list"},
	}
	for _, tt := range tests {
		t.Run(tt.lesson, func(t *testing.T) {
			code, out := runDockstep(t, "test", filepath.Join("testdata", "testcmd", tt.lesson), "--var", "image="+ref)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Fatalf("exit code %d, want %d with %q; output:\n%s", code, tt.code, tt.want, out)
			}
			if _, err := c.ImageInspect(context.Background(), ref); err == nil {
				t.Errorf("the image %s the lesson pulled is still there after the test", ref)
			}
		})
	}
}
