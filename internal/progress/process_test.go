package progress

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file run the test binary again as child processes, each
// one a dockstep window that records steps in the same progress file, so
// that the file is shared and fought over by real processes, with real
// locks, as when a learner keeps two windows open.

const childEnv = "DOCKSTEP_PROGRESS_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(progressChild())
	}
	os.Exit(m.Run())
}

// progressChild is a window: it loads the progress once, then records steps
// one after another, saving after each and printing "ack STEP" once the save
// returned. Its settings come from the environment:
//
//	DOCKSTEP_PROGRESS_CHILD  its name; its steps are NAME-0, NAME-1, ...
//	CHILD_DIR                the state folder
//	CHILD_LESSON             the lesson it records steps in
//	CHILD_STEPS              how many steps (0: until killed)
//	CHILD_PAUSE              a stage of Save where it says "paused" and waits to be killed
func progressChild() int {
	name := os.Getenv(childEnv)
	lesson := os.Getenv("CHILD_LESSON")
	n, _ := strconv.Atoi(os.Getenv("CHILD_STEPS"))
	pause := os.Getenv("CHILD_PAUSE")
	s := NewStore(os.Getenv("CHILD_DIR"))
	p, err := s.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; n == 0 || i < n; i++ {
		step := fmt.Sprintf("%s-%d", name, i)
		if pause != "" && i == 3 {
			saveHook = func(stage string) {
				if stage == pause {
					fmt.Fprintln(out, "paused")
					out.Flush()
					time.Sleep(time.Minute)
				}
			}
		}
		lp := p.Lesson(lesson)
		lp.MarkStarted(step, time.Now())
		lp.MarkDone(step, time.Now())
		lp.Step = step
		lp.Vars[name] = strconv.Itoa(i)
		p.Current = lesson
		if err := s.Save(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintln(out, "ack", step)
		out.Flush()
	}
	return 0
}

// child is a window started by a test.
type child struct {
	cmd  *exec.Cmd
	acks chan string // the steps it acknowledged, closed when it ends
}

func startChild(t *testing.T, dir, name, lesson string, steps int, pause string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, "CHILD_DIR="+dir, "CHILD_LESSON="+lesson,
		"CHILD_STEPS="+strconv.Itoa(steps), "CHILD_PAUSE="+pause)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, acks: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.acks <- sc.Text()
		}
		close(c.acks)
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return c
}

// wait waits for the child to end and returns the steps it acknowledged.
func (c *child) wait(t *testing.T) []string {
	t.Helper()
	var acked []string
	for line := range c.acks {
		if step, ok := strings.CutPrefix(line, "ack "); ok {
			acked = append(acked, step)
		}
	}
	if err := c.cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child %v: %v", c.cmd.Env[len(c.cmd.Env)-5], err)
		}
	}
	return acked
}

// loadClean loads the progress and fails the test unless the file reads as
// progress.
func loadClean(t *testing.T, dir string) *Progress {
	t.Helper()
	p, err := NewStore(dir).Load()
	if err != nil {
		t.Fatalf("loading the progress after the race: %v", err)
	}
	return p
}

// TestProgressWindowsRacing runs several windows at once, some on the same
// lesson, each saving after every step from its own copy loaded at the
// start. Every step any of them acknowledged must be in the file at the end.
func TestProgressWindowsRacing(t *testing.T) {
	dir := t.TempDir()
	const windows, steps = 6, 25
	var children []*child
	for i := range windows {
		lesson := fmt.Sprintf("lesson-%d", i%3) // two windows per lesson
		children = append(children, startChild(t, dir, fmt.Sprintf("w%d", i), lesson, steps, ""))
	}
	acked := map[string][]string{}
	for i, c := range children {
		acked[fmt.Sprintf("lesson-%d", i%3)] = append(acked[fmt.Sprintf("lesson-%d", i%3)], c.wait(t)...)
	}
	p := loadClean(t, dir)
	for lesson, want := range acked {
		lp := p.Lessons[lesson]
		if lp == nil {
			t.Errorf("lesson %s is missing from the progress", lesson)
			continue
		}
		var lost []string
		for _, step := range want {
			if _, ok := lp.Done[step]; !ok {
				lost = append(lost, step)
			}
		}
		if len(lost) > 0 {
			t.Errorf("lesson %s lost %d of %d acknowledged steps, such as %v", lesson, len(lost), len(want), lost[:min(3, len(lost))])
		}
	}
	for i := range windows {
		lp := p.Lesson(fmt.Sprintf("lesson-%d", i%3))
		if got, want := lp.Vars[fmt.Sprintf("w%d", i)], strconv.Itoa(steps-1); got != want {
			t.Errorf("window w%d's variable = %q, want its last value %q", i, got, want)
		}
	}
}

// TestProgressKilledInTheMiddleOfASave kills a window with SIGKILL while it
// holds the lock and while its new file is written but not yet in place.
// The file stays readable, nothing acknowledged is lost, and the next window
// saves without waiting for the dead one.
func TestProgressKilledInTheMiddleOfASave(t *testing.T) {
	for _, stage := range []string{"locked", "written"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			c := startChild(t, dir, "victim", "a", 0, stage)
			var acked []string
			for line := range c.acks {
				if line == "paused" {
					break
				}
				acked = append(acked, strings.TrimPrefix(line, "ack "))
			}
			if len(acked) != 3 {
				t.Fatalf("the window acknowledged %v before pausing, want 3 steps", acked)
			}
			if err := c.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			c.wait(t)

			p := loadClean(t, dir)
			for _, step := range acked {
				if _, ok := p.Lesson("a").Done[step]; !ok {
					t.Errorf("acknowledged step %s lost after kill -9", step)
				}
			}
			// Another window saves: the dead window's lock is gone with it.
			next := startChild(t, dir, "next", "a", 2, "")
			if got := next.wait(t); len(got) != 2 {
				t.Fatalf("the next window acknowledged %v, want 2 steps", got)
			}
			p = loadClean(t, dir)
			if len(p.Lesson("a").Done) != 5 {
				t.Errorf("steps done = %v, want the victim's 3 and the next window's 2", p.Lesson("a").Done)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("the dead window's temporary file %s is still there after the next save", e.Name())
				}
			}
		})
	}
}

// TestProgressKilledAtRandom kills windows at whatever point they are in
// while others keep saving; after each kill the file must read as progress
// holding every step acknowledged so far.
func TestProgressKilledAtRandom(t *testing.T) {
	dir := t.TempDir()
	steady := startChild(t, dir, "steady", "shared", 0, "")
	acked := map[string]bool{}
	for round := range 12 {
		c := startChild(t, dir, fmt.Sprintf("r%d", round), "shared", 0, "")
		// Let it save a few times (a different number each round), then
		// kill it wherever it is.
		for n := 0; n < 2+round%4; n++ {
			line, ok := <-c.acks
			if !ok {
				t.Fatalf("round %d: the window ended early", round)
			}
			acked[strings.TrimPrefix(line, "ack ")] = true
		}
		c.cmd.Process.Kill()
		for _, step := range c.wait(t) {
			acked[step] = true
		}
		for len(steady.acks) > 0 {
			acked[strings.TrimPrefix(<-steady.acks, "ack ")] = true
		}
		p := loadClean(t, dir)
		for step := range acked {
			if _, ok := p.Lesson("shared").Done[step]; !ok {
				t.Fatalf("round %d: acknowledged step %s is not in the progress", round, step)
			}
		}
	}
	steady.cmd.Process.Kill()
	steady.wait(t)
}
