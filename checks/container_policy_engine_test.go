package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// waitHealth waits, as setup, until the engine reports a container's
// health check in the given state with at least streak failures in a row,
// or fails the test after a minute.
func waitHealth(t *testing.T, c *client.Client, name, status string, streak int) {
	t.Helper()
	var last string
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		insp, err := c.ContainerInspect(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if h := insp.State.Health; h != nil {
			last = h.Status
			if h.Status == status && h.FailingStreak >= streak {
				return
			}
		}
	}
	t.Fatalf("container %s: health %q after a minute, want %q", name, last, status)
}

// The restart and health fields of the container kind, against containers
// run as a learner runs them; a failure quotes the step's own command when
// it has one.
func TestContainerRestartHealthEngine(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	img := testImage(t, c, "dockstep-test/chk-policy")
	run := func(prefix string, flags ...string) string {
		name := dockertest.Name(prefix)
		runContainer(t, c, name, append(append([]string{"-d"}, flags...), img, "sleep", "120")...)
		return name
	}
	plain := run("dockstep-chk-plain")
	always := run("dockstep-chk-always", "--restart", "always")
	unless := run("dockstep-chk-unless", "--restart", "unless-stopped")
	onFailure := run("dockstep-chk-onfail", "--restart", "on-failure:3")
	healthy := run("dockstep-chk-healthy", "--health-cmd", "true", "--health-interval", "1s")
	// The obvious mistake: a health command the image does not have.
	noCurl := run("dockstep-chk-nocurl", "--health-cmd", "curl -f http://localhost/", "--health-interval", "1s", "--health-retries", "2")
	slow := run("dockstep-chk-slow", "--health-cmd", "true", "--health-interval", "1h")
	failing := run("dockstep-chk-failing", "--health-cmd", "echo not yet; exit 1", "--health-interval", "1s", "--health-retries", "1000")
	waitHealth(t, c, healthy, "healthy", 0)
	waitHealth(t, c, noCurl, "unhealthy", 2)
	waitHealth(t, c, failing, "starting", 1)
	lessonRun := "docker run -d --name " + noCurl + " --restart unless-stopped --health-cmd 'wget -q --spider http://localhost/' " + img

	tests := []struct {
		name, check string
		cmd         string // the step's command, if any
		pass        bool
		want        []string
	}{
		{"unless-stopped", "container: {name: " + unless + ", restart: unless-stopped}", "", true, []string{"is running: " + unless}},
		{"always", "container: {name: " + always + ", restart: always}", "", true, nil},
		{"on-failure with its retries", "container: {name: " + onFailure + ", restart: \"on-failure:3\"}", "", true, nil},
		{"on-failure, any retries", "container: {name: " + onFailure + ", restart: on-failure}", "", true, nil},
		{"no policy, as run without --restart", "container: {name: " + plain + ", restart: \"no\"}", "", true, nil},
		{"no restart policy", "container: {name: " + plain + ", restart: unless-stopped}", "", false,
			[]string{"container " + plain + " was run without --restart (its restart policy is no: Docker never starts it again by itself), want --restart unless-stopped: set it on this container with docker update --restart unless-stopped " + plain + ", or give docker run --restart unless-stopped when you start it"}},
		{"another policy", "container: {name: " + always + ", restart: unless-stopped}", "", false,
			[]string{"has restart policy always, want --restart unless-stopped: set it on this container with docker update --restart unless-stopped " + always}},
		{"other retries", "container: {name: " + onFailure + ", restart: \"on-failure:5\"}", "", false,
			[]string{"has restart policy on-failure:3, want --restart on-failure:5"}},
		{"the lesson's command", "container: {name: " + plain + ", restart: unless-stopped}", "docker run -d --name " + plain + " --restart unless-stopped " + img, false,
			[]string{"or remove it and run it again with docker run -d --name " + plain + " --restart unless-stopped " + img}},
		{"without a name, by image", "container: {image: " + img + ", restart: on-failure}", "", true, []string{"container from " + img + " is running"}},

		{"healthy", "container: {name: " + healthy + ", health: healthy}", "", true, nil},
		{"no health check", "container: {name: " + plain + ", health: none}", "", true, nil},
		{"no health check, want one", "container: {name: " + plain + ", health: healthy}", "docker run -d --name " + plain + " --health-cmd true " + img, false,
			[]string{"container " + plain + " has no health check, so Docker cannot tell whether it works. A health check is set when a container is created: remove it (docker rm -f " + plain + ") and run it again with --health-cmd and a command that succeeds while the container works: docker run -d --name " + plain + " --health-cmd true " + img}},
		{"a wrong health command", "container: {name: " + noCurl + ", health: healthy, restart: unless-stopped}", lessonRun, false,
			[]string{
				`the health check of container ` + noCurl + ` has failed twice in a row, so Docker calls it unhealthy: it runs "curl -f http://localhost/", and its last try exited with code 127 and printed: /bin/sh: curl: not found (the container has no such program). Fix what it tests`,
				"so remove it (docker rm -f " + noCurl + ") and run it again with the corrected --health-cmd, as in " + lessonRun,
				// Running it again sets the policy too: no docker update.
				"container " + noCurl + " was run without --restart (its restart policy is no: Docker never starts it again by itself), want --restart unless-stopped; the health check of",
			}},
		{"unhealthy, as wanted", "container: {name: " + noCurl + ", health: unhealthy}", "", true, nil},
		{"not yet checked", "container: {name: " + slow + ", health: healthy}", "", false,
			[]string{`the health check of container ` + slow + ` has not passed yet (docker ps shows "health: starting"): Docker runs "true" every 1h0m0s, the first time 1h0m0s after the container starts; wait for it`}},
		{"failing, still starting", "container: {name: " + failing + ", health: healthy}", "", false,
			[]string{"has not passed yet", "it has failed", "and its last try exited with code 1 and printed: not yet"}},
		{"starting, as wanted", "container: {name: " + slow + ", health: starting}", "", true, nil},
		{"has one, want none", "container: {name: " + healthy + ", health: none}", "", false,
			[]string{"container " + healthy + " has a health check (true), want none"}},
		{"healthy, want unhealthy", "container: {name: " + healthy + ", health: unhealthy}", "", false,
			[]string{"the health check of container " + healthy + ` passes (it runs "true"), want it unhealthy`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, tt.check)
			if tt.cmd != "" {
				s.Commands = []string{tt.cmd}
			}
			chk, err := Default().Compile(s, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := chk.Evaluate(ctx, &Env{Docker: c})
			if r.Err != nil || r.Passed != tt.pass {
				t.Fatalf("got passed=%v err=%v (%s), want passed=%v", r.Passed, r.Err, r.Message, tt.pass)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Message, w) {
					t.Errorf("got message %q, want it to contain %q", r.Message, w)
				}
			}
		})
	}

	// A container that must run again for its health check gets its
	// restart policy that way too: no advice to docker update it.
	r := compile(t, "container: {name: "+noCurl+", health: healthy, restart: unless-stopped}").Evaluate(ctx, &Env{Docker: c})
	if strings.Contains(r.Message, "docker update") {
		t.Errorf("got message %q, want it without docker update", r.Message)
	}

	// docker update changes the policy of the container as it is, and the
	// check sees it.
	expect(t, &Env{Docker: c}, "container: {name: "+plain+", restart: always}", false, "was run without --restart")
	dockertest.Run(t, "update", "--restart", "always", plain)
	expect(t, &Env{Docker: c}, "container: {name: "+plain+", restart: always}", true, "is running")
}
