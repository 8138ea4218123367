package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/safebuf"
)

// dockstepBinary builds the dockstep binary for a test that drives it in a
// pseudo-terminal, in a folder removed when the test ends.
func dockstepBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dockstep")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// session is dockstep running in a pseudo-terminal whose screen a vt10x
// emulator keeps, as a learner's terminal would.
type session struct {
	t      *testing.T
	c      *expect.Console
	screen vt10x.Terminal
	raw    *lockedBuffer // every byte dockstep wrote
	cmd    *exec.Cmd
	done   chan error
}

const screenCols, screenRows = 100, 40

func startSession(t *testing.T, bin string, env []string, dir string, args ...string) *session {
	t.Helper()
	return startSessionSized(t, screenCols, screenRows, bin, env, dir, args...)
}

// startSessionSized starts dockstep in a terminal of cols by rows.
func startSessionSized(t *testing.T, cols, rows int, bin string, env []string, dir string, args ...string) *session {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	// The screen answers the program's cursor queries through ptm/pts.
	screen := vt10x.New(vt10x.WithWriter(pts), vt10x.WithSize(cols, rows))
	raw := &lockedBuffer{}
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen, raw), expect.WithCloser(ptm, pts))
	if err != nil {
		t.Fatalf("creating the console: %v", err)
	}
	if err := pty.Setsize(c.Tty(), &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), c.Tty(), c.Tty()
	// Its own session with the terminal as its controlling terminal, so that
	// Ctrl-C outside a prompt arrives as SIGINT, as in a real terminal.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dockstep: %v", err)
	}
	s := &session{t: t, c: c, screen: screen, raw: raw, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	go c.ExpectEOF() // keep the screen reading all the program writes
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
		s.done <- nil
		c.Close()
	})
	return s
}

// waitScreen waits until the screen shows every one of texts.
func (s *session) waitScreen(texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen.String()
		missing := ""
		for _, x := range texts {
			if !strings.Contains(scr, x) {
				missing = x
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen does not show %q after 20s; it shows:\n%s", missing, trimScreen(scr))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types keys. survey queries the cursor before it reads a prompt's
// keys, and keys typed before the answer are lost, so give it a moment.
func (s *session) send(keys string) {
	time.Sleep(300 * time.Millisecond)
	if _, err := s.c.Send(keys); err != nil {
		s.t.Fatalf("typing %q: %v", keys, err)
	}
}

// choose picks the menu entry that begins with item, by typing it into the
// menu's filter and pressing Enter once that entry is the one marked. The
// runner redraws the menu when a check's verdict changes (on the shared
// engine, other tests' events can cause that at any moment), which empties
// the filter: then the typing is done again.
func (s *session) choose(item string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.send(strings.Repeat("\x7f", 30) + item)
		for wait := time.Now().Add(3 * time.Second); time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(s.screen.String(), "> "+item) {
				if _, err := s.c.Send("\r"); err != nil {
					s.t.Fatalf("typing Enter: %v", err)
				}
				return
			}
		}
	}
	s.t.Fatalf("the menu does not mark %q after 20s; the screen shows:\n%s", item, trimScreen(s.screen.String()))
}

// exitCode waits for dockstep to end.
func (s *session) exitCode() int {
	s.t.Helper()
	select {
	case err := <-s.done:
		s.done <- err
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatalf("waiting for dockstep: %v", err)
		}
		return 0
	case <-time.After(20 * time.Second):
		s.t.Fatalf("dockstep did not exit within 20s; the screen shows:\n%s", trimScreen(s.screen.String()))
		return -1
	}
}

type lockedBuffer = safebuf.Buffer

// sgr matches an escape sequence that sets colours or text styles.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func trimScreen(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.TrimRight(l, " \x00"))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// TestEndToEndInATerminal drives the real binary in a pseudo-terminal
// through a lesson against the real engine: answer a variable, run the
// step's command from outside, see the step complete by itself, quit with
// Ctrl-C, start again and resume at the next step.
func TestEndToEndInATerminal(t *testing.T) {
	c := dockertest.Client(t)
	bin := dockstepBinary(t)
	image := dockertest.Name("dockstep-e2e")
	dockertest.Busybox(t, c, image)
	name := dockertest.Name("dockstep-e2e")
	dockertest.RemoveContainerAtEnd(t, c, name)

	state, work := t.TempDir(), t.TempDir()
	lessonsDir, err := filepath.Abs(filepath.Join("testdata", "e2e-lessons"))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "XDG_STATE_HOME=" + state, "TERM=xterm", "NO_COLOR=1"}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		env = append(env, "DOCKER_HOST="+h)
	}

	s := startSession(t, bin, env, work, "--lessons", lessonsDir, "start", "e2e-run", "--var", "image="+image)
	s.waitScreen("Name your container", "(web)")
	s.send(name + "\r")
	s.waitScreen("Step 1 of 3: Run a container", "docker run -d --name "+name+" "+image+" sleep 300", "What next?")

	// The learner runs the command in their other terminal.
	ran := time.Now()
	dockertest.Run(t, "run", "-d", "--name", name, image, "sleep", "300")
	s.waitScreen(`✓ Step 1, "Run a container", is done.`, "Step 2 of 3: Remove the container", "What next?")
	t.Logf("step 1 completed on screen %v after docker run returned", time.Since(ran))

	if m := sgr.FindString(s.raw.String()); m != "" {
		t.Errorf("dockstep wrote the style sequence %q although NO_COLOR is set", m)
	}

	s.send("\x03") // Ctrl-C
	if code := s.exitCode(); code != 130 {
		t.Fatalf("exit code after Ctrl-C = %d, want 130", code)
	}
	st := progress.NewStore(filepath.Join(state, "dockstep"))
	p, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if lp := p.Lessons["e2e-run"]; p.Current != "e2e-run" || lp == nil || lp.Vars["name"] != name || lp.Step != "Remove the container" {
		t.Fatalf("saved progress %+v, want e2e-run current at step 2 with name %s", p, name)
	}

	// Start again: dockstep alone resumes the lesson at step 2 and does not
	// ask for the variable again.
	s = startSession(t, bin, env, work, "--lessons", lessonsDir)
	scr := s.waitScreen("Step 2 of 3: Remove the container", "docker rm -f "+name, "What next?")
	if strings.Contains(scr, "Name your container") {
		t.Errorf("the variable was asked again on resume")
	}
	dockertest.Run(t, "rm", "-f", name)
	s.waitScreen("Step 3 of 3: Read this", "Continue")
	s.send("\r")
	s.waitScreen("You have finished the lesson", "Which lesson?", "(finished)")
	s.send("\x1b[B\r") // down to Quit
	if code := s.exitCode(); code != 0 {
		t.Fatalf("exit code after Quit = %d, want 0", code)
	}
	if p, _ = st.Load(); len(p.Lessons["e2e-run"].Done) != 3 {
		t.Errorf("saved progress has %d steps done, want 3", len(p.Lessons["e2e-run"].Done))
	}
}
