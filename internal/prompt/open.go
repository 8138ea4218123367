package prompt

import (
	"errors"

	"github.com/dockstep/dockstep/internal/iostreams"
	"github.com/dockstep/dockstep/runner"
)

// ErrNoTerminal is Open's error when standard input or output is not a
// terminal.
var ErrNoTerminal = errors.New("no terminal")

// Open is the survey prompter on the terminal that the streams s are, in
// colour when they allow it; ErrNoTerminal when they are not a terminal.
// Close it when done.
func Open(s *iostreams.Streams) (runner.ClosingPrompter, error) {
	in, out, ok := s.Terminal()
	if !ok {
		return nil, ErrNoTerminal
	}
	return NewSurvey(in, out, s.ErrOut, s.Color())
}
