package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/dockstep/dockstep/lessons"
)

const (
	catnipID  = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	typoID    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	nginxID   = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
	busyboxID = "sha256:4444444444444444444444444444444444444444444444444444444444444444"
)

// ctr makes a fake container. ports are "host:container" bindings a running
// container publishes, or that one not running asked for.
func ctr(id, name, img, imgID, state string, exitCode int, log string, ports ...string) fakeContainer {
	c := fakeContainer{log: log}
	c.summary = container.Summary{ID: id, Names: []string{"/" + name}, Image: img, ImageID: imgID, State: state, Command: "python app.py"}
	c.inspect.ContainerJSONBase = &container.ContainerJSONBase{ID: id, State: &container.State{Status: state, ExitCode: exitCode}, HostConfig: &container.HostConfig{PortBindings: nat.PortMap{}}}
	c.inspect.Config = &container.Config{Tty: true}
	for _, p := range ports {
		pub, err := parsePublish(p)
		if err != nil {
			panic(err)
		}
		if state == "running" {
			c.summary.Ports = append(c.summary.Ports, container.Port{IP: "0.0.0.0", PublicPort: uint16(pub.host), PrivatePort: uint16(pub.container.num), Type: "tcp"})
		}
		cp := nat.Port(pub.container.String())
		c.inspect.HostConfig.PortBindings[cp] = append(c.inspect.HostConfig.PortBindings[cp], nat.PortBinding{HostPort: strings.Split(p, ":")[0]})
	}
	return c
}

func catnipEngine(containers ...fakeContainer) *fakeDocker {
	f := &fakeDocker{containers: containers}
	f.addImage(catnipID, []string{"l1", "l2"}, "hanabira/catnip:latest")
	f.addImage(nginxID, []string{"n1"}, "nginx:latest")
	return f
}

func TestDiagnoses(t *testing.T) {
	withTypoImage := catnipEngine(ctr("c1", "sleepy_tesla", "hanabiraa/catnip", typoID, "running", 0, ""))
	withTypoImage.addImage(typoID, []string{"t1"}, "hanabiraa/catnip:latest")
	tests := []struct {
		name   string
		engine *fakeDocker
		check  string
		want   []string // each must be in the message
	}{
		{
			name:   "image name with a typo",
			engine: catnipEngine(),
			check:  "image: hanabiraa/catnip",
			want:   []string{"no image hanabiraa/catnip; did you mean hanabira/catnip?"},
		},
		{
			name:   "container of a similar-named image",
			engine: withTypoImage,
			check:  "container: {image: hanabira/catnip}",
			want:   []string{"no container from hanabira/catnip", "container sleepy_tesla is from hanabiraa/catnip, a different image: did you mean hanabira/catnip?"},
		},
		{
			name:   "container of an image that is not here",
			engine: catnipEngine(),
			check:  "container: {image: hanabiraa/catnip}",
			want:   []string{"no image hanabiraa/catnip; did you mean hanabira/catnip?"},
		},
		{
			name:   "published to the wrong container port",
			engine: catnipEngine(ctr("c1", "web", "hanabira/catnip", catnipID, "running", 0, "", "8888:80")),
			check:  `container: {image: hanabira/catnip, publish: "8888:5000"}`,
			want:   []string{"the container from hanabira/catnip publishes 8888→80/tcp, but the app listens on 5000: use -p 8888:5000"},
		},
		{
			name:   "published on another host port",
			engine: catnipEngine(ctr("c1", "web", "hanabira/catnip", catnipID, "running", 0, "", "9999:5000")),
			check:  `container: {image: hanabira/catnip, publish: "8888:5000"}`,
			want:   []string{"publishes 9999→5000/tcp, but the lesson uses host port 8888: use -p 8888:5000"},
		},
		{
			name:   "run without -p",
			engine: catnipEngine(ctr("c1", "web", "hanabira/catnip", catnipID, "running", 0, "")),
			check:  `container: {image: hanabira/catnip, publish: "8888:5000"}`,
			want:   []string{"the container from hanabira/catnip publishes no ports: add -p 8888:5000 to docker run", "to docker run\nPorts are set when a container is created: remove this one (docker rm -f web) and run it again: docker run -d -p 8888:5000 hanabira/catnip"},
		},
		{
			name: "run in the foreground without -p",
			engine: func() *fakeDocker {
				c := ctr("c1", "fervent_swanson", "hanabira/catnip", catnipID, "running", 0, "")
				c.inspect.Config.AttachStdout = true
				return catnipEngine(c)
			}(),
			check: `container: {image: hanabira/catnip, publish: "8888:5000"}`,
			want:  []string{"to docker run\nPorts are set when a container is created: stop this one (Ctrl-C in the terminal where it runs, or docker rm -f fervent_swanson from another) and run it again"},
		},
		{
			// sleep, the container's first process, ignores Ctrl-C.
			name: "run in the foreground, wanted in the background",
			engine: func() *fakeDocker {
				c := ctr("c1", "notebook", "hanabira/catnip", catnipID, "running", 0, "")
				c.inspect.Config.AttachStdout = true
				return catnipEngine(c)
			}(),
			check: `container: {name: notebook, detached: true}`,
			want:  []string{"container notebook was started in the foreground (docker run without -d): the terminal that started it is busy. From another terminal, remove it with docker rm -f notebook (that gives the busy one its prompt back), then start it in the background"},
		},
		{
			name:   "host and container ports the wrong way round",
			engine: catnipEngine(ctr("c1", "my-site", "hanabira/catnip", catnipID, "running", 0, "", "5000:8888")),
			check:  `container: {name: my-site, image: hanabira/catnip, publish: "8888:5000"}`,
			want:   []string{"publishes 5000→8888/tcp: the two ports are the wrong way round: -p takes the host port first, then the container's: use -p 8888:5000", "use -p 8888:5000\nPorts are set when a container is created: remove this one (docker rm -f my-site) and run it again: docker run -d --name my-site -p 8888:5000 hanabira/catnip"},
		},
		{
			name:   "container exited",
			engine: catnipEngine(ctr("c1", "web", "hanabira/catnip", catnipID, "exited", 1, "line 1\nline 2\nTraceback (most recent call last):\nModuleNotFoundError: No module named 'flask'\n")),
			check:  "container: {image: hanabira/catnip}",
			want:   []string{"(web) exited with code 1", "the last lines of its log:", "No module named 'flask'"},
		},
		{
			name: "host port held by another container",
			engine: catnipEngine(
				ctr("c1", "web", "hanabira/catnip", catnipID, "created", 0, "", "8888:5000"),
				ctr("c2", "old-site", "nginx", nginxID, "running", 0, "", "8888:80"),
			),
			check: `container: {image: hanabira/catnip, publish: "8888:5000"}`,
			want:  []string{"was created but never started", "host port 8888 is held by container old-site (from nginx): stop it with docker stop old-site"},
		},
		{
			name:   "no container at all",
			engine: catnipEngine(),
			check:  `container: {image: hanabira/catnip, publish: "8888:5000"}`,
			want:   []string{"no container from hanabira/catnip; start it with docker run -d -p 8888:5000 hanabira/catnip"},
		},
		{
			name: "wrong count",
			engine: catnipEngine(
				ctr("c1", "a", "hanabira/catnip", catnipID, "running", 0, ""),
				ctr("c2", "b", "hanabira/catnip", catnipID, "running", 0, ""),
			),
			check: "container: {image: hanabira/catnip, count: 1}",
			want:  []string{"want exactly 1 running container from hanabira/catnip, found 2: a, b"},
		},
		{
			name: "containers still running",
			engine: catnipEngine(
				ctr("c1", "amazing_meitner", "hanabira/catnip", catnipID, "running", 0, ""),
				ctr("c2", "b", "hanabira/catnip", catnipID, "running", 0, ""),
			),
			check: "container: {image: hanabira/catnip, state: running, count: 0}",
			want:  []string{"containers from hanabira/catnip still running: amazing_meitner, b; stop with docker stop amazing_meitner b (or Ctrl-C in the terminal where one runs in the foreground)"},
		},
		{
			name:   "container still there",
			engine: catnipEngine(ctr("c1", "web", "hanabira/catnip", catnipID, "exited", 0, "")),
			check:  "no-container: {image: hanabira/catnip}",
			want:   []string{"web (exited) still exists: remove with docker rm -f web"},
		},
		{
			name:   "image not built on the base",
			engine: catnipEngine(),
			check:  "image: {ref: hanabira/catnip, base: nginx}",
			want:   []string{"it is not built on nginx: start the Dockerfile with FROM nginx"},
		},
		{
			name:   "missing volume",
			engine: catnipEngine(),
			check:  "volume: {name: data}",
			want:   []string{"no volume data: create it with docker volume create data"},
		},
		{
			name:   "volume made with a typo in its name",
			engine: &fakeDocker{volumes: map[string]bool{"note": true, "other-app": true}},
			check:  "volume: notes",
			want:   []string{"no volume notes, but there is a volume note: a typo? Create notes with docker volume create notes (docker volume rm note removes the other"},
		},
		{
			name:   "network made with a typo in its name",
			engine: &fakeDocker{networks: map[string]network.Inspect{"shop-nte": {}, "bridge": {}}},
			check:  "network: shop-net",
			want:   []string{"no network shop-net, but there is a network shop-nte: a typo? Create shop-net with docker network create shop-net"},
		},
		{
			name:   "Docker's own networks are not typos of the lesson's",
			engine: &fakeDocker{networks: map[string]network.Inspect{"bridge": {}, "host": {}, "none": {}}},
			check:  "network: nonet",
			want:   []string{"no network nonet: create it with docker network create nonet"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := compile(t, tt.check).Evaluate(context.Background(), &Env{Docker: tt.engine})
			if r.Passed || r.Err != nil {
				t.Fatalf("got passed=%v err=%v (%s), want a failed check", r.Passed, r.Err, r.Message)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Message, w) {
					t.Errorf("got message %q, want it to contain %q", r.Message, w)
				}
			}
		})
	}
}

// A step's container check and http check on the port it publishes fail
// together when the container is missing or wrong: the learner is told the
// container's fault, with what to do, and not also that nothing answers.
func TestUnpublishedPortIsToldOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // refused from now on
	engine := catnipEngine(ctr("c1", "my-site", "hanabira/catnip", catnipID, "running", 0, "", fmt.Sprintf("5000:%d", port)))
	s := &lessons.Step{}
	for _, src := range []string{
		fmt.Sprintf(`container: {name: my-site, image: hanabira/catnip, publish: "%d:5000"}`, port),
		fmt.Sprintf(`http: {url: "http://localhost:%d", timeout: 1s}`, port),
	} {
		sp := spec(t, src)
		sp.Commands = []string{fmt.Sprintf("docker run -d -p %d:5000 --name my-site hanabira/catnip", port)}
		s.Checks = append(s.Checks, sp)
	}
	v := JudgeStep(context.Background(), Default(), s, nil, &Env{Docker: engine, MaxWait: 200 * time.Millisecond}, QuizUnasked)
	if v.Outcome != Failing || !strings.Contains(v.Reason, "wrong way round") {
		t.Fatalf("got %v %q, want the container's fault", v.Outcome, v.Reason)
	}
	if strings.Contains(v.Reason, "nothing answers") {
		t.Errorf("got %q, want the container's fault alone", v.Reason)
	}
}

func TestPassingWithFake(t *testing.T) {
	f := catnipEngine(ctr("c1", "web", "hanabira/catnip", catnipID, "running", 0, "", "8888:5000"))
	f.addImage(busyboxID, []string{"l1"}, "busybox:latest")
	for _, check := range []string{
		"image: hanabira/catnip",
		"image: docker.io/hanabira/catnip:latest",
		"image: {ref: hanabira/catnip, base: busybox}",
		`container: {image: hanabira/catnip, publish: "8888:5000", name: web, command: app.py}`,
		"container: {image: hanabira/catnip, count: 1}",
		"no-image: hanabira/catnap",
		"no-container: {image: nginx}",
	} {
		t.Run(check, func(t *testing.T) {
			r := compile(t, check).Evaluate(context.Background(), &Env{Docker: f})
			if !r.Passed {
				t.Errorf("got failed: %s (err %v), want passed", r.Message, r.Err)
			}
		})
	}
}

// An engine that cannot be reached is an error of the check, not a failure.
func TestEngineDown(t *testing.T) {
	f := &fakeDocker{err: errors.New("Cannot connect to the Docker daemon at unix:///nope.sock. Is the docker daemon running?")}
	for _, check := range []string{"image: busybox", "no-image: busybox", "container: {image: busybox}", "no-container: {name: web}", "volume: data"} {
		t.Run(check, func(t *testing.T) {
			r := compile(t, check).Evaluate(context.Background(), &Env{Docker: f})
			if r.Passed || !IsEngineError(r.Err) {
				t.Errorf("got passed=%v err=%v, want an EngineError", r.Passed, r.Err)
			}
		})
	}
}

func TestDockerfileDiagnoses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/Dockerfile", "FROM python:3\nWORKDIR /usr/src/app\ncopy . .\nRUN pip install  --no-cache-dir -r requirements.txt\nexpose 80\ncmd [ \"python\",\"./app.py\" ]\n")
	sub := filepath.Join(dir, "app")
	write("txt/Dockerfile.txt", "FROM python:3\n")
	write("lower/dockerfile", "FROM python:3\n")
	// The lesson's reordered lines written in, the old COPY . . left above.
	stale := t.TempDir()
	if err := os.WriteFile(filepath.Join(stale, "Dockerfile"), []byte("FROM python:3\nWORKDIR /usr/src/app\nCOPY . .\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cacheOrder := `["COPY requirements.txt .", "RUN pip install --no-cache-dir -r requirements.txt", "COPY . ."]`
	tests := []struct {
		name, check, dir string
		pass             bool
		want             string
	}{
		{"equal after normalising", `dockerfile: {from: python:3, has: ["CMD [\"python\", \"./app.py\"]", "COPY . .", "RUN pip install --no-cache-dir -r requirements.txt"]}`, sub, true, ""},
		{"in order", `dockerfile: {has: ["WORKDIR /usr/src/app", "COPY . .", "EXPOSE 80"], order: true}`, sub, true, ""},
		{"out of order", `dockerfile: {has: ["EXPOSE 80", "COPY . ."], order: true}`, sub, false, "`COPY . .` (line 3) must come after `EXPOSE 80` (line 5)"},
		{"a copy of a line above: order true allows it", `dockerfile: {has: ` + cacheOrder + `, order: true}`, stale, true, ""},
		{"a copy of a line above: order first does not", `dockerfile: {has: ` + cacheOrder + `, order: first}`, stale, false,
			"`COPY . .` (line 3) comes before `RUN pip install --no-cache-dir -r requirements.txt` (line 5): everything from there on is built again whenever its files change; remove line 3, keeping only the `COPY . .` after it"},
		{"lacks an instruction", `dockerfile: {has: ["EXPOSE 5000"]}`, sub, false, "there is no line `EXPOSE 5000`; the closest is `EXPOSE 80` (line 5)"},
		{"lacks a kind of instruction", `dockerfile: {has: ["USER app"]}`, sub, false, "no USER line: add `USER app`"},
		{"other base", `dockerfile: {from: "python:3.12"}`, sub, false, "it starts FROM python:3, want FROM python:3.12"},
		{"not found: an editor added .txt", `dockerfile: {from: "python:3"}`, filepath.Join(dir, "txt"), false, "there is Dockerfile.txt (the name has no extension: mv Dockerfile.txt Dockerfile)"},
		{"not found: lower case", `dockerfile: {from: "python:3"}`, filepath.Join(dir, "lower"), false, "there is dockerfile (the name must be written Dockerfile: mv dockerfile Dockerfile)"},
		{"not found: one folder up", `dockerfile: {has: ["EXPOSE 80"]}`, dir, false, "no Dockerfile in " + dir + " (looked for " + filepath.Join(dir, "Dockerfile") + "); there is app/Dockerfile: work in the folder that holds the Dockerfile (cd app)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := compile(t, tt.check).Evaluate(context.Background(), &Env{Dir: tt.dir})
			if r.Passed != tt.pass {
				t.Fatalf("got passed=%v (%s), want %v", r.Passed, r.Message, tt.pass)
			}
			if !strings.Contains(r.Message, tt.want) {
				t.Errorf("got message %q, want it to contain %q", r.Message, tt.want)
			}
		})
	}
}

func TestFileCheck(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("from flask import Flask\napp = Flask(__name__)\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".dockerignore.txt"), []byte("api-key.txt\n"), 0o644)
	tests := []struct {
		check string
		pass  bool
		want  string
	}{
		{"file: app.py", true, ""},
		{"file: {path: app.py, contains: import Flask}", true, ""},
		{`file: {path: app.py, matches: "app = Flask\\(.*\\)", want: the Flask app}`, true, ""},
		{`file: {path: app.py, contains: "from flask import Flask, request"}`, false, `the closest line is "from flask import Flask" (line 1)`},
		{"file: {path: app.py, matches: \"^import\", want: an import on the first line}", false, "app.py does not have an import on the first line"},
		{"file: {path: requirements.txt}", false, "no file requirements.txt (looked for " + filepath.Join(dir, "requirements.txt") + ")"},
		{"file: .dockerignore", false, "no file .dockerignore (looked for " + filepath.Join(dir, ".dockerignore") + "); there is .dockerignore.txt (the name has no extension: mv .dockerignore.txt .dockerignore)"},
	}
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			r := compile(t, tt.check).Evaluate(context.Background(), &Env{Dir: dir})
			if r.Passed != tt.pass || !strings.Contains(r.Message, tt.want) {
				t.Errorf("got passed=%v %q, want passed=%v and a message containing %q", r.Passed, r.Message, tt.pass, tt.want)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	tests := []struct {
		want       string
		candidates []string
		got        string
	}{
		{"hanabiraa/catnip:latest", []string{"busybox:latest", "hanabira/catnip:latest"}, "hanabira/catnip"},
		{"python:3.12", []string{"python:3"}, "python:3"},
		{"redis:latest", []string{"busybox:latest", "nginx:latest"}, ""},
		{"busybox:latest", []string{"busybox:latest"}, ""},
	}
	for _, tt := range tests {
		if got := nearest(tt.want, tt.candidates); got != tt.got {
			t.Errorf("nearest(%q, %q): got %q, want %q", tt.want, tt.candidates, got, tt.got)
		}
	}
}

// Lines that Docker treats as the same instruction normalise the same.
func TestNormalise(t *testing.T) {
	tests := []struct{ a, b string }{
		{`cmd [ "python","./app.py" ]`, `CMD ["python", "./app.py"]`},
		{"run   pip install  -r requirements.txt", "RUN pip install -r requirements.txt"},
		{"Expose 5000", "EXPOSE 5000"},
		{"ENV FLASK_APP app.py", "ENV FLASK_APP=app.py"},
		{"from python:3 as build", "FROM python:3 AS build"},
		{"COPY --chown=app:app . /app", "copy --chown=app:app .   /app"},
		{"RUN apt-get update && \\\n    apt-get install -y curl", "RUN apt-get update &&     apt-get install -y curl"},
	}
	for _, tt := range tests {
		a, errA := parseInstructions(tt.a)
		b, errB := parseInstructions(tt.b)
		if errA != nil || errB != nil || len(a) != 1 || len(b) != 1 {
			t.Fatalf("parse %q, %q: %v %v", tt.a, tt.b, errA, errB)
		}
		if a[0].norm != b[0].norm {
			t.Errorf("%q gives %q, %q gives %q; want the same", tt.a, a[0].norm, tt.b, b[0].norm)
		}
	}
	a, _ := parseInstructions(`CMD ["python", "app.py"]`)
	b, _ := parseInstructions(`CMD python app.py`)
	if a[0].norm == b[0].norm {
		t.Errorf("exec and shell forms both give %q; Docker runs them differently", a[0].norm)
	}
}

// An image rebuilt with nothing changed is the same image under a new tag:
// differs-from says so, and what to do, rather than passing the step.
func TestImageDiffersFrom(t *testing.T) {
	same := &fakeDocker{}
	same.addImage(catnipID, []string{"l1", "l2"}, "catnip:v1", "catnip:v2")
	changed := &fakeDocker{}
	changed.addImage(catnipID, []string{"l1", "l2"}, "catnip:v1")
	changed.addImage(typoID, []string{"l1", "l3"}, "catnip:v2")
	tests := []struct {
		name   string
		engine *fakeDocker
		pass   bool
		want   string
	}{
		{"rebuilt without a change", same, false, "image catnip:v2 is here, but it is the same image as catnip:v1 (ID " + shortID(catnipID) + "): nothing the build reads changed since catnip:v1 was built, so every step came from the cache. Make the step's change, save the file, then build again: docker build -t catnip:v2 ."},
		{"rebuilt after a change", changed, true, "image catnip:v2 is here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := spec(t, `image: {ref: "catnip:v2", differs-from: "catnip:v1"}`)
			sp.Commands = []string{"docker build -t catnip:v2 ."}
			c, err := Default().Compile(sp, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := c.Evaluate(context.Background(), &Env{Docker: tt.engine})
			if r.Passed != tt.pass || r.Err != nil || !strings.Contains(r.Message, tt.want) {
				t.Errorf("got passed=%v err=%v %q, want passed=%v and %q", r.Passed, r.Err, r.Message, tt.pass, tt.want)
			}
		})
	}
}

// A missing tag of an image the learner has under another tag, from an
// earlier step, is a build still to do, not a typo; without the step's
// build command to give, it is offered as a typo.
func TestImageAnotherTag(t *testing.T) {
	f := &fakeDocker{}
	f.addImage(catnipID, []string{"l1"}, "catnip:v1")
	f.addImage(nginxID, []string{"n1"}, "catnap:v3")
	tests := []struct {
		name     string
		check    string
		commands []string
		want     string
	}{
		{"the step builds it", `image: {ref: "catnip:v3"}`, []string{"docker build -t catnip:v3 ."}, "no image catnip:v3 yet (catnip:v1 is another tag of it): build it with docker build -t catnip:v3 ."},
		{"no build to give", `image: {ref: "catnip:v3"}`, nil, "no image catnip:v3; did you mean catnip:v1?"},
		{"a typo of the repository", `image: {ref: "catnup:v3"}`, []string{"docker build -t catnup:v3 ."}, "no image catnup:v3; did you mean catnap:v3?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := spec(t, tt.check)
			sp.Commands = tt.commands
			c, err := Default().Compile(sp, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := c.Evaluate(context.Background(), &Env{Docker: f})
			if r.Passed || r.Err != nil || !strings.Contains(r.Message, tt.want) {
				t.Errorf("got passed=%v err=%v %q, want %q", r.Passed, r.Err, r.Message, tt.want)
			}
		})
	}
}

// A container run without -d, stopped with Ctrl-C and started again with
// docker start runs in the background: it is detached, although its
// config still says it was attached to a terminal.
func TestDetachedAfterDockerStart(t *testing.T) {
	created := time.Date(2026, 12, 5, 15, 20, 0, 0, time.UTC)
	tests := []struct {
		name    string
		started time.Duration // after its creation
		pass    bool
	}{
		{"run in the foreground", 80 * time.Millisecond, false},
		{"started again a minute later", time.Minute, true},
		{"started a second after creation", time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ctr("c1", "registry", "registry:2", catnipID, "running", 0, "")
			c.inspect.Config.AttachStdout = true
			c.inspect.Created = created.Format(time.RFC3339Nano)
			c.inspect.State.StartedAt = created.Add(tt.started).Format(time.RFC3339Nano)
			r := compile(t, `container: {name: registry, detached: true}`).Evaluate(context.Background(), &Env{Docker: catnipEngine(c)})
			if r.Err != nil || r.Passed != tt.pass {
				t.Fatalf("got passed=%v err=%v (%s), want passed=%v", r.Passed, r.Err, r.Message, tt.pass)
			}
			if !tt.pass && !strings.Contains(r.Message, "was started in the foreground") {
				t.Errorf("got message %q, want it to say the container was started in the foreground", r.Message)
			}
		})
	}
}
