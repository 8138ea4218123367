package main

import (
	"encoding/json"
	"io"
	"os"

	"golang.org/x/term"
)

// streams are the standard streams a command uses, so that tests can give
// it their own.
type streams struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	// inTTY and outTTY say whether in and out are terminals.
	inTTY, outTTY bool
	// getenv reads the environment; nil means os.Getenv.
	getenv func(string) string
}

// env reads the environment variable k.
func (s *streams) env(k string) string {
	if s.getenv == nil {
		return os.Getenv(k)
	}
	return s.getenv(k)
}

func newStreams() *streams {
	return &streams{
		in:     os.Stdin,
		out:    os.Stdout,
		errOut: os.Stderr,
		inTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		outTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// terminal is the terminal that standard input and output are, for the
// commands that need one; ok is false when either is not a terminal.
func (s *streams) terminal() (in, out *os.File, ok bool) {
	in, inOK := s.in.(*os.File)
	out, outOK := s.out.(*os.File)
	return in, out, s.inTTY && s.outTTY && inOK && outOK
}

// color reports whether output may use colour: only on a terminal, and never
// when NO_COLOR is set (https://no-color.org).
func (s *streams) color() bool {
	if s.getenv == nil {
		if _, set := os.LookupEnv("NO_COLOR"); set {
			return false
		}
	} else if s.getenv("NO_COLOR") != "" {
		return false
	}
	return s.outTTY && s.env("TERM") != "dumb"
}

// writeJSON prints v as indented JSON on standard output, for the commands'
// --json flags.
func (s *streams) writeJSON(v any) error {
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
