package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/client"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// screenLesson is what the tests of "run it for me" and of the screen share:
// the built binary, a busybox image of their own, the environment and the
// lessons of testdata/e2e-screen.
type screenLesson struct {
	t          *testing.T
	c          *client.Client
	bin, image string
	env        []string
	work       string
	lessons    string
}

func newScreenLesson(t *testing.T) *screenLesson {
	c := dockertest.Client(t)
	bin := dockstepBinary(t)
	image := dockertest.Name("dockstep-e2e-screen")
	dockertest.Busybox(t, c, image)
	state, work := t.TempDir(), t.TempDir()
	dir, err := filepath.Abs(filepath.Join("testdata", "e2e-screen"))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "XDG_STATE_HOME=" + state, "TERM=xterm", "NO_COLOR=1"}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		env = append(env, "DOCKER_HOST="+h)
	}
	return &screenLesson{t: t, c: c, bin: bin, image: image, env: env, work: work, lessons: dir}
}

// start starts lesson id in a terminal of cols by rows, with a container
// name of its own, removed when the test ends.
func (l *screenLesson) start(cols, rows int, id string) (*session, string) {
	name := dockertest.Name("dockstep-e2e-screen")
	dockertest.RemoveContainerAtEnd(l.t, l.c, name)
	s := startSessionSized(l.t, cols, rows, l.bin, l.env, l.work, "--lessons", l.lessons, "start", id,
		"--var", "image="+l.image, "--var", "name="+name)
	return s, name
}

// menuLine is the line of the screen that holds the menu's question, with
// whatever has been typed into its filter.
func menuLine(scr string) string {
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "What next?") {
			return strings.TrimRight(l, " \x00")
		}
	}
	return ""
}

// Run it for me on `docker run -it IMAGE sh` gives the learner the
// container's shell on their own terminal, and nothing the terminal answers
// to the shell's queries reaches dockstep's next menu.
func TestRunItForMeGivesAnInteractiveCommandTheTerminal(t *testing.T) {
	l := newScreenLesson(t)
	s, _ := l.start(screenCols, screenRows, "e2e-shell")
	s.waitScreen("Step 1 of 2: Open a shell", "Run it for me")
	s.choose("Run it")
	scr := s.waitScreen("dockstep will, in", "Go ahead?")
	if strings.Contains(scr, "you run this one yourself") {
		t.Errorf("the confirm screen lists a command dockstep does not run:\n%s", trimScreen(scr))
	}
	s.send("y\r")
	// The learner is in the container's shell: what they type runs there.
	s.waitScreen("/ # ")
	s.send("echo answer-$((6*7))\r")
	s.waitScreen("answer-42")
	s.send("exit\r")
	scr = s.waitScreen("(you used it in this terminal)", "✓ Done!", "What next?", "Continue")
	if m := menuLine(scr); strings.TrimSpace(strings.SplitN(m, "What next?", 2)[1]) != "[Use arrows to move, type to filter]" {
		t.Errorf("the menu's filter holds keys nobody typed: %q", m)
	}
	s.send("\r")
	s.waitScreen(`✓ Step 1, "Open a shell", is done.`, "Step 2 of 2: Read this")
}

// A command run for the learner in the background keeps running after its
// step has passed: the next step, which is to stop it, does not pass by
// itself.
func TestRunItForMeBackgroundOutlivesItsStep(t *testing.T) {
	l := newScreenLesson(t)
	s, name := l.start(screenCols, screenRows, "e2e-background")
	s.waitScreen("Step 1 of 3: Start the server", "Run it for me")
	s.choose("Run it")
	s.waitScreen("start in the background:", "Go ahead?")
	s.send("y\r")
	s.waitScreen("✓ Done!", "Continue")
	s.send("\r")
	s.waitScreen("Step 2 of 3: Stop the server", "Check now")
	s.choose("Check now")
	s.waitScreen("✗ Not yet", "Checked just now.")
	insp, err := l.c.ContainerInspect(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if !insp.State.Running {
		t.Fatalf("the background container is %s after its step passed, want running", insp.State.Status)
	}
	// The learner stops it: now step 2 passes.
	dockertest.Run(t, "stop", "-t", "5", name)
	s.waitScreen(`✓ Step 2, "Stop the server", is done.`, "Step 3 of 3: Read this")
}

// The confirm screen lists only what dockstep runs, and a command that fails
// is said plainly, without the lesson's file and line, and not as done.
func TestRunItForMeFailureIsPlain(t *testing.T) {
	l := newScreenLesson(t)
	s, _ := l.start(screenCols, screenRows, "e2e-failing")
	s.waitScreen("Step 1 of 2: Run a container", "Run it for me")
	s.choose("Run it")
	scr := s.waitScreen("dockstep will, in", "Go ahead?")
	confirm := scr[strings.Index(scr, "dockstep will, in"):]
	if strings.Contains(confirm, "prune") || strings.Contains(confirm, "yourself") {
		t.Errorf("the confirm screen lists a command dockstep does not run:\n%s", trimScreen(confirm))
	}
	s.send("y\r")
	scr = s.waitScreen("That did not work", "exit status 1", "Continue")
	if strings.Contains(scr, ".md:") {
		t.Errorf("the failure names the lesson's file:\n%s", trimScreen(scr))
	}
	if strings.Contains(scr, "Done") {
		t.Errorf("a failed run is shown as done:\n%s", trimScreen(scr))
	}
}

// What a step said stays on screen until the learner goes on: the lesson's
// introduction when step 1 already holds, a quiz's explanation; and a step
// taller than the terminal keeps its title on screen.
func TestPassedStepsWaitForTheLearnerAndTitlesStay(t *testing.T) {
	l := newScreenLesson(t)
	s, _ := l.start(80, 30, "e2e-read")
	s.waitScreen("This introduction is worth reading", "✓ Done!", "Continue")
	s.send("\r")
	s.waitScreen("Step 2 of 3: Multiply", "What is six times seven?")
	s.send("42\r")
	s.waitScreen("Right! Six sevens make forty-two.", "✓ Done!", "Continue")
	s.send("\r")
	scr := s.waitScreen("Step 3 of 3: A tall step", "Waiting for you", "What next?")
	if !strings.Contains(scr, "Line 45 of a step") {
		t.Errorf("the end of the tall step is not on screen:\n%s", trimScreen(scr))
	}
	s.send("\x03")
	if code := s.exitCode(); code != 130 {
		t.Errorf("exit code after Ctrl-C = %d, want 130", code)
	}
}
