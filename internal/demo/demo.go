// Package demo presents a lesson live, for an instructor in front of an
// audience: it types each step's commands into a real shell in a
// pseudo-terminal, runs them, and shows with a ✓ that the step's checks
// hold on the engine, and how long the engine took.
//
// Nothing runs that has not been shown on screen first: commands are typed
// into the shell at a human pace before they run, a file is written by a
// here-document typed line by line, a {background} command is started with
// & in the shell, and the background jobs left at the end are stopped with
// a kill typed like the rest. What the audience sees can be recorded as an
// asciicast v2 file.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/lessons"
)

// Tracker keeps the record of what the demo created on the engine, so that
// only that is ever removed.
type Tracker interface {
	// Update records what the demo has created so far.
	Update(ctx context.Context) error
	// Created says in a line what the demo created; "" when nothing.
	Created(ctx context.Context) (string, error)
	// Remove removes what the demo created and says what it removed.
	Remove(ctx context.Context) (string, error)
}

// Options say what to present and how.
type Options struct {
	Lesson *lessons.Lesson
	// Vars fill in {{name}} everywhere in the lesson.
	Vars map[string]string
	// Dir is the working folder of the demo shell, with the lesson's
	// workspace in it.
	Dir string
	// Env is the demo shell's environment; nil means dockstep's own.
	Env      []string
	Registry *checks.Registry
	Docker   checks.Docker
	// Tracker records what the demo creates; nil records nothing.
	Tracker Tracker

	// In gives the presenter's keys, Out is the screen the audience sees.
	// Out must be a terminal of Width columns and Height rows unless Plain
	// is set, which prints the demo as lines of text, for logs.
	In            io.Reader
	Out           io.Writer
	Width, Height int
	Plain         bool
	// Resized, when set, gives the screen's new size, [columns, rows],
	// each time the presenter's terminal changes size.
	Resized <-chan [2]int
	// Notes, when set, receives the presenter notes of each step.
	Notes io.Writer
	// Record, when set, receives an asciicast v2 recording of Out.
	Record io.Writer

	// Auto runs the whole lesson without waiting for keys.
	Auto bool
	// Speed is the typing speed in characters a second; 0 types at once.
	Speed float64
	// From is the index of the first step shown (0 for the first).
	From int
	// Wait bounds how long a step's checks get to hold after its commands;
	// zero means 30 seconds.
	Wait time.Duration
	// Pause is how long --auto waits before each command and after each
	// step, so that the audience can follow; zero means none.
	Pause time.Duration
	// Keep leaves what the demo created in --auto mode; otherwise Auto
	// removes it at the end, and an interactive demo asks.
	Keep bool
	// Rand varies the typing pace; nil makes one.
	Rand *rand.Rand
}

// Outcome is how a demo ended.
type Outcome struct {
	// Held is how many steps' checks held.
	Held int
	// Failed is the first step whose checks did not hold in --auto mode,
	// with why; nil when none failed.
	Failed *lessons.Step
	Why    string
	// Quit is set when the presenter quit before the end.
	Quit bool
	// Removed says what was removed at the end; "" when nothing was.
	Removed string
}

// nav is where to go after a step.
type nav int

const (
	navNext nav = iota
	navBack
	navAgain
	navQuit
	navFail
)

// headerRows is how many rows the step's title and text take at the top of
// the screen; the last row holds the keys.
const headerRows = 4

type demo struct {
	o      Options
	scr    *screen
	sh     *shell
	keys   <-chan []byte
	rnd    *rand.Rand
	vars   map[string]string
	bgJobs int // background commands started
	out    Outcome
	failed string       // why the last step's checks did not hold
	held   map[int]bool // the steps whose checks held
}

// Run presents the lesson and returns how it went. The error is for what
// stops the demo itself, such as a shell that cannot start.
func Run(ctx context.Context, o Options) (Outcome, error) {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 100, 30
	}
	if o.Wait == 0 {
		o.Wait = 30 * time.Second
	}
	d := &demo{o: o, vars: o.Vars, rnd: o.Rand, held: map[int]bool{}}
	if d.rnd == nil {
		d.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	}
	var out io.Writer = o.Out
	if o.Record != nil {
		cw, err := newCastWriter(o.Record, o.Width, o.Height, o.Lesson.Title, map[string]string{"TERM": "xterm-256color", "SHELL": "/bin/bash"}, nil)
		if err != nil {
			return d.out, err
		}
		out = io.MultiWriter(o.Out, cw)
	}
	d.scr = &screen{w: out, cols: o.Width, rows: o.Height, plain: o.Plain}
	if !o.Auto {
		d.keys = readKeys(o.In)
	}
	cols, rows := o.Width, o.Height-headerRows-1
	if o.Plain {
		rows = o.Height
	}
	sh, err := startShell(o.Dir, o.Env, cols, rows, d.scr)
	if err != nil {
		return d.out, err
	}
	d.sh = sh
	d.scr.open()
	if o.Resized != nil && !o.Plain {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-stop:
					return
				case sz := <-o.Resized:
					d.scr.resize(sz[0], sz[1])
					sh.resize(sz[0], sz[1]-headerRows-1)
				}
			}
		}()
	}
	defer func() {
		sh.close()
		d.scr.close()
	}()
	if err := d.waitPrompt(ctx, false); err != nil {
		return d.out, fmt.Errorf("the demo shell did not start: %w", err)
	}

	steps := o.Lesson.Steps
	for i := max(o.From, 0); i < len(steps); {
		switch d.step(ctx, i) {
		case navNext:
			i++
		case navBack:
			i = max(i-1, 0)
		case navAgain:
		case navQuit:
			d.out.Quit = true
			i = len(steps)
		case navFail:
			d.out.Failed = steps[i]
			d.out.Why = d.failed
			i = len(steps)
		}
		if ctx.Err() != nil {
			d.out.Quit = true
			break
		}
		if o.Tracker != nil {
			o.Tracker.Update(context.WithoutCancel(ctx))
		}
	}
	d.finish(ctx)
	return d.out, nil
}

// step presents one step and says where to go next.
func (d *demo) step(ctx context.Context, i int) nav {
	s := d.o.Lesson.Steps[i]
	d.showStep(ctx, i)
	moves := movesOf(s, d.vars)
	since := time.Now()
	var took time.Duration
	for _, m := range moves {
		instant := d.o.Speed == 0
		if d.o.Auto {
			d.sleep(ctx, d.o.Pause)
		} else {
			d.scr.keyLine(keysType)
			switch k := d.waitKey(ctx); k {
			case keyRight:
				instant = true
			case keyNext:
			default:
				return navOf(k)
			}
		}
		if k := d.typeMove(ctx, m, instant); k != keyNone {
			d.abortLine(ctx)
			return navOf(k)
		}
		if !d.o.Auto {
			d.scr.keyLine(keysRun)
			switch k := d.waitKey(ctx); k {
			case keyNext, keyRight:
			default:
				d.abortLine(ctx)
				return navOf(k)
			}
		}
		started := time.Now()
		d.runMove(ctx, m)
		took += time.Since(started)
		if ctx.Err() != nil {
			return navQuit
		}
	}
	held := true
	if len(s.Checks) > 0 {
		held = d.verify(ctx, s, since, took)
	}
	if held && len(s.Checks) > 0 {
		d.held[i] = true
		d.out.Held = len(d.held)
	}
	d.quiz(ctx, s)
	// Keys pressed while the commands ran or the checks were evaluated are
	// dropped: an impatient Enter must not skip what comes next unseen.
	d.dropKeys()
	if d.o.Auto {
		if !held {
			return navFail
		}
		d.sleep(ctx, d.o.Pause)
		return navNext
	}
	next := "Enter next step"
	if i == len(d.o.Lesson.Steps)-1 {
		next = "Enter finish"
	}
	d.scr.keyLine(next + keysStepDone)
	return navOf(d.waitKey(ctx))
}

func navOf(k key) nav {
	switch k {
	case keyLeft:
		return navBack
	case keyAgain:
		return navAgain
	case keyQuit:
		return navQuit
	}
	return navNext
}

// showStep clears the screen and shows the step's title and the start of
// its text, then a fresh prompt under them.
func (d *demo) showStep(ctx context.Context, i int) {
	l := d.o.Lesson
	s := l.Steps[i]
	title := fmt.Sprintf("Step %d of %d · %s", s.Index, len(l.Steps), lessons.Expand(s.Title, d.vars))
	d.scr.header(title, shortText(s, d.vars))
	d.writeNotes(i)
	d.freshPrompt(ctx, "")
}

// freshPrompt shows msg (when not empty) where the prompt is, then has the
// shell show its prompt again below it.
func (d *demo) freshPrompt(ctx context.Context, msg string) {
	if msg != "" {
		d.scr.printf("\r\x1b[2K%s", msg)
	}
	d.sh.drain()
	d.sh.write("\r")
	d.waitPrompt(ctx, false)
}

// writeNotes shows the step's notes on the presenter's notes terminal.
func (d *demo) writeNotes(i int) {
	if d.o.Notes == nil {
		return
	}
	l := d.o.Lesson
	s := l.Steps[i]
	var b strings.Builder
	b.WriteString("\x1b[H\x1b[2J")
	fmt.Fprintf(&b, "\x1b[1m%s · step %d of %d: %s\x1b[0m\r\n\r\n", l.ID, s.Index, len(l.Steps), lessons.Expand(s.Title, d.vars))
	if s.Notes == "" {
		b.WriteString("\x1b[2m(no notes for this step)\x1b[0m\r\n")
	} else {
		b.WriteString(strings.ReplaceAll(lessons.Expand(s.Notes, d.vars), "\n", "\r\n") + "\r\n")
	}
	if i+1 < len(l.Steps) {
		fmt.Fprintf(&b, "\r\n\x1b[2mnext: %s\x1b[0m\r\n", lessons.Expand(l.Steps[i+1].Title, d.vars))
	}
	io.WriteString(d.o.Notes, b.String())
}

// move is one thing typed and run: a command line (with the lines that
// continue it), a file written with a here-document, or a background
// command.
type move struct {
	lines []string // typed one after the other, with Enter between them
	// input is typed into an interactive command once it runs.
	input       []string
	interactive bool
}

// movesOf turns a step's solution into what is typed. Manual commands are
// typed as comments, never run: the lesson asks the learner to run them by
// hand (docker login, with an account of their own), and the solution
// holds what completes the step.
func movesOf(s *lessons.Step, vars map[string]string) []move {
	var out []move
	for _, a := range s.Solution {
		text := lessons.Expand(a.Text, vars)
		switch a.Kind {
		case lessons.WriteFile, lessons.AppendFile:
			op := ">"
			if a.Kind == lessons.AppendFile {
				op = ">>"
			}
			body := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
			eof := "EOF"
			for strings.Contains("\n"+text+"\n", "\n"+eof+"\n") {
				eof += "_"
			}
			first := fmt.Sprintf("cat %s %s <<'%s'", op, shellWord(a.Path), eof)
			if d := path.Dir(a.Path); d != "." {
				first = "mkdir -p " + shellWord(d) + " && " + first
			}
			lines := append([]string{first}, body...)
			out = append(out, move{lines: append(lines, eof)})
			continue
		}
		if a.Manual {
			// Typed as comments: the audience sees the commands the
			// learner runs by hand, and the shell runs nothing.
			for _, l := range strings.Split(text, "\n") {
				if strings.TrimSpace(l) != "" {
					out = append(out, move{lines: []string{"# " + l}})
				}
			}
			continue
		}
		var cur []string
		for _, l := range strings.Split(text, "\n") {
			if strings.TrimSpace(l) == "" && len(cur) == 0 {
				continue
			}
			cur = append(cur, l)
			if strings.HasSuffix(l, "\\") {
				continue
			}
			m := move{lines: cur}
			if a.Kind == lessons.Background {
				m.lines[len(m.lines)-1] += " &"
			}
			if a.Interactive {
				m.interactive = true
				if a.Input != "" {
					m.input = strings.Split(a.Input, "\n")
				}
			}
			out = append(out, m)
			cur = nil
		}
		if len(cur) > 0 {
			out = append(out, move{lines: cur})
		}
	}
	return out
}

// shellWord quotes a file name for the shell when it needs it.
func shellWord(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// typeMove types a move's lines, each but the last followed by Enter. It
// returns the key that interrupted it, or keyNone.
func (d *demo) typeMove(ctx context.Context, m move, instant bool) key {
	for i, line := range m.lines {
		if k := d.typeLine(ctx, line, &instant); k != keyNone {
			return k
		}
		if i < len(m.lines)-1 {
			d.sh.drain()
			d.sh.write("\r")
			if err := d.waitPrompt(ctx, true); err != nil {
				return keyQuit
			}
		}
	}
	return keyNone
}

// typeLine types text at the demo's speed. A key that moves on types the
// rest at once; ← r q stop the typing and are returned.
func (d *demo) typeLine(ctx context.Context, text string, instant *bool) key {
	for text != "" {
		if *instant {
			d.sh.write(text)
			return keyNone
		}
		_, n := utf8.DecodeRuneInString(text)
		d.sh.write(text[:n])
		text = text[n:]
		delay := time.Duration(float64(time.Second) / d.o.Speed * (0.6 + 0.8*d.rnd.Float64()))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return keyQuit
		case b := <-d.keys:
			t.Stop()
			switch k := decodeKey(b); k {
			case keyNext, keyRight:
				*instant = true
			case keyLeft, keyAgain, keyQuit:
				return k
			}
		case <-t.C:
		}
	}
	return keyNone
}

// abortLine drops what was typed but not run.
func (d *demo) abortLine(ctx context.Context) {
	d.sh.drain()
	d.sh.write("\x03")
	d.waitPrompt(ctx, false)
}

// runMove presses Enter and waits for the command to end. An interactive
// command gets its input typed once it has settled; the presenter's keys go
// to it too. Otherwise only Ctrl-C reaches a running command.
func (d *demo) runMove(ctx context.Context, m move) {
	d.sh.drain()
	d.scr.keyLine("running   Ctrl-C interrupt")
	d.sh.write("\r")
	if strings.HasSuffix(m.lines[len(m.lines)-1], " &") {
		d.bgJobs++
	}
	if m.interactive {
		if !d.settle(ctx) {
			return // it ended already
		}
		for _, in := range m.input {
			instant := d.o.Speed == 0
			d.typeLine(ctx, in, &instant)
			d.sh.write("\r")
			if !d.settle(ctx) {
				return
			}
		}
		if d.o.Auto && len(m.input) == 0 {
			d.sh.write("\x04")
		}
	}
	d.waitRunning(ctx, m.interactive)
}

// settle waits until the running command has been quiet for a moment, as a
// person waits for a prompt before typing. It returns false when the demo
// shell's prompt came back, that is the command ended.
func (d *demo) settle(ctx context.Context) bool {
	last := d.scr.written()
	quiet := 0
	for quiet < 6 {
		select {
		case <-ctx.Done():
			return false
		case p := <-d.sh.prompts:
			if !p.More {
				return false
			}
		case b := <-d.keys:
			d.sh.write(string(b))
		case <-time.After(100 * time.Millisecond):
			if n := d.scr.written(); n != last {
				last, quiet = n, 0
			} else {
				quiet++
			}
		}
	}
	return true
}

// waitRunning waits for the prompt that says the command ended.
func (d *demo) waitRunning(ctx context.Context, passKeys bool) {
	for {
		select {
		case <-ctx.Done():
			d.sh.write("\x03")
			return
		case p := <-d.sh.prompts:
			if !p.More {
				return
			}
		case b := <-d.keys:
			if passKeys {
				d.sh.write(string(b))
			} else if strings.ContainsAny(string(b), "\x03\x04") {
				d.sh.write(string(b[:1]))
			}
		case <-d.sh.exited:
			return
		}
	}
}

// waitPrompt waits for the shell's next main prompt (or, with more, for
// its continuation prompt).
func (d *demo) waitPrompt(ctx context.Context, more bool) error {
	limit := time.NewTimer(time.Minute)
	defer limit.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-limit.C:
			return errors.New("no prompt from the demo shell within a minute")
		case <-d.sh.exited:
			return errors.New("the demo shell ended")
		case p := <-d.sh.prompts:
			if p.More == more || !p.More {
				return nil
			}
		}
	}
}

// verify evaluates the step's checks until they hold or the wait is over,
// and shows the outcome. took is how long the step's commands ran.
func (d *demo) verify(ctx context.Context, s *lessons.Step, since time.Time, took time.Duration) bool {
	env := &checks.Env{Docker: d.o.Docker, Dir: d.o.Dir, Since: since.Add(-time.Second)}
	begun := time.Now()
	deadline := begun.Add(d.o.Wait)
	d.scr.keyLine("checking")
	for {
		// The step's verdict as the runner gives it; its quiz comes next,
		// answered on screen.
		v := checks.JudgeStep(ctx, d.o.Registry, s, d.vars, env, checks.QuizRight)
		res := v.Results
		if v.Outcome == checks.Passed {
			took += time.Since(begun)
			var b strings.Builder
			fmt.Fprintf(&b, "%s  %s", d.scr.green("✓ "+lessons.Expand(s.Title, d.vars)), d.scr.dim(fmt.Sprintf("(engine %s)", round(took))))
			for _, r := range res {
				b.WriteString(d.checkLines("✓ "+r.Kind+": "+oneLine(r.Message), d.scr.dim))
			}
			d.freshPrompt(ctx, b.String())
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			var b strings.Builder
			var why []string
			if v.Outcome == checks.Unknown {
				msg := fmt.Sprintf("✗ %s: the Docker engine could not be asked: %s", lessons.Expand(s.Title, d.vars), oneLine(v.Reason))
				b.WriteString(d.scr.red(msg))
				why = append(why, msg)
			} else {
				fmt.Fprintf(&b, "%s", d.scr.red(fmt.Sprintf("✗ %s: the checks do not hold after %s", lessons.Expand(s.Title, d.vars), round(d.o.Wait))))
			}
			for i, r := range res {
				if !r.Passed && v.Outcome != checks.Unknown {
					b.WriteString(d.checkLines("✗ "+r.Kind+": "+oneLine(r.Message), d.scr.red))
					why = append(why, fmt.Sprintf("%s:%d: %s check: %s", s.Checks[i].Pos.File, s.Checks[i].Pos.Line, r.Kind, oneLine(r.Message)))
				}
			}
			d.failed = strings.Join(why, "\n")
			d.freshPrompt(ctx, b.String())
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// quiz shows the step's question and its answer, read from the engine when
// the lesson says so, for the presenter to ask the room.
func (d *demo) quiz(ctx context.Context, s *lessons.Step) {
	q := s.Quiz
	if q == nil {
		return
	}
	var answer string
	a, err := d.o.Registry.CompileQuiz(q, d.vars)
	var answers []string
	if err == nil {
		answers, err = a.Answers(ctx, &checks.Env{Docker: d.o.Docker, Dir: d.o.Dir})
		answer = strings.Join(answers, " or ")
	}
	if err != nil {
		answer = "(cannot read it from the engine: " + err.Error() + ")"
	}
	d.freshPrompt(ctx, fmt.Sprintf("%s %s\r\n  %s", d.scr.bold("?"), lessons.Expand(q.Question, d.vars), d.scr.dim("answer: "+oneLine(answer))))
}

// finish stops the background jobs the lesson left running, with a kill
// typed like every other command, and removes what the demo created when
// asked to.
func (d *demo) finish(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if d.bgJobs > 0 {
		m := move{lines: []string{"kill -INT $(jobs -p) 2>/dev/null"}}
		instant := d.o.Speed == 0
		d.typeMove(ctx, m, instant)
		d.runMove(ctx, m)
		d.sleep(ctx, 500*time.Millisecond)
	}
	t := d.o.Tracker
	if t == nil {
		return
	}
	t.Update(ctx)
	created, err := t.Created(ctx)
	if err != nil {
		d.freshPrompt(ctx, d.scr.red("cannot tell what the demo created: "+err.Error()))
		return
	}
	if created == "" || d.o.Keep {
		return
	}
	if !d.o.Auto {
		d.scr.printf("\r\x1b[2KThe demo created %s.", created)
		d.scr.keyLine(keysRemove)
		if k := d.waitByte(ctx); k != 'y' && k != 'Y' {
			d.freshPrompt(ctx, d.scr.dim(" Kept. dockstep demo --reset "+d.o.Lesson.ID+" removes them."))
			return
		}
	}
	removed, err := t.Remove(ctx)
	d.out.Removed = removed
	if err != nil {
		d.freshPrompt(ctx, d.scr.red("removing what the demo created: "+err.Error()))
		return
	}
	if removed == "" {
		removed = "nothing: it was gone already"
	}
	d.freshPrompt(ctx, d.scr.dim("Removed "+removed+"."))
}

// sleep waits for d, or until ctx is done.
func (d *demo) sleep(ctx context.Context, dur time.Duration) {
	if dur <= 0 {
		return
	}
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// checkLines is one check's outcome under a step's ✓ or ✗: indented,
// wrapped between words to the screen's width (a long diagnosis wrapped by
// the terminal breaks words on a projector), at most four lines.
func (d *demo) checkLines(text string, style func(string) string) string {
	d.scr.mu.Lock()
	cols := d.scr.cols
	d.scr.mu.Unlock()
	var b strings.Builder
	for i, l := range wrap(text, max(cols-4, 20), 4) {
		indent := "    "
		if i == 0 {
			indent = "  "
		}
		b.WriteString("\r\n" + indent + style(l))
	}
	return b.String()
}

func round(t time.Duration) time.Duration {
	if t < 100*time.Millisecond {
		return t.Round(time.Millisecond)
	}
	if t < 10*time.Second {
		return t.Round(100 * time.Millisecond)
	}
	return t.Round(time.Second)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// shortText is the start of a step's text, at most two lines' worth.
func shortText(s *lessons.Step, vars map[string]string) string {
	for _, b := range s.Body {
		if b.Kind != lessons.Paragraph {
			continue
		}
		var t strings.Builder
		for _, sp := range b.Spans {
			t.WriteString(sp.Text)
		}
		return lessons.Expand(oneLine(t.String()), vars)
	}
	return ""
}

// screen is the audience's screen: the step's header at the top, the demo
// shell below it, and a line of keys at the bottom. The shell's output and
// the demo's own writes go through it one at a time.
type screen struct {
	mu         sync.Mutex
	w          io.Writer
	cols, rows int
	plain      bool
	n          int64  // bytes written so far
	keys       string // the keys' line shown
	// title and text are the header's, for drawing it again.
	title, text string
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n += int64(len(p))
	return s.w.Write(p)
}

func (s *screen) written() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *screen) printf(format string, args ...any) { fmt.Fprintf(s, format, args...) }

// open takes the terminal's alternate screen, as full-screen programs do,
// so that the presenter's own screen comes back at the end.
func (s *screen) open() {
	if !s.plain {
		s.printf("\x1b[?1049h\x1b[H\x1b[2J")
	}
}

func (s *screen) close() {
	if !s.plain {
		s.printf("\x1b[r\x1b[?1049l")
	}
}

// header clears the screen and shows a step's title and text above the
// shell's part of the screen.
func (s *screen) header(title, text string) {
	if s.plain {
		s.printf("\r\n\x1b[1m== %s ==\x1b[0m\r\n", title)
		for _, l := range wrap(text, s.cols-2, 2) {
			s.printf("%s\r\n", l)
		}
		return
	}
	s.mu.Lock()
	s.title, s.text = title, text
	s.mu.Unlock()
	s.drawHeader(true)
}

// drawHeader draws the header and sets the shell's part of the screen.
// Without clear, the rest of the screen and the cursor stay as they are.
func (s *screen) drawHeader(clear bool) {
	s.mu.Lock()
	cols, rows, title, text := s.cols, s.rows, s.title, s.text
	s.mu.Unlock()
	var b strings.Builder
	if clear {
		b.WriteString("\x1b[r\x1b[H\x1b[2J")
	} else {
		b.WriteString("\x1b7\x1b[r\x1b[H")
	}
	fmt.Fprintf(&b, "\x1b[2K\x1b[1;7m %s \x1b[0m\r\n", truncate(title, cols-2))
	lines := wrap(text, cols-2, headerRows-2)
	for i := 0; i < headerRows-2; i++ {
		b.WriteString("\x1b[2K")
		if i < len(lines) {
			fmt.Fprintf(&b, " %s", lines[i])
		}
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "\x1b[2K\x1b[2m%s\x1b[0m", strings.Repeat("─", cols))
	// The shell scrolls between the header and the keys' line.
	fmt.Fprintf(&b, "\x1b[%d;%dr", headerRows+1, rows-1)
	if clear {
		fmt.Fprintf(&b, "\x1b[%d;1H", headerRows+1)
	} else {
		b.WriteString("\x1b8")
	}
	s.printf("%s", b.String())
}

// resize redraws the header and the keys for a screen of a new size.
func (s *screen) resize(cols, rows int) {
	if s.plain {
		return
	}
	s.mu.Lock()
	s.cols, s.rows = cols, rows
	s.mu.Unlock()
	s.drawHeader(false)
	s.keyLine(s.shownKeys())
}

// keyLine shows the keys at the bottom of the screen, dim.
func (s *screen) keyLine(text string) {
	if s.plain {
		return
	}
	s.mu.Lock()
	s.keys = text
	s.mu.Unlock()
	s.mu.Lock()
	cols, rows := s.cols, s.rows
	s.mu.Unlock()
	s.printf("\x1b7\x1b[%d;1H\x1b[2K\x1b[2m %s\x1b[0m\x1b8", rows, fitKeys(text, cols-2))
}

// fitKeys shortens a keys' line ("Enter run it   ← back   q quit") to
// width columns, keeping every key: first the gaps between keys, then
// what is in parentheses, then each key's words after the first.
func fitKeys(text string, width int) string {
	fits := func(s string) bool { return utf8.RuneCountInString(s) <= width }
	if fits(text) {
		return text
	}
	items := strings.Split(text, "   ")
	if s := strings.Join(items, "  "); fits(s) {
		return s
	}
	for i, it := range items {
		if open := strings.Index(it, " ("); open > 0 && strings.HasSuffix(it, ")") {
			items[i] = it[:open]
		}
	}
	if s := strings.Join(items, "  "); fits(s) {
		return s
	}
	for i, it := range items {
		if w := strings.Fields(it); len(w) > 2 {
			items[i] = w[0] + " " + w[1]
		}
	}
	return truncate(strings.Join(items, "  "), width)
}

// shownKeys is the keys' line shown now.
func (s *screen) shownKeys() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys
}

func (s *screen) style(code, text string) string {
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
func (s *screen) bold(t string) string  { return s.style("1", t) }
func (s *screen) dim(t string) string   { return s.style("2", t) }
func (s *screen) green(t string) string { return s.style("1;32", t) }
func (s *screen) red(t string) string   { return s.style("1;31", t) }

// wrap breaks text into at most n lines of width columns, ending the last
// with … when the text goes on.
func wrap(text string, width, n int) []string {
	var lines []string
	var cur string
	words := strings.Fields(text)
	for _, w := range words {
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
		if len(lines) == n {
			// More text follows: end the last line with … where it fits.
			last := lines[n-1]
			for utf8.RuneCountInString(last)+2 > width && strings.Contains(last, " ") {
				last = last[:strings.LastIndex(last, " ")]
			}
			lines[n-1] = truncate(last+" …", width)
			return lines
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func truncate(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:max(width-1, 0)]) + "…"
}
