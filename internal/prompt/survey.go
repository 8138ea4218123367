// Package prompt asks the learner questions on their terminal: Survey is
// the runner.Prompter that dockstep start and reset use, built on
// github.com/AlecAivazis/survey/v2, with prompts that end when their
// context is cancelled.
package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/dockstep/dockstep/runner"
)

// Survey asks questions with github.com/AlecAivazis/survey/v2 on a
// terminal.
//
// survey cannot cancel a prompt that waits for a key, so the prompter gives
// survey a reader of its own (keyReader) that reads the terminal and, when a
// prompt's context is done, hands survey a Ctrl-C that the learner did not
// type. survey then ends the prompt and restores the terminal, and the
// prompter reports the context's error instead of runner.ErrInterrupted.
type Survey struct {
	in     *keyReader
	out    *os.File
	errOut io.Writer
}

// NewSurvey returns a prompter reading keys from in and drawing on
// out, both terminals, in colour when color is set. Close it when done.
func NewSurvey(in, out *os.File, errOut io.Writer, color bool) (*Survey, error) {
	// survey keeps this setting in a package variable; dockstep has one
	// terminal, so one setting.
	core.DisableColor = !color
	kr, err := newKeyReader(in)
	if err != nil {
		return nil, err
	}
	return &Survey{in: kr, out: out, errOut: errOut}, nil
}

var _ runner.Prompter = (*Survey)(nil)

// Close releases the prompter's pipe. The terminal itself stays open.
func (p *Survey) Close() error { return p.in.Close() }

func (p *Survey) Select(ctx context.Context, msg string, options []string, def int) (int, error) {
	var idx int
	if w := p.width(); w > 0 {
		msg = fitHint(wrapWords(msg, len("? "), w), w)
	}
	q := &survey.Select{Message: msg, Options: options, PageSize: len(options)}
	if def >= 0 && def < len(options) {
		q.Default = options[def]
	}
	err := p.ask(ctx, q, &idx)
	return idx, err
}

// selectHint is what survey writes after a Select's question, with the
// "? " before it.
const selectHint = "? " + "  [Use arrows to move, type to filter]"

// fitHint ends msg with a line break when survey's hint would not fit after
// its last line on a terminal width columns wide: the terminal would break
// the hint mid-word; on a line of its own it reads whole.
func fitHint(msg string, width int) string {
	last := msg[strings.LastIndex(msg, "\n")+1:]
	if width <= 0 || len([]rune(last))+len(selectHint) < width {
		return msg
	}
	return msg + "\n"
}

// width is the terminal's width in columns, 0 when it is not known.
func (p *Survey) width() int {
	w, _, err := term.GetSize(int(p.out.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// wrapWords breaks each line of text between words so that no line is as
// wide as the terminal (a line that fills it would make some terminals
// wrap the cursor): the terminal would otherwise break words, commands and
// paths wherever the edge falls. The first line starts at column first,
// after what survey writes before it. A word too long for a line of its own
// is left whole.
func wrapWords(text string, first, width int) string {
	if width <= 0 {
		return text
	}
	var b strings.Builder
	col := first
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("\n")
			col = 0
		}
		for j, word := range strings.Split(line, " ") {
			n := len([]rune(word))
			switch {
			case j == 0:
			case col+1+n >= width && col > 0:
				b.WriteString("\n")
				col = 0
			default:
				b.WriteString(" ")
				col++
			}
			b.WriteString(word)
			col += n
		}
	}
	return b.String()
}

// invalidPrefix is what survey writes before the reason a reply is
// refused.
const invalidPrefix = "X Sorry, your reply was invalid: "

// fitInput wraps an Input's question for a terminal width columns wide,
// and puts the default on a line of its own when it does not fit after the
// question's last line: "(/home/me/dockstep-first-image)" stays whole.
func fitInput(msg, def string, width int) string {
	if width <= 0 {
		return msg
	}
	msg = wrapWords(msg, len("? "), width)
	if def == "" {
		return msg
	}
	last := msg[strings.LastIndex(msg, "\n")+1:]
	if !strings.Contains(msg, "\n") {
		last = "? " + last
	}
	if len([]rune(last))+len([]rune(" ("+def+") ")) >= width {
		return msg + "\n"
	}
	return msg
}

func (p *Survey) Input(ctx context.Context, msg, def string, validate func(string) error) (string, error) {
	var s string
	var opts []survey.AskOpt
	w := p.width()
	if validate != nil {
		opts = append(opts, survey.WithValidator(func(ans any) error {
			v, _ := ans.(string)
			if err := validate(v); err != nil {
				return errors.New(wrapWords(err.Error(), len(invalidPrefix), w))
			}
			return nil
		}))
	}
	msg = fitInput(msg, def, w)
	err := p.ask(ctx, &survey.Input{Message: msg, Default: def}, &s, opts...)
	return s, err
}

func (p *Survey) Confirm(ctx context.Context, msg string, def bool) (bool, error) {
	var b bool
	if w := p.width(); w > 0 {
		msg = wrapWords(msg, len("? "), w-len(" (Y/n) "))
	}
	err := p.ask(ctx, &survey.Confirm{Message: msg, Default: def}, &b)
	return b, err
}

// ask runs one survey prompt and ends it early when ctx is done.
func (p *Survey) ask(ctx context.Context, q survey.Prompt, answer any, opts ...survey.AskOpt) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			p.in.interrupt()
		case <-stop:
		}
	}()
	opts = append(opts, survey.WithStdio(p.in, p.out, p.errOut))
	err := survey.AskOne(q, answer, opts...)
	close(stop)
	<-watched
	// A key handed in just as the learner answered must not reach the next
	// prompt.
	p.in.drain()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, terminal.InterruptErr) {
		return runner.ErrInterrupted
	}
	if err != nil {
		return fmt.Errorf("reading your answer: %w", err)
	}
	return nil
}

// keyReader is what survey reads keys from: the terminal, plus a pipe
// through which the prompter hands in a key of its own. It waits on both at
// once, so that nothing is read from the terminal unless survey asks.
type keyReader struct {
	tty  *os.File
	r, w *os.File
	mu   sync.Mutex
}

func newKeyReader(tty *os.File) (*keyReader, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("preparing the terminal for prompts: %w", err)
	}
	return &keyReader{tty: tty, r: r, w: w}, nil
}

// Fd is the terminal's, so that survey puts the terminal in raw mode.
func (k *keyReader) Fd() uintptr { return k.tty.Fd() }

func (k *keyReader) Read(b []byte) (int, error) {
	fds := []unix.PollFd{
		{Fd: int32(k.r.Fd()), Events: unix.POLLIN},
		{Fd: int32(k.tty.Fd()), Events: unix.POLLIN},
	}
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("waiting for a key: %w", err)
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			k.mu.Lock()
			defer k.mu.Unlock()
			if k.pending() {
				return k.r.Read(b[:1])
			}
			continue // drained meanwhile
		}
		if fds[1].Revents != 0 {
			return k.tty.Read(b)
		}
	}
}

// interrupt hands survey a Ctrl-C.
func (k *keyReader) interrupt() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.w.Write([]byte{byte(terminal.KeyInterrupt)})
}

// pending reports whether a handed-in key waits in the pipe. k.mu is held.
func (k *keyReader) pending() bool {
	fds := []unix.PollFd{{Fd: int32(k.r.Fd()), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&unix.POLLIN != 0
}

// drain throws away handed-in keys that no prompt read.
func (k *keyReader) drain() {
	k.mu.Lock()
	defer k.mu.Unlock()
	var b [16]byte
	for k.pending() {
		if _, err := k.r.Read(b[:]); err != nil {
			return
		}
	}
}

func (k *keyReader) Close() error {
	return errors.Join(k.r.Close(), k.w.Close())
}
