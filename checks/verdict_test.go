package checks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"

	"github.com/dockstep/dockstep/lessons"
)

func TestJudge(t *testing.T) {
	engineDown := &EngineError{Err: errors.New("connection refused")}
	tests := []struct {
		name    string
		results []Result
		want    Outcome
		reason  string
	}{
		{"no checks", nil, Passed, ""},
		{"all pass", []Result{{Passed: true}, {Passed: true}}, Passed, ""},
		{"two fail", []Result{{Passed: false, Message: "no container web"}, {Passed: true}, {Passed: false, Message: "no image app"}}, Failing, "no container web\nno image app"},
		{"the same container missing, said once", []Result{{Message: "no container web from nginx", Missing: "container web"}, {Message: "no container named web", Missing: "container web"}, {Message: "nothing answers"}}, Failing, "no container web from nginx\nnothing answers"},
		{"two containers missing", []Result{{Message: "no container web", Missing: "container web"}, {Message: "no container db", Missing: "container db"}}, Failing, "no container web\nno container db"},
		{"nothing answers on the port the failed container check wanted published", []Result{{Kind: "container", Message: "my-site publishes 80→8088/tcp", Port: 8088}, {Kind: "http", Message: "nothing answers at http://localhost:8088", Port: 8088}}, Failing, "my-site publishes 80→8088/tcp"},
		{"nothing answers on another port", []Result{{Kind: "container", Message: "my-site publishes 80→8088/tcp", Port: 8088}, {Kind: "http", Message: "nothing answers at http://localhost:9000", Port: 9000}}, Failing, "my-site publishes 80→8088/tcp\nnothing answers at http://localhost:9000"},
		{"a command in a container another check says is wrong", []Result{{Kind: "mount", Message: "notebook mounts volume note", Wrong: "container notebook"}, {Kind: "command", Message: "cat: can't open", Uses: []string{"container notebook"}}}, Failing, "notebook mounts volume note"},
		{"a command in a missing container", []Result{{Kind: "command", Message: "No such container: notebook", Uses: []string{"container notebook"}}, {Kind: "mount", Message: "no container named notebook", Missing: "container notebook"}}, Failing, "no container named notebook"},
		{"a command in another container", []Result{{Kind: "mount", Message: "notebook mounts volume note", Wrong: "container notebook"}, {Kind: "command", Message: "cat: can't open", Uses: []string{"container visitor"}}}, Failing, "notebook mounts volume note\ncat: can't open"},
		{"a network without containers other checks say are wrong", []Result{{Kind: "container", Message: "visitor is on network bridge", Wrong: "container visitor"}, {Kind: "container", Message: "no container named shop", Missing: "container shop"}, {Kind: "network", Message: "shop-net connects none", Uses: []string{"container shop", "container visitor"}}}, Failing, "visitor is on network bridge\nno container named shop"},
		{"a network without a container no other check says is wrong", []Result{{Kind: "container", Message: "visitor is on network bridge", Wrong: "container visitor"}, {Kind: "network", Message: "shop-net connects none", Uses: []string{"container shop", "container visitor"}}}, Failing, "visitor is on network bridge\nshop-net connects none"},
		{"the engine is down", []Result{{Passed: false, Message: "no file"}, {Err: engineDown, Message: "cannot ask the engine"}}, Unknown, "cannot ask the engine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Judge(tt.results)
			if v.Outcome != tt.want || v.Reason != tt.reason {
				t.Errorf("got %v %q, want %v %q", v.Outcome, v.Reason, tt.want, tt.reason)
			}
			if (v.Outcome == Unknown) != (v.EngineErr != nil) {
				t.Errorf("got EngineErr %v with outcome %v", v.EngineErr, v.Outcome)
			}
		})
	}
}

// A step whose container is missing altogether is told so once, with the
// step's own docker run, however many of its checks look at the container.
func TestMissingContainerSaidOnceWithTheLessonsCommand(t *testing.T) {
	run := `docker run -d --name homepage -p 8080:80 -v "$PWD/site:/usr/share/nginx/html:ro" nginx:alpine`
	var specs []lessons.CheckSpec
	for _, src := range []string{
		`container: {name: homepage, image: "nginx:alpine", publish: "8080:80"}`,
		`mount: {container: homepage, destination: /usr/share/nginx/html, source: ./site, type: bind, read-only: true}`,
	} {
		sp := spec(t, src)
		sp.Commands = []string{run}
		specs = append(specs, sp)
	}
	f := &fakeDocker{}
	f.addImage("sha256:0a1b", nil, "nginx:alpine")
	env := &Env{Docker: f}
	v := Judge(EvaluateAll(context.Background(), Default(), specs, nil, env))
	if v.Outcome != Failing {
		t.Fatalf("outcome %v, want failing: %q", v.Outcome, v.Reason)
	}
	if n := strings.Count(v.Reason, "no container"); n != 1 {
		t.Errorf("the missing container is reported %d times, want once:\n%s", n, v.Reason)
	}
	if !strings.Contains(v.Reason, run) {
		t.Errorf("the diagnosis does not advise the lesson's command %s:\n%s", run, v.Reason)
	}
	// The mount check alone advises the lesson's command too.
	r := EvaluateAll(context.Background(), Default(), specs[1:], nil, env)[0]
	if !strings.Contains(r.Message, run) {
		t.Errorf("the mount check advises %q, not the lesson's command", r.Message)
	}
}

// A bind mount of the wrong folder, because the learner ran the lesson's
// command in another folder, says where to run it, and quotes the lesson's
// command as it is.
func TestBindMountFromTheWrongFolder(t *testing.T) {
	run := `docker run -d --name homepage -p 8080:80 -v "$PWD/site:/usr/share/nginx/html:ro" nginx:alpine`
	sp := spec(t, `mount: {container: homepage, destination: /usr/share/nginx/html, source: ./site, type: bind, read-only: true}`)
	sp.Commands = []string{run}
	f := &fakeDocker{}
	c := fakeContainer{}
	c.summary.Names = []string{"/homepage"}
	c.inspect.Mounts = []container.MountPoint{{Type: "bind", Source: "/home/sam/site", Destination: "/usr/share/nginx/html", RW: true}}
	f.containers = append(f.containers, c)
	env := &Env{Docker: f, Dir: "/home/sam/dockstep-bind-mounts"}
	r := EvaluateAll(context.Background(), Default(), []lessons.CheckSpec{sp}, nil, env)[0]
	for _, want := range []string{
		"mounts bind /home/sam/site at /usr/share/nginx/html: not the folder /home/sam/dockstep-bind-mounts/site (run the command in /home/sam/dockstep-bind-mounts: cd /home/sam/dockstep-bind-mounts)",
		"writable, not read-only",
		"docker rm -f homepage",
		run,
	} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("the diagnosis does not say %q:\n%s", want, r.Message)
		}
	}
}

// A volume the learner removed during the step (docker compose down -v where
// the lesson says down) is said to be removed, with its data, not to be
// created with docker volume create.
func TestVolumeRemovedDuringTheStep(t *testing.T) {
	f := &fakeDocker{history: []events.Message{
		{Type: events.VolumeEventType, Action: events.ActionDestroy, Actor: events.Actor{ID: "visits_redis-data"}},
	}}
	env := &Env{Docker: f, Since: time.Now().Add(-time.Minute)}
	r := compile(t, "volume: visits_redis-data").Evaluate(context.Background(), env)
	if r.Passed || !strings.Contains(r.Message, "volume visits_redis-data was removed since this step began") ||
		!strings.Contains(r.Message, "docker compose down alone keeps them") {
		t.Errorf("got %q, want it to say the volume was removed, and that down alone keeps volumes", r.Message)
	}
	// Never there: how to make it.
	r = compile(t, "volume: notes").Evaluate(context.Background(), env)
	if !strings.Contains(r.Message, "no volume notes: create it with docker volume create notes") {
		t.Errorf("got %q for a volume never made", r.Message)
	}
}

// listedImages is an engine whose images list with their creation times.
type listedImages struct {
	*fakeDocker
	list []image.Summary
}

func (f listedImages) ImageList(context.Context, image.ListOptions) ([]image.Summary, error) {
	return f.list, nil
}

// The image the previous step built, in the second this step began, is not
// "an image just built under another name" for this step's image.
func TestImageOfThePreviousStepIsNotJustBuilt(t *testing.T) {
	since := time.Date(2026, 12, 1, 5, 27, 13, 254000000, time.UTC)
	f := listedImages{&fakeDocker{}, []image.Summary{{ID: "sha256:0123456789abcdef", RepoTags: []string{"hello:single"}, Created: since.Unix()}}}
	env := &Env{Docker: f, Since: since}
	r := compile(t, `image: "hello:multi"`).Evaluate(context.Background(), env)
	if strings.Contains(r.Message, "just built") {
		t.Errorf("the previous step's image is taken for this step's: %q", r.Message)
	}
	// One built a second later is.
	f.list[0].Created++
	r = compile(t, `image: "hello:multi"`).Evaluate(context.Background(), env)
	if !strings.Contains(r.Message, "an image was just built under another name, hello:single") {
		t.Errorf("an image built during the step is not said to be: %q", r.Message)
	}
}

// A quiz that reads an image's ID before the learner has made the image
// says how the step makes it (docker tag here), not docker pull; and names
// an image of a close name, the learner's typo.
func TestImageIDAnswerAdvisesTheStepsCommand(t *testing.T) {
	sp := spec(t, `image-id: "localhost:5000/hello-share:v1"`)
	sp.Commands = []string{"docker tag hello-share localhost:5000/hello-share:v1\ndocker images"}
	a, err := Default().CompileAnswer(sp, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tags []string
		want string
	}{
		{"nothing tagged", []string{"hello-share:latest"}, "no image localhost:5000/hello-share:v1 to read the ID of: docker tag hello-share localhost:5000/hello-share:v1"},
		{"a typo in the tag", []string{"hello-share:latest", "localhost:5000/hello-shar:v1"}, "no image localhost:5000/hello-share:v1 to read the ID of, but there is localhost:5000/hello-shar:v1: a typo? Give the image the right name: docker tag hello-share localhost:5000/hello-share:v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := listedImages{&fakeDocker{}, []image.Summary{{ID: "sha256:c71a00d1246b0123", RepoTags: tt.tags}}}
			_, err := a.Accepts(context.Background(), &Env{Docker: f}, "c71a00d1246b")
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// On an engine others use, an image someone else built during the step is
// not the learner's: only one named like the lesson's image, or built on
// the base the learner's Dockerfile starts FROM, is said to be "just built".
func TestImageBuiltBySomeoneElseIsNotTheLearners(t *testing.T) {
	since := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM --platform=linux/amd64 python:3\nRUN true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fakeDocker{}
	f.addImage("sha256:b0b0b0b0b0b0b0b0", []string{"l1"}, "python:3")
	f.addImage("sha256:00e1e1e1e1e1e1e1", []string{"x1", "x2"}, "someone/else:latest")
	list := listedImages{f, []image.Summary{{ID: "sha256:00e1e1e1e1e1e1e1", RepoTags: []string{"someone/else:latest"}, Created: since.Unix() + 5}}}
	check := func(dir string) string {
		return compile(t, `image: "catnip"`).Evaluate(context.Background(), &Env{Docker: list, Since: since, Dir: dir}).Message
	}
	if msg := check(dir); strings.Contains(msg, "just built") {
		t.Errorf("someone else's image is taken for the learner's: %q", msg)
	}
	// The learner's own build without -t: on python:3's layers.
	unnamed := image.InspectResponse{ID: "sha256:1ea4e4e4e4e4e4e4"}
	unnamed.RootFS.Layers = []string{"l1", "l2"}
	f.images[unnamed.ID] = unnamed
	list.list = append(list.list, image.Summary{ID: "sha256:1ea4e4e4e4e4e4e4", Created: since.Unix() + 2})
	if msg := check(dir); !strings.Contains(msg, "an image was just built without a name (ID 1ea4e4e4e4e4") {
		t.Errorf("the learner's unnamed image is not found: %q", msg)
	}
	// The Dockerfile's last FROM names a stage of its own: no base to go by.
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3 AS build\nFROM build\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg := check(dir); strings.Contains(msg, "just built") {
		t.Errorf("with no base to go by, an unnamed image is taken for the learner's: %q", msg)
	}
}

// A command check that runs docker exec in a container which another check
// of the step says is missing or mounts the wrong volume fails because of
// it: the learner is told the container's fault, with what to do, and not
// also the command's error.
func TestExecInAFaultyContainerIsToldOnce(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\necho \"cat: can't open '/data/todo.txt': No such file or directory\" >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	run := "docker run -d --name notebook2 -v notes:/data alpine sleep 3600"
	var specs []lessons.CheckSpec
	for _, src := range []string{
		`mount: {container: notebook2, destination: /data, source: notes}`,
		`command: {run: "docker exec notebook2 cat /data/todo.txt | grep -q 'buy milk'"}`,
	} {
		sp := spec(t, src)
		sp.Commands = []string{run}
		specs = append(specs, sp)
	}
	wrongVolume := fakeContainer{}
	wrongVolume.summary.Names = []string{"/notebook2"}
	wrongVolume.inspect.Mounts = []container.MountPoint{{Type: "volume", Name: "note", Destination: "/data", RW: true}}
	for _, tt := range []struct {
		name   string
		engine *fakeDocker
		want   string
	}{
		{"wrong volume", &fakeDocker{containers: []fakeContainer{wrongVolume}}, "container notebook2 mounts volume note at /data: not volume notes"},
		{"no container", &fakeDocker{}, "no container named notebook2: start it with " + run},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := Judge(EvaluateAll(context.Background(), Default(), specs, nil, &Env{Docker: tt.engine}))
			if v.Outcome != Failing || !strings.Contains(v.Reason, tt.want) {
				t.Fatalf("got %v %q, want the container's fault: %q", v.Outcome, v.Reason, tt.want)
			}
			if strings.Contains(v.Reason, "docker exec") || strings.Contains(v.Reason, "can't open") {
				t.Errorf("got %q, want the container's fault alone", v.Reason)
			}
		})
	}
	// With the container as the step wants it, the command's own failure
	// is the news.
	right := fakeContainer{}
	right.summary.Names = []string{"/notebook2"}
	right.inspect.Mounts = []container.MountPoint{{Type: "volume", Name: "notes", Destination: "/data", RW: true}}
	v := Judge(EvaluateAll(context.Background(), Default(), specs, nil, &Env{Docker: &fakeDocker{containers: []fakeContainer{right}}}))
	if !strings.Contains(v.Reason, "can't open '/data/todo.txt'") {
		t.Errorf("got %q, want the command's failure", v.Reason)
	}
}

// A container started without --network is on bridge: its container check
// says so, with what to do, and the network check does not say again that
// the network lacks it.
func TestContainerOffTheNetworkIsToldOnce(t *testing.T) {
	visitor := ctr("c2", "visitor", "alpine", "sha256:a1", "running", 0, "")
	visitor.summary.NetworkSettings = &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{"bridge": {}}}
	shop := ctr("c1", "shop", "nginx:alpine", "sha256:n1", "running", 0, "")
	shop.summary.NetworkSettings = &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{"shop-net": {}}}
	f := &fakeDocker{containers: []fakeContainer{shop, visitor}, networks: map[string]network.Inspect{
		"shop-net": {Name: "shop-net", Containers: map[string]network.EndpointResource{"c1": {Name: "shop"}}},
	}}
	var specs []lessons.CheckSpec
	for _, src := range []string{
		`container: {name: shop, network: shop-net}`,
		`container: {name: visitor, network: shop-net}`,
		`network: {name: shop-net, containers: [shop, visitor]}`,
	} {
		specs = append(specs, spec(t, src))
	}
	v := Judge(EvaluateAll(context.Background(), Default(), specs, nil, &Env{Docker: f}))
	if v.Outcome != Failing || !strings.Contains(v.Reason, "visitor is on network bridge, not shop-net: attach it with docker network connect shop-net visitor (or remove it with docker rm -f visitor and run it again with --network shop-net)") {
		t.Fatalf("got %v %q, want the visitor's fault", v.Outcome, v.Reason)
	}
	if strings.Contains(v.Reason, "connects shop, but not visitor") {
		t.Errorf("got %q, want the visitor's fault alone", v.Reason)
	}
}

// A container that is not running is not told to attach itself with docker
// network connect: one that could not start because its network was not
// found (--network shop-nte) would still not start. It is run again.
func TestContainerOffTheNetworkNotRunning(t *testing.T) {
	tests := []struct {
		name, state string
		nets        []string
		want, not   string
	}{
		{"running on bridge", "running", []string{"bridge"}, "attach it with docker network connect shop-net visitor", ""},
		{"created on a network not found", "created", []string{"shop-nte"}, "is on network shop-nte, not shop-net: remove it (docker rm -f visitor) and run it again with --network shop-net", "docker network connect"},
		{"exited on bridge", "exited", []string{"bridge"}, "remove it (docker rm -f visitor) and run it again with --network shop-net", "docker network connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			visitor := ctr("c2", "visitor", "alpine", "sha256:a1", tt.state, 0, "")
			visitor.summary.NetworkSettings = &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{}}
			for _, n := range tt.nets {
				visitor.summary.NetworkSettings.Networks[n] = &network.EndpointSettings{}
			}
			f := &fakeDocker{containers: []fakeContainer{visitor}}
			r := compile(t, "container: {name: visitor, network: shop-net, state: any}").Evaluate(context.Background(), &Env{Docker: f})
			if r.Passed || !strings.Contains(r.Message, tt.want) {
				t.Errorf("got passed=%v %q, want it to say %q", r.Passed, r.Message, tt.want)
			}
			if tt.not != "" && strings.Contains(r.Message, tt.not) {
				t.Errorf("got %q, want no %q", r.Message, tt.not)
			}
		})
	}
}

// An image the step pulls is missing: the step's own docker pull is the
// advice (the learner's docker pull ubuntu:18:04 failed with "invalid
// reference format").
func TestMissingImageAdvisesTheStepsPull(t *testing.T) {
	tests := []struct {
		name, check string
		commands    []string
		want        string
	}{
		{"pulled by the step", `image: "ubuntu:18.04"`, []string{"docker pull ubuntu:18.04"}, "no image ubuntu:18.04 (docker images does not list it); get it with docker pull ubuntu:18.04"},
		{"another image pulled", `image: "ubuntu:18.04"`, []string{"docker pull busybox"}, "no image ubuntu:18.04 (docker images does not list it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := spec(t, tt.check)
			sp.Commands = tt.commands
			chk, err := Default().Compile(sp, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := chk.Evaluate(context.Background(), &Env{Docker: &fakeDocker{}})
			if r.Passed || r.Message != tt.want {
				t.Errorf("got passed=%v %q, want %q", r.Passed, r.Message, tt.want)
			}
		})
	}
}
