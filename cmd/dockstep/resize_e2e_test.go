package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// resize changes the terminal's size, as a learner dragging the window's
// corner does: the program gets SIGWINCH, and the screen keeps what fits.
func (s *session) resize(cols, rows int) {
	s.t.Helper()
	s.screen.Resize(cols, rows)
	if err := pty.Setsize(s.c.Tty(), &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)}); err != nil {
		s.t.Fatal(err)
	}
}

// A terminal made narrower mid-step gets the step drawn again for its new
// width, wrapped at word boundaries, not left cut off at the old width.
func TestResizedTerminalRedrawsTheStep(t *testing.T) {
	bin := dockstepBinary(t)
	state, work := t.TempDir(), t.TempDir()
	dir, err := filepath.Abs(filepath.Join("testdata", "resize-lessons"))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "XDG_STATE_HOME=" + state, "TERM=xterm", "NO_COLOR=1",
		"DOCKER_HOST=" + quietEngine(t)}
	s := startSessionSized(t, 100, 30, bin, env, work, "--lessons", dir, "start", "wide")
	s.waitScreen("Step 1 of 2: Read a long paragraph", "Continue")

	const cols = 50
	s.resize(cols, 30)
	want := "This paragraph is long enough to fill most of a wide terminal's line, and it must be wrapped again at word boundaries when the terminal becomes narrow."
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := trimScreen(s.screen.String())
		// Cut off at the old width, the paragraph would lose words at the
		// ends of its lines; wrapped again, it is all there.
		joined := strings.Join(strings.Fields(scr), " ")
		if strings.Contains(joined, want) && strings.Contains(scr, "Continue") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the terminal became %d columns wide, the step is not drawn again to fit it within 20s; the screen shows:\n%s", cols, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.choose("Continue")
	s.waitScreen("Step 2 of 2: The end")
}
