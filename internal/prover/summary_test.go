package prover

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dockstep/dockstep/checks"
	"github.com/dockstep/dockstep/internal/engine"
)

func TestSummaryWords(t *testing.T) {
	ok := Summary{Lessons: 1, Runs: 2, Steps: 6, Elapsed: 3 * time.Second}
	if got, want := ok.String(), "ok: 1 lesson, 2 runs each, 6 steps held (3s)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := ok.Verdict(false, "unix:///var/run/docker.sock (from the default)"); err != nil {
		t.Errorf("every step held, yet the verdict is %v", err)
	}
	failed := Summary{Lessons: 2, Runs: 1, Failed: []string{"web (run 1): step 2 did not hold"}, Elapsed: time.Second}
	for _, tc := range []struct {
		name        string
		sum         Summary
		interrupted bool
		want        string
	}{
		{"failed", failed, false, "\nFAILED (1s):\n  web (run 1): step 2 did not hold"},
		{"interrupted", ok, true, "\nINTERRUPTED (3s):\n  interrupted: the lessons after the one interrupted were not tested"},
		{"engine lost", Summary{Failed: failed.Failed, EngineLost: true, Elapsed: time.Second}, false,
			"\nFAILED (1s): the Docker engine at tcp://fake:2375 (from a test) stopped answering:\n  web (run 1): step 2 did not hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.sum.Verdict(tc.interrupted, "tcp://fake:2375 (from a test)")
			var fe *FailedError
			if !errors.As(err, &fe) || err.Error() != tc.want {
				t.Errorf("got %q, want a *FailedError %q", err, tc.want)
			}
		})
	}
	if len(ok.Failed) != 0 {
		t.Errorf("the verdict changed the summary's failures: %q", ok.Failed)
	}
}

// closingDocker counts its Close calls.
type closingDocker struct {
	fakeDocker
	closed *int
}

func (c closingDocker) Close() error { *c.closed++; return nil }

func TestProve(t *testing.T) {
	refused := errors.New("no engine")
	p := &Prover{Registry: checks.Default(), Out: io.Discard}
	if err := p.Prove(context.Background(), nil, func(context.Context) (Engine, engine.Endpoint, error) { return nil, engine.Endpoint{}, refused }); err != refused {
		t.Errorf("connect failing: got %v, want its error", err)
	}
	var out strings.Builder
	closed := 0
	p = &Prover{Registry: checks.Default(), Out: &out}
	connect := func(context.Context) (Engine, engine.Endpoint, error) {
		return closingDocker{fakeDocker{fakeEngine: &fakeEngine{}}, &closed}, engine.Endpoint{}, nil
	}
	if err := p.Prove(context.Background(), nil, connect); err != nil || closed != 1 || !strings.HasPrefix(out.String(), "\nok: 0 lessons") {
		t.Errorf("no lessons: got %v, %d closes, output %q; want nil, 1 and the summary", err, closed, out.String())
	}
}

func TestFailedExitStatus(t *testing.T) {
	for _, c := range []struct {
		err  *FailedError
		code int
	}{
		{&FailedError{Summary: Summary{Failed: []string{"web (run 1): step 2"}}}, 1},
		{&FailedError{Summary: Summary{EngineLost: true}}, 3},
		{&FailedError{Interrupted: true}, 130},
	} {
		if code, msg := c.err.ExitStatus("dockstep test"); code != c.code || msg != c.err.Error() {
			t.Errorf("%+v: got %d %q, want %d and its message", c.err, code, msg, c.code)
		}
	}
}
