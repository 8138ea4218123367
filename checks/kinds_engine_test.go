package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// These tests run the kinds that the course's later lessons use (mount,
// compose, image-size, layers, registry-tag) against the real engine.

type kindCase struct {
	src  string
	pass bool
	want string
}

func expectAll(t *testing.T, env *Env, cases []kindCase) {
	t.Helper()
	for _, tc := range cases {
		expect(t, env, tc.src, tc.pass, tc.want)
	}
}

func TestMountKindEngine(t *testing.T) {
	c := dockertest.Client(t)
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	if err := os.Mkdir(site, 0o755); err != nil {
		t.Fatal(err)
	}
	env := &Env{Docker: c, Dir: dir}
	img := testImage(t, c, "dockstep-test/chk-mount")
	vol := dockertest.Name("dockstep-chk-mvol")
	t.Cleanup(func() { exec.Command("docker", "volume", "rm", "-f", vol).Run() })
	both := dockertest.Name("dockstep-chk-mount")
	runContainer(t, c, both, "-d", "-v", vol+":/data", "-v", site+":/srv:ro", img, "sleep", "60")
	rw := dockertest.Name("dockstep-chk-mount-rw")
	runContainer(t, c, rw, "-d", "--mount", "type=bind,source="+site+",target=/srv", img, "sleep", "60")

	expectAll(t, env, []kindCase{
		{"mount: {container: " + both + ", destination: /data, source: " + vol + "}", true, "mounts volume " + vol + " at /data"},
		{"mount: {container: " + both + ", destination: /data/, type: volume, read-only: false}", true, ""},
		{"mount: {container: " + both + ", destination: /srv, source: ./site, read-only: true}", true, "mounts bind " + site + " at /srv"},
		{"mount: {container: " + both + ", destination: /srv, source: " + site + ", type: bind}", true, ""},
		{"mount: {container: " + rw + ", destination: /srv, source: site}", false, "a bind mount, not a volume mount"},
		{"mount: {container: " + rw + ", destination: /srv, source: ./site, read-only: true}", false, "writable, not read-only (:ro after the path in the container makes it so). Mounts are set when a container is created: remove it (docker rm -f " + rw + ") and run it again: docker run --name " + rw + " -v \"$PWD/site\":/srv:ro ..."},
		{"mount: {container: " + both + ", destination: /srv, source: ./other}", false, "mounts bind " + site + " at /srv: not the folder " + filepath.Join(dir, "other")},
		{"mount: {container: " + both + ", destination: /data, source: notmine}", false, "mounts volume " + vol + " at /data: not volume notmine"},
		{"mount: {container: " + both + ", destination: /data, type: bind}", false, "a volume mount, not a bind mount"},
		{"mount: {container: " + rw + ", destination: /data, source: " + vol + "}", false, "container " + rw + " has nothing mounted at /data (it mounts bind " + site + " at /srv): mounts are set when a container is created, so remove it (docker rm -f " + rw + ") and run it again: docker run --name " + rw + " -v " + vol + ":/data ..."},
		{"mount: {container: " + both + "-x, destination: /data, source: " + vol + "}", false, "no container named " + both + "-x"},
	})
	expect(t, env, "no-volume: "+vol, false, "volume "+vol+" is still here: remove it with docker volume rm "+vol+", once no container uses it ("+both+" still does: docker rm -f "+both+")")
	expect(t, env, "no-volume: "+vol+"-x", true, "volume "+vol+"-x is gone")
}

func TestComposeKindEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	ctx := context.Background()
	// A project as Compose labels one; the check reads only the labels.
	project := strings.ReplaceAll(dockertest.Name("dockstep-chk-proj"), ".", "")
	label := func(svc string) []string {
		return []string{"--label", composeProject + "=" + project, "--label", composeService + "=" + svc}
	}
	img := testImage(t, c, "dockstep-test/chk-compose")
	web, cache := project+"-web-1", project+"-cache-1"
	runContainer(t, c, web, append(append([]string{"-d"}, label("web")...), img, "sleep", "60")...)
	runContainer(t, c, cache, append(append([]string{}, label("cache")...), img, "sh", "-c", "echo no config; exit 2")...)
	nw := project + "_default"
	if _, err := c.NetworkCreate(ctx, nw, network.CreateOptions{Labels: map[string]string{composeProject: project}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.NetworkRemove(context.Background(), nw) })
	vol := project + "_data"
	if _, err := c.VolumeCreate(ctx, volume.CreateOptions{Name: vol, Labels: map[string]string{composeProject: project}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.VolumeRemove(context.Background(), vol, true) })

	expectAll(t, env, []kindCase{
		{"compose: " + project, true, "project " + project + " is running: " + web},
		{"compose: {project: " + project + ", services: [web]}", true, ""},
		{"compose: {project: " + project + ", services: [web, cache]}", false, "service cache is not running: " + cache + " is exited (Exited (2)"},
		{"compose: {project: " + project + ", services: [db]}", false, "service db has no container (the project has cache, web)"},
		{"compose: {project: " + project + "x}", false, "no container belongs to a Compose project named " + project + "x"},
		{"compose: {project: " + project + ", state: down}", false, "still has container " + cache + " (exited), container " + web + " (running), network " + nw + ": run docker compose down"},
		{"compose: {project: " + project + "x, state: removed}", true, "nothing of project"},
	})
	dockertest.Run(t, "rm", "-f", web, cache)
	c.NetworkRemove(ctx, nw)
	expectAll(t, env, []kindCase{
		{"compose: {project: " + project + ", state: down}", true, "is down"},
		{"compose: {project: " + project + ", state: removed}", false, "still has volume " + vol + ": docker compose down keeps volumes; docker compose down -v removes them too"},
	})
}

func TestImageSizeLayersEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	base := testImage(t, c, "dockstep-test/chk-size")
	big := dockertest.Name("dockstep-test/chk-big")
	dockertest.Build(t, c, big, "FROM "+base+"\nRUN head -c 3000000 /dev/zero > /blob\n")
	v1 := dockertest.Name("dockstep-test/chk-layers")
	dockertest.Build(t, c, v1+":v1", "FROM "+base+"\nRUN echo deps > /deps\nRUN echo src1 > /src\n")
	dockertest.Build(t, c, v1+":v2", "FROM "+base+"\nRUN echo deps > /deps\nRUN echo src2 > /src\n")
	dockertest.Build(t, c, v1+":v3", "FROM "+base+"\nRUN echo deps2 > /deps\nRUN echo src2 > /src\n")

	expectAll(t, env, []kindCase{
		{"image-size: {ref: " + base + ", max: 100MB}", true, "image " + base + " is "},
		{"image-size: {ref: " + base + ", smaller-than: " + big + "}", true, ""},
		{"image-size: {ref: " + big + ", max: 100MB, smaller-than: " + base + "}", false, "image " + big + " is too big at "},
		{"image-size: {ref: " + big + ", max: 100MB, smaller-than: " + base + "}", false, ": not smaller than " + base + " ("},
		{"image-size: {ref: " + big + ", max: 1kB, smaller-than: " + base + "}", false, ": more than 1kB and not smaller than " + base + " ("},
		{"image-size: {ref: " + big + ", max: 1kB}", false, ": more than 1kB; docker history " + big + " shows"},
		{"image-size: {ref: " + base + ", smaller-than: " + big + "x}", false, "image " + big + "x, to compare " + base + " with, is not here: build it first"},
		{"image-size: {ref: " + base + "x, max: 1GB}", false, "no image " + base + "x"},

		{"layers: {image: " + v1 + ":v2, reuses: " + v1 + ":v1, new-layers: 1}", true, "image " + v1 + ":v2 reuses 2 of its 3 layers from " + v1 + ":v1"},
		{"layers: {image: " + v1 + ":v3, reuses: " + v1 + ":v1, new-layers: 1}", false, "shares only its first 1 layers with " + v1 + ":v1; the 2 after them were built anew, want at most 1: the build cache reuses steps until the first one whose files changed, and rebuilds everything after it. Either a file an early step copies changed too (the list of dependencies?)"},
		{"layers: {image: " + v1 + ":v3, reuses: " + v1 + ":v1, new-layers: 2}", true, ""},
		{"layers: {image: " + v1 + ":v4, reuses: " + v1 + ":v1, new-layers: 1}", false, "no image " + v1 + ":v4"},
	})
}

// The room registry of docs/workshop.md, which .ci/setup starts.
const roomRegistry = "127.0.0.1:5556"

func TestRegistryTagEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	if resp, err := http.Get("http://" + roomRegistry + "/v2/"); err != nil {
		if dockertest.Required() {
			t.Fatalf("no registry at %s (.ci/setup starts one): %v", roomRegistry, err)
		}
		t.Skipf("no registry at %s: %v", roomRegistry, err)
	} else {
		resp.Body.Close()
	}
	img := testImage(t, c, "dockstep-test/chk-push")
	repo := roomRegistry + "/" + img
	dockertest.Run(t, "tag", img, repo+":v1")
	t.Cleanup(func() { exec.Command("docker", "rmi", repo+":v1").Run() })
	dockertest.Run(t, "push", repo+":v1")
	dockertest.Run(t, "tag", img, repo+":v3") // tagged, not pushed
	t.Cleanup(func() { exec.Command("docker", "rmi", repo+":v3").Run() })
	other := testImage(t, c, "dockstep-test/chk-notpushed")

	noRegistry := freePort(t)
	expectAll(t, env, []kindCase{
		{"registry-tag: " + repo + ":v1", true, "the registry at " + roomRegistry + " has " + repo + ":v1"},
		{"registry-tag: {ref: " + repo + ":v1, image: " + repo + ":v1}", true, "is your image " + repo + ":v1"},
		{"registry-tag: {ref: " + repo + ":v1, image: " + img + "}", true, ""},
		{"registry-tag: {ref: " + repo + ":v1, image: " + other + "}", false, "but it is not your image " + other},
		{"registry-tag: " + repo + ":v2", false, "has no tag v2 of " + img + " (it has v1): tag your image with docker tag IMAGE " + repo + ":v2, then docker push " + repo + ":v2"},
		{"registry-tag: " + repo + "-x:v1", false, "(nor any tag of that repository)"},
		{"registry-tag: " + repo + ":v3", false, "has no tag v3 of " + img + " (it has v1): your machine has the image " + repo + ":v3, so push that name: docker push " + repo + ":v3"},
		{"registry-tag: 127.0.0.1:" + noRegistry + "/x:v1", false, "no registry answers at 127.0.0.1:" + noRegistry + " (nothing listens there): start one, such as docker run -d -p " + noRegistry + ":5000 --name registry registry:2"},
	})

	// The learner's registry container, stopped: named, with docker start.
	stopped := dockertest.Name("dockstep-chk-registry")
	dockertest.RemoveContainerAtEnd(t, c, stopped)
	dockertest.Run(t, "create", "--name", stopped, "-p", noRegistry+":5000", img)
	expect(t, env, "registry-tag: 127.0.0.1:"+noRegistry+"/x:v1", false,
		"no registry answers at 127.0.0.1:"+noRegistry+" (nothing listens there): container "+stopped+", which publishes port "+noRegistry+", is stopped; start it again with docker start "+stopped)

	// A registry that wants a login.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	expect(t, env, "registry-tag: "+host+"/x:v1", false, "asks for a login")
}

func TestNewKindsValidate(t *testing.T) {
	bad := []struct{ src, want string }{
		{"mount: {container: web}", "destination is missing"},
		{"mount: {container: web, destination: data}", "must be an absolute path"},
		{"mount: {container: web, destination: /data, type: tmpfs}", `type "tmpfs" is not one of volume, bind`},
		{"mount: {container: web, destination: /data, read-only: maybe}", "read-only must be true or false"},
		{"compose: {services: [web]}", "project is missing"},
		{"compose: {project: p, state: stopped}", `state "stopped" is not one of running, down, removed`},
		{"compose: {project: p, state: down, services: [web]}", "services goes with state: running only"},
		{"image-size: {ref: app}", "give max, smaller-than or both"},
		{"image-size: {ref: app, max: big}", `max "big" is not a size such as 20MB`},
		{"layers: {image: app:v2, reuses: app:v1}", "new-layers is missing"},
		{"layers: {image: app:v2, reuses: app:v1, new-layers: -1}", "new-layers must be 0 or more"},
		{"registry-tag: catnip:v1", "must name the registry and a tag"},
		{"registry-tag: localhost:5000/catnip@sha256:" + strings.Repeat("a", 64), "must name the registry and a tag"},
		{"registry-tag: {image: app}", "ref is missing"},
		{"no-volume: {name: data}", "no-volume takes a volume's name"},
		{"no-network: [a, b]", "no-network takes a network's name"},
	}
	for _, tt := range bad {
		_, err := Default().Compile(spec(t, tt.src), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.src, err, tt.want)
		}
	}
}
