package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/system"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// engineEnv makes the commands use the engine the tests use (DOCKER_HOST or
// the default socket), whatever the machine's docker contexts say.
func engineEnv(t *testing.T) {
	t.Helper()
	fakeEnv(t, map[string]string{"DOCKER_HOST": os.Getenv("DOCKER_HOST"), "DOCKER_CONFIG": contextsDir(t, "none")})
}

// runCapture runs dockstep with args and returns its exit code and output.
func runCapture(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &streams{in: strings.NewReader(""), out: &out, errOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestCollectNeeds(t *testing.T) {
	ls, probs, err := (&globals{lessonsDir: filepath.Join("testdata", "doctor-lessons")}).chosenLessons([]string{"web", "2"})
	if err != nil || len(probs) > 0 {
		t.Fatalf("loading the fixture lessons: %v %v", err, probs)
	}
	nd := collectNeeds(ls)
	var images []string
	for _, in := range nd.Images {
		images = append(images, fmt.Sprintf("%s %v", in.Ref, in.Lessons))
	}
	if want := []string{"busybox [web build]"}; !reflect.DeepEqual(images, want) {
		t.Errorf("got images %q, want %q", images, want)
	}
	var ports []string
	for _, p := range nd.Ports {
		ports = append(ports, fmt.Sprintf("%d/%s %s", p.Port, p.Proto, p.Where))
	}
	dir := filepath.Join("testdata", "doctor-lessons", "01-web.md")
	want := []string{
		"19501/tcp " + dir + ":14", // the -p of the solution (its code block) comes before the check
		"19502/tcp " + dir + ":20",
		"19503/tcp " + dir + ":25",
	}
	if !reflect.DeepEqual(ports, want) {
		t.Errorf("got ports\n%q\nwant\n%q", ports, want)
	}
}

func TestChosenLessonsUnknown(t *testing.T) {
	_, _, err := (&globals{lessonsDir: filepath.Join("testdata", "doctor-lessons")}).chosenLessons([]string{"nope"})
	if err == nil || !strings.Contains(err.Error(), `no lesson "nope"`) || !strings.Contains(err.Error(), "web, build, missing") {
		t.Errorf("got %v, want an error naming the lesson and listing web, build, missing", err)
	}
}

func TestPublishedPorts(t *testing.T) {
	tests := []struct {
		spec string
		want []hostPort
	}{
		{"8888:5000", []hostPort{{8888, "tcp"}}},
		{"127.0.0.1:8888:5000", []hostPort{{8888, "tcp"}}},
		{"[::1]:8888:5000", []hostPort{{8888, "tcp"}}},
		{"5353:53/udp", []hostPort{{5353, "udp"}}},
		{`"8000-8002:8000-8002"`, []hostPort{{8000, "tcp"}, {8001, "tcp"}, {8002, "tcp"}}},
		{"5000", nil},            // the engine picks the host port
		{"127.0.0.1::5000", nil}, // likewise
		{"{{port}}:80", nil},
		{"99999:80", nil},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			if got := publishedPorts(tt.spec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCommandPublishes(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string
	}{
		{"docker run -d -p 8888:5000 app", []string{"8888:5000"}},
		{"docker run -dp 127.0.0.1:3000:3000 app", []string{"127.0.0.1:3000:3000"}},
		{"docker run --publish=8080:80 -p8081:81 --publish 8082:82 app", []string{"8080:80", "8081:81", "8082:82"}},
		{"docker run -d \\\n  -p 8888:5000 \\\n  app", []string{"8888:5000"}},
		{"docker run -it app sh -c 'nc -lp 80'", []string{"80'"}}, // not a host:container spec; publishedPorts drops it
		{"echo -p 1:2", nil},
		{"docker ps -a && curl -p 1:2", nil},
		{"docker run -P app", nil},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			if got := commandPublishes(tt.cmd); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocalURLPort(t *testing.T) {
	tests := []struct {
		url  string
		want int
		ok   bool
	}{
		{"http://localhost:8888/", 8888, true},
		{"http://127.0.0.1/", 80, true},
		{"https://localhost/x", 443, true},
		{"http://example.com:8888/", 0, false},
		{"not a url", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, ok := localURLPort(tt.url)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDiskVerdict(t *testing.T) {
	tests := []struct {
		free    int64
		missing int
		want    doctorStatus
		detail  string
	}{
		{80e9, 0, statusOK, "80GB free in /var/lib/docker (the lessons want at least 1GB)"},
		{5e9, 2, statusOK, "5GB free in /var/lib/docker (the lessons want at least 1GB, plus the 2 images still to pull)"},
		{300e6, 1, statusFail, "only 300MB free in /var/lib/docker; the lessons want at least 1GB, plus the 1 image still to pull"},
	}
	for _, tt := range tests {
		t.Run(tt.detail, func(t *testing.T) {
			it := diskVerdict("/var/lib/docker", tt.free, tt.missing)
			if it.Status != tt.want || it.Detail != tt.detail {
				t.Errorf("got %s %q, want %s %q", it.Status, it.Detail, tt.want, tt.detail)
			}
			if (it.Status == statusFail) != (it.Fix != "") {
				t.Errorf("got fix %q with status %s; a failure, and only a failure, says how to fix it", it.Fix, it.Status)
			}
		})
	}
}

func TestListeningInodes(t *testing.T) {
	got := listeningInodes(filepath.Join("testdata", "doctor-proc", "net", "tcp"), 8888, "tcp")
	want := map[string]string{"31337": "1000"} // the listener, not the connection on the same port
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPrintDoctorMarkers(t *testing.T) {
	rep := &doctorReport{Checks: []doctorItem{
		{Check: "engine", Status: statusOK, Detail: "answers"},
		{Check: "port 8888", Status: statusFail, Detail: "taken", Fix: "stop it", Lessons: []string{"web"}},
	}}
	var plain, color bytes.Buffer
	printDoctor(&plain, rep, false)
	printDoctor(&color, rep, true)
	wantPlain := "[ok]   engine: answers\n[FAIL] port 8888: taken\n       needed by: web\n       fix: stop it\n"
	if plain.String() != wantPlain {
		t.Errorf("without colour got\n%s\nwant\n%s", plain.String(), wantPlain)
	}
	if !strings.Contains(color.String(), "✓") || !strings.Contains(color.String(), "✗") || strings.Contains(color.String(), "[FAIL]") {
		t.Errorf("with colour got %q, want ✓ and ✗ marks", color.String())
	}
}

// TestDoctorPortsTaken publishes a port of the fixture lesson from a
// container, and holds another from this process: doctor names both and
// fails.
func TestDoctorPortsTaken(t *testing.T) {
	c := dockertest.Client(t)
	engineEnv(t)
	name := dockertest.Name("dockstep-doctor")
	img := dockertest.Busybox(t, c, name+":latest")
	dockertest.RemoveContainerAtEnd(t, c, name)
	dockertest.Run(t, "run", "-d", "--name", name, "-p", "19501:8080", img, "httpd", "-f", "-p", "8080")
	l, err := net.Listen("tcp", ":19502")
	if err != nil {
		t.Fatalf("holding port 19502: %v", err)
	}
	defer l.Close()

	code, out, errOut := runCapture(t, "doctor", "web", "--lessons", filepath.Join("testdata", "doctor-lessons"))
	if code != 1 {
		t.Errorf("got exit %d, want 1\n%s%s", code, out, errOut)
	}
	wants := []string{
		"[FAIL] port 19501: held by container " + name + " (image " + img,
		"fix: stop it: docker stop " + name,
		fmt.Sprintf("[FAIL] port 19502: taken by process %s (pid %d)", procName(t), os.Getpid()),
		"[ok]   port 19503: free",
		"dockstep doctor: 2 problems",
	}
	for _, w := range wants {
		if !strings.Contains(out+errOut, w) {
			t.Errorf("output does not hold %q:\n%s%s", w, out, errOut)
		}
	}

	code, out, _ = runCapture(t, "doctor", "web", "--json", "--lessons", filepath.Join("testdata", "doctor-lessons"))
	if code != 1 {
		t.Errorf("--json: got exit %d, want 1", code)
	}
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	wantSource := "the default socket"
	if os.Getenv("DOCKER_HOST") != "" {
		wantSource = "DOCKER_HOST"
	}
	if rep.OK || rep.Endpoint.Source != wantSource || rep.Endpoint.Host == "" {
		t.Errorf("got ok=%v endpoint %+v, want ok=false and the endpoint from %s", rep.OK, rep.Endpoint, wantSource)
	}
	statuses := map[string]doctorStatus{}
	for _, it := range rep.Checks {
		statuses[it.Check] = it.Status
	}
	for check, want := range map[string]doctorStatus{"engine": statusOK, "port 19501": statusFail, "port 19502": statusFail, "port 19503": statusOK, "registry mirror": statusInfo} {
		if statuses[check] != want {
			t.Errorf("--json: got %s %q, want %q", check, statuses[check], want)
		}
	}
}

// procName is the name the kernel gives this process, as doctor reads it.
func procName(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// TestDoctorReady checks a lesson this machine can run: exit 0, and every
// line ok (or informational).
func TestDoctorReady(t *testing.T) {
	dockertest.Client(t)
	engineEnv(t)
	code, out, errOut := runCapture(t, "doctor", "build", "--lessons", filepath.Join("testdata", "doctor-lessons"))
	if code != 0 {
		t.Fatalf("got exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, w := range []string{"[ok]   docker CLI:", "[ok]   engine: answers at", "[ok]   version: Docker Engine", "[ok]   image docker.io/library/busybox:latest:", "[info] registry mirror:", "This machine is ready"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not hold %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "[FAIL]") {
		t.Errorf("got a failure:\n%s", out)
	}
}

// TestDoctorImageMissing checks an image no registry has.
func TestDoctorImageMissing(t *testing.T) {
	dockertest.Client(t)
	engineEnv(t)
	code, out, _ := runCapture(t, "doctor", "missing", "--lessons", filepath.Join("testdata", "doctor-lessons"))
	if code != 1 {
		t.Errorf("got exit %d, want 1", code)
	}
	for _, w := range []string{"[FAIL] image dockstep-test/no-such-image:never: not present, and the engine cannot pull it", "needed by: missing", "dockstep prefetch"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not hold %q:\n%s", w, out)
		}
	}
}

// TestDoctorSocketPermission runs doctor as a user outside the docker
// group (nobody, through setpriv): the socket line fails with the advice to
// join the group. It needs root to switch users, as CI has.
func TestDoctorSocketPermission(t *testing.T) {
	if os.Getenv("DOCKSTEP_DOCTOR_AS_NOBODY") == "1" {
		return // the child's side is TestDoctorAsNobody
	}
	dockertest.Client(t)
	if os.Geteuid() != 0 {
		t.Skip("switching to another user needs root")
	}
	if h := os.Getenv("DOCKER_HOST"); h != "" && !strings.HasPrefix(h, "unix://") {
		t.Skipf("the engine is at %s, not on a socket", h)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	// A copy of this test binary and a lesson, where nobody may read them.
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dockstep.test"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	lesson, err := os.ReadFile(filepath.Join("testdata", "doctor-lessons", "02-build.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "lessons"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lessons", "02-build.md"), lesson, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		filepath.Join(dir, "dockstep.test"), "-test.run=^TestDoctorAsNobody$", "-test.v")
	cmd.Dir = dir
	cmd.Env = []string{"DOCKSTEP_DOCTOR_AS_NOBODY=1", "HOME=" + dir, "DOCKER_CONFIG=" + filepath.Join(dir, "no-config"), "PATH=" + os.Getenv("PATH"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running the test binary as nobody: %v\n%s", err, out)
	}
	t.Logf("doctor as nobody:\n%s", out)
	for _, w := range []string{
		"exit 1",
		"[FAIL] engine: no answer from the engine at unix:///var/run/docker.sock (from ",
		"fix: you may not use its socket: see the next line",
		"[FAIL] socket: permission denied on /var/run/docker.sock",
		`fix: you may not use the socket /var/run/docker.sock: join the docker group with "sudo usermod -aG docker $USER", then log out and back in`,
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("doctor as nobody does not say %q:\n%s", w, out)
		}
	}
}

// TestDoctorAsNobody is the child of TestDoctorSocketPermission: it runs
// doctor and prints what it said.
func TestDoctorAsNobody(t *testing.T) {
	if os.Getenv("DOCKSTEP_DOCTOR_AS_NOBODY") != "1" {
		t.Skip("run by TestDoctorSocketPermission")
	}
	code, out, errOut := runCapture(t, "doctor", "--lessons", "lessons")
	fmt.Printf("exit %d\n%s%s", code, out, errOut)
}

func TestDoctorNoDockerCLI(t *testing.T) {
	dockertest.Client(t)
	engineEnv(t)
	old := lookPath
	lookPath = func(string) (string, error) { return "", exec.ErrNotFound }
	t.Cleanup(func() { lookPath = old })
	code, out, _ := runCapture(t, "doctor", "build", "--lessons", filepath.Join("testdata", "doctor-lessons"))
	if code != 1 {
		t.Errorf("got exit %d, want 1", code)
	}
	for _, w := range []string{"[FAIL] docker CLI: the docker command is not on your PATH", "fix: install Docker (https://docs.docker.com/get-docker/)", "[ok]   engine: answers"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not hold %q:\n%s", w, out)
		}
	}
}

func TestDiskItemSkipsEnginesElsewhere(t *testing.T) {
	old := hostname
	hostname = func() (string, error) { return "ana-laptop", nil }
	t.Cleanup(func() { hostname = old })
	tests := []struct {
		name   string
		info   system.Info
		isUnix bool
		want   doctorStatus
	}{
		{"Docker Desktop's virtual machine", system.Info{Name: "docker-desktop", DockerRootDir: "/var/lib/docker"}, true, statusSkip},
		{"an engine over tcp", system.Info{Name: "ana-laptop", DockerRootDir: "/var/lib/docker"}, false, statusSkip},
		{"the engine on this machine (the test's disk has 1GB free)", system.Info{Name: "ana-laptop", DockerRootDir: t.TempDir()}, true, statusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := diskItem(tt.info, tt.isUnix, 0)
			if it.Status != tt.want {
				t.Errorf("got %s (%s), want %s", it.Status, it.Detail, tt.want)
			}
		})
	}
}

func TestDoctorLessonProblems(t *testing.T) {
	dockertest.Client(t)
	engineEnv(t)
	dir := t.TempDir()
	lesson := "---\nformat: 1\ntitle: Broken\nimages: [busybox]\n---\n\n## A step\n\n```check\nno-such-kind: x\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "01-broken.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCapture(t, "doctor", "--lessons", dir)
	if code != 1 {
		t.Errorf("got exit %d, want 1", code)
	}
	for _, w := range []string{"[FAIL] lessons: " + filepath.Join(dir, "01-broken.md") + ":10: unknown check kind \"no-such-kind\"", "dockstep lint", "image busybox"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not hold %q:\n%s", w, out)
		}
	}
}
