package prompt

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dockstep/dockstep/internal/iostreams"
)

func TestOpenNeedsATerminal(t *testing.T) {
	s := &iostreams.Streams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InTTY: true, OutTTY: true}
	if p, err := Open(s); p != nil || !errors.Is(err, ErrNoTerminal) {
		t.Errorf("Open on buffers: got %v, %v; want ErrNoTerminal", p, err)
	}
}
