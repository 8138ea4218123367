// Package iostreams is the standard streams a dockstep command uses, so
// that tests can give it their own, and what they allow: a terminal for
// the commands that need one, colour, JSON.
package iostreams

import (
	"encoding/json"
	"io"
	"os"

	"golang.org/x/term"
)

// Streams are the standard streams a command uses.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY and OutTTY say whether In and Out are terminals.
	InTTY, OutTTY bool
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

// System is the process's own standard streams.
func System() *Streams {
	return &Streams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// Env reads the environment variable k.
func (s *Streams) Env(k string) string {
	if s.Getenv == nil {
		return os.Getenv(k)
	}
	return s.Getenv(k)
}

// Terminal is the terminal that standard input and output are, for the
// commands that need one; ok is false when either is not a terminal.
func (s *Streams) Terminal() (in, out *os.File, ok bool) {
	in, inOK := s.In.(*os.File)
	out, outOK := s.Out.(*os.File)
	return in, out, s.InTTY && s.OutTTY && inOK && outOK
}

// Color reports whether output may use colour: only on a terminal, and
// never when NO_COLOR is set (https://no-color.org).
func (s *Streams) Color() bool {
	if s.Getenv == nil {
		if _, set := os.LookupEnv("NO_COLOR"); set {
			return false
		}
	} else if s.Getenv("NO_COLOR") != "" {
		return false
	}
	return s.OutTTY && s.Env("TERM") != "dumb"
}

// WriteJSON prints v as indented JSON on standard output, for the
// commands' --json flags.
func (s *Streams) WriteJSON(v any) error {
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
