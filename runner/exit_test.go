package runner

import (
	"errors"
	"strings"
	"testing"
)

func TestStopped(t *testing.T) {
	other := errors.New("disk full")
	if err := Stopped(other); err != other {
		t.Errorf("Stopped(other) = %v, want it as it is", err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{ErrInterrupted, "\nStopped; your progress is saved. Run dockstep again to carry on."},
		{ErrNotJoined, "\nStopped before joining the room."},
	} {
		var stopped *StoppedError
		err := Stopped(c.err)
		if !errors.As(err, &stopped) || !errors.Is(err, c.err) {
			t.Fatalf("Stopped(%v) = %v, want a *StoppedError wrapping it", c.err, err)
		}
		if code, msg := stopped.ExitStatus("dockstep"); code != 130 || msg != c.want {
			t.Errorf("Stopped(%v): exit %d %q, want 130 %q", c.err, code, msg, c.want)
		}
	}
	if code, msg := (&NoTerminalError{Command: "dockstep start"}).ExitStatus("dockstep start"); code != 2 || !strings.HasPrefix(msg, "dockstep start needs a terminal") {
		t.Errorf("no terminal: exit %d %q", code, msg)
	}
}
