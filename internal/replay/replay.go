// Package replay carries out a lesson step's solution as the learner would:
// it writes and appends the step's files, runs its commands in a shell
// (an interactive one in a pseudo-terminal fed the lesson's input, or on
// the learner's own terminal), and starts and later stops background
// commands. "Run it for me" in the runner and the lesson prover
// (dockstep test) both use its Replayer.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"

	"github.com/dockstep/dockstep/lessons"
)

// Replayer carries out a step's solution in a working directory: it writes
// and appends files, runs commands, and starts background commands that it
// stops later. "Run it for me" in the runner and `dockstep test` both use it.
type Replayer struct {
	// Dir is the working directory for commands and files.
	Dir string
	// Vars fill in {{name}} in commands and file contents.
	Vars map[string]string
	// Out receives the output of commands run to the end, as it comes,
	// while Do runs.
	Out io.Writer
	// BackgroundOut receives the output of background commands for as long
	// as they run; nil discards it. Writes to it are serialised.
	BackgroundOut io.Writer
	// Env is the commands' environment; nil means dockstep's own.
	Env []string
	// InteractiveTimeout bounds an interactive command driven by its
	// scripted input; zero means a minute.
	InteractiveTimeout time.Duration
	// Terminal, when set, is the learner's terminal: an interactive command
	// (docker run -it) then runs on it, in the foreground, with the
	// learner's keyboard, for as long as the learner likes, instead of in a
	// pseudo-terminal of its own fed with the lesson's scripted input.
	Terminal *os.File
	// StopGrace is how long Stop lets a background command end after
	// Ctrl-C before it kills it; zero means 3 seconds.
	StopGrace time.Duration
	// Docker is the engine the commands use. The containers it reports
	// created while one of the Replayer's own commands runs (a background
	// one until it is stopped) are the lesson's, and the commands'
	// $DOCKSTEP_FILTER (see FilterVar) keeps to them: never to a container
	// someone else created meanwhile. nil: the Replayer knows of none.
	Docker EventSource
	// Made lists the IDs of further containers the lesson made, which the
	// caller saw made for it (the runner: the learner's, for its steps).
	// nil: none.
	Made func(ctx context.Context) ([]string, error)

	mu    sync.Mutex
	bg    []*exec.Cmd
	bgOut lockedWriter
	// bgRan is the time each background command ran, until stopped.
	bgRan map[*exec.Cmd]*window
	// windows are the times commands ran that the engine was not yet
	// asked about; made are the containers it said they created.
	windows []*window
	made    []string
}

// lockedWriter serialises the writes of several commands' output copiers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}

// Describe says in one line what replaying a will do, for the learner to
// confirm before it happens.
func Describe(a lessons.Action, vars map[string]string) string {
	text := lessons.Expand(a.Text, vars)
	limited := ""
	if a.Replay != "" && !a.Manual {
		if strings.Contains(a.Replay, "$DOCKSTEP_FILTER") {
			// The lesson's command, kept to what the lesson made: say so
			// in words, not with a variable the learner never set.
			limited = "\n(only on the containers made for this lesson)"
		} else {
			text = lessons.Expand(a.Replay, vars)
		}
	}
	switch a.Kind {
	case lessons.WriteFile:
		return fmt.Sprintf("write %s:\n%s", a.Path, text)
	case lessons.AppendFile:
		return fmt.Sprintf("append to %s:\n%s", a.Path, text)
	case lessons.Background:
		return fmt.Sprintf("start in the background: %s", text)
	}
	if a.Manual {
		return fmt.Sprintf("(you run this one yourself): %s", text)
	}
	if strings.Contains(strings.TrimSpace(text), "\n") {
		return "run:\n" + Prompted(text) + limited
	}
	return "run: " + text + limited
}

// Prompted writes shell commands as a terminal shows them typed: "$ "
// before each command, none before the lines that continue one (after a
// line ending in a backslash).
func Prompted(cmds string) string {
	lines := strings.Split(strings.TrimRight(cmds, "\n"), "\n")
	cont := false
	for i, l := range lines {
		if !cont {
			lines[i] = "$ " + l
		}
		cont = strings.HasSuffix(strings.TrimRight(l, " \t"), "\\")
	}
	return strings.Join(lines, "\n")
}

// oneLine is a block of commands as one line, for a message that quotes
// it: its commands joined with "; ", a line continued with a backslash
// joined to the next. Quoted with %q, a newline would read \n.
func oneLine(cmds string) string {
	lines := strings.Split(strings.TrimSpace(cmds), "\n")
	var b strings.Builder
	for i, l := range lines {
		l = strings.TrimSpace(l)
		cont := strings.HasSuffix(l, "\\")
		l = strings.TrimSpace(strings.TrimSuffix(l, "\\"))
		b.WriteString(l)
		switch {
		case i == len(lines)-1 || l == "":
		case cont:
			b.WriteString(" ")
		default:
			b.WriteString("; ")
		}
	}
	return b.String()
}

// ActionError is an action of a solution that did not work. Its Error names
// the lesson file and line, for lesson authors; Plain says what happened in
// the words a learner reads.
type ActionError struct {
	Pos lessons.Pos
	// What says what failed and why, without the position.
	What string
	Err  error
}

func (e *ActionError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.Pos.File, e.Pos.Line, e.What)
}

// Plain is the error without the lesson's file and line.
func (e *ActionError) Plain() string { return e.What }

func (e *ActionError) Unwrap() error { return e.Err }

// FilterVar is the variable that replayed commands find docker ps filters
// in, which keep only the containers the lesson made:
// docker ps -a -q -f ancestor=busybox $DOCKSTEP_FILTER. A lesson's {replay}
// command uses it where the command the learner is shown would act on the
// whole engine.
const FilterVar = "DOCKSTEP_FILTER"

// noneMade is a filter that matches no container ID.
const noneMade = "--filter id=none-made-by-this-lesson"

// withFilter puts $DOCKSTEP_FILTER before text when text uses it.
func (r *Replayer) withFilter(ctx context.Context, text string) (string, error) {
	if !strings.Contains(text, FilterVar) {
		return text, nil
	}
	filter := noneMade
	ids, err := r.lessonMade(ctx)
	if err != nil {
		return "", fmt.Errorf("listing the containers the lesson made: %w", err)
	}
	if len(ids) > 0 {
		filter = "--filter id=" + strings.Join(ids, " --filter id=")
	}
	// IDs are hexadecimal: nothing in filter needs quoting but the spaces.
	return fmt.Sprintf("%s='%s'; export %s\n%s", FilterVar, filter, FilterVar, text), nil
}

// Do carries out one action. Manual actions are skipped. A command with a
// {replay} is replayed by that.
func (r *Replayer) Do(ctx context.Context, a lessons.Action) error {
	text := lessons.Expand(a.Text, r.Vars)
	if a.Replay != "" {
		text = lessons.Expand(a.Replay, r.Vars)
	}
	fail := func(err error, format string, args ...any) error {
		return &ActionError{Pos: a.Pos, What: fmt.Sprintf(format, args...), Err: err}
	}
	run := text             // what the shell runs
	quoted := oneLine(text) // what messages quote
	if strings.Contains(a.Replay, FilterVar) {
		// As Describe says it: the lesson's command, not a variable the
		// learner never set.
		quoted = oneLine(lessons.Expand(a.Text, r.Vars))
	}
	if a.Kind != lessons.WriteFile && a.Kind != lessons.AppendFile && !a.Manual {
		var err error
		if run, err = r.withFilter(ctx, text); err != nil {
			return fail(err, "%v", err)
		}
	}
	switch a.Kind {
	case lessons.WriteFile, lessons.AppendFile:
		if err := r.writeFile(a.Path, text, a.Kind == lessons.AppendFile); err != nil {
			return fail(err, "writing %s: %v", a.Path, err)
		}
		return nil
	case lessons.Background:
		if err := r.start(run); err != nil {
			return fail(err, "cannot start %q: %v", quoted, err)
		}
		return nil
	}
	if a.Manual {
		return nil
	}
	w := r.begin(false)
	defer r.finish(ctx, w)
	if a.Interactive && r.Terminal != nil {
		if err := r.attached(ctx, run); err != nil {
			return fail(err, "the command %q failed: %v", quoted, err)
		}
		return nil
	}
	if a.Interactive {
		return r.interactive(ctx, run, a.Input, fail)
	}
	cmd := r.command(ctx, run)
	cmd.Stdout, cmd.Stderr = r.out(), r.out()
	if err := cmd.Run(); err != nil {
		return fail(err, "the command %q failed: %v", quoted, err)
	}
	return nil
}

func (r *Replayer) out() io.Writer {
	if r.Out == nil {
		return io.Discard
	}
	return r.Out
}

func (r *Replayer) command(ctx context.Context, text string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "sh", "-c", text)
	cmd.Dir = r.Dir
	cmd.Env = r.Env
	// Its own process group, so that stopping it stops what it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

func (r *Replayer) writeFile(rel, text string, appendTo bool) error {
	p := filepath.Join(r.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		// Make sure what we append starts on a line of its own.
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 && b[len(b)-1] != '\n' {
			text = "\n" + text
		}
	}
	f, err := os.OpenFile(p, flags, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// start starts a command that keeps running, such as a container run in the
// foreground, and returns once it has started.
func (r *Replayer) start(text string) error {
	cmd := r.command(context.Background(), text)
	r.bgOut.mu.Lock()
	r.bgOut.w = r.BackgroundOut
	r.bgOut.mu.Unlock()
	cmd.Stdout, cmd.Stderr = &r.bgOut, &r.bgOut
	w := r.begin(true)
	if err := cmd.Start(); err != nil {
		r.finish(context.Background(), w)
		return err
	}
	r.mu.Lock()
	r.bg = append(r.bg, cmd)
	if r.bgRan == nil {
		r.bgRan = map[*exec.Cmd]*window{}
	}
	r.bgRan[cmd] = w
	r.mu.Unlock()
	go cmd.Wait()
	return nil
}

// interactive runs a command in a pseudo-terminal, as if typed at a prompt,
// types input into it, then ends its input.
func (r *Replayer) interactive(ctx context.Context, text, input string, fail func(error, string, ...any) error) error {
	limit := r.InteractiveTimeout
	if limit == 0 {
		limit = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", text)
	cmd.Dir = r.Dir
	cmd.Env = r.Env
	// A session of its own, as pty.Start makes it, whose whole process
	// group a timeout kills, not just the shell.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		return fail(err, "cannot start %q in a terminal: %v", oneLine(text), err)
	}
	defer f.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(r.out(), f)
		close(done)
	}()
	// Give the program a moment to start reading, then type.
	time.Sleep(300 * time.Millisecond)
	if input != "" {
		io.WriteString(f, input+"\r")
	}
	io.WriteString(f, "\x04") // Ctrl-D: end of input
	err = cmd.Wait()
	f.Close()
	<-done
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fail(ctx.Err(), "the interactive command %q did not finish within %s", oneLine(text), limit)
	}
	if ctx.Err() != nil {
		return fail(ctx.Err(), "the interactive command %q was interrupted", oneLine(text))
	}
	if err != nil {
		return fail(err, "the interactive command %q failed: %v", oneLine(text), err)
	}
	return nil
}

// Stop stops every background command started so far: first with Ctrl-C
// (SIGINT), as a learner stops a `docker run` in the foreground (the docker
// CLI passes it on to the container), then, after StopGrace, by force. A
// container whose program ignores Ctrl-C keeps running once its docker CLI
// is killed, as it would for the learner.
func (r *Replayer) Stop() error {
	cmds := r.take()
	err := r.stop(cmds)
	for _, c := range cmds {
		r.mu.Lock()
		w := r.bgRan[c]
		delete(r.bgRan, c)
		r.mu.Unlock()
		if w != nil {
			r.finish(context.Background(), w)
		}
	}
	return err
}

// Close stops what is still running, so that no command outlives dockstep.
func (r *Replayer) Close() error { return r.Stop() }

// take removes the background commands started so far from the Replayer.
func (r *Replayer) take() []*exec.Cmd {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmds := r.bg
	r.bg = nil
	return cmds
}

// stop sends Ctrl-C to every command's process group, waits until all have
// ended or the grace period is over, then kills what is left.
func (r *Replayer) stop(cmds []*exec.Cmd) error {
	var errs []error
	var groups []int
	for _, c := range cmds {
		pgid := -c.Process.Pid
		if err := syscall.Kill(pgid, syscall.SIGINT); err != nil {
			if !errors.Is(err, syscall.ESRCH) {
				errs = append(errs, fmt.Errorf("stopping %q: %w", c.Args[len(c.Args)-1], err))
			}
			continue
		}
		groups = append(groups, pgid)
	}
	grace := r.StopGrace
	if grace == 0 {
		grace = 3 * time.Second
	}
	deadline := time.Now().Add(grace)
	for len(groups) > 0 && time.Now().Before(deadline) {
		alive := groups[:0]
		for _, g := range groups {
			if syscall.Kill(g, 0) == nil {
				alive = append(alive, g)
			}
		}
		groups = alive
		if len(groups) > 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, g := range groups {
		syscall.Kill(g, syscall.SIGKILL)
	}
	return errors.Join(errs...)
}
