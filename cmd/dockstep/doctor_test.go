package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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
