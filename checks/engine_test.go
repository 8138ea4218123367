package checks

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// These tests run every check kind against the real engine, with images
// made on the spot. Host ports are picked free at run time (freePort).

// expect evaluates a check and compares the outcome: want is a text the
// message must contain.
func expect(t *testing.T, env *Env, src string, pass bool, want string) {
	t.Helper()
	r := compile(t, src).Evaluate(context.Background(), env)
	if r.Err != nil {
		t.Errorf("%s: got error %v, want a result", src, r.Err)
		return
	}
	if r.Passed != pass {
		t.Errorf("%s: got passed=%v (%s), want %v", src, r.Passed, r.Message, pass)
		return
	}
	if !strings.Contains(r.Message, want) {
		t.Errorf("%s: got message %q, want it to contain %q", src, r.Message, want)
	}
}

// image imports a busybox image with a label that makes its ID its own.
func testImage(t *testing.T, c *client.Client, prefix string, changes ...string) string {
	t.Helper()
	ref := dockertest.Name(prefix)
	dockertest.Busybox(t, c, ref+":latest", append([]string{"LABEL dockstep-test=" + ref}, changes...)...)
	return ref
}

// runContainer runs docker run --name name args..., removing the container
// when the test ends. The engine frees a host port a moment after the
// container that held it is removed, so a port still held by the previous
// run of these tests is waited for, briefly.
func runContainer(t *testing.T, c *client.Client, name string, args ...string) {
	t.Helper()
	dockertest.RemoveContainerAtEnd(t, c, name)
	argv := append([]string{"run", "--name", name}, args...)
	for try := 0; try < 10; try++ {
		out, err := exec.Command("docker", argv...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "port is already allocated") {
			break
		}
		exec.Command("docker", "rm", "-f", name).Run()
		time.Sleep(300 * time.Millisecond)
	}
	// Once more through dockertest, which fails the test with the reason.
	if exec.Command("docker", "inspect", name).Run() != nil {
		dockertest.Run(t, argv...)
	}
}

func TestImageKindEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	img := testImage(t, c, "dockstep-test/chk-img", "EXPOSE 5000", "WORKDIR /app", "ENV GREETING=hi")
	plain := dockertest.Name("dockstep-chk-plain")
	dockertest.Run(t, "tag", img, plain)
	t.Cleanup(func() { exec.Command("docker", "rmi", plain).Run() })
	child := dockertest.Name("dockstep-test/chk-child")
	dockertest.Build(t, c, child, "FROM "+img+"\nCMD python ./app.py\n")
	execForm := dockertest.Name("dockstep-test/chk-exec")
	dockertest.Build(t, c, execForm, "FROM "+img+"\ncmd [ \"python\",\"./app.py\" ]\n")
	other := dockertest.Name("dockstep-test/chk-other")
	dockertest.Build(t, c, other, "FROM "+img+"\nRUN echo x > /x\n")

	expect(t, env, "image: "+img, true, "is here")
	expect(t, env, "image: "+img+":latest", true, "")
	expect(t, env, "image: docker.io/"+img+":latest", true, "")
	expect(t, env, "image: "+plain, true, "")
	expect(t, env, "image: library/"+plain, true, "")
	expect(t, env, "image: docker.io/library/"+plain+":latest", true, "")
	expect(t, env, "image: {ref: "+img+", exposes: 5000, workdir: /app, env: {GREETING: hi}, labels: {dockstep-test: "+img+"}}", true, "")
	expect(t, env, "image: {ref: "+child+", base: "+img+", cmd: python ./app.py}", true, "")
	expect(t, env, "image: {ref: "+execForm+", base: "+img+", cmd: [python, ./app.py]}", true, "")
	expect(t, env, "image: {ref: "+execForm+", cmd: python ./app.py}", true, "")
	// The same file in the image's WORKDIR (/app), however it is written.
	expect(t, env, "image: {ref: "+execForm+", cmd: [python, app.py]}", true, "")
	expect(t, env, "image: {ref: "+execForm+", cmd: [python, /app/app.py]}", true, "")
	expect(t, env, "image: {ref: "+execForm+", cmd: [python, /src/app.py]}", false, `its CMD is ["python", "./app.py"], want ["python", "/src/app.py"]`)

	typo := strings.Replace(img, "chk-img", "chk-imgg", 1)
	expect(t, env, "image: "+typo, false, "no image "+typo+"; did you mean "+img+"?")
	expect(t, env, "image: "+img+":2.0", false, "no image "+img+":2.0; did you mean "+img+"?")
	expect(t, env, "image: {ref: "+img+", exposes: 8080}", false, "it exposes 5000/tcp, not 8080/tcp: add EXPOSE 8080")
	expect(t, env, "image: {ref: "+child+", base: "+other+"}", false, "it is not built on "+other)
	expect(t, env, "image: {ref: "+child+", cmd: [python, app.py]}", false, `its CMD is ["/bin/sh", "-c", "python ./app.py"], want ["python", "app.py"]`)
	expect(t, env, "image: {ref: "+img+", workdir: /src, env: {GREETING: hello}}", false, "its WORKDIR is /app, want /src; its environment lacks GREETING=hello (it has GREETING=hi)")

	expect(t, env, "no-image: "+typo, true, "is gone")
	expect(t, env, "no-image: "+other, false, "image "+other+" is still here: remove it with docker rmi "+other)
}

func TestContainerKindEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	serve := []string{"sh", "-c", "echo hello-dockstep > /tmp/index.html; exec httpd -f -p 5000 -h /tmp"}
	// Host ports free now: the good app's, the wrong port's, one never
	// published, one a container holds, one a program holds, one nothing
	// answers on.
	webP, wrongP, nopP, heldByCtr, heldByProg, none := freePort(t), freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)

	// A container that does everything right.
	good := testImage(t, c, "dockstep-test/chk-web")
	web := dockertest.Name("dockstep-chk-web")
	vol := dockertest.Name("dockstep-chk-vol")
	t.Cleanup(func() { exec.Command("docker", "volume", "rm", "-f", vol).Run() })
	runContainer(t, c, web, append([]string{"-d", "-p", webP + ":5000", "-e", "MODE=dev", "-v", vol + ":/data", good}, serve...)...)
	expect(t, env, `container: {image: `+good+`, publish: "`+webP+`:5000", name: `+web+`, command: httpd, env: {MODE: dev}, mount: "`+vol+`:/data", network: bridge}`, true, "is running")
	expect(t, env, `container: {image: `+good+`, count: 1}`, true, "1 running container")
	expect(t, env, `container: {image: `+good+`, count: 2}`, false, "want exactly 2 running containers from "+good+", found 1: "+web)
	expect(t, env, `container: {image: `+good+`, env: {MODE: prod}}`, false, "lacks the environment variable MODE=prod (it has MODE=dev): the environment is set when a container is created, so remove it (docker rm -f ")
	expect(t, env, `container: {image: `+good+`, env: {MODE: prod}}`, false, "and run it again with -e MODE=prod: docker run -d -e MODE=prod "+good)
	expect(t, env, `container: {image: `+good+`, mount: "other:/data"}`, false, "mounts "+vol+":/data, want other:/data")
	expect(t, env, `container: {image: `+good+`, state: exited}`, false, "is still running, want it exited")
	expect(t, env, `http: {url: "http://127.0.0.1:`+webP+`/", contains: hello-dockstep}`, true, "200 OK")
	expect(t, env, `http: {url: "http://127.0.0.1:`+webP+`/", contains: goodbye, timeout: 1s}`, false, `does not contain "goodbye"; it begins: "hello-dockstep"`)
	// Another app's page: say whose it is, not that nothing listens.
	expect(t, env, `http: {url: "http://127.0.0.1:`+webP+`/", contains: goodbye, timeout: 1s}`, false, "that answer comes from container "+web+" (from "+good+"), which publishes "+webP+"→5000/tcp: is it the app you meant?")
	expect(t, env, `http: {url: "http://127.0.0.1:`+webP+`/missing.html", timeout: 1s}`, false, "answered 404 Not Found, want 200 OK")
	expect(t, env, `http: {url: "http://127.0.0.1:`+none+`/", timeout: 1s}`, false, "nothing answers at http://127.0.0.1:"+none+"/ (connection refused): is the container running, with its port published (-p)? (still so after 1s); no running container publishes port "+none+" of this machine")
	expect(t, env, `no-container: {name: `+web+`}`, false, web+" (running) still exists: remove with docker rm -f "+web)

	// The typo the seed tutorial makes: a container of a similar-named image.
	typo := strings.Replace(good, "chk-web", "chk-webb", 1)
	expect(t, env, `container: {image: `+typo+`}`, false, "no image "+typo+"; did you mean "+good+"?")
	typoImg := testImage(t, c, "dockstep-test/chk-catnip")
	near := strings.Replace(typoImg, "chk-catnip", "chk-catnipp", 1)
	dockertest.Busybox(t, c, near+":latest", "LABEL dockstep-test="+near)
	runContainer(t, c, dockertest.Name("dockstep-chk-typo"), "-d", near, "sleep", "60")
	expect(t, env, `container: {image: `+typoImg+`}`, false, "is from "+near+", a different image: did you mean "+typoImg+"?")

	// -p PORT:80 where the app listens on 5000.
	wrong := testImage(t, c, "dockstep-test/chk-wrongport")
	runContainer(t, c, dockertest.Name("dockstep-chk-wrongport"), append([]string{"-d", "-p", wrongP + ":80", wrong}, serve...)...)
	expect(t, env, `container: {image: `+wrong+`, publish: "`+wrongP+`:5000"}`, false, "the container from "+wrong+" publishes "+wrongP+"→80/tcp, but the app listens on 5000: use -p "+wrongP+":5000")
	expect(t, env, `http: {url: "http://localhost:`+wrongP+`/", timeout: 1s}`, false, "http://localhost:"+wrongP+"/ takes connections but closes them at once without an answer: the port is published, but nothing listens behind it (still so after 1s); container ")
	expect(t, env, `http: {url: "http://localhost:`+wrongP+`/", timeout: 1s}`, false, "publishes "+wrongP+"→80/tcp: does the app in it listen on port 80?")

	// No -p at all.
	nop := testImage(t, c, "dockstep-test/chk-nop")
	runContainer(t, c, dockertest.Name("dockstep-chk-nop"), append([]string{"-d", nop}, serve...)...)
	expect(t, env, `container: {image: `+nop+`, publish: "`+nopP+`:5000"}`, false, "the container from "+nop+" publishes no ports: add -p "+nopP+":5000")
	// A container port on any host port, as -P publishes it.
	expect(t, env, `container: {image: `+nop+`, publish: "5000"}`, false, "the container from "+nop+" publishes no ports: add -P (or -p HOST:5000) to docker run")
	expect(t, env, `container: {image: `+wrong+`, publish: "5000"}`, false, "the container from "+wrong+" publishes "+wrongP+"→80/tcp, but not port 5000/tcp: publish it with -P or -p HOST:5000")
	expect(t, env, `container: {image: `+wrong+`, publish: "80/tcp"}`, true, "")
	anyPort := testImage(t, c, "dockstep-test/chk-anyport")
	runContainer(t, c, dockertest.Name("dockstep-chk-anyport"), append([]string{"-d", "-p", "5000", anyPort}, serve...)...)
	expect(t, env, `container: {image: `+anyPort+`, publish: "5000"}`, true, "")

	// A container that exited: its code and the end of its log.
	crash := testImage(t, c, "dockstep-test/chk-crash")
	crashName := dockertest.Name("dockstep-chk-crash")
	runContainer(t, c, crashName, "-d", crash, "sh", "-c", "echo starting; echo 'ImportError: no module named flask' >&2; exit 3")
	dockertest.Run(t, "wait", crashName)
	// stdout and stderr are separate pipes: the log may hold them in either order.
	expect(t, env, `container: {image: `+crash+`}`, false, "("+crashName+") exited with code 3; the last lines of its log:\n    ")
	expect(t, env, `container: {image: `+crash+`}`, false, "\n    starting")
	expect(t, env, `container: {image: `+crash+`}`, false, "\n    ImportError: no module named flask")
	expect(t, env, `container: {image: `+crash+`, state: exited, exit-code: 3}`, true, "is exited")
	expect(t, env, `container: {image: `+crash+`, exit-code: 0}`, false, "exited with code 3, want 0")
	expect(t, env, `container: {image: `+crash+`, state: any, count: 1}`, true, "")

	// The host port is held by another container: docker run leaves the
	// learner's container created, not started.
	holder := dockertest.Name("dockstep-chk-holder")
	runContainer(t, c, holder, append([]string{"-d", "-p", heldByCtr + ":5000", good}, serve...)...)
	blocked := testImage(t, c, "dockstep-test/chk-blocked")
	blockedName := dockertest.Name("dockstep-chk-blocked")
	dockertest.RemoveContainerAtEnd(t, c, blockedName)
	if out, err := exec.Command("docker", "run", "-d", "--name", blockedName, "-p", heldByCtr+":5000", blocked, "sleep", "60").CombinedOutput(); err == nil {
		t.Fatalf("docker run on a taken port succeeded: %s", out)
	}
	expect(t, env, `container: {image: `+blocked+`, publish: "`+heldByCtr+`:5000"}`, false, "failed: port is already allocated; host port "+heldByCtr+" is held by container "+holder+" (from "+good+"): stop it with docker stop "+holder)

	// The port is held by a program that is not a container.
	ln, err := net.Listen("tcp", "0.0.0.0:"+heldByProg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	held := testImage(t, c, "dockstep-test/chk-held")
	heldName := dockertest.Name("dockstep-chk-held")
	dockertest.RemoveContainerAtEnd(t, c, heldName)
	if out, err := exec.Command("docker", "run", "-d", "--name", heldName, "-p", heldByProg+":5000", held, "sleep", "60").CombinedOutput(); err == nil {
		t.Fatalf("docker run on a port a program holds succeeded: %s", out)
	}
	expect(t, env, `container: {image: `+held+`, publish: "`+heldByProg+`:5000"}`, false, "address already in use; a program on this machine, not a container, holds port "+heldByProg)
	// A port the learner chose for the lesson: publishing on another one
	// would not pass the step, so the advice is to choose again.
	heldPort, _ := strconv.Atoi(heldByProg)
	env.Rechoose = map[int]string{heldPort: "choose another port for the lesson: dockstep start les --var port=OTHER"}
	expect(t, env, `container: {image: `+held+`, publish: "`+heldByProg+`:5000"}`, false, "holds port "+heldByProg+": stop it, or choose another port for the lesson: dockstep start les --var port=OTHER")
	env.Rechoose = nil

	expect(t, env, `no-container: {image: `+typo+`}`, true, "no container from "+typo+" is left")
	expect(t, env, `no-container: {name: `+crashName+`}`, false, crashName+" (exited) still exists")
}

func TestVolumeNetworkEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	ctx := context.Background()
	vol := dockertest.Name("dockstep-chk-data")
	if _, err := c.VolumeCreate(ctx, volume.CreateOptions{Name: vol}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.VolumeRemove(context.Background(), vol, true) })
	expect(t, env, "volume: "+vol, true, "exists")
	expect(t, env, "volume: {name: "+vol+"x}", false, "no volume "+vol+"x, but there is a volume "+vol+": a typo? Create "+vol+"x with docker volume create "+vol+"x")

	net := dockertest.Name("dockstep-chk-net")
	if _, err := c.NetworkCreate(ctx, net, network.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.NetworkRemove(context.Background(), net) })
	img := testImage(t, c, "dockstep-test/chk-net")
	on, off := dockertest.Name("dockstep-chk-on"), dockertest.Name("dockstep-chk-off")
	runContainer(t, c, on, "-d", "--network", net, img, "sleep", "60")
	runContainer(t, c, off, "-d", img, "sleep", "60")
	expect(t, env, "network: {name: "+net+", containers: ["+on+"]}", true, "is as wanted")
	expect(t, env, "network: {name: "+net+", containers: ["+on+", "+off+"]}", false, "network "+net+" connects "+on+", but not "+off+": run the container with --network "+net)
	expect(t, env, "network: "+net+"-x", false, "no network "+net+"-x, but there is a network "+net+": a typo? Create "+net+"-x with docker network create "+net+"-x")
	expect(t, env, "container: {name: "+on+", network: "+net+"}", true, "")
	expect(t, env, "container: {name: "+off+", network: "+net+"}", false, "container "+off+" is on network bridge, not "+net)
	expect(t, env, "no-network: "+net, false, "network "+net+" is still here: remove it with docker network rm "+net+", once no container is attached to it ("+on+": docker rm -f "+on+")")
	expect(t, env, "no-network: "+net+"-x", true, "is gone")
}

func TestRanEngine(t *testing.T) {
	c := dockertest.Client(t)
	img := testImage(t, c, "dockstep-test/chk-ran")
	named := dockertest.Name("dockstep-chk-scratchpad")
	before := time.Now().Add(-time.Second)
	dockertest.Run(t, "run", "--rm", img, "true")
	exec.Command("docker", "run", "--rm", img, "sh", "-c", "exit 4").Run()
	exec.Command("docker", "run", "--rm", "--name", named, img, "sh", "-c", "exit 3").Run()
	// A step that began after those runs: the engine is asked for what ran
	// since then, which is nothing.
	after := time.Now()

	env := &Env{Docker: c, Since: before}
	expect(t, env, "ran: "+img, true, "a container from "+img+" ran")
	expect(t, env, "ran: {image: "+img+", exit-code: 4}", true, "exited with code 4")
	expect(t, env, "ran: {image: "+img+":latest, exit-code: 0}", true, "exited with code 0")
	expect(t, env, "ran: {image: "+img+", exit-code: 1}", false, "exited with code 0, 4, 3, want 1")
	expectAll(t, env, []kindCase{
		{"ran: {image: " + img + ", name: " + named + "}", true, "container " + named + ", from " + img + ", ran"},
		{"ran: {image: " + img + ", name: " + named + ", exit-code: 3}", true, "exited with code 3"},
		{"ran: {image: " + img + ", name: " + named + ", exit-code: 0}", false, "container " + named + " exited with code 3, want 0"},
		// A typo in the name: the container that ran under a name close to it is named.
		{"ran: {image: " + img + ", name: " + named + "x}", false, "a container from " + img + " ran under the name " + named + ", not " + named + "x: run it again with --name " + named + "x"},
		{"ran: {image: " + img + ", name: nothing-like-it}", false, "no container named nothing-like-it from " + img + " has run yet: docker run --name nothing-like-it " + img},
	})
	// dockstep check has no step start: the engine's whole history counts.
	expect(t, &Env{Docker: c}, "ran: docker.io/"+img, true, "ran")
	later := &Env{Docker: c, Since: after}
	expect(t, later, "ran: "+img, false, "no container from "+img+" has run yet: docker run "+img)
}

func TestAnswersEngine(t *testing.T) {
	c := dockertest.Client(t)
	env := &Env{Docker: c}
	ctx := context.Background()
	img := testImage(t, c, "dockstep-test/chk-answer")
	insp, err := c.ImageInspect(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	hex := strings.TrimPrefix(insp.ID, "sha256:")
	name := dockertest.Name("dockstep-chk-answer")
	answerPort := freePort(t)
	runContainer(t, c, name, "-d", "-p", answerPort+":80", img, "sleep", "60")
	runContainer(t, c, dockertest.Name("dockstep-chk-answer"), img, "true")
	exited := dockertest.Name("dockstep-chk-exited")
	runContainer(t, c, exited, img, "sh", "-c", "exit 3")

	tests := []struct {
		answer string
		given  string
		want   bool
	}{
		{"image-id: " + img, hex[:12], true},
		{"image-id: " + img, strings.ToUpper(hex[:12]), true},
		{"image-id: " + img, "sha256:" + hex[:20], true},
		{"image-id: " + img, hex, true},
		{"image-id: " + img, hex[:8], false},
		{"image-id: " + img, "0000000000000", false},
		{"host-port: {container: " + name + ", port: 80}", answerPort, true},
		{"host-port: {container: " + name + ", port: 80}", "0.0.0.0:" + answerPort, true},
		{"host-port: {container: " + name + ", port: 80}", "80", false},
		{"container-count: {image: " + img + ", state: exited}", "2", true},
		{"container-count: {image: " + img + "}", "3", true},
		{"container-count: {image: " + img + ", state: running}", "2", false},
		{"exit-code: " + exited, "3", true},
		{"exit-code: {container: " + exited + "}", "Exited (3)", true},
		{"exit-code: " + exited, "(3)", true},
		{"exit-code: " + exited, "0", false},
		{"exit-code: " + exited, "three", false},
	}
	for _, tt := range tests {
		a, err := Default().CompileAnswer(spec(t, tt.answer), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Accepts(ctx, env, tt.given)
		if err != nil {
			t.Fatalf("%s: %v", tt.answer, err)
		}
		if got != tt.want {
			t.Errorf("%s accepts %q: got %v, want %v", tt.answer, tt.given, got, tt.want)
		}
	}
	running, _ := Default().CompileAnswer(spec(t, "exit-code: "+name), nil)
	if _, err := running.Accepts(ctx, env, "0"); err == nil || !strings.Contains(err.Error(), "has not exited") {
		t.Errorf("exit-code of a running container: got %v, want an error saying it has not exited", err)
	}
	a, _ := Default().CompileAnswer(spec(t, "image-id: "+img), nil)
	if d, err := a.Answers(ctx, env); err != nil || len(d) != 1 || d[0] != hex[:12] {
		t.Errorf("image-id answers %q (%v), want %q", d, err, hex[:12])
	}
}

// Checking again against the same Env asks about the container that matched
// before; once that container is gone, the check must fail, not remember.
func TestContainerMemoEngine(t *testing.T) {
	c := dockertest.Client(t)
	img := testImage(t, c, "dockstep-test/chk-memo")
	name := dockertest.Name("dockstep-chk-memo")
	runContainer(t, c, name, "-d", img, "sleep", "60")
	env := &Env{Docker: c}
	for i := 0; i < 2; i++ {
		expect(t, env, "container: {image: "+img+"}", true, "is running: "+name)
	}
	if len(env.Memo()) != 1 {
		t.Errorf("got memo %v, want the matching container remembered", env.Memo())
	}
	dockertest.Run(t, "stop", "-t", "0", name)
	expect(t, env, "container: {image: "+img+"}", false, "("+name+") exited with code 137")
	expect(t, env, "container: {image: "+img+", state: exited}", true, "")
	expect(t, env, "container: {name: "+name+", state: exited}", true, "")
	dockertest.Run(t, "rm", name)
	expect(t, env, "container: {image: "+img+", state: exited}", false, "no exited container from "+img)
}

// freePort is a host port nothing listens on now, as a string.
func freePort(t *testing.T) string { return strconv.Itoa(dockertest.FreePort(t)) }
