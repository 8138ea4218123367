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
	c, p, _ := newSizedTerminal(t, 0, 0)
	return c, p
}

// newSizedTerminal is newTerminal with a terminal cols wide and rows high
// (0 leaves the size unset), and the screen to read what it shows.
func newSizedTerminal(t *testing.T, cols, rows int) (*expect.Console, *Survey, vt10x.Terminal) {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	var sized []vt10x.TerminalOption
	if cols > 0 {
		sized = append(sized, vt10x.WithSize(cols, rows))
	}
	screen := vt10x.New(append(sized, vt10x.WithWriter(pts))...)
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(screen), expect.WithCloser(ptm, pts),
		expect.WithDefaultTimeout(5*time.Second))
	if err != nil {
		t.Fatalf("creating the console: %v", err)
	}
	if cols > 0 {
		if err := pty.Setsize(c.Tty(), &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := NewSurvey(c.Tty(), c.Tty(), c.Tty(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		c.Close()
	})
	return c, p, screen
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

// On a terminal narrower than a question, its default or the reason a reply
// is refused, survey's lines break between words, not inside a path or a
// number: seen at 100 columns were "(/tmp/learn/dockstep-firs" + "t-image)"
// and "try 81" + "00".
func TestSurveyInputWrapsBetweenWords(t *testing.T) {
	const cols = 60
	c, p, screen := newSizedTerminal(t, cols, 24)
	refuse := func(string) error {
		return errors.New("port 8099 is already in use (by process python3 (pid 7997)); try 8100")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.Input(ctx, "This lesson has files to work on. Where should dockstep put them?", "/tmp/walk10/learn/dockstep-first-image", refuse)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	if _, err := c.ExpectString("image)"); err != nil {
		t.Fatalf("the default is not shown: %v", err)
	}
	waitRaw(t, c)
	c.Send("8099\r")
	if _, err := c.ExpectString("8100"); err != nil {
		t.Fatalf("the reason is not shown: %v", err)
	}
	go c.ExpectEOF() // keep the screen reading, so that it answers survey's cursor queries
	time.Sleep(100 * time.Millisecond)
	shown := screen.String()
	for _, whole := range []string{"(/tmp/walk10/learn/dockstep-first-image)", "try 8100", "(pid 7997));"} {
		if !strings.Contains(shown, whole) {
			t.Errorf("%q is not whole on the screen:\n%s", whole, shown)
		}
	}
	for _, l := range strings.Split(shown, "\n") {
		if l = strings.TrimRight(l, " "); len([]rune(l)) >= cols {
			t.Errorf("line %q fills the %d columns: the terminal broke it", l, cols)
		}
	}
}

func TestWrapWords(t *testing.T) {
	for _, c := range []struct {
		text         string
		first, width int
		want         string
	}{
		{"a short one", 2, 80, "a short one"},
		{"one two three four", 0, 11, "one two\nthree four"},
		{"one two three", 5, 10, "one\ntwo three"},
		{"averyveryverylongword x", 0, 10, "averyveryverylongword\nx"},
		{"first line\nsecond line here", 0, 12, "first line\nsecond line\nhere"},
		{"no width", 0, 0, "no width"},
	} {
		if got := wrapWords(c.text, c.first, c.width); got != c.want {
			t.Errorf("wrapWords(%q, %d, %d) = %q, want %q", c.text, c.first, c.width, got, c.want)
		}
	}
	if got := fitInput("Where?", "/a/long/default/path", 20); got != "Where?\n" {
		t.Errorf("fitInput with a default that does not fit = %q, want a line break at the end", got)
	}
	if got := fitInput("Where?", "/x", 80); got != "Where?" {
		t.Errorf("fitInput with room = %q, want it unchanged", got)
	}
}
