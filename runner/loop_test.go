package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/docker/docker/api/types/events"

	"github.com/dockstep/dockstep/internal/progress"
	"github.com/dockstep/dockstep/internal/safebuf"
	"github.com/dockstep/dockstep/lessons"
)

// syncBuffer is a buffer that the runner writes and the test reads at the
// same time.
type syncBuffer = safebuf.Buffer

// harness runs a Runner in the background against a scripted prompter and
// a fake engine.
type harness struct {
	t        *testing.T
	r        *Runner
	p        *scriptedPrompter
	eng      *eventEngine
	flags    *flags
	out      *syncBuffer
	errOut   *syncBuffer
	store    *progress.Store
	course   []*lessons.Lesson
	verdicts atomic.Int32
	done     chan error
	cancel   context.CancelFunc
}

func newHarness(t *testing.T, fixtures ...string) *harness {
	t.Helper()
	h := &harness{t: t, p: newScriptedPrompter(), eng: newEventEngine(), flags: &flags{set: map[string]bool{}},
		out: &syncBuffer{}, errOut: &syncBuffer{}, store: progress.NewStore(t.TempDir())}
	reg := testRegistry(h.flags)
	for _, f := range fixtures {
		h.course = append(h.course, loadFixture(t, reg, f))
	}
	h.r = &Runner{
		Out: h.out, ErrOut: h.errOut, Prompt: h.p, Docker: h.eng, Registry: reg, Store: h.store,
		Dir: t.TempDir(), Poll: -1,
		watch:     watchOptions{backoff: 10 * time.Millisecond, settle: 50 * time.Millisecond},
		onVerdict: func(verdict, time.Time) { h.verdicts.Add(1) },
	}
	return h
}

// start runs the runner on lesson id ("" to resume or choose).
func (h *harness) start(id string) {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.r.Run(ctx, h.course, id) }()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
			h.t.Error("the runner did not stop within 5s of its context ending")
		}
	})
}

// wait waits for Run to return.
func (h *harness) wait() error {
	h.t.Helper()
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
		return err
	case <-time.After(5 * time.Second):
		h.t.Fatal("the runner did not return within 5s")
		return nil
	}
}

func (h *harness) progress() *progress.Progress {
	h.t.Helper()
	p, err := h.store.Load()
	if err != nil {
		h.t.Fatalf("loading the saved progress: %v", err)
	}
	return p
}

// waitVerdicts waits until the runner has judged the step n times.
func (h *harness) waitVerdicts(n int32) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.verdicts.Load() < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("got %d verdicts within 5s, want %d", h.verdicts.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) wantOut(substr string) {
	h.t.Helper()
	if !strings.Contains(h.out.String(), substr) {
		h.t.Fatalf("output does not say %q; it is:\n%s", substr, h.out.String())
	}
}

// waitOut waits until the output says substr.
func (h *harness) waitOut(substr string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(h.out.String(), substr) {
		if time.Now().After(deadline) {
			h.t.Fatalf("within 5s the output does not say %q; it is:\n%s", substr, h.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStepCompletesByEngineEvent(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.wantOut("Step 1 of 3")
	h.wantOut("This lesson's introduction, shown with its first step.")
	if !menu.has("Check now") || menu.options[0] != "Check now" {
		t.Fatalf("menu = %q, want it to start with Check now", menu.options)
	}
	// The step is checked once on arrival; until the learner acts, a
	// failing check is not shown: the step waits.
	h.waitVerdicts(1)
	h.wantOut("Waiting for you")
	if strings.Contains(h.out.String(), "flag a is down") {
		t.Fatalf("the diagnosis is shown before the learner did anything:\n%s", h.out.String())
	}

	h.flags.raise("a")
	sub.msgs <- containerStarted()
	menu.waitCancelled(t)
	next := h.p.next(t)
	h.wantOut(`✓ Step 1, "Raise flag a", is done.`)
	h.wantOut("Step 2 of 3")
	lp := h.progress().Lessons["loop-basic"]
	if _, ok := lp.Done["Raise flag a"]; !ok || lp.Step != "Raise flag b" {
		t.Fatalf("saved progress: done %v, step %q; want step 1 done and step 2 current", lp.Done, lp.Step)
	}
	next.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatalf("Run = %v, want nil after Quit", err)
	}
}

func TestFileChangeCompletesStep(t *testing.T) {
	h := newHarness(t, "loop-vars.md")
	h.r.Vars = map[string]string{"name": "app"}
	h.start("loop-vars")
	menu := h.p.next(t)
	h.waitVerdicts(1)
	if strings.Contains(h.out.String(), "app.txt does not exist yet") {
		t.Fatalf("the diagnosis is shown before the learner did anything:\n%s", h.out.String())
	}
	if err := os.WriteFile(filepath.Join(h.r.Dir, "app.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	menu.waitCancelled(t)
	chooser := h.p.next(t)
	h.wantOut("You have finished the lesson")
	chooser.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
	if p := h.progress(); p.Current != "" {
		t.Errorf("current lesson is %q after finishing it, want none so that dockstep offers the lessons", p.Current)
	}
}

func TestSameDiagnosisIsNotRepeated(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	first := h.p.next(t)
	h.waitVerdicts(1) // on arrival, quietly
	// The learner's first action shows the diagnosis: the menu is closed
	// to redraw the screen.
	sub.msgs <- containerStarted()
	h.waitVerdicts(2)
	first.waitCancelled(t)
	menu := h.p.next(t)
	h.wantOut("flag a is down: raise it")
	// The same diagnosis again is not news.
	for i := int32(3); i <= 4; i++ {
		sub.msgs <- containerStarted()
		h.waitVerdicts(i)
	}
	if got := h.verdicts.Load(); got != 4 {
		t.Fatalf("got %d verdicts, want 4 (one at the start, one per event)", got)
	}
	if got := strings.Count(h.out.String(), "flag a is down"); got != 1 {
		t.Errorf("the diagnosis was shown %d times, want once", got)
	}
	select {
	case <-menu.ended:
		t.Errorf("the menu was closed although nothing new was to be shown")
	default:
	}
	menu.choose(t, "Quit")
	h.wait()
}

// TestBurstOfEventsChecksOnce: the first event is checked at once; the
// events that come while that check runs make one check more, not one each.
func TestBurstOfEventsChecksOnce(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.flags.gate = make(chan chan struct{})
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	pass := func() chan struct{} {
		t.Helper()
		select {
		case release := <-h.flags.gate:
			return release
		case <-time.After(5 * time.Second):
			t.Fatal("the step was not checked within 5s")
			return nil
		}
	}
	close(pass()) // the check on arrival
	menu := h.p.next(t)
	h.waitVerdicts(1)
	sub.msgs <- containerStarted()
	// The first event is checked without waiting; the rest of one docker
	// run (attach, start, die, destroy...) comes while that check runs.
	held := pass()
	for i := 0; i < 5; i++ {
		sub.msgs <- containerStarted()
	}
	for len(sub.msgs) > 0 { // the watcher has taken them all
		time.Sleep(time.Millisecond)
	}
	close(held)
	close(pass()) // one check for the burst
	h.waitVerdicts(3)
	// The re-check showed the diagnosis, so the menu was opened anew.
	menu.waitCancelled(t)
	go func() {
		for release := range h.flags.gate {
			close(release)
		}
	}()
	h.p.next(t).choose(t, "Quit")
	h.wait()
	// One more check at most, should the watcher have handed on the last
	// event only after the loop had emptied its queue.
	if got := h.verdicts.Load(); got > 4 {
		t.Errorf("got %d verdicts for the start and a burst of 6 events; want 3 (4 at most)", got)
	}
}

func TestHintsInOrder(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	h.p.next(t).choose(t, "Show a hint (1 of 2)")
	menu := h.p.next(t)
	// The hint is Markdown, rendered like the step's text: no backticks
	// or asterisks reach the screen.
	h.wantOut("First hint: look at the flag field.")
	if strings.Contains(h.out.String(), "Second hint") {
		t.Fatalf("the second hint is shown after asking for one")
	}
	menu.choose(t, "Show a hint (2 of 2)")
	menu = h.p.next(t)
	out := h.out.String()
	last := out[strings.LastIndex(out, "Step 1 of 3"):]
	if i, j := strings.Index(last, "First hint"), strings.Index(last, "Second hint"); i < 0 || j < i {
		t.Fatalf("the last screen does not show both hints in order:\n%s", last)
	}
	if menu.has("Show a hint") {
		t.Errorf("menu %q still offers a hint after both were shown", menu.options)
	}
	menu.choose(t, "Quit")
	h.wait()
}

func TestSkipAndBackToLessons(t *testing.T) {
	h := newHarness(t, "loop-basic.md", "loop-quiz.md")
	h.start("loop-basic")
	h.p.next(t).choose(t, "Skip this step")
	menu := h.p.next(t)
	h.wantOut(`Step 1, "Raise flag a", skipped.`)
	h.wantOut("Step 2 of 3")
	menu.choose(t, "Back to the lessons")
	chooser := h.p.next(t)
	if chooser.msg != "Which lesson?" || !chooser.has("1. Loop basics (0 of 3 steps done, 1 skipped)") || !chooser.has("2. Quizzes (not started)") {
		t.Fatalf("chooser %q offers %q", chooser.msg, chooser.options)
	}
	if lp := h.progress().Lessons["loop-basic"]; !lp.Skipped["Raise flag a"] {
		t.Errorf("saved progress does not record the skip: %+v", lp)
	}
	// Back into the lesson and out again: showing the lessons must not
	// mark the others as started.
	chooser.choose(t, "1. Loop basics (0 of 3 steps done, 1 skipped)")
	h.p.next(t).choose(t, "Back to the lessons")
	chooser = h.p.next(t)
	if !chooser.has("2. Quizzes (not started)") {
		t.Fatalf("the second time, the chooser offers %q", chooser.options)
	}
	chooser.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
}

func TestQuizRightAndWrong(t *testing.T) {
	h := newHarness(t, "loop-quiz.md")
	h.start("loop-quiz")
	q := h.p.next(t)
	if q.msg != "Which command lists images?" {
		t.Fatalf("first prompt %q, want the quiz question", q.msg)
	}
	q.choose(t, "docker ps")
	menu := h.p.next(t)
	h.wantOut(`"docker ps" is not the answer`)
	menu.choose(t, "Answer again")
	h.p.next(t).choose(t, "docker images")

	// The explanation stays on screen until the learner goes on.
	held := h.p.next(t)
	h.wantOut("Right! docker images lists the images you have.\n✓ Done!")
	if !held.has("Continue") {
		t.Fatalf("after the right answer the menu offers %q, want Continue", held.options)
	}
	held.choose(t, "Continue")
	typed := h.p.next(t)
	if typed.kind != "input" || typed.msg != "What is the secret?" {
		t.Fatalf("got %s prompt %q, want the second quiz as an input", typed.kind, typed.msg)
	}
	typed.typeText("S3CRET")
	menu = h.p.next(t)
	h.wantOut(`"S3CRET" is not the answer: it is in lower case. Try again.`)
	menu.choose(t, "Answer again")
	h.p.next(t).typeText("nope")
	menu = h.p.next(t)
	h.wantOut(`"nope" is not the answer. Try again.`)
	menu.choose(t, "Show the answer")
	menu = h.p.next(t)
	h.wantOut("The answer: s3cret")
	menu.choose(t, "Answer again")
	h.p.next(t).typeText("s3cret")
	chooser := h.p.next(t)
	h.wantOut(`You have finished the lesson "Quizzes"`)
	if done, total := h.progress().Lesson("loop-quiz").Finished(h.course[0]); done != 2 || total != 2 {
		t.Errorf("saved progress: %d of %d steps finished, want 2 of 2", done, total)
	}
	chooser.choose(t, "Quit")
	h.wait()
}

// Started on a lesson straight away, the runner clears the screen before
// the step: the warning about a progress file set aside is on the step's
// screen, where the learner can read it, not printed before and wiped.
func TestCorruptProgressWarningOnTheStepsScreen(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.r.Clear = true
	if err := os.WriteFile(h.store.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.start("loop-basic")
	menu := h.p.next(t)
	screen := h.out.String()
	if i := strings.LastIndex(screen, "\x1b[2J"); i >= 0 {
		screen = screen[i:] // what the last clear left on screen
	}
	if !strings.Contains(screen, "! warning: ") || !strings.Contains(screen, "could not be read") || !strings.Contains(screen, "Step 1 of 3") {
		t.Errorf("the step's screen does not carry the warning:\n%s", screen)
	}
	menu.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptProgressFileIsSetAside(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	if err := os.WriteFile(h.store.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.start("")
	chooser := h.p.next(t)
	if !strings.Contains(h.errOut.String(), "could not be read") {
		t.Errorf("no warning about the corrupt file; stderr: %q", h.errOut.String())
	}
	h.wantOut("Welcome to dockstep!")
	chooser.choose(t, "1. Loop basics")
	h.p.next(t).choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(h.store.Path() + ".corrupt-*")
	if len(matches) != 1 {
		t.Errorf("got %d set-aside files, want 1", len(matches))
	}
	if p := h.progress(); p.Current != "loop-basic" {
		t.Errorf("new progress has current %q, want loop-basic", p.Current)
	}
}

func TestEngineReconnect(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	sub.errs <- errors.New("unexpected EOF")
	menu.waitCancelled(t)
	menu = h.p.next(t)
	// The message is wrapped to the screen, so look at it word by word.
	if got := strings.Join(strings.Fields(h.out.String()), " "); !strings.Contains(got, "Lost the Docker engine's event stream: the connection to it broke (it may have stopped or restarted). Reconnecting") {
		t.Fatalf("output does not say the stream is lost; it is:\n%s", h.out.String())
	}

	// The engine is back: the runner resubscribes from where it stopped,
	// so events that happened meanwhile are replayed.
	again := h.eng.subscription(t)
	if again.opts.Since == "" {
		t.Errorf("resubscribed without Since: events during the outage would be lost")
	}
	h.flags.raise("a")
	again.msgs <- containerStarted()
	menu.waitCancelled(t)
	next := h.p.next(t)
	out := h.out.String()
	last := out[strings.LastIndex(out, "Step 2 of 3"):]
	if strings.Contains(last, "Lost the Docker engine") {
		t.Errorf("the screen still says the stream is lost after it came back:\n%s", last)
	}
	next.choose(t, "Quit")
	h.wait()
}

// recordingClock is the system clock, remembering every wait asked of it.
type recordingClock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (c *recordingClock) Now() time.Time { return time.Now() }

func (c *recordingClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	return time.After(d)
}

func (c *recordingClock) asked(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.waits {
		if w == d {
			n++
		}
	}
	return n
}

func TestEngineRetriesWithBackoff(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	clock := &recordingClock{}
	h.r.Clock = clock
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	h.p.next(t)
	sub.errs <- errors.New("connection refused")
	for i := 0; i < 3; i++ { // the engine is still down
		h.eng.subscription(t).errs <- errors.New("connection refused")
	}
	h.eng.subscription(t) // the fourth retry
	// The harness starts the backoff at 10ms: each retry waits twice as
	// long as the one before.
	for _, d := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond} {
		if clock.asked(d) != 1 {
			t.Errorf("the retries waited %v, want one wait of %v among them", clock.waits, d)
		}
	}
	if got := strings.Count(h.out.String(), "Lost the Docker engine"); got != 1 {
		t.Errorf("the broken stream was announced %d times, want once", got)
	}
}

func TestInterruptSavesAndResumes(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	h.p.next(t).choose(t, "Skip this step")
	h.p.next(t).interrupt()
	if err := h.wait(); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	if p := h.progress(); p.Current != "loop-basic" || p.Lessons["loop-basic"].Step != "Raise flag b" {
		t.Fatalf("saved progress: current %q, step %q; want loop-basic at step 2", p.Current, p.Lessons["loop-basic"].Step)
	}

	h2 := newHarness(t, "loop-basic.md")
	h2.store = h.store
	h2.r.Store = h.store
	h2.start("")
	menu := h2.p.next(t)
	h2.wantOut("Step 2 of 3")
	menu.choose(t, "Quit")
	h2.wait()
}

func TestCancelledContextIsInterrupt(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	menu := h.p.next(t)
	h.cancel() // SIGINT outside a prompt
	menu.waitCancelled(t)
	if err := h.wait(); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	if p := h.progress(); p.Current != "loop-basic" {
		t.Errorf("progress not saved: current %q", p.Current)
	}
}

func TestVariablesAndRunItForMe(t *testing.T) {
	h := newHarness(t, "loop-vars.md")
	h.start("loop-vars")
	in := h.p.next(t)
	if in.kind != "input" || in.msg != "Name your container" || in.def != "web" {
		t.Fatalf("got %s %q default %q, want the variable's input with its default", in.kind, in.msg, in.def)
	}
	for _, tc := range []struct {
		value string
		ok    bool
	}{{"db", true}, {"Web!", false}, {"", false}} {
		if err := in.validate(tc.value); (err == nil) != tc.ok {
			t.Errorf("validate(%q) = %v, want ok=%v", tc.value, err, tc.ok)
		}
	}
	in.typeText("db")
	menu := h.p.next(t)
	h.wantOut("Step 1 of 1: Run db")
	menu.choose(t, "Run it for me")
	confirm := h.p.next(t)
	h.wantOut("run: touch db.txt")
	if confirm.kind != "confirm" {
		t.Fatalf("got %s %q, want a confirmation before running", confirm.kind, confirm.msg)
	}
	confirm.confirm(true)
	// What dockstep ran stays on screen until the learner goes on.
	held := h.p.next(t)
	h.wantOut("dockstep ran the solution:\n  $ touch db.txt\n")
	// Step 1 of 1: no next step to go on to.
	h.wantOut("✓ Done! That was the lesson's last step.")
	if strings.Contains(h.out.String(), "On to the next step") {
		t.Fatalf("the last step says there is a next one:\n%s", h.out.String())
	}
	if !held.has("Continue") {
		t.Fatalf("after running the solution the menu offers %q, want Continue", held.options)
	}
	held.choose(t, "Continue")
	chooser := h.p.next(t)
	h.wantOut("You have finished the lesson")
	if _, err := os.Stat(filepath.Join(h.r.Dir, "db.txt")); err != nil {
		t.Errorf("the solution did not run: %v", err)
	}
	if v := h.progress().Lessons["loop-vars"].Vars["name"]; v != "db" {
		t.Errorf("remembered name = %q, want db", v)
	}
	chooser.choose(t, "Quit")
	h.wait()
}

func TestVarFlagMustMatchPattern(t *testing.T) {
	h := newHarness(t, "loop-vars.md")
	h.r.Vars = map[string]string{"name": "Bad1"}
	h.start("loop-vars")
	err := h.wait()
	if err == nil || !strings.Contains(err.Error(), "--var name=Bad1") {
		t.Fatalf("Run = %v, want an error naming --var name=Bad1", err)
	}
}

func TestWorkspaceIsCopiedAndBackgroundStopped(t *testing.T) {
	h := newHarness(t, "loop-workspace.md")
	dest := filepath.Join(h.r.Dir, "dockstep-loop-workspace")
	if err := os.MkdirAll(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dest, "app.txt"), []byte("my edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.start("loop-workspace")
	where := h.p.next(t)
	if where.kind != "input" || where.def != dest {
		t.Fatalf("got %s %q with default %q, want an input offering %s", where.kind, where.msg, where.def, dest)
	}
	where.typeText(dest)
	ask := h.p.next(t)
	if ask.kind != "confirm" || !strings.Contains(ask.msg, "app.txt") || ask.def != "false" {
		t.Fatalf("got %s %q (default %s), want to be asked before app.txt is replaced, default no", ask.kind, ask.msg, ask.def)
	}
	ask.confirm(false)
	menu := h.p.next(t)
	h.wantOut("in your other terminal:")
	h.wantOut("\ncd " + dest + "\n") // the path is never broken
	if b, _ := os.ReadFile(filepath.Join(dest, "app.txt")); string(b) != "my edit\n" {
		t.Errorf("app.txt = %q after declining; the learner's edit was overwritten", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "notes.txt")); string(b) != "read me\n" {
		t.Errorf("notes.txt = %q, want the lesson's file copied", b)
	}

	menu.choose(t, "Run it for me")
	h.p.next(t).confirm(true)
	// The menu may come back while the command starts; the pid file it
	// writes completes the step, which stays on screen until the learner
	// goes on; then the lesson is over, and the command is stopped.
	chooser := h.p.next(t)
	for chooser.msg == "What next?" {
		if chooser.has("Continue") {
			chooser.choose(t, "Continue")
		}
		chooser = h.p.next(t)
	}
	if chooser.msg != "Which lesson?" {
		t.Fatalf("got prompt %q, want the lessons after the step passed", chooser.msg)
	}
	// The step passes as soon as bg.pid appears, which may be before the
	// shell has written the pid into it.
	var pid string
	deadline := time.Now().Add(5 * time.Second)
	for pid == "" {
		b, err := os.ReadFile(filepath.Join(dest, "bg.pid"))
		if err != nil {
			t.Fatalf("the background command did not run in the workspace: %v", err)
		}
		if pid = strings.TrimSpace(string(b)); pid == "" && time.Now().After(deadline) {
			t.Fatal("bg.pid stays empty")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		if _, err := os.Stat("/proc/" + pid); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("background process %s still runs after its step ended", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ws := h.progress().Lessons["loop-workspace"].Workspace; ws != dest {
		t.Errorf("remembered workspace %q, want %q", ws, dest)
	}
	chooser.choose(t, "Quit")
	h.wait()
}

func TestDiagnosisIsWrappedToTheScreen(t *testing.T) {
	s := &stepRun{lessonRun: &lessonRun{r: &Runner{Render: RenderOptions{Width: 30}}}}
	got := s.wrapped("container web publishes 8888→80/tcp, but the app listens on 5000: use -p 8888:5000\nsecond problem", "  ")
	lines := strings.Split(got, "\n")
	if len(lines) < 4 {
		t.Fatalf("wrapped into %d lines, want at least 4:\n%s", len(lines), got)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "  ") || len([]rune(l)) > 30 {
			t.Errorf("line %q is not indented by two spaces within 30 columns", l)
		}
	}
	if last := lines[len(lines)-1]; last != "  second problem" {
		t.Errorf("last line = %q, want the second problem on a line of its own", last)
	}
}

// An engine event from before the step was shown (the previous step's last
// command, still in flight) is not the learner acting on this step: the
// step stays quiet. One from after it shows the diagnosis.
func TestEventsFromBeforeTheStepStayQuiet(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.waitVerdicts(1)
	old := containerStarted()
	old.TimeNano = time.Now().Add(-time.Minute).UnixNano()
	sub.msgs <- old
	h.waitVerdicts(2)
	if strings.Contains(h.out.String(), "flag a is down") {
		t.Fatalf("an event from before the step revealed the diagnosis:\n%s", h.out.String())
	}
	sub.msgs <- containerStarted()
	h.waitVerdicts(3)
	menu.waitCancelled(t)
	h.p.next(t).choose(t, "Quit")
	h.wait()
	h.wantOut("flag a is down: raise it")
}

// A step with a quiz and checks is done when both hold: the right answer
// alone does not finish it while a check fails.
func TestQuizAndChecksBothNeeded(t *testing.T) {
	h := newHarness(t, "loop-quiz-checks.md")
	h.start("loop-quiz-checks")
	sub := h.eng.subscription(t)
	h.p.next(t).choose(t, "a")
	menu := h.p.next(t)
	h.wantOut("Right! One more thing, though.")
	h.wantOut("flag a is down: raise it")
	if menu.has("Answer again") || !menu.has("Check now") || !menu.has("Show the solution") || !menu.has("Run it for me") || menu.has("Show the answer") {
		t.Fatalf("after the right answer the menu offers %q, want Check now and Show the solution, not Answer again or Show the answer", menu.options)
	}
	h.flags.raise("a")
	sub.msgs <- containerStarted()
	menu.waitCancelled(t)
	chooser := h.p.next(t)
	h.wantOut("You have finished the lesson")
	chooser.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
}

// A port answer is judged in words, and a port something already holds is
// refused as soon as it is answered, with a free one suggested.
func TestPortAnswerIsCheckedAtOnce(t *testing.T) {
	h := newHarness(t, "loop-port.md")
	h.r.PortHolder = func(port int) string {
		if port == 8080 || port == 8081 {
			return "by process python3 (pid 4242)"
		}
		return ""
	}
	h.start("loop-port")
	in := h.p.next(t)
	if in.kind != "input" || in.def != "8080" {
		t.Fatalf("got %s %q default %q, want the port's input", in.kind, in.msg, in.def)
	}
	for _, tc := range []struct{ value, want string }{
		{"80", `"80" is not a port between 1024 and 65535`},
		{"web", "is not a port between 1024 and 65535"},
		{"8080", "port 8080 is already in use (by process python3 (pid 4242)); try 8082"},
		{"9000", ""},
	} {
		err := in.validate(tc.value)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("validate(%q) = %v, want it accepted", tc.value, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("validate(%q) = %v, want %q", tc.value, err, tc.want)
		case err != nil && strings.ContainsAny(err.Error(), "[]{}|"):
			t.Errorf("validate(%q) = %v: shows the learner a regular expression", tc.value, err)
		}
	}
	in.typeText("9000")
	h.p.next(t).choose(t, "Quit")
	h.wait()
	if v := h.progress().Lessons["loop-port"].Vars["port"]; v != "9000" {
		t.Errorf("remembered port = %q, want 9000", v)
	}
}

// A folder answered as ~/something is in the home folder, as in a shell,
// not in a folder named "~".
func TestWorkspaceAnswerExpandsTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	h := newHarness(t, "loop-workspace.md")
	h.start("loop-workspace")
	where := h.p.next(t)
	where.typeText("~/catnip-work")
	menu := h.p.next(t)
	want := filepath.Join(home, "catnip-work")
	h.wantOut("cd " + want + "\n") // the path is never broken
	if _, err := os.Stat(filepath.Join(want, "notes.txt")); err != nil {
		t.Errorf("the lesson's files are not in %s: %v", want, err)
	}
	if _, err := os.Stat(filepath.Join(h.r.Dir, "~")); err == nil {
		t.Errorf("dockstep made a folder named ~ in %s", h.r.Dir)
	}
	menu.choose(t, "Quit")
	h.wait()
	if ws := h.progress().Lessons["loop-workspace"].Workspace; ws != want {
		t.Errorf("remembered workspace %q, want %q", ws, want)
	}
}

// A quiz can be left for the menu without giving a wrong answer: Enter
// alone on a typed one, the last entry on a choice one.
func TestQuizCanBeLeftWithoutAnswering(t *testing.T) {
	h := newHarness(t, "loop-quiz.md")
	h.start("loop-quiz")
	q := h.p.next(t)
	if last := q.options[len(q.options)-1]; !strings.Contains(last, "back to the menu") {
		t.Fatalf("choice quiz entries %q, want the last one to lead back to the menu", q.options)
	}
	q.choose(t, "(not now")
	menu := h.p.next(t)
	if menu.msg != "What next?" || !menu.has("Answer the question") || !menu.has("Skip this step") {
		t.Fatalf("got %q %q, want the step menu offering to answer and to skip", menu.msg, menu.options)
	}
	if strings.Contains(h.out.String(), "is not the answer") {
		t.Errorf("leaving the quiz counted as a wrong answer:\n%s", h.out.String())
	}
	menu.choose(t, "Answer the question")
	h.p.next(t).choose(t, "docker images")
	h.p.next(t).choose(t, "Continue") // past the explanation

	typed := h.p.next(t)
	h.wantOut("press Enter alone for the menu")
	typed.typeText("")
	menu = h.p.next(t)
	if menu.msg != "What next?" || strings.Contains(h.out.String(), `"" is not the answer`) {
		t.Fatalf("Enter alone gave %q and output:\n%s\nwant the menu and no wrong answer", menu.msg, h.out.String())
	}
	menu.choose(t, "Skip this step")
	h.p.next(t).choose(t, "Quit")
	h.wait()
}

// "take a hint" is offered only while the step has hints left.
func TestWrongAnswerOffersHintsOnlyWhenThereAreSome(t *testing.T) {
	h := newHarness(t, "loop-quiz.md") // its quizzes have no hints
	h.start("loop-quiz")
	h.p.next(t).choose(t, "docker ps")
	menu := h.p.next(t)
	h.wantOut(`"docker ps" is not the answer. Try again.`)
	if strings.Contains(h.out.String(), "hint") || menu.has("Show a hint") {
		t.Errorf("a quiz without hints speaks of hints:\n%s\nmenu %q", h.out.String(), menu.options)
	}
	menu.choose(t, "Quit")
	h.wait()
}

// A wrong answer suggests a hint while one is left, and stops suggesting
// it once the last hint is shown.
func TestWrongAnswerStopsOfferingTheLastHint(t *testing.T) {
	h := newHarness(t, "loop-quiz-hint.md")
	h.start("loop-quiz-hint")
	h.p.next(t).typeText("18.04")
	menu := h.p.next(t)
	h.wantOut(`"18.04" is not the answer. Try again, or take a hint.`)
	menu.choose(t, "Show a hint (1 of 1)")
	menu = h.p.next(t)
	out := h.out.String()
	last := out[strings.LastIndex(out, "Step 1 of 1"):]
	if !strings.Contains(last, `"18.04" is not the answer. Try again.`) || strings.Contains(last, "take a hint") {
		t.Errorf("after the last hint the screen says:\n%s\nwant the wrong answer noted without offering a hint", last)
	}
	menu.choose(t, "Quit")
	h.wait()
}

// On an engine others use, their containers come and go while the learner
// reads: an event about an object the step's checks do not name is not the
// learner acting, and the step stays quiet. An event about the step's own
// container shows the diagnosis.
func TestEventsAboutOthersObjectsStayQuiet(t *testing.T) {
	h := newHarness(t, "loop-subjects.md")
	h.start("loop-subjects")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.waitVerdicts(1)
	sub.msgs <- namedContainerStarted("someone-elses")
	h.waitVerdicts(2)
	if strings.Contains(h.out.String(), "flag web is down") {
		t.Fatalf("another container's event revealed the diagnosis:\n%s", h.out.String())
	}
	sub.msgs <- namedContainerStarted("web")
	h.waitVerdicts(3)
	menu.waitCancelled(t)
	h.p.next(t).choose(t, "Quit")
	h.wait()
	h.wantOut("flag web is down: raise it")
}

// Ctrl-C at the menu of a step that passed and waits for the learner to
// read it stops dockstep, as it does at every other menu; the step stays
// done.
func TestInterruptWhileAPassedStepWaits(t *testing.T) {
	h := newHarness(t, "loop-quiz.md")
	h.start("loop-quiz")
	h.p.next(t).choose(t, "docker images")
	held := h.p.next(t)
	h.wantOut("✓ Done!")
	held.interrupt()
	if err := h.wait(); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	if done, _ := h.progress().Lesson("loop-quiz").Finished(h.course[0]); done != 1 {
		t.Errorf("saved progress: %d steps finished, want 1", done)
	}
}

// A redraw while the learner is asked "Go ahead?" (an engine event changed
// the diagnosis) asks the same question again, not the menu: a "y" meant
// for it must not land in the menu's filter, where it picks "Quit (your
// progress is saved)".
func TestRedrawKeepsTheConfirmQuestion(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	sub := h.eng.subscription(t)
	h.p.next(t).choose(t, "Run it for me")
	confirm := h.p.next(t)
	if confirm.kind != "confirm" {
		t.Fatalf("got a %s prompt %q, want Go ahead?", confirm.kind, confirm.msg)
	}
	h.waitVerdicts(1)
	sub.msgs <- containerStarted() // the learner acts: the diagnosis shows
	confirm.waitCancelled(t)
	again := h.p.next(t)
	if again.kind != "confirm" {
		t.Fatalf("after the redraw the runner asks a %s %q, want the confirm question again", again.kind, again.msg)
	}
	again.confirm(false)
	h.p.next(t).choose(t, "Quit")
	h.wait()
}

// A quiz question wider than the screen reaches the prompter wrapped at
// word boundaries, to fit after its "? ", so that the terminal never
// breaks a word of it.
func TestQuizQuestionIsWrappedToTheScreen(t *testing.T) {
	h := newHarness(t, "loop-quiz-long.md")
	h.r.Render.Width = 40
	h.start("loop-quiz-long")
	q := h.p.next(t)
	lines := strings.Split(q.msg, "\n")
	if len(lines) < 2 {
		t.Fatalf("the question is one line of %d columns on a 40-column screen: %q", len(q.msg), q.msg)
	}
	for i, l := range lines {
		w := len([]rune(l))
		if i == 0 {
			w += 2 // the prompter's "? "
		}
		if w > 40 {
			t.Errorf("line %q is %d columns wide, more than 40", l, w)
		}
	}
	if got := strings.Join(strings.Fields(q.msg), " "); !strings.HasPrefix(got, "The python:3 image is built on top of Debian's image") {
		t.Errorf("the words of the question changed: %q", got)
	}
	q.choose(t, "a child image")
	h.p.next(t).choose(t, "Quit")
	h.wait()
}

// "Run it for me" with the learner's terminal: before an interactive
// command takes the terminal, the screen (drawn by draw, as every screen)
// says which command has it and how to come back; once it ends, the rest
// of the run is drawn as it goes, then the verdict.
func TestRunItForMeHandsOverTheTerminal(t *testing.T) {
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptm.Close(); tty.Close() })
	h := newHarness(t, "loop-attach.md")
	h.r.Terminal = tty
	h.start("loop-attach")
	h.p.next(t).choose(t, "Run it for me")
	confirm := h.p.next(t)
	h.wantOut("(in this terminal: you type, and come back when it ends)")
	confirm.confirm(true)
	h.waitOut("dockstep runs touch attached.txt in this terminal")
	// Once the terminal is back, the next command's output is drawn as it
	// comes: that command waits for the file release.
	h.waitOut("  (you used it in this terminal)\n  $ echo after the terminal;")
	h.waitOut("\n  after the terminal\n")
	if err := os.WriteFile(filepath.Join(h.r.Dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	held := h.p.next(t)
	if !held.has("Continue") {
		t.Fatalf("after running the solution the menu offers %q, want Continue", held.options)
	}
	h.wantOut("dockstep ran the solution:\n  $ touch attached.txt\n  (you used it in this terminal)\n  $ echo after the terminal;")
	h.wantOut("✓ Done!")
	if _, err := os.Stat(filepath.Join(h.r.Dir, "attached.txt")); err != nil {
		t.Errorf("the interactive command did not run: %v", err)
	}
	held.choose(t, "Quit")
	h.wait()
}

// A resize while an interactive command has the terminal signals the
// command, not dockstep: once the terminal is back, the screen is drawn
// for the size the terminal has now.
func TestRunItForMeRereadsTheSizeAfterTheTerminalIsBack(t *testing.T) {
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptm.Close(); tty.Close() })
	h := newHarness(t, "loop-attach.md")
	h.r.Terminal = tty
	h.r.Render.Width = 100
	// The learner narrows the terminal while the command has it: only
	// Size can tell.
	h.r.Size = func() (int, int, bool) { return 40, 0, true }
	h.start("loop-attach")
	h.p.next(t).choose(t, "Run it for me")
	h.p.next(t).confirm(true)
	h.waitOut("dockstep runs touch attached.txt in this terminal")
	if err := os.WriteFile(filepath.Join(h.r.Dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	held := h.p.next(t)
	out := h.out.String()
	last := out[strings.LastIndex(out, "Use the terminal"):]
	if strings.Contains(last, "Run a command that wants your terminal, then one") {
		t.Errorf("after the terminal came back the step is drawn 100 columns wide, want 40:\n%s", last)
	}
	held.choose(t, "Quit")
	h.wait()
}

// The answer the learner asked to see stays on screen once they have given
// it; it does not turn into the step's solution, which the menu offers on
// its own.
func TestShownAnswerStaysTheAnswer(t *testing.T) {
	h := newHarness(t, "loop-quiz-checks.md")
	h.start("loop-quiz-checks")
	h.p.next(t).choose(t, quizToMenu)
	h.p.next(t).choose(t, "Show the answer")
	menu := h.p.next(t)
	h.wantOut("The answer: a")
	menu.choose(t, "Answer the question")
	h.p.next(t).choose(t, "a")
	menu = h.p.next(t)
	out := h.out.String()
	last := out[strings.LastIndex(out, "Raise flag a"):]
	if !strings.Contains(last, "The answer: a") || strings.Contains(last, "The solution:") {
		t.Errorf("after the right answer the screen reads:\n%s\nwant the answer still, not the solution", last)
	}
	if !menu.has("Show the solution") {
		t.Errorf("after the right answer the menu offers %q, want Show the solution", menu.options)
	}
	menu.choose(t, "Quit")
	h.wait()
}

// A step whose checks read files only (a Dockerfile to write) is not the
// learner's doing when the engine reports something, such as the end of
// the pull the lesson started before: it stays quiet until a file changes.
func TestEngineEventsDoNotRevealAFilesOnlyStep(t *testing.T) {
	h := newHarness(t, "loop-attach.md")
	h.start("loop-attach")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.waitVerdicts(1)
	sub.msgs <- containerStarted()
	h.waitVerdicts(2)
	if strings.Contains(h.out.String(), "does not exist yet") {
		t.Fatalf("an engine event revealed the diagnosis of a step that reads files only:\n%s", h.out.String())
	}
	if err := os.WriteFile(filepath.Join(h.r.Dir, "other.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitVerdicts(3)
	menu.waitCancelled(t)
	h.p.next(t).choose(t, "Quit")
	h.wait()
	h.wantOut("done.txt does not exist yet")
}

// A step whose checks all look at named engine objects (an image to build)
// is not done by editing files: a file event in the working folder, such as
// an editor removing its swap file after the Dockerfile of the step before
// was saved, is not the learner acting on it, and the step stays quiet. An
// event about the step's own object shows the diagnosis.
func TestFileEventsDoNotRevealAnEngineStep(t *testing.T) {
	h := newHarness(t, "loop-subjects.md")
	h.start("loop-subjects")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.waitVerdicts(1)
	if err := os.WriteFile(filepath.Join(h.r.Dir, ".Dockerfile.swp"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitVerdicts(2)
	if strings.Contains(h.out.String(), "flag web is down") {
		t.Fatalf("a file event revealed the diagnosis of a step that reads the engine only:\n%s", h.out.String())
	}
	sub.msgs <- namedContainerStarted("web")
	h.waitVerdicts(3)
	menu.waitCancelled(t)
	h.p.next(t).choose(t, "Quit")
	h.wait()
	h.wantOut("flag web is down: raise it")
}

// A port the learner chose for the lesson is chosen again with --var: a
// container published on another port would not pass the lesson's checks,
// so the advice for a held port says so (checks.Env.Rechoose).
func TestRechooseNamesTheLessonsPortVariables(t *testing.T) {
	l := &lessons.Lesson{ID: "static-site", Vars: []lessons.Var{{Name: "port", Type: lessons.VarPort}, {Name: "user"}}}
	got := rechoose(l, map[string]string{"port": "8100", "user": "8200"})
	if want := "choose another port for the lesson: quit, then dockstep start static-site --var port=OTHER"; got[8100] != want {
		t.Errorf("rechoose[8100] = %q, want %q", got[8100], want)
	}
	if _, ok := got[8200]; ok || len(got) != 1 {
		t.Errorf("rechoose = %v, want the port variable's value only", got)
	}
}

// resetInAnotherTerminal does what dockstep reset LESSON --yes does in
// another process: it loads the progress file, forgets the lesson and saves.
func (h *harness) resetInAnotherTerminal(id string) {
	h.t.Helper()
	p := h.progress()
	p.Reset(id, time.Now())
	if err := h.store.Save(p); err != nil {
		h.t.Fatalf("resetting %s: %v", id, err)
	}
}

// A lesson reset in another terminal while a window is open on it starts
// again from step 1 in that window, which says why, and what the window
// knew before is not saved back: the lesson does not come back "finished".
func TestResetInAnotherTerminalRestartsTheLesson(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	h.p.next(t).choose(t, "Skip this step")
	h.p.next(t).choose(t, "Skip this step")
	menu := h.p.next(t)
	h.wantOut("Step 3 of 3")
	if got := h.progress().Lessons["loop-basic"]; len(got.Skipped) != 2 {
		t.Fatalf("before the reset the file holds %+v, want two steps skipped", got)
	}

	h.resetInAnotherTerminal("loop-basic")
	menu.waitCancelled(t)
	menu = h.p.next(t)
	h.wantOut("reset in another terminal")
	screen := h.out.String()
	if i, j := strings.LastIndex(screen, "reset in another terminal"), strings.LastIndex(screen, "Step 1 of 3"); j < i {
		t.Fatalf("after the reset the window does not show step 1:\n%s", screen)
	}
	menu.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatalf("Run = %v, want nil after Quit", err)
	}
	lp := h.progress().Lessons["loop-basic"]
	if lp == nil || len(lp.Skipped) != 0 || len(lp.Done) != 0 || lp.Step != "Raise flag a" {
		t.Errorf("after the reset and Quit the file holds %+v, want nothing done or skipped, at step 1", lp)
	}
}

// A lesson finished in this window and reset in another while the lessons
// are offered starts from step 1 when chosen, rather than asking whether to
// go through a finished lesson again.
func TestResetWhileTheLessonsAreOffered(t *testing.T) {
	h := newHarness(t, "loop-basic.md")
	h.start("loop-basic")
	for range 2 {
		h.p.next(t).choose(t, "Skip this step")
	}
	h.p.next(t).choose(t, "Continue")
	chooser := h.p.next(t)
	if chooser.msg != "Which lesson?" {
		t.Fatalf("after the last step dockstep asks %q (%q), want the lessons", chooser.msg, chooser.options)
	}
	h.resetInAnotherTerminal("loop-basic")
	chooser.choose(t, "1. Loop basics")
	next := h.p.next(t)
	if strings.Contains(next.msg, "again") || !next.has("Skip this step") {
		t.Fatalf("choosing the reset lesson asks %q (%q), want step 1's menu", next.msg, next.options)
	}
	h.wantOut("Step 1 of 3")
	next.choose(t, "Quit")
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
}

// Run it for me keeps a {replay} command to the containers made for the
// lesson: the one the learner created for the step (its check names it)
// is in $DOCKSTEP_FILTER; one someone else created meanwhile is not.
func TestRunItForMeKeepsToTheLearnersContainers(t *testing.T) {
	h := newHarness(t, "loop-made.md")
	h.start("loop-made")
	sub := h.eng.subscription(t)
	menu := h.p.next(t)
	h.waitVerdicts(1)
	created := func(id, name string) events.Message {
		m := namedContainerStarted(name)
		m.Action, m.Actor.ID = events.ActionCreate, id
		return m
	}
	sub.msgs <- created("5ca1ab1e", "someone-elses")
	h.waitVerdicts(2)
	sub.msgs <- created("c0ffee", "web")
	menu.waitCancelled(t)
	h.p.next(t).choose(t, "Run it for me")
	h.p.next(t).confirm(true)
	h.waitOut("dockstep ran the solution")
	h.p.next(t).choose(t, "Quit")
	h.wait()
	got, err := os.ReadFile(filepath.Join(h.r.Dir, "filter.txt"))
	if err != nil {
		t.Fatalf("the replay did not run: %v", err)
	}
	if filter := strings.TrimSpace(string(got)); filter != "--filter id=c0ffee" {
		t.Errorf("$DOCKSTEP_FILTER = %q, want only the learner's container c0ffee", filter)
	}
}
