package checks

import (
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// A step passes only when it is done as the lesson says, and a failing one
// speaks of that step's work, with the lesson's own command. Each case sets
// up the engine as a learner left it, against the real engine.
func TestStepDiagnosesEngine(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	site := testImage(t, c, "dockstep-test/chk-site", "EXPOSE 80")
	// The lesson's command for the site, as a check's step gives it.
	siteCmd := func(name string) string { return "docker run -d -P --name " + name + " " + site }

	fg := dockertest.Name("dockstep-chk-fg")
	dockertest.RemoveContainerAtEnd(t, c, fg)
	dockertest.Run(t, "create", "-P", "--name", fg, site, "sleep", "60") // docker run without -d records the same
	dockertest.Run(t, "start", fg)
	bg := dockertest.Name("dockstep-chk-bg")
	runContainer(t, c, bg, "-d", "-P", site, "sleep", "60")
	failed := dockertest.Name("dockstep-chk-failed")
	dockertest.RemoveContainerAtEnd(t, c, failed)
	exec.Command("docker", "run", "-d", "-P", "--name", failed, site, "/nonexistent").Run() // it fails to start
	old := dockertest.Name("dockstep-chk-old")
	runContainer(t, c, old, site, "sh", "-c", "true")
	since := time.Now().Add(time.Second) // the step begins after old was made
	// A step begins a fraction of a second after the previous step's
	// container was made, mostly within the same second: the list's
	// whole seconds do not tell which came first.
	insp, err := c.ContainerInspect(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	made, err := time.Parse(time.RFC3339Nano, insp.Created)
	if err != nil {
		t.Fatal(err)
	}
	sameSecond := made.Add(made.Truncate(time.Second).Add(time.Second).Sub(made) / 2)
	if sameSecond.Unix() != made.Unix() || !made.Before(sameSecond) {
		t.Fatalf("cannot begin a step after %s in the same second (at %s)", made, sameSecond)
	}

	tests := []struct {
		name  string
		check string
		cmd   string // the step's command
		since time.Time
		pass  bool
		want  []string
		not   string
	}{
		{"detached container", `container: {name: ` + bg + `, detached: true, publish: "80"}`, siteCmd(bg), time.Time{}, true, nil, ""},
		{"run in the foreground", `container: {name: ` + fg + `, detached: true, publish: "80"}`, siteCmd(fg), time.Time{}, false,
			[]string{"container " + fg + " was started in the foreground (docker run without -d)", "From another terminal, remove it with docker rm -f " + fg + " (that gives the busy one its prompt back), then start it in the background: " + siteCmd(fg)}, ""},
		{"created but could not start", `container: {name: ` + failed + `, publish: "80"}`, siteCmd(failed), time.Time{}, false,
			[]string{"container " + failed + " was created but could not start; Docker said: exec: \"/nonexistent\""}, "add -P"},
		{"no container: the lesson's command", `container: {name: dockstep-chk-none, image: ` + site + `, publish: "80"}`, siteCmd("dockstep-chk-none"), time.Time{}, false,
			[]string{"start it with " + siteCmd("dockstep-chk-none")}, "-p 80"},
		{"no container, no command in the step", `container: {name: dockstep-chk-none, image: ` + site + `, publish: "80"}`, "", time.Time{}, false,
			[]string{"start it with docker run -d --name dockstep-chk-none -P " + site}, "-p 80"},
		{"another step's container is not explained", `container: {image: ` + site + `, command: echo, state: exited, exit-code: 0}`, "docker run " + site + " echo hi", since, false,
			[]string{"no exited container from " + site + " yet in this step", "run docker run " + site + " echo hi"}, "does not contain"},
		{"another step's container made in the second the step began", `container: {image: ` + site + `, command: echo, state: exited, exit-code: 0}`, "docker run " + site + " echo hi", sameSecond, false,
			[]string{"no exited container from " + site + " yet in this step", "run docker run " + site + " echo hi"}, "does not contain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, tt.check)
			if tt.cmd != "" {
				s.Commands = []string{"docker ps", tt.cmd}
			}
			chk, err := Default().Compile(s, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := chk.Evaluate(ctx, &Env{Docker: c, Since: tt.since})
			if r.Err != nil || r.Passed != tt.pass {
				t.Fatalf("got passed=%v err=%v (%s), want passed=%v", r.Passed, r.Err, r.Message, tt.pass)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Message, w) {
					t.Errorf("got message %q, want it to contain %q", r.Message, w)
				}
			}
			if tt.not != "" && strings.Contains(r.Message, tt.not) {
				t.Errorf("got message %q, want it without %q", r.Message, tt.not)
			}
		})
	}

	// A quiz read from a container that has stopped says so, and how to
	// bring it back.
	dockertest.Run(t, "stop", "-t", "0", bg)
	a, err := Default().CompileAnswer(spec(t, "host-port: {container: "+bg+", port: 80}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Answers(ctx, &Env{Docker: c}); err == nil || !strings.Contains(err.Error(), "container "+bg+" is not running") || !strings.Contains(err.Error(), "docker start "+bg) {
		t.Errorf("got %v, want it to say the container stopped and to docker start it", err)
	}
}

// An image built under another name, or in another folder, is named as
// such, with how to put it right.
func TestImageBuiltElsewhereEngine(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	base := testImage(t, c, "dockstep-test/chk-base")
	// The lesson's base: an image with a layer of its own.
	lessonBase := dockertest.Name("dockstep-test/chk-lbase")
	dockertest.Build(t, c, lessonBase, "FROM "+base+"\nRUN echo base > /base\n")
	want := dockertest.Name("dockstep-test/chk-wanted")
	build := "docker build -t " + want + " ."
	myname := "dockstep-test-myname/" + path.Base(want)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+lessonBase+"\n"), 0o644)
	empty := t.TempDir() // a learner who builds before writing the Dockerfile

	tests := []struct {
		name, check string
		setup       func() // what the learner did
		want        []string
		not         []string // advice that would mislead
	}{
		{"not built: where the Dockerfile is", "image: " + want, nil, []string{"no image " + want + " (docker images does not list it); build it in the folder that holds your Dockerfile: cd " + dir + ", then " + build}, nil},
		{"not built: no Dockerfile yet", "image: " + want, nil, []string{"no image " + want + " (docker images does not list it); there is no Dockerfile in " + empty + " yet: write it there, then run " + build + " in that folder"}, []string{"cd "}},
		{"built under another name", "image: " + want, func() {
			dockertest.Build(t, c, myname, "FROM "+lessonBase+"\nLABEL built=here\n")
		}, []string{"no image " + want + "; an image was just built under another name, " + myname + ": give it the lesson's name with docker tag " + myname + " " + want + ", or build it again with " + build}, nil},
		{"built in another folder", "image: {ref: " + want + ", base: " + lessonBase + ", exposes: 5000}", func() {
			dockertest.Build(t, c, want, "FROM "+base+"\nLABEL built=elsewhere\n")
		}, []string{"although the Dockerfile in " + dir + " starts FROM " + lessonBase, "cd " + dir + ", then " + build},
			// The other Dockerfile's settings are not the learner's to fix.
			[]string{"EXPOSE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			since := time.Now().Add(-time.Second)
			if tt.setup != nil {
				tt.setup()
			} else {
				since = time.Time{} // as dockstep check, which has no step start
			}
			s := spec(t, tt.check)
			s.Commands = []string{build}
			chk, err := Default().Compile(s, nil)
			if err != nil {
				t.Fatal(err)
			}
			at := dir
			if strings.Contains(tt.name, "no Dockerfile") {
				at = empty
			}
			r := chk.Evaluate(ctx, &Env{Docker: c, Dir: at, Since: since})
			if r.Passed || r.Err != nil {
				t.Fatalf("got passed=%v err=%v (%s), want a failure", r.Passed, r.Err, r.Message)
			}
			for _, w := range tt.not {
				if strings.Contains(r.Message, w) {
					t.Errorf("got message %q, want it without %q", r.Message, w)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Message, w) {
					t.Errorf("got message %q, want it to contain %q", r.Message, w)
				}
			}
			if strings.Contains(r.Message, "start the Dockerfile with FROM") {
				t.Errorf("got message %q, which asks for a FROM line the Dockerfile has", r.Message)
			}
		})
	}
}
