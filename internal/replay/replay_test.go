package replay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/dockstep/dockstep/internal/dockertest"
	"github.com/dockstep/dockstep/internal/safebuf"
	"github.com/dockstep/dockstep/lessons"
)

func TestReplayFilesAndCommands(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	r := &Replayer{Dir: dir, Vars: map[string]string{"user": "ada"}, Out: &out}
	ctx := context.Background()
	steps := []lessons.Action{
		{Kind: lessons.WriteFile, Path: "sub/Dockerfile", Text: "FROM python:3"},
		{Kind: lessons.AppendFile, Path: "sub/Dockerfile", Text: "LABEL user={{user}}\n"},
		{Kind: lessons.Run, Text: "cat sub/Dockerfile && echo ran as {{user}}"},
		{Kind: lessons.Run, Text: "echo must not run > manual.txt", Manual: true},
	}
	for _, a := range steps {
		if err := r.Do(ctx, a); err != nil {
			t.Fatalf("Do(%v): %v", a.Kind, err)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "sub", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "FROM python:3\nLABEL user=ada\n"; string(got) != want {
		t.Errorf("Dockerfile = %q, want %q", got, want)
	}
	if want := "FROM python:3\nLABEL user=ada\nran as ada\n"; out.String() != want {
		t.Errorf("output = %q, want %q", out.String(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "manual.txt")); err == nil {
		t.Errorf("a manual command was replayed")
	}
}

func TestReplayFailingCommandSaysWhere(t *testing.T) {
	r := &Replayer{Dir: t.TempDir()}
	err := r.Do(context.Background(), lessons.Action{Kind: lessons.Run, Text: "exit 3", Pos: lessons.Pos{File: "l.md", Line: 7}})
	if err == nil || !strings.Contains(err.Error(), "l.md:7") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("err = %v, want it to name l.md:7 and exit status 3", err)
	}
}

// A block of several commands is quoted on one line, as a learner would
// type it, not with \n between its commands.
func TestReplayFailingBlockIsQuotedOnOneLine(t *testing.T) {
	r := &Replayer{Dir: t.TempDir()}
	err := r.Do(context.Background(), lessons.Action{Kind: lessons.Run, Text: "true\necho a \\\n  b\nexit 1\n"})
	var ae *ActionError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an ActionError", err)
	}
	if want := `the command "true; echo a b; exit 1" failed: exit status 1`; ae.Plain() != want {
		t.Errorf("got %q, want %q", ae.Plain(), want)
	}
}

// A failing {replay} kept to what the lesson made is quoted as the lesson
// writes it, as the learner was told it would run, without
// $DOCKSTEP_FILTER.
func TestReplayFailingFilteredCommandQuotesTheLesson(t *testing.T) {
	r := &Replayer{Dir: t.TempDir()}
	// The replay fails: $DOCKSTEP_FILTER is set, to a filter of no
	// container.
	err := r.Do(context.Background(), lessons.Action{Kind: lessons.Run, Text: "docker rm $(docker ps -a -q)",
		Replay: `test -z "$DOCKSTEP_FILTER"`})
	var ae *ActionError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an ActionError", err)
	}
	if want := `the command "docker rm $(docker ps -a -q)" failed: exit status 1`; ae.Plain() != want {
		t.Errorf("got %q, want %q", ae.Plain(), want)
	}
}

func TestReplayBackgroundIsStopped(t *testing.T) {
	dir := t.TempDir()
	r := &Replayer{Dir: dir}
	// The child writes its pid, then sleeps; Stop must end it.
	if err := r.Do(context.Background(), lessons.Action{Kind: lessons.Background, Text: "sh -c 'echo $$ > pid; exec sleep 60'"}); err != nil {
		t.Fatal(err)
	}
	var pid string
	for i := 0; i < 100 && pid == ""; i++ {
		b, _ := os.ReadFile(filepath.Join(dir, "pid"))
		pid = strings.TrimSpace(string(b))
		time.Sleep(20 * time.Millisecond)
	}
	if pid == "" {
		t.Fatal("the background command did not start")
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/" + pid); err == nil {
		t.Fatalf("background process %s still runs after Stop", pid)
	}
}

func TestReplayInteractiveTypesInput(t *testing.T) {
	dir := t.TempDir()
	r := &Replayer{Dir: dir, InteractiveTimeout: 10 * time.Second}
	a := lessons.Action{Kind: lessons.Run, Interactive: true, Input: "echo typed > got.txt; exit", Text: "test -t 0 && sh"}
	if err := r.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "got.txt"))
	if err != nil || strings.TrimSpace(string(b)) != "typed" {
		t.Fatalf("got.txt = %q (%v), want the typed command's output", b, err)
	}
}

// Stop sends Ctrl-C first, as a learner would: a command that handles it
// ends at once, without waiting for the grace period.
func TestReplayStopSendsCtrlC(t *testing.T) {
	dir := t.TempDir()
	r := &Replayer{Dir: dir, StopGrace: time.Minute}
	if err := r.Do(context.Background(), lessons.Action{Kind: lessons.Background, Text: "trap 'echo interrupted > got; exit 0' INT; echo ready > ready; while :; do sleep 0.05; done"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- r.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close still waits after 30s: the command did not get Ctrl-C")
	}
	b, err := os.ReadFile(filepath.Join(dir, "got"))
	if err != nil || strings.TrimSpace(string(b)) != "interrupted" {
		t.Fatalf("the command's Ctrl-C handler did not run (%q, %v)", b, err)
	}
}

// A background command's output goes to BackgroundOut, never to Out, which
// belongs to whatever the caller does once Do has returned.
func TestReplayBackgroundOutput(t *testing.T) {
	var out, bg safebuf.Buffer
	r := &Replayer{Dir: t.TempDir(), Out: &out, BackgroundOut: &bg, StopGrace: time.Second}
	if err := r.Do(context.Background(), lessons.Action{Kind: lessons.Background, Text: "echo from-background; sleep 30"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && !strings.Contains(bg.String(), "from-background"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bg.String(), "from-background") {
		t.Errorf("BackgroundOut = %q, want the background command's output", bg.String())
	}
	if out.String() != "" {
		t.Errorf("Out = %q, want nothing from a background command", out.String())
	}
}

// An interactive command run on the learner's terminal reads what they type
// there, and what it leaves unread is thrown away, so that it does not reach
// dockstep's next prompt.
func TestReplayInteractiveOnTheTerminal(t *testing.T) {
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptm.Close()
	defer pts.Close()
	var seen safebuf.Buffer
	go io.Copy(&seen, ptm)
	r := &Replayer{Dir: t.TempDir(), Terminal: pts}
	done := make(chan error, 1)
	go func() {
		done <- r.Do(context.Background(), lessons.Action{Kind: lessons.Run, Interactive: true, Input: "not typed",
			Text: "echo ready; read x; echo got-$x"})
	}()
	for i := 0; i < 500 && !strings.Contains(seen.String(), "ready"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	// The learner types a line, and a terminal's answer to a cursor query
	// follows, which the command does not read.
	io.WriteString(ptm, "hello\n\x1b[20;7R\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seen.String(), "got-hello") {
		t.Errorf("the command did not read what was typed on the terminal; the terminal shows %q", seen.String())
	}
	if strings.Contains(seen.String(), "got-not") {
		t.Errorf("the command was fed the lesson's scripted input instead of the terminal")
	}
	fds := []unix.PollFd{{Fd: int32(pts.Fd()), Events: unix.POLLIN}}
	if n, _ := unix.Poll(fds, 0); n > 0 {
		var b [64]byte
		k, _ := pts.Read(b[:])
		t.Errorf("input the command left unread is still waiting: %q", b[:k])
	}
}

// A {replay} command keeps to the containers the lesson made: a container
// made before the lesson began, even one from an image built on the
// lesson's, stays. Against the real engine.
func TestReplayKeepsToTheLessonsContainers(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	img := dockertest.Name("dockstep-test/replay-base")
	dockertest.Busybox(t, c, img+":latest")
	child := dockertest.Name("dockstep-test/replay-child")
	dockertest.Build(t, c, child, "FROM "+img+"\nLABEL foreign=yes\n")
	var foreign []string
	for _, from := range []string{img, child} {
		name := dockertest.Name("dockstep-replay-foreign")
		dockertest.RemoveContainerAtEnd(t, c, name)
		dockertest.Run(t, "run", "--name", name, from, "true")
		foreign = append(foreign, name)
	}
	mine := dockertest.Name("dockstep-replay-lesson")
	dockertest.RemoveContainerAtEnd(t, c, mine)

	r := &Replayer{Dir: t.TempDir(), Docker: c}
	shown := "docker rm $(docker ps -a -q -f ancestor=" + img + ")"
	if err := r.Do(ctx, lessons.Action{Kind: lessons.Run, Text: "docker run --name " + mine + " " + img + " true"}); err != nil {
		t.Fatal(err)
	}
	// Someone else (or the learner, outside the lesson) makes a container
	// of the same image after the lesson began: not the lesson's either.
	later := dockertest.Name("dockstep-replay-foreign-later")
	dockertest.RemoveContainerAtEnd(t, c, later)
	dockertest.Run(t, "run", "--name", later, img, "true")
	foreign = append(foreign, later)
	if err := r.Do(ctx, lessons.Action{Kind: lessons.Run, Text: shown, Replay: "docker rm $(docker ps -a -q -f ancestor=" + img + " $DOCKSTEP_FILTER)"}); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("docker", "inspect", mine).Run(); err == nil {
		t.Errorf("the lesson's container %s is still there, want it removed by the replay", mine)
	}
	for _, name := range foreign {
		if err := exec.Command("docker", "inspect", name).Run(); err != nil {
			t.Errorf("container %s, not made by the lesson's commands, was removed by the replay", name)
		}
	}
	// Without an engine to ask what the commands made, the filter keeps
	// nothing.
	none := &Replayer{Dir: t.TempDir()}
	if err := none.Do(ctx, lessons.Action{Kind: lessons.Run, Text: shown, Replay: "test -z \"$(docker ps -a -q -f ancestor=" + img + " $DOCKSTEP_FILTER)\""}); err != nil {
		t.Errorf("with no Made, $DOCKSTEP_FILTER let containers through: %v", err)
	}
}

// A solution of several commands shows each with its own "$ ", in the
// confirm screen and in the log of what ran; a line that continues the
// command before it (after a backslash) has none.
func TestPromptedCommands(t *testing.T) {
	tests := []struct{ in, want string }{
		{"docker ps", "$ docker ps"},
		{"docker rm -f notebook2\ndocker volume rm notes\n", "$ docker rm -f notebook2\n$ docker volume rm notes"},
		{"docker run -d \\\n  --name web nginx\ndocker ps", "$ docker run -d \\\n  --name web nginx\n$ docker ps"},
	}
	for _, tt := range tests {
		if got := Prompted(tt.in); got != tt.want {
			t.Errorf("Prompted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	a := lessons.Action{Kind: lessons.Run, Text: "docker rm -f notebook2\ndocker volume rm notes\n"}
	if got, want := Describe(a, nil), "run:\n$ docker rm -f notebook2\n$ docker volume rm notes"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

// A command replayed with $DOCKSTEP_FILTER is shown as the lesson writes it,
// with what the filter means in words.
func TestDescribeScopedReplay(t *testing.T) {
	a := lessons.Action{Kind: lessons.Run, Text: "docker rm $(docker ps -a -q -f ancestor=busybox)",
		Replay: "docker rm $(docker ps -a -q -f ancestor=busybox $DOCKSTEP_FILTER)"}
	got := Describe(a, nil)
	want := "run: docker rm $(docker ps -a -q -f ancestor=busybox)\n(only on the containers made for this lesson)"
	if got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

// A container started by a background command of the solution is the
// lesson's until the command is stopped (first-image: run the app, then
// stop it with a {replay} docker stop); one of the same image that someone
// else starts meanwhile is not. Against the real engine.
func TestReplayBackgroundContainerIsTheLessons(t *testing.T) {
	c := dockertest.Client(t)
	ctx := context.Background()
	img := dockertest.Name("dockstep-test/replay-bg")
	dockertest.Busybox(t, c, img+":latest")
	mine := dockertest.Name("dockstep-replay-bg-lesson")
	dockertest.RemoveContainerAtEnd(t, c, mine)
	r := &Replayer{Dir: t.TempDir(), Docker: c, StopGrace: time.Second}
	defer r.Stop()
	if err := r.Do(ctx, lessons.Action{Kind: lessons.Background, Text: "docker run --name " + mine + " " + img + " sleep 60"}); err != nil {
		t.Fatal(err)
	}
	running := func(name string) bool {
		out, err := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", name).Output()
		return err == nil && strings.TrimSpace(string(out)) == "true"
	}
	for deadline := time.Now().Add(20 * time.Second); !running(mine); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the background command's container %s did not start within 20s", mine)
		}
	}
	theirs := dockertest.Name("dockstep-replay-bg-foreign")
	dockertest.RemoveContainerAtEnd(t, c, theirs)
	dockertest.Run(t, "run", "-d", "--name", theirs, img, "sleep", "60")
	stop := "docker stop -t 1 $(docker ps -q --filter ancestor=" + img + ")"
	if err := r.Do(ctx, lessons.Action{Kind: lessons.Run, Text: stop, Replay: "docker stop -t 1 $(docker ps -q --filter ancestor=" + img + " $DOCKSTEP_FILTER)"}); err != nil {
		t.Fatal(err)
	}
	if running(mine) {
		t.Errorf("the lesson's container %s still runs, want it stopped by the replay", mine)
	}
	if !running(theirs) {
		t.Errorf("container %s, started by someone else while the lesson's ran, was stopped by the replay", theirs)
	}
}
