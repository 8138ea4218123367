package prompt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"golang.org/x/sys/unix"

	"github.com/dockstep/dockstep/runner"
)

// newTerminal gives a Survey a real pseudo-terminal, with a vt10x
// screen that answers survey's cursor queries, as survey's own tests do.
func newTerminal(t *testing.T) (*expect.Console, *Survey) {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	screen := vt10x.New(vt10x.WithWriter(pts))
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen), expect.WithCloser(ptm, pts),
		expect.WithDefaultTimeout(5*time.Second))
	if err != nil {
		t.Fatalf("creating the console: %v", err)
	}
	p, err := NewSurvey(c.Tty(), c.Tty(), c.Tty(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		c.Close()
	})
	return c, p
}

// waitRaw waits until the prompt has put the terminal in raw mode, so that
// keys sent from now on reach it as keys.
func waitRaw(t *testing.T, c *expect.Console) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(c.Tty().Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ICANON == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the prompt did not put the terminal in raw mode within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type selectResult struct {
	index int
	err   error
}

func asyncSelect(ctx context.Context, p *Survey, msg string, opts []string) chan selectResult {
	ch := make(chan selectResult, 1)
	go func() {
		i, err := p.Select(ctx, msg, opts, 0)
		ch <- selectResult{i, err}
	}()
	return ch
}

func waitResult(t *testing.T, ch chan selectResult) selectResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the prompt did not return within 5s")
		return selectResult{}
	}
}

func TestSurveyPromptEndsWhenContextIsCancelled(t *testing.T) {
	c, p := newTerminal(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := asyncSelect(ctx, p, "What next?", []string{"Check now", "Quit"})
	if _, err := c.ExpectString("Check now"); err != nil {
		t.Fatalf("the menu was not drawn: %v", err)
	}
	cancel() // as when an engine event completes the step
	r := waitResult(t, res)
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Select = %d, %v; want context.Canceled", r.index, r.err)
	}
	tio, err := unix.IoctlGetTermios(int(c.Tty().Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ICANON == 0 || tio.Lflag&unix.ECHO == 0 {
		t.Errorf("the terminal was left in raw mode after the menu ended")
	}

	// The key handed in to end the menu must not reach the next prompt; the
	// learner's own keys must.
	res = asyncSelect(context.Background(), p, "Which lesson?", []string{"one", "two"})
	if _, err := c.ExpectString("two"); err != nil {
		t.Fatalf("the second menu was not drawn: %v", err)
	}
	waitRaw(t, c)    // see TestSurveyCtrlCIsInterrupt
	c.Send("\x1b[B") // arrow down
	c.Send("\r")
	if r := waitResult(t, res); r.err != nil || r.index != 1 {
		t.Fatalf("second Select = %d, %v; want 1, nil", r.index, r.err)
	}
}

func TestSurveyCtrlCIsInterrupt(t *testing.T) {
	c, p := newTerminal(t)
	res := asyncSelect(context.Background(), p, "What next?", []string{"Check now", "Quit"})
	if _, err := c.ExpectString("Quit"); err != nil {
		t.Fatal(err)
	}
	// survey draws the menu before it puts the terminal in raw mode; a
	// Ctrl-C typed in between is a signal to nobody here.
	waitRaw(t, c)
	c.Send("\x03")
	if r := waitResult(t, res); !errors.Is(r.err, runner.ErrInterrupted) {
		t.Fatalf("Select after Ctrl-C = %d, %v; want ErrInterrupted", r.index, r.err)
	}
}

func TestSurveyInputValidatesAndTakesDefault(t *testing.T) {
	type result struct {
		s   string
		err error
	}
	validate := func(s string) error {
		if s != "web" && s != "db" {
			return errors.New("must be web or db")
		}
		return nil
	}
	ask := func(ctx context.Context, p *Survey) chan result {
		ch := make(chan result, 1)
		go func() {
			s, err := p.Input(ctx, "Name your container", "web", validate)
			ch <- result{s, err}
		}()
		return ch
	}
	wait := func(ch chan result) result {
		select {
		case r := <-ch:
			return r
		case <-time.After(5 * time.Second):
			t.Fatal("Input did not return within 5s")
			return result{}
		}
	}

	c, p := newTerminal(t)
	ch := ask(context.Background(), p)
	if _, err := c.ExpectString("(web)"); err != nil {
		t.Fatalf("the default is not shown: %v", err)
	}
	waitRaw(t, c)
	c.Send("\r")
	c.ExpectString("web") // the answer is echoed; reading it lets the screen answer survey
	if r := wait(ch); r.err != nil || r.s != "web" {
		t.Fatalf("Input = %q, %v; want the default web", r.s, r.err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ch = ask(ctx, p)
	if _, err := c.ExpectString("(web)"); err != nil {
		t.Fatal(err)
	}
	waitRaw(t, c)
	c.Send("x\r")
	if _, err := c.ExpectString("must be web or db"); err != nil {
		t.Fatalf("the validation error is not shown: %v", err)
	}
	go c.ExpectEOF() // keep the screen reading, so that it answers survey's cursor queries
	cancel()
	if r := wait(ch); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Input after cancel = %q, %v; want context.Canceled", r.s, r.err)
	}
}

// A question whose last line leaves no room for survey's hint on the
// terminal gets a line break, so that the terminal does not cut the hint
// mid-word; a short one is left as it is.
func TestFitHint(t *testing.T) {
	long := "images in between) and adds Python. What kind of image is python:3?"
	if got := fitHint(long, 80); got != long+"\n" {
		t.Errorf("fitHint(long, 80) = %q, want a line break at the end", got)
	}
	if got := fitHint("What next?", 80); got != "What next?" {
		t.Errorf("fitHint(short, 80) = %q, want it unchanged", got)
	}
	if got := fitHint("first line that is long enough to need it, really quite long\nshort", 80); strings.HasSuffix(got, "\n") {
		t.Errorf("only the last line counts: %q", got)
	}
}
