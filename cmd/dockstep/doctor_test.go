package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/workshop"
)

// TestDoctorPortsTaken publishes a port of the fixture lesson from a
// container, and holds another from this process: doctor names both and
// fails. The ports are the lesson's variables, given with --var as a
// learner's answers would be.
func TestDoctorPortsTaken(t *testing.T) {
	c := dockertest.Client(t)
	env := engineEnv(t)
	name := dockertest.Name("dockstep-doctor")
	img := dockertest.Busybox(t, c, name+":latest")
	dockertest.RemoveContainerAtEnd(t, c, name)
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := l.Addr().(*net.TCPAddr).Port
	web, other := dockertest.FreePort(t), dockertest.FreePort(t)
	dockertest.Run(t, "run", "-d", "--name", name, "-p", fmt.Sprintf("%d:8080", web), img, "httpd", "-f", "-p", "8080")
	vars := []string{"--var", fmt.Sprintf("web=%d", web), "--var", fmt.Sprintf("visit=%d", held), "--var", fmt.Sprintf("other=%d", other)}

	code, out, errOut := runEnv(t, env, append([]string{"doctor", "web", "--lessons", doctorLessons}, vars...)...)
	if code != 1 {
		t.Errorf("got exit %d, want 1\n%s%s", code, out, errOut)
	}
	wants := []string{
		fmt.Sprintf("[FAIL] port %d: held by container %s (image %s", web, name, img),
		"fix: stop it: docker stop " + name,
		fmt.Sprintf("[FAIL] port %d: taken by process %s (pid %d)", held, procName(t), os.Getpid()),
		fmt.Sprintf("[ok]   port %d: free", other),
		"dockstep doctor: 2 problems",
	}
	for _, w := range wants {
		if !strings.Contains(out+errOut, w) {
			t.Errorf("output does not hold %q:\n%s%s", w, out, errOut)
		}
	}

	code, out, _ = runEnv(t, env, append([]string{"doctor", "web", "--json", "--lessons", doctorLessons}, vars...)...)
	if code != 1 {
		t.Errorf("--json: got exit %d, want 1", code)
	}
	var rep workshop.Report
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
	statuses := map[string]workshop.Status{}
	for _, it := range rep.Checks {
		statuses[it.Check] = it.Status
	}
	for check, want := range map[string]workshop.Status{
		"engine": workshop.StatusOK, "registry mirror": workshop.StatusInfo,
		fmt.Sprintf("port %d", web): workshop.StatusFail, fmt.Sprintf("port %d", held): workshop.StatusFail, fmt.Sprintf("port %d", other): workshop.StatusOK,
	} {
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
	c := dockertest.Client(t)
	// doctor runs a container from the first of the lessons' images that is
	// here already (it never pulls for that): make sure busybox:latest is,
	// and leave alone one that was here before.
	if _, err := c.ImageInspect(context.Background(), "busybox:latest"); err != nil {
		dockertest.Busybox(t, c, "busybox:latest")
	}
	env := engineEnv(t)
	code, out, errOut := runEnv(t, env, "doctor", "build", "--lessons", doctorLessons)
	if code != 0 {
		t.Fatalf("got exit %d, want 0\n%s%s", code, out, errOut)
	}
	store := "[info] image store: classic ("
	if dockertest.ContainerdStore(t, dockertest.Client(t)) {
		store = "[info] image store: containerd (snapshotter "
	}
	// busybox is here, so doctor really starts a container with a published
	// port on this engine (the fake engine's tests in internal/workshop
	// cover its failures).
	for _, w := range []string{"[ok]   docker CLI:", "[ok]   engine: answers at", "[ok]   version: Docker Engine", store, "[ok]   image busybox:latest:", "[ok]   docker run: a container of busybox:latest started", "[info] registry mirror:", "This machine is ready"} {
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
	env := engineEnv(t)
	code, out, _ := runEnv(t, env, "doctor", "missing", "--lessons", doctorLessons)
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
	// A copy of this test binary named dockstep (TestMain makes it act as
	// the command) and a lesson, where nobody may read them.
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
	if err := os.WriteFile(filepath.Join(dir, "dockstep"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	lesson, err := os.ReadFile(filepath.Join(doctorLessons, "02-build.md"))
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
		filepath.Join(dir, "dockstep"), "doctor", "--lessons", "lessons")
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "DOCKER_CONFIG=" + filepath.Join(dir, "no-config"), "PATH=" + os.Getenv("PATH"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("doctor as nobody: got %v, want exit status 3 (no engine)\n%s", err, out)
	}
	for _, w := range []string{
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

func TestDoctorLessonProblems(t *testing.T) {
	dockertest.Client(t)
	env := engineEnv(t)
	dir := t.TempDir()
	lesson := "---\nformat: 1\ntitle: Broken\nimages: [busybox]\n---\n\n## A step\n\n```check\nno-such-kind: x\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "01-broken.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runEnv(t, env, "doctor", "--lessons", dir)
	if code != 1 {
		t.Errorf("got exit %d, want 1", code)
	}
	for _, w := range []string{"[FAIL] lessons: " + filepath.Join(dir, "01-broken.md") + ":10: unknown check kind \"no-such-kind\"", "dockstep lint", "image busybox"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not hold %q:\n%s", w, out)
		}
	}
}
