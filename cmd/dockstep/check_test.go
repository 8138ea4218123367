package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/iostreams"
)

const checkLesson = "testdata/check-lesson.md"

// runCheckCmd runs dockstep with args and returns its exit code and output.
func runCheckCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &iostreams.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestCheckUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"variable without default", []string{"check", checkLesson}, "needs a value for the variable image (The image to run): pass --var image=VALUE"},
		{"unknown variable", []string{"check", checkLesson, "--var", "colour=red"}, "--var colour: lesson check-lesson has no such variable; its variables are image, port"},
		{"variable not matching its pattern", []string{"check", checkLesson, "--var", "image=x", "--var", "port=http"}, `--var port=http: "http" is not a port between 1024 and 65535`},
		{"variable making a check invalid", []string{"check", checkLesson, "--var", "image=Not An Image"}, "check-lesson.md:19: image check: image: \"Not An Image\" is not an image reference"},
		{"no such step", []string{"check", checkLesson, "--var", "image=x", "--step", "9"}, "lesson check-lesson has steps 1 to 4; there is no step 9"},
		{"no such lesson", []string{"check", "no-such-lesson"}, `no lesson "no-such-lesson" in lessons/course; the lessons are`},
		{"no such file", []string{"check", "testdata/check-missing.md"}, "testdata/check-missing.md: cannot read it"},
		{"no lesson argument", []string{"check"}, "accepts 1 arg(s), received 0"},
		{"--dir not a folder", []string{"check", checkLesson, "--var", "image=x", "--dir", checkLesson}, "is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCheckCmd(t, tt.args...)
			if code != 2 {
				t.Errorf("got exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("got stderr %q, want it to contain %q", stderr, tt.want)
			}
		})
	}
}

// Steps without engine checks need no engine: a file check and a quiz.
func TestCheckWithoutEngine(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCheckCmd(t, "check", checkLesson, "--var", "image=x", "--step", "3", "--dir", dir)
	if code != 1 || !strings.Contains(stdout, "FAIL  step 3: Write a note\n      file: no file note.txt (looked for "+filepath.Join(dir, "note.txt")+")") {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 1 and the missing file named", code, stdout, stderr)
	}
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("all done\n"), 0o644)
	code, stdout, _ = runCheckCmd(t, "check", checkLesson, "--var", "image=x", "--step", "3", "--dir", dir)
	if code != 0 || !strings.Contains(stdout, "PASS  step 3: Write a note\ncheck-lesson: 1 of 1 step pass\n") {
		t.Errorf("got exit %d, stdout %q; want 0", code, stdout)
	}
	code, stdout, _ = runCheckCmd(t, "check", checkLesson, "--var", "image=x", "--step", "4")
	if code != 0 || !strings.Contains(stdout, "PASS  step 4: A question (nothing to check)") {
		t.Errorf("got exit %d, stdout %q; want 0 and nothing to check", code, stdout)
	}
}

func TestCheckEngineUnreachable(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "no-engine.sock")
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	code, stdout, stderr := runCheckCmd(t, "check", checkLesson, "--var", "image=busybox")
	if code != 3 {
		t.Fatalf("got exit %d (stdout %q, stderr %q), want 3", code, stdout, stderr)
	}
	for _, want := range []string{"cannot reach the Docker engine at unix://" + sock + " (from DOCKER_HOST)", "start Docker", "DOCKER_HOST"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("got stderr %q, want it to contain %q", stderr, want)
		}
	}
}

func TestCheckAgainstEngine(t *testing.T) {
	c := dockertest.Client(t)
	img := dockertest.Name("dockstep-test/check-cmd")
	dockertest.Busybox(t, c, img+":latest")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("done"), 0o644)
	port := freePort(t)
	vars := []string{"--var", "image=" + img, "--var", "port=" + port, "--dir", dir}

	// Nothing runs yet: step 2 fails with the diagnosis, the others pass.
	code, stdout, stderr := runCheckCmd(t, append([]string{"check", checkLesson}, vars...)...)
	if code != 1 {
		t.Fatalf("got exit %d (stderr %q), want 1", code, stderr)
	}
	for _, want := range []string{
		"PASS  step 1: Have the image\n",
		"FAIL  step 2: Serve it\n      container: no container from " + img + "; start it with docker run -d -p " + port + ":5000 " + img + "\n      http: nothing answers at http://127.0.0.1:" + port + "/",
		"PASS  step 3: Write a note\n",
		"PASS  step 4: A question (nothing to check)\n",
		"check-lesson: 3 of 4 steps pass\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("got stdout\n%s\nwant it to contain %q", stdout, want)
		}
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Errorf("got colour in output that is not a terminal: %q", stdout)
	}

	name := dockertest.Name("dockstep-check-cmd")
	dockertest.RemoveContainerAtEnd(t, c, name)
	dockertest.Run(t, "run", "-d", "--name", name, "-p", port+":5000", img, "sh", "-c", "echo hello-dockstep > /tmp/index.html; exec httpd -f -p 5000 -h /tmp")
	code, stdout, stderr = runCheckCmd(t, append([]string{"check", checkLesson, "--json"}, vars...)...)
	if code != 0 {
		t.Fatalf("got exit %d (stdout %s, stderr %q), want 0", code, stdout, stderr)
	}
	var rep struct {
		Lesson string `json:"lesson"`
		Passed bool   `json:"passed"`
		Steps  []struct {
			Step   int    `json:"step"`
			Title  string `json:"title"`
			Passed bool   `json:"passed"`
			Checks []struct {
				Kind    string `json:"kind"`
				Passed  bool   `json:"passed"`
				Message string `json:"message"`
			} `json:"checks"`
		} `json:"steps"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("--json printed %q: %v", stdout, err)
	}
	if rep.Lesson != "check-lesson" || !rep.Passed || len(rep.Steps) != 4 {
		t.Fatalf("got %+v, want lesson check-lesson passed with 4 steps", rep)
	}
	s := rep.Steps[1]
	if s.Step != 2 || s.Title != "Serve it" || !s.Passed || len(s.Checks) != 2 || s.Checks[0].Kind != "container" || s.Checks[1].Kind != "http" || !s.Checks[1].Passed || s.Checks[1].Message == "" {
		t.Errorf("got step %+v, want step 2 with passing container and http checks", s)
	}
	if len(rep.Steps[3].Checks) != 0 || !rep.Steps[3].Passed {
		t.Errorf("got quiz step %+v, want passed with no checks", rep.Steps[3])
	}
}

// Colour only on a terminal, and never with NO_COLOR.
func TestCheckColour(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("done"), 0o644)
	t.Setenv("TERM", "xterm")
	for _, tt := range []struct {
		name    string
		tty     bool
		noColor bool
		want    string
	}{
		{"terminal", true, false, "\x1b[32mPASS\x1b[0m  step 3: Write a note\n"},
		{"NO_COLOR", true, true, "PASS  step 3: Write a note\n"},
		{"not a terminal", false, false, "PASS  step 3: Write a note\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noColor {
				t.Setenv("NO_COLOR", "1")
			}
			var out, errOut bytes.Buffer
			code := run([]string{"check", checkLesson, "--var", "image=x", "--step", "3", "--dir", dir}, &iostreams.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: tt.tty})
			if code != 0 || !strings.HasPrefix(out.String(), tt.want) {
				t.Errorf("got exit %d, output %q; want 0 and output starting %q", code, out.String(), tt.want)
			}
		})
	}
}

// LESSON may be an id, looked up in the course (here, that of --lessons).
func TestCheckLessonByID(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(checkLesson)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "01-fixture.md"), b, 0o644)
	code, stdout, stderr := runCheckCmd(t, "--lessons", dir, "check", "fixture", "--var", "image=x", "--step", "4", "--json")
	if code != 0 || !strings.Contains(stdout, `"lesson": "fixture"`) {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and lesson fixture", code, stdout, stderr)
	}
	code, _, stderr = runCheckCmd(t, "--lessons", dir, "check", "fixtures")
	if code != 2 || !strings.Contains(stderr, "the lessons are fixture") {
		t.Errorf("got exit %d, stderr %q; want 2 and the lessons listed", code, stderr)
	}
}
