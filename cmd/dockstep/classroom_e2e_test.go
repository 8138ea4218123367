package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/dockstep/dockstep/internal/dockertest"
)

// chromium returns the path of Debian's chromium, or skips the test when
// there is none (and no engine-backed run was asked for).
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("DOCKSTEP_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if dockertest.Required() {
			t.Fatalf("DOCKSTEP_REQUIRE_DOCKER=1 but there is no chromium at %s (apt-get install chromium; .ci/setup does)", path)
		}
		t.Skipf("no chromium at %s; install Debian's chromium package to run the dashboard test", path)
	}
	return path
}

// browser starts headless chromium with a fresh profile; nothing it does
// reaches beyond this machine.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	// A bound on the whole browser session, not a measure of speed.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// roomServer is dockstep classroom serve, running.
type roomServer struct {
	join, dashboard string
}

func startRoomServer(t *testing.T, bin, state string) *roomServer {
	t.Helper()
	cmd := exec.Command(bin, "classroom", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(state, "room.db"), "--title", "Classroom e2e")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	s := &roomServer{}
	sc := bufio.NewScanner(out)
	for (s.join == "" || s.dashboard == "") && sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "learners: dockstep join "); ok {
			s.join = v
		}
		if v, ok := strings.CutPrefix(line, "dashboard: "); ok {
			s.dashboard = v
		}
	}
	if s.join == "" || s.dashboard == "" {
		t.Fatal("dockstep classroom serve printed no learners: and dashboard: lines")
	}
	return s
}

// learner is someone of the room with their own state folder and working
// folder.
type learner struct {
	name, state, dir string
}

func newLearner(t *testing.T, name string) *learner {
	return &learner{name: name, state: t.TempDir(), dir: t.TempDir()}
}

// check runs dockstep check --room as the learner and returns its exit
// code.
func (l *learner) check(t *testing.T, bin, join, image string) int {
	t.Helper()
	cmd := exec.Command(bin, "check", filepath.Join("testdata", "classroom", "room.md"),
		"--var", "image="+image, "--dir", l.dir, "--room", join, "--name", l.name)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+l.state)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if strings.Contains(string(out), "queued") {
			t.Errorf("%s's check left events queued:\n%s", l.name, out)
		}
		return ee.ExitCode()
	}
	t.Fatalf("dockstep check as %s: %v\n%s", l.name, err, out)
	return -1
}

// rowState is a learner's row on the dashboard, read from the DOM.
type rowState struct {
	Name     string   `json:"name"`
	NameHTML string   `json:"nameHTML"`
	Status   string   `json:"status"`
	Cells    []string `json:"cells"`
}

const readRows = `[...document.querySelectorAll('#learners tbody tr')].map(tr => ({
	name: tr.querySelector('.name').textContent,
	nameHTML: tr.querySelector('.name').innerHTML,
	status: tr.dataset.status,
	cells: [...tr.querySelectorAll('.cell')].map(c => c.dataset.state)}))`

// TestClassroomDashboardShowsTheRoomLive runs the real binary: a room
// server, three learners reporting through dockstep check --room, and the
// dashboard in headless chromium, which must show them and follow a new
// event without being reloaded.
func TestClassroomDashboardShowsTheRoomLive(t *testing.T) {
	path := chromium(t)
	c := dockertest.Client(t)
	image := dockertest.Name("dockstep-classroom")
	dockertest.Busybox(t, c, image)
	bin := dockstepBinary(t)
	room := startRoomServer(t, bin, t.TempDir())

	ada, bob, eve := newLearner(t, "Ada"), newLearner(t, "Bob"), newLearner(t, "<script>alert(1)</script>")
	if err := os.WriteFile(filepath.Join(ada.dir, "note.txt"), []byte("done\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Reporting never changes the exit code: these checks fail (1).
	if code := ada.check(t, bin, room.join, image); code != 1 {
		t.Errorf("Ada's check exited %d, want 1 (step 3 fails)", code)
	}
	for i := 0; i < 3; i++ { // three failures in a row: stuck
		bob.check(t, bin, room.join, image)
	}
	eve.check(t, bin, room.join, image)

	ctx := browser(t, path)
	var dialogs atomic.Int32
	err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	})
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(room.dashboard)); err != nil {
		t.Fatalf("opening the dashboard: %v", err)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#learners tbody tr').length === 3 &&
		document.querySelector('#steps tbody tr') !== null && document.getElementById('live').textContent === 'live'`))
	if err != nil {
		t.Fatalf("the dashboard did not show the three learners: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]rowState](readRows))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Ada":                       "done,done,failing",
		"Bob":                       "done,failing,todo",
		"<script>alert(1)</script>": "done,failing,todo",
	}
	for _, r := range rows {
		if got := strings.Join(r.Cells, ","); got != want[r.Name] {
			t.Errorf("%s's cells = %s, want %s", r.Name, got, want[r.Name])
		}
		if strings.Contains(r.NameHTML, "<script") {
			t.Errorf("the name %q became markup: %s", r.Name, r.NameHTML)
		}
		delete(want, r.Name)
	}
	if len(want) > 0 {
		t.Errorf("rows %+v lack %v", rows, want)
	}
	stuck, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#stuck li')].map(li => li.dataset.name)`))
	if err != nil {
		t.Fatal(err)
	}
	commonDiag, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#steps .diag div')].map(d => d.textContent).join('\n')`))
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scripts.length`))
	if err != nil {
		t.Fatal(err)
	}
	if len(stuck) != 1 || stuck[0] != "Bob" {
		t.Errorf("stuck = %v, want Bob (three failed checks in a row)", stuck)
	}
	if !strings.Contains(commonDiag, "2 learners: ") || !strings.Contains(commonDiag, "note.txt") {
		t.Errorf("the steps' common diagnoses are %q, want note.txt's met by 2 learners", commonDiag)
	}
	if scripts != 1 || dialogs.Load() != 0 {
		t.Errorf("%d scripts on the page and %d dialogs opened: a learner's name ran as code", scripts, dialogs.Load())
	}
	screenshot(t, ctx)

	// Live: Ada runs her container and checks again; her row turns
	// finished on the open page, which is not reloaded.
	name := dockertest.Name("dockstep-classroom")
	dockertest.RemoveContainerAtEnd(t, c, name)
	dockertest.Run(t, "run", "-d", "--name", name, image, "sleep", "300")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if code := ada.check(t, bin, room.join, image); code != 0 {
		t.Fatalf("Ada's second check exited %d, want 0", code)
	}
	sent := time.Now()
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#learners tr[data-name="Ada"]').dataset.status === 'finished'`,
		chromedp.WithPollingInterval(10*time.Millisecond)))
	if err != nil {
		t.Fatalf("Ada's row never showed her finished: %v", err)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`))
	if err != nil {
		t.Fatal(err)
	}
	if !same {
		t.Error("the page was reloaded to show the change")
	}
	// Informative only; speed is measured by the load benchmark.
	t.Logf("the dashboard showed Ada finished %v after her check returned", time.Since(sent).Round(time.Millisecond))
}

// screenshot saves the dashboard; with DOCKSTEP_UPDATE_SCREENSHOT=1 into
// docs/classroom-dashboard.png.
func screenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	dest := filepath.Join(t.TempDir(), "dashboard.png")
	if os.Getenv("DOCKSTEP_UPDATE_SCREENSHOT") == "1" {
		dest = filepath.Join("..", "..", "docs", "classroom-dashboard.png")
	}
	if err := os.WriteFile(dest, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("dashboard screenshot: %s", dest)
}
