package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// demoEnv is the environment of a dockstep demo under test.
func demoEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_STATE_HOME=" + filepath.Join(home, "state"), "TERM=xterm", "SHELL=/bin/sh"}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		env = append(env, "DOCKER_HOST="+h)
	}
	return env
}

// notesTerminal opens a pseudo-terminal for presenter notes and returns
// its name and everything written to it so far.
func notesTerminal(t *testing.T) (string, func() string) {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptm.Close(); pts.Close() })
	var got lockedBuffer
	go io.Copy(&got, ptm)
	return pts.Name(), got.String
}

// TestDemoInATerminal drives dockstep demo with the presenter's keys, in a
// pseudo-terminal, against the real engine: type and run each step,
// show a command at once with →, do a step again with r, go back with ←,
// take the shell with p, see the notes on another terminal, and check that
// nothing runs before it was shown and Enter pressed.
func TestDemoInATerminal(t *testing.T) {
	c := dockertest.Client(t)
	bin := dockstepBinary(t)
	image := dockertest.Name("dockstep-demo")
	dockertest.Busybox(t, c, image)
	name := dockertest.Name("dockstep-demo")
	dockertest.RemoveContainerAtEnd(t, c, name)
	dockertest.RemoveContainerAtEnd(t, c, name+"-fg")
	lessonsDir, err := filepath.Abs(filepath.Join("testdata", "demo-lessons"))
	if err != nil {
		t.Fatal(err)
	}
	notes, notesText := notesTerminal(t)

	s := startSession(t, bin, demoEnv(t), t.TempDir(), "--lessons", lessonsDir, "demo", "demo-run",
		"--var", "name="+name, "--var", "image="+image, "--notes", notes, "--speed", "300")
	s.waitScreen("Step 1 of 4 · Run a container", "that keeps running in the background", "Enter type the next command")
	if n := notesText(); !strings.Contains(n, "Point at the ID that docker run prints") || !strings.Contains(n, "next: Write a file") {
		t.Errorf("the notes terminal shows %q, want step 1's notes and the next step", n)
	}
	if strings.Contains(s.screen.String(), "Point at the ID") {
		t.Errorf("the notes are on the audience's screen")
	}

	// Enter types the command; it runs only at the next Enter.
	s.send("\r")
	s.waitScreen("docker run -d --name "+name+" "+image+" sleep 300", "Enter run it")
	if _, err := c.ContainerInspect(context.Background(), name); err == nil {
		t.Fatalf("the container %s exists before the command was run", name)
	}
	s.send("\r")
	s.waitScreen("✓ Run a container", "(engine ", "Enter next step")
	if _, err := c.ContainerInspect(context.Background(), name); err != nil {
		t.Fatalf("after the step, the container %s is not there: %v", name, err)
	}

	// → shows a whole file block at once; it is written by a here-document.
	s.send("\r")
	s.waitScreen("Step 2 of 4 · Write a file")
	if scr := s.screen.String(); strings.Contains(scr, "Step 1 of 4") {
		t.Errorf("step 1 is still on screen with step 2:\n%s", trimScreen(scr))
	}
	s.send("\x1b[C")
	s.waitScreen("cat > note.txt <<'EOF'", "a note for "+name, "EOF in the middle does not end it", "Enter run it")
	s.send("\r")
	s.waitScreen("✓ Write a file", "file: ", "Enter next step")

	// r does the step again, from a clean screen.
	s.send("r")
	s.waitScreen("Step 2 of 4 · Write a file", "Enter type the next command")
	if scr := s.screen.String(); strings.Contains(scr, "✓ Write a file") {
		t.Errorf("after r, the screen still shows the step's old result:\n%s", trimScreen(scr))
	}
	s.send("\x1b[C")
	s.waitScreen("cat > note.txt")
	s.send("\r")
	s.waitScreen("✓ Write a file", "Enter next step")

	// ← goes back a step, before anything of the next one ran.
	s.send("\r")
	s.waitScreen("Step 3 of 4 · Keep one running")
	s.send("\x1b[D")
	s.waitScreen("Step 2 of 4 · Write a file")
	s.send("\x1b[C")
	s.waitScreen("cat > note.txt")
	s.send("\r")
	s.waitScreen("✓ Write a file", "Enter next step")
	s.send("\r")
	s.waitScreen("Step 3 of 4 · Keep one running", "Run a second container in the foreground")

	// A background command is started with & and left running.
	s.send("\r")
	s.waitScreen("docker run --name " + name + "-fg " + image + " sleep 300 &")
	s.send("\r")
	s.waitScreen("✓ Keep one running", "Enter next step")

	// p hands over a shell until the presenter exits it.
	s.send("p")
	s.waitScreen("paused: this shell is yours")
	s.send("echo paused-$((6*7))\r")
	s.waitScreen("paused-42")
	s.send("exit\r")
	s.waitScreen("back to the demo", "Enter next step")

	s.send("\r")
	s.waitScreen("Step 4 of 4 · Clean up")
	s.send("\r")
	s.waitScreen("docker rm -f " + name + " " + name + "-fg")
	s.send("\r")
	s.waitScreen("✓ Clean up", "Enter finish")
	s.send("\r")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0; the screen shows:\n%s", code, trimScreen(s.screen.String()))
	}
	raw := s.raw.String()
	if !strings.Contains(raw, "kill -INT $(jobs -p)") {
		t.Errorf("the background job was not stopped by a command shown on screen")
	}
	s.waitScreen("demo-run: 4 of 4 steps checked and held")
}

// TestDemoAutoRecordsACourseLesson runs a whole course lesson with --auto
// --speed instant --record against the real engine, and reads the
// recording as asciinema would.
func TestDemoAutoRecordsACourseLesson(t *testing.T) {
	c := dockertest.Client(t)
	engineEnv(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	// The demo's preflight wants the lesson's image here, as a presenter
	// fetches it the day before; it is removed again when this test
	// fetched it.
	const site = "prakhar1989/static-site"
	if _, err := c.ImageInspect(context.Background(), site); err != nil {
		t.Cleanup(func() { exec.Command("docker", "rmi", site).Run() })
		if code, stdout, stderr := runCapture(t, "prefetch", "static-site"); code != 0 {
			t.Fatalf("dockstep prefetch static-site: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	cast := filepath.Join(t.TempDir(), "static-site.cast")
	port := freePort(t)
	code, stdout, stderr := runCapture(t, "demo", "static-site", "--auto", "--speed", "instant", "--record", cast, "--var", "port="+port)
	if code != 0 {
		t.Fatalf("dockstep demo static-site --auto: exit %d\n%s\n%s", code, stdout, stderr)
	}
	f, err := os.Open(cast)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		t.Fatal("the recording is empty")
	}
	var h struct {
		Version   int   `json:"version"`
		Width     int   `json:"width"`
		Height    int   `json:"height"`
		Timestamp int64 `json:"timestamp"`
	}
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Version != 2 || h.Width <= 0 || h.Height <= 0 || h.Timestamp <= 0 {
		t.Fatalf("header %s: want version 2, a width, a height and a timestamp (%v)", sc.Text(), err)
	}
	var text strings.Builder
	last := 0.0
	for n := 2; sc.Scan(); n++ {
		var ev []json.RawMessage
		var ts float64
		var kind, data string
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || len(ev) != 3 ||
			json.Unmarshal(ev[0], &ts) != nil || json.Unmarshal(ev[1], &kind) != nil || json.Unmarshal(ev[2], &data) != nil {
			t.Fatalf("line %d %q is not [seconds, \"o\", data]", n, sc.Text())
		}
		if kind != "o" || ts < last {
			t.Fatalf("line %d %q: want \"o\" and a time not before %f", n, sc.Text(), last)
		}
		last = ts
		text.WriteString(data)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{
		"docker run -d -P --name static-site prakhar1989/static-site",
		"docker port static-site",
		"docker run -d -p " + port + ":80 --name my-site prakhar1989/static-site",
		"docker stop static-site my-site",
		"docker rm static-site my-site",
		"✓ Stop and remove the sites",
	} {
		if !strings.Contains(text.String(), cmd) {
			t.Errorf("the recording does not show %q", cmd)
		}
	}
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) string { return strconv.Itoa(dockertest.FreePort(t)) }

// TestDemoResetRemovesOnlyWhatItCreated quits a demo after its first step,
// keeps what it created, and checks that --reset removes that container by
// its ID and leaves alone a container of the same name made by hand since.
func TestDemoResetRemovesOnlyWhatItCreated(t *testing.T) {
	c := dockertest.Client(t)
	bin := dockstepBinary(t)
	image := dockertest.Name("dockstep-demo")
	dockertest.Busybox(t, c, image)
	name := dockertest.Name("dockstep-demo")
	dockertest.RemoveContainerAtEnd(t, c, name)
	lessonsDir, err := filepath.Abs(filepath.Join("testdata", "demo-lessons"))
	if err != nil {
		t.Fatal(err)
	}
	env := demoEnv(t)
	args := []string{"--lessons", lessonsDir, "demo", "demo-run", "--var", "name=" + name, "--var", "image=" + image, "--speed", "instant"}

	s := startSession(t, bin, env, t.TempDir(), args...)
	s.waitScreen("Step 1 of 4", "Enter type the next command")
	s.send("\r")
	s.waitScreen("Enter run it")
	s.send("\r")
	s.waitScreen("✓ Run a container", "Enter next step")
	s.send("q")
	s.waitScreen("The demo created containers "+name, "y remove them now")
	s.send("n")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("exit code after q = %d, want 0", code)
	}
	demoID := dockertest.Run(t, "inspect", "-f", "{{.Id}}", name)

	// The presenter removes it by hand and makes their own of that name.
	dockertest.Run(t, "rm", "-f", name)
	mine := dockertest.Run(t, "run", "-d", "--name", name, image, "sleep", "300")

	s = startSession(t, bin, env, t.TempDir(), append(args, "--reset")...)
	s.waitScreen("Step 1 of 4")
	s.send("q")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("exit code of the demo with --reset = %d, want 0", code)
	}
	if got := dockertest.Run(t, "inspect", "-f", "{{.Id}}", name); got != mine {
		t.Fatalf("after --reset the container %s is %s, want the presenter's own %s (the demo's was %s)", name, got, mine, demoID)
	}

	// With the demo's own container there, --reset removes it.
	dockertest.Run(t, "rm", "-f", name)
	s = startSession(t, bin, env, t.TempDir(), args...)
	s.waitScreen("Enter type the next command")
	s.send("\r")
	s.waitScreen("Enter run it")
	s.send("\r")
	s.waitScreen("✓ Run a container", "Enter next step")
	s.send("q")
	s.waitScreen("y remove them now")
	s.send("n")
	s.exitCode()
	s = startSession(t, bin, env, t.TempDir(), append(args, "--reset")...)
	s.waitScreen("Step 1 of 4")
	s.send("q")
	s.exitCode()
	if !strings.Contains(s.raw.String(), "removed containers "+name) {
		t.Errorf("--reset did not say it removed the container %s", name)
	}
	if _, err := c.ContainerInspect(context.Background(), name); err == nil {
		t.Errorf("--reset left the container %s that the demo created", name)
	}
}
