package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// quietEngine serves, on a Unix socket, the little of the Docker API that
// dockstep start needs for lessons without checks: a ping, and an event
// stream on which nothing happens. Tests of the runner's own behaviour use
// it instead of the shared engine. It returns the DOCKER_HOST to use.
func quietEngine(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/events"):
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case strings.HasSuffix(r.URL.Path, "/containers/json"), strings.HasSuffix(r.URL.Path, "/images/json"):
			w.Write([]byte("[]"))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message": "not served by the test's engine"}`))
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + sock
}

// TestTwoWindowsAndAReset is the learner with two dockstep windows open,
// one on each lesson, and dockstep list and reset run in a third terminal:
// what each window records is kept, and a reset is not undone by the window
// still open on the lesson.
func TestTwoWindowsAndAReset(t *testing.T) {
	bin := dockstepBinary(t)
	state, work := t.TempDir(), t.TempDir()
	lessonsDir, err := filepath.Abs(filepath.Join("testdata", "progress-lessons"))
	if err != nil {
		t.Fatal(err)
	}
	// The lessons have no checks: a quiet engine is all dockstep needs.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "XDG_STATE_HOME=" + state, "TERM=xterm", "NO_COLOR=1",
		"DOCKER_HOST=" + quietEngine(t)}
	// dockstep in the third terminal.
	dockstep := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--lessons", lessonsDir}, args...)...)
		cmd.Env, cmd.Dir = env, work
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dockstep %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	lessonLine := func(list, id string) string {
		for _, l := range strings.Split(list, "\n") {
			if f := strings.Fields(l); len(f) > 1 && f[1] == id {
				return l
			}
		}
		t.Fatalf("dockstep list shows no lesson %s:\n%s", id, list)
		return ""
	}

	a := startSession(t, bin, env, work, "--lessons", lessonsDir, "start", "alpha")
	a.waitScreen("Step 1 of 3: Alpha one", "Continue")
	b := startSession(t, bin, env, work, "--lessons", lessonsDir, "start", "beta")
	b.waitScreen("Step 1 of 2: Beta one", "Continue")

	b.send("\r") // Continue: a step done in B
	b.waitScreen("Step 2 of 2: Beta two")
	a.send("\r") // Continue in A, then the quiz
	a.waitScreen("Step 2 of 3: Alpha quiz", "What is six times seven?", "Enter alone")
	// Enter alone leaves the quiz for the menu, without a wrong answer.
	a.send("\r")
	if scr := a.waitScreen("What next?", "Answer the question"); strings.Contains(scr, "is not the answer") {
		t.Errorf("Enter alone on the quiz counted as a wrong answer:\n%s", trimScreen(scr))
	}
	a.send("\r") // Answer the question
	a.waitScreen("What is six times seven?")
	a.send("42\r")
	a.waitScreen("Step 3 of 3: Alpha three")

	list := dockstep("list")
	if l := lessonLine(list, "alpha"); !strings.Contains(l, "2/3") {
		t.Errorf("alpha after two steps in window A: %q, want 2/3", l)
	}
	if l := lessonLine(list, "beta"); !strings.Contains(l, "1/2") {
		t.Errorf("beta after one step in window B, and A saving since: %q, want 1/2", l)
	}

	dockstep("reset", "beta", "--yes")
	// B, still open on step 2, starts the lesson again and says why.
	b.waitScreen("reset in another terminal", "Step 1 of 2: Beta one", "What next?")
	b.send("\r") // Continue: step 1 done again, since the reset
	b.waitScreen("Step 2 of 2: Beta two", "What next?")
	list = dockstep("list")
	if l := lessonLine(list, "beta"); strings.Contains(l, "finished") || strings.Contains(l, "done") || !strings.Contains(l, "1/2") {
		t.Errorf("beta after the reset and one more step in window B: %q, want 1/2 (only the step done since the reset)", l)
	}
	if l := lessonLine(list, "alpha"); !strings.Contains(l, "2/3") {
		t.Errorf("alpha after beta's reset: %q, want 2/3 still", l)
	}
	// B's lesson menu shows the progress as it is now, A's included.
	b.choose("Back to the lessons")
	b.waitScreen("Alpha (2 of 3 steps done)", "Beta (1 of 2 steps done)")
}
